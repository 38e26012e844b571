"""Score one pair of masks: the work each worker thread, process or Dask task does.

Read both masks (:func:`~segtool.io.maskpair.read_mask_pair`; the binary layout
reads one 0/1 file per label), count them in one pass
(:func:`~segtool.metrics.joint_counts`) over the pixels whose ground truth is
not ignored, add the per-image metrics (:class:`ImageMetrics`, e.g. boundary
metrics) and write the error map when asked. A bad file raises its
:class:`~segtool.errors.SegtoolError`: the job runner fails that pair only
(:mod:`segtool.pipelines.jobs`). The rules are those of :mod:`segtool.pipelines.score`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import MaskError
from ..io.maskio import is_colour_png, read_label_ids
from ..io.maskpair import check_same_size, read_mask_pair, unknown_colour_value
from ..io.memory import keep_freed_memory_in_workers
from ..io.storage import Location
from ..labels import LabelMap, label_folder
from ..limits import DEFAULT_MAX_PIXELS, too_many_classes_problem
from ..metrics import ImageCounts, JointCounts, joint_counts
from ..metrics.confusion import is_one_of, unknown_values
from .errormaps import ErrorMapFolder
from .pairing import LabelMasksPair, MaskPair

__all__ = ["ImageMetrics", "PairSettings", "binary_masks", "score_binary_layout_pair", "score_index_pair"]

UNKNOWN_COLOUR_NAME = "colour not in the label map"


class ImageMetrics(Protocol):
    """Per-image scores computed next to the confusion counts (the seam for boundary metrics).

    Called in the worker with both masks (ids, same shape) of one index-layout
    image, or with 0/1 masks and ``class_ids=[1]`` for one label of the binary
    layout. Returns ``{column name: one value per class id}``, NaN where
    undefined; each column gets an image mean, standard deviation and count.
    Must be picklable (a module-level class instance). A
    :class:`~segtool.metrics.boundary.BoundaryScorer` also has its settings and
    rules recorded in :attr:`ScoreResult.settings`.
    """

    @property
    def names(self) -> tuple[str, ...]: ...

    def __call__(
        self, mask_true: np.ndarray, mask_pred: np.ndarray, *, class_ids: np.ndarray, ignore: tuple[int, ...]
    ) -> dict[str, np.ndarray]: ...


@dataclass(frozen=True)
class PairSettings:
    """What a worker needs to score one pair (picklable)."""

    label_map: LabelMap | None
    class_ids: tuple[int, ...] | None  # None: every value found is a class
    ignore: tuple[int, ...]
    binary: bool
    image_metrics: tuple[ImageMetrics, ...] = ()
    in_worker_processes: bool = False  # then each worker keeps freed memory (see segtool.io.memory)
    max_pixels: int = DEFAULT_MAX_PIXELS
    error_maps: ErrorMapFolder | None = None
    #: The option that made the label map the Cityscapes labelIds table (``--compat cityscapes``,
    #: ``--labels cityscapes``), or None; it words the hint for values outside the table.
    cityscapes_label_ids_from: str | None = None

    @property
    def minus_one(self) -> int | None:
        """What labelme's -1 in a ``.npy`` mask is read as: the first ignore value (None: the default)."""
        return self.ignore[0] if self.ignore else None


def score_index_pair(settings: PairSettings, pair: MaskPair) -> ImageCounts:
    """Read one index-layout pair and count it; a bad file raises its SegtoolError (the pair fails)."""
    if settings.in_worker_processes:
        keep_freed_memory_in_workers()
    truth, guess = read_mask_pair(
        pair.gt,
        pair.pred,
        label_map=settings.label_map,
        max_pixels=settings.max_pixels,
        minus_one=settings.minus_one,
        copy=False,
    )
    every_pixel = joint_counts(truth, guess)
    joint = every_pixel.without_true(settings.ignore)
    ignored_pixels = every_pixel.total - joint.total
    if settings.binary:
        joint = _foreground(joint)
    class_ids = _image_class_ids(joint, settings, pair.gt)
    counts = ImageCounts.from_joint(pair.name, joint, class_ids)
    counts.ignored_pixels = ignored_pixels
    if settings.image_metrics:
        counts.extra = _image_metric_values(settings, truth, guess, counts.class_ids, settings.ignore)
    unknown_colour = str(unknown_colour_value(settings.label_map))
    if unknown_colour in counts.unknown_predictions and is_colour_png(pair.pred):
        counts.unknown_predictions[UNKNOWN_COLOUR_NAME] = counts.unknown_predictions.pop(unknown_colour)
    if settings.error_maps is not None:
        warning = _write_error_map(settings.error_maps, settings, pair, truth, guess)
        counts.warnings += [warning] if warning else []
    return counts


def _image_class_ids(joint: JointCounts, settings: PairSettings, gt_path: Location) -> np.ndarray:
    """The classes of one image; true values that are no class are an error naming them."""
    if settings.class_ids is None:
        predicted = joint.pred[~is_one_of(joint.pred, settings.ignore)]
        found = np.union1d(joint.true, predicted)
        problem = too_many_classes_problem(found.size, over=" in the pair")
        if problem:
            raise MaskError(problem, path=gt_path)
        return found
    class_ids = np.asarray(settings.class_ids, np.int64)
    unknown = unknown_values(joint.true, class_ids)
    if unknown.size:
        shown = ", ".join(str(value) for value in unknown[:10].tolist())
        raise MaskError(
            f"ground-truth values not in the label map and not ignored: {shown} "
            f"({_unknown_values_hint(joint.true, settings.cityscapes_label_ids_from)})",
            path=gt_path,
        )
    return class_ids


def _unknown_values_hint(truth_values: np.ndarray, cityscapes_from: str | None) -> str:
    """What to do about ground-truth values that are no class, by what the mask holds (0 and 255
    only: a binary mask) and whether the map is the Cityscapes labelIds table (then the masks are
    not labelIds, and ``--labels``/``--ignore`` are not the user's to check).

    >>> _unknown_values_hint(np.array([0, 255]), None)
    '0/255 binary masks? give --binary; else check --labels and --ignore'
    >>> _unknown_values_hint(np.array([0, 7, 255]), "--compat cityscapes")  # doctest: +ELLIPSIS
    'not Cityscapes labelIds (0 to 33), which --compat cityscapes reads: for trainIds give ...'
    """
    binary = set(truth_values.tolist()) <= {0, 255}
    if cityscapes_from is None:
        return ("0/255 binary masks? give --binary; else " if binary else "") + "check --labels and --ignore"
    table = f"Cityscapes labelIds (0 to 33), which {cityscapes_from} reads"
    if binary:
        return f"0/255 binary masks are not {table}: give --binary to score background/foreground"
    return f"not {table}: for trainIds give --labels cityscapes-train, else your own --labels"


def _foreground(joint: JointCounts) -> JointCounts:
    """Joint counts of background (0) / foreground (anything else) on both sides."""
    true, pred = (joint.true != 0).astype(np.int64), (joint.pred != 0).astype(np.int64)
    totals = np.bincount(true * 2 + pred, weights=joint.count, minlength=4).astype(np.int64)
    codes = np.flatnonzero(totals)
    return JointCounts(codes // 2, codes % 2, totals[codes])


def score_binary_layout_pair(settings: PairSettings, pair: LabelMasksPair) -> ImageCounts:
    """Score each label of one binary-layout image as its own foreground/background problem."""
    if settings.in_worker_processes:
        keep_freed_memory_in_workers()
    files = [
        (label_id, gt_path, pred_path)
        for (label_id, gt_path), (_, pred_path) in zip(pair.gt, pair.pred, strict=True)
    ]
    arrays = {
        path: read_label_ids(path, max_pixels=settings.max_pixels, copy=False)
        for _, *paths in files
        for path in paths
        if path is not None
    }
    shape = _common_shape(arrays)
    maps = (
        settings.error_maps.for_pair(pair.name, photo=pair.photo, shape=shape)
        if settings.error_maps is not None
        else None
    )
    empty = np.zeros(shape, bool)
    tp_list, fp_list, fn_list, extra_rows = [], [], [], []
    for label_id, gt_path, pred_path in files:
        truth = arrays[gt_path] != 0 if gt_path is not None else empty
        guess = arrays[pred_path] != 0 if pred_path is not None else empty
        label_map = settings.label_map  # binary pairs always have one
        if maps is not None and label_map is not None and (gt_path is not None or pred_path is not None):
            maps.write(
                truth.view(np.uint8),
                guess.view(np.uint8),
                ignore=(),
                class_id=1,
                subfolder=label_folder(label_map.name_of(label_id)),
            )
        tp_list.append(np.count_nonzero(truth & guess))
        fp_list.append(np.count_nonzero(guess & ~truth))
        fn_list.append(np.count_nonzero(truth & ~guess))
        if settings.image_metrics:
            # Labels are scored on their own files, over every pixel: no ignore values here.
            extra_rows.append(
                _image_metric_values(settings, truth.view(np.uint8), guess.view(np.uint8), np.array([1]), ())
            )
    ids = np.array([label_id for label_id, _, _ in files], np.int64)
    tp, fp, fn = (np.array(values, np.int64) for values in (tp_list, fp_list, fn_list))
    present = (tp + fp + fn) > 0
    extra = {
        name: np.concatenate([row[name] for row in extra_rows])[present]
        for name in (extra_rows[0] if extra_rows else {})
    }
    return ImageCounts(
        pair.name,
        ids[present],
        tp[present],
        fp[present],
        fn[present],
        valid_pixels=shape[0] * shape[1],
        extra=extra,
        warnings=[maps.warning] if maps is not None and maps.warning else [],
    )


def _common_shape(arrays: dict[Location, np.ndarray]) -> tuple[int, int]:
    """The size all of an image's label masks share; else a SizeMismatchError naming two of them."""
    (reference, first), *others = arrays.items()
    for path, array in others:
        check_same_size(path, array.shape, reference, first.shape, what="the mask")
    return first.shape[:2]


def binary_masks(
    mask_true: np.ndarray, mask_pred: np.ndarray, ignore: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """The masks as ``binary=True`` scores them: background 0, foreground 1, and the ignore values left.

    Ignored ground truth becomes 2 (an ignore value of 1 must not swallow the
    foreground), as the counts ignore before binarising.

    >>> truth, guess, ignore = binary_masks(np.array([[0, 255, 1]]), np.array([[7, 0, 0]]), (1,))
    >>> truth.tolist(), guess.tolist(), ignore
    ([[0, 1, 2]], [[1, 0, 0]], (2,))
    """
    ignored = np.isin(mask_true, ignore) if ignore else None
    truth = (mask_true != 0).view(np.uint8)
    if ignored is not None:
        truth[ignored] = 2
    return truth, (mask_pred != 0).view(np.uint8), (2,) if ignored is not None else ()


def _write_error_map(
    error_maps: ErrorMapFolder, settings: PairSettings, pair: MaskPair, truth: np.ndarray, guess: np.ndarray
) -> str | None:
    """Write the pair's error map; return the warning when it is drawn without its photo."""
    maps = error_maps.for_pair(pair.name, photo=pair.photo, shape=truth.shape)
    if settings.binary:
        truth, guess, ignore = binary_masks(truth, guess, settings.ignore)
        maps.write(truth, guess, ignore=ignore, class_id=1)
    else:
        maps.write(truth, guess, ignore=settings.ignore)
    return maps.warning


def _image_metric_values(
    settings: PairSettings,
    truth: np.ndarray,
    guess: np.ndarray,
    class_ids: np.ndarray,
    ignore: tuple[int, ...],
) -> dict[str, np.ndarray]:
    if settings.binary:
        truth, guess, ignore = binary_masks(truth, guess, ignore)
    values: dict[str, np.ndarray] = {}
    for metric in settings.image_metrics:
        values.update(metric(truth, guess, class_ids=class_ids, ignore=ignore))
    return values
