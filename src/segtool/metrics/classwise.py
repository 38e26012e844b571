"""Per-class scores from confusion counts, and their two aggregations over images.

Definitions, per class ``c`` over the valid pixels (ground truth not ignored):

* ``tp`` = prediction c and truth c; ``fp`` = prediction c, truth not c;
  ``fn`` = truth c, prediction not c (including predictions that are no class).
* ``dice = 2tp / (2tp + fp + fn)``, ``iou = tp / (tp + fp + fn)``,
  ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``.
* A ratio whose denominator is 0 is *undefined*: NaN, never 0 and never 1. A class
  absent from both masks has undefined Dice and IoU on that image; a class only
  predicted scores 0 (its false positives are never dropped).

Aggregations (both are always computed, and labelled):

* ``dataset``: sum the counts over all images, then compute (mmseg, Cityscapes).
* ``image``: compute per image, then the mean and the population standard
  deviation (``ddof=0``) over the images where the value is defined, with their
  number (nnU-Net, MONAI).

Summary over classes: the macro mean of each score over the classes where it is
defined, leaving out the background (id 0) unless asked; pixel accuracy =
sum tp / valid pixels; mean accuracy = mean recall over the classes of the mean
that occur in the ground truth; frequency-weighted IoU = sum over all classes of
(ground-truth pixels of c / valid pixels) * IoU_c.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .confusion import JointCounts, place_joint, positions_in

METRICS = ("dice", "iou", "precision", "recall")
#: Images summed together in one vectorised step. A constant: batches, and so the
#: rounding of the sums, depend only on the order of the images.
BATCH_IMAGES = 64
BACKGROUND_ID = 0


# -- scores from counts -------------------------------------------------------------------
def counts_from_matrix(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(tp, fp, fn)`` per class of a ``(n, n)`` or ``(n, n + 1)`` confusion matrix.

    Parameters
    ----------
    matrix : (n, n) or (n, n + 1) array_like of int
        Rows are true classes, columns predicted ones; an extra last column counts
        predictions that are no class (see :mod:`segtool.metrics.confusion`).

    Returns
    -------
    tp, fp, fn : (n,) int64 arrays
        Per class: the diagonal, the rest of its column, the rest of its row.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).

    Examples
    --------
    >>> [a.tolist() for a in counts_from_matrix(np.array([[5, 1, 0], [1, 3, 2]]))]
    [[5, 3], [1, 1], [1, 3]]
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    if matrix.ndim != 2 or matrix.shape[1] not in (matrix.shape[0], matrix.shape[0] + 1):
        raise ValueError(f"a confusion matrix must be (n, n) or (n, n + 1), got shape {matrix.shape}")
    n = matrix.shape[0]
    square = matrix[:, :n]
    tp = np.diagonal(square).copy()
    return tp, square.sum(axis=0) - tp, matrix.sum(axis=1) - tp


def class_scores(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> dict[str, np.ndarray]:
    """Dice, IoU, precision and recall per class; NaN where undefined.

    Parameters
    ----------
    tp, fp, fn : (n,) array_like of int
        True positives, false positives and false negatives per class.

    Returns
    -------
    dict
        ``dice``, ``iou``, ``precision``, ``recall``: (n,) float64 arrays; NaN
        where the denominator is 0 (see the module docstring).

    References
    ----------
    .. [1] L. R. Dice, "Measures of the amount of ecologic association between species",
       Ecology 26(3), 1945.
    .. [2] P. Jaccard, "The distribution of the flora in the alpine zone", New Phytologist
       11(2), 1912.

    Examples
    --------
    >>> scores = class_scores(np.array([3, 0, 0]), np.array([1, 2, 0]), np.array([1, 0, 0]))
    >>> [round(float(v), 2) for v in scores["dice"]], [float(v) for v in scores["iou"]][1:]
    ([0.75, 0.0, nan], [0.0, nan])
    """
    tp, fp, fn = (np.asarray(values, dtype=np.int64) for values in (tp, fp, fn))
    return {
        "dice": _ratio(2 * tp, 2 * tp + fp + fn),
        "iou": _ratio(tp, tp + fp + fn),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
    }


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (undefined, not 0, not 1)."""
    out = np.full(np.shape(denominator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def macro_mean(values: np.ndarray, in_mean: np.ndarray) -> tuple[float, int]:
    """Mean of the defined ``values`` where ``in_mean``, and how many were averaged.

    Parameters
    ----------
    values : (n,) array_like of float
        One score per class; NaN where undefined.
    in_mean : (n,) array_like of bool
        The classes the mean is over.

    Returns
    -------
    mean : float
        NaN when no class is both in the mean and defined.
    count : int
        The number of classes averaged.

    References
    ----------
    The undefined rule and the macro mean: this module's docstring and
    ``docs/score.md``.

    Examples
    --------
    >>> macro_mean(np.array([0.5, np.nan, 1.0]), np.array([True, True, True]))
    (0.75, 2)
    """
    chosen = np.asarray(values, dtype=float)[np.asarray(in_mean, dtype=bool)]
    chosen = chosen[~np.isnan(chosen)]
    return (float(chosen.mean()) if chosen.size else float("nan")), int(chosen.size)


def pixel_accuracy(tp: np.ndarray, valid_pixels: int) -> float:
    """Correctly labelled valid pixels / valid pixels.

    Parameters
    ----------
    tp : (n,) array_like of int
        True positives per class.
    valid_pixels : int
        Pixels whose ground truth is not ignored.

    Returns
    -------
    float
        NaN when nothing is valid.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).
    """
    return float(np.sum(tp) / valid_pixels) if valid_pixels else float("nan")


def mean_accuracy(tp: np.ndarray, fn: np.ndarray, in_mean: np.ndarray) -> float:
    """Mean recall over the classes of the mean that occur in the ground truth.

    Parameters
    ----------
    tp, fn : (n,) array_like of int
        True positives and false negatives per class.
    in_mean : (n,) array_like of bool
        The classes the mean may include.

    Returns
    -------
    float
        NaN when no such class occurs in the ground truth.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).
    """
    return macro_mean(class_scores(tp, np.zeros_like(tp), fn)["recall"], in_mean)[0]


def frequency_weighted_iou(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, valid_pixels: int) -> float:
    """Sum over classes of (ground-truth share of the valid pixels) * IoU.

    Parameters
    ----------
    tp, fp, fn : (n,) array_like of int
        True positives, false positives and false negatives per class.
    valid_pixels : int
        Pixels whose ground truth is not ignored.

    Returns
    -------
    float
        NaN when nothing is valid.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).
    """
    if not valid_pixels:
        return float("nan")
    support = np.asarray(tp) + np.asarray(fn)
    iou = class_scores(tp, fp, fn)["iou"]
    present = support > 0
    return float(np.sum(support[present] / valid_pixels * iou[present]))


def summary_scores(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, *, valid_pixels: int | None, in_mean: np.ndarray
) -> dict[str, float | int]:
    """Macro means of the dataset scores plus pixel accuracy, mean accuracy and fw-IoU.

    Parameters
    ----------
    tp, fp, fn : (n,) array_like of int
        True positives, false positives and false negatives per class, summed over images.
    valid_pixels : int or None
        Pixels whose ground truth is not ignored. ``None`` (labels that may
        overlap, so pixels are not one class each) leaves pixel accuracy and
        frequency-weighted IoU undefined.
    in_mean : (n,) array_like of bool
        The classes of the macro means.

    Returns
    -------
    dict
        ``dice``, ``iou``, ``precision``, ``recall`` (macro means) with their
        ``*_n_classes`` counts, ``pixel_accuracy``, ``mean_accuracy``,
        ``frequency_weighted_iou``.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).
    .. [2] M. Cordts et al., "The Cityscapes dataset for semantic urban scene
       understanding", CVPR 2016 (scores from counts summed over the dataset).
    """
    scores = class_scores(tp, fp, fn)
    summary: dict[str, float | int] = {}
    for metric in METRICS:
        summary[metric], summary[f"{metric}_n_classes"] = macro_mean(scores[metric], in_mean)
    summary["pixel_accuracy"] = float("nan") if valid_pixels is None else pixel_accuracy(tp, valid_pixels)
    summary["mean_accuracy"] = mean_accuracy(tp, fn, in_mean)
    summary["frequency_weighted_iou"] = (
        float("nan") if valid_pixels is None else frequency_weighted_iou(tp, fp, fn, valid_pixels)
    )
    return summary


def metrics_from_matrix(matrix: np.ndarray, *, include_background: bool = False) -> dict:
    """Every score of one confusion matrix: per-class arrays and a ``summary`` dict.

    Parameters
    ----------
    matrix : (n, n) or (n, n + 1) array_like of int
        Class ``i`` is row ``i``; row 0 is the background.
    include_background : bool
        Put the background in the macro means.

    Returns
    -------
    dict
        ``tp``, ``fp``, ``fn`` and the scores of :func:`class_scores` per class,
        and ``summary`` (:func:`summary_scores`).

    References
    ----------
    .. [1] L. R. Dice, "Measures of the amount of ecologic association between species",
       Ecology 26(3), 1945.
    .. [2] P. Jaccard, "The distribution of the flora in the alpine zone", New Phytologist
       11(2), 1912.
    .. [3] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015 (pixel accuracy, mean accuracy, frequency-weighted IU).

    Examples
    --------
    >>> m = metrics_from_matrix(np.array([[5, 1], [1, 3]]))
    >>> float(m["dice"][1]), m["summary"]["dice"], m["summary"]["pixel_accuracy"]
    (0.75, 0.75, 0.8)
    """
    tp, fp, fn = counts_from_matrix(matrix)
    in_mean = np.ones(tp.size, bool)
    if not include_background and tp.size:
        in_mean[BACKGROUND_ID] = False
    result: dict = {"tp": tp, "fp": fp, "fn": fn, **class_scores(tp, fp, fn)}
    result["summary"] = summary_scores(
        tp, fp, fn, valid_pixels=int(np.asarray(matrix).sum()), in_mean=in_mean
    )
    return result


# -- per-image statistics -----------------------------------------------------------------
class RunningStats:
    """Per-class count, mean and population std over images of values that may be undefined.

    Updated a batch of images at a time (one image is a batch of one): the batch's
    count, mean and squared deviations per class are merged into the running ones
    (Chan, Golub and LeVeque's pairwise update, numerically stable like Welford's).
    Batches follow the order of the images, so the numbers do not depend on the
    number of workers; memory does not grow with the images. With
    ``rows``, one instance follows several metrics at once: its arrays are
    ``(rows, size)`` and :meth:`add` takes one row of values per metric.
    """

    def __init__(self, size: int = 0, *, rows: int | None = None) -> None:
        shape = (size,) if rows is None else (rows, size)
        self.count = np.zeros(shape, np.int64)
        self._mean = np.zeros(shape)
        self._m2 = np.zeros(shape)

    def add(self, positions: np.ndarray, values: np.ndarray) -> None:
        """Add ``values`` of the classes at ``positions`` (repeated for several images); NaN is skipped."""
        values = np.asarray(values, dtype=float)
        size = self.count.shape[-1]
        rows = np.atleast_2d(values)
        cells = (np.arange(rows.shape[0])[:, None] * size + np.asarray(positions)).reshape(-1)
        values = rows.reshape(-1)
        defined = ~np.isnan(values)
        cells, values = cells[defined], values[defined]
        count, mean, m2 = self.count.reshape(-1), self._mean.reshape(-1), self._m2.reshape(-1)  # views
        # Deviations from a reference per cell (the running mean, or one of the batch's values for a
        # cell without any yet): equal values then give a mean equal to them and a std of exactly 0.
        reference = mean.copy()
        new = count[cells] == 0
        reference[cells[new]] = values[new]
        deviations = values - reference[cells]
        batch_count = np.bincount(cells, minlength=count.size)
        deviation_mean = np.bincount(cells, weights=deviations, minlength=count.size) / np.maximum(
            batch_count, 1
        )
        batch_m2 = np.bincount(cells, weights=(deviations - deviation_mean[cells]) ** 2, minlength=count.size)
        share = np.divide(batch_count, count + batch_count, out=np.zeros(count.size), where=batch_count > 0)
        delta = reference - mean + deviation_mean  # batch mean minus running mean
        m2 += np.where(batch_count > 0, batch_m2 + delta * delta * count * share, 0.0)
        mean += np.where(batch_count > 0, delta * share, 0.0)
        count += batch_count

    def remap(self, old_positions: np.ndarray, size: int) -> None:
        """Move class ``i`` to ``old_positions[i]`` in a class set of ``size`` (new classes are empty)."""
        for name in ("count", "_mean", "_m2"):
            old = getattr(self, name)
            new = np.zeros((*old.shape[:-1], size), old.dtype)
            new[..., old_positions] = old
            setattr(self, name, new)

    @property
    def mean(self) -> np.ndarray:
        return np.where(self.count > 0, self._mean, np.nan)

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(_ratio(self._m2, self.count))


# -- one image, and the sum over images ---------------------------------------------------
@dataclass
class ImageCounts:
    """The confusion counts of one image, as a worker sends them back.

    ``class_ids`` are the classes present in the image's ground truth or
    prediction (valid pixels only); ``tp``/``fp``/``fn`` are aligned with them.
    ``unknown_predictions`` maps prediction values that are no class to their
    number of valid pixels; ``ignored_pixels`` counts the pixels whose ground
    truth is an ignore value (not scored). ``joint`` (index masks only) feeds the dataset
    confusion matrix. ``extra`` holds per-image metrics computed next to the
    counts (boundary metrics, for instance): ``{metric name: values aligned with
    class_ids}``, NaN where undefined; ``scores`` the image's :func:`class_scores`.
    ``warnings``: lines about the image that do not fail it (a picture drawn
    without its photo), for the caller to print.
    """

    name: str
    class_ids: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    valid_pixels: int
    unknown_predictions: dict[str, int] = field(default_factory=dict)
    joint: JointCounts | None = None
    ignored_pixels: int = 0
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.scores:  # computed where the image is counted (a worker), not where images are summed
            self.scores = class_scores(self.tp, self.fp, self.fn)

    @classmethod
    def from_joint(cls, name: str, joint: JointCounts, class_ids: np.ndarray) -> ImageCounts:
        """Counts of the classes of ``class_ids`` that occur in ``joint`` (ignore rows already removed).

        True values outside ``class_ids`` must have been rejected before (else a ``ValueError``).
        """
        cells = place_joint(joint, class_ids)
        if cells.unknown_true.size:
            raise ValueError(f"true values that are no class: {cells.unknown_true.tolist()}")
        size = cells.n_classes
        hits = cells.row == cells.col
        tp = np.bincount(cells.row[hits], weights=cells.count[hits], minlength=size).astype(np.int64)
        fn = np.bincount(cells.row, weights=cells.count, minlength=size).astype(np.int64) - tp
        predicted = cells.col < size
        fp = (
            np.bincount(cells.col[predicted], weights=cells.count[predicted], minlength=size).astype(np.int64)
            - tp
        )
        present = (tp + fp + fn) > 0
        no_class = cells.col == size  # cells are aligned with joint: every true value is a class
        unknown: Counter[str] = Counter()
        for value, count in zip(joint.pred[no_class].tolist(), joint.count[no_class].tolist(), strict=True):
            unknown[str(value)] += count
        return cls(
            name,
            np.asarray(class_ids, np.int64)[present],
            tp[present],
            fp[present],
            fn[present],
            joint.total,
            dict(unknown),
            joint,
        )


@dataclass
class DatasetScores:
    """Everything computed over a dataset, per class (aligned with ``class_ids``) and in summary."""

    class_ids: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    dataset: dict[str, np.ndarray]
    image_mean: dict[str, np.ndarray]
    image_std: dict[str, np.ndarray]
    image_count: dict[str, np.ndarray]
    summary: dict[str, float | int]
    valid_pixels: int
    ignored_pixels: int
    n_images: int
    matrix: np.ndarray | None
    unknown_predictions: dict[str, dict[str, int]]


class ScoreAccumulator:
    """Adds up :class:`ImageCounts`; memory does not grow with the images.

    The class set starts with ``class_ids`` (every class of a label map, so that
    absent classes are still reported) and grows with the classes images bring;
    ``extra_metrics`` (per-image metrics such as ``hd95``) are reported even when
    no image gives a value. Images are summed :data:`BATCH_IMAGES` at a time, in
    the order they are added, with a few vectorised steps per batch rather than
    per image: the public arrays (``tp``, ``matrix``, ...) hold every image added
    only after :meth:`result` or :meth:`in_mean`.
    """

    def __init__(
        self,
        class_ids: Iterable[int] = (),
        *,
        include_background: bool = False,
        pixels_are_exclusive: bool = True,
        extra_metrics: Iterable[str] = (),
    ) -> None:
        self.class_ids = np.unique(np.fromiter(class_ids, dtype=np.int64))
        self.include_background = include_background
        self.pixels_are_exclusive = pixels_are_exclusive
        size = self.class_ids.size
        self.tp, self.fp, self.fn = (np.zeros(size, np.int64) for _ in range(3))
        self.matrix = np.zeros((size, size + 1), np.int64)
        self.score_stats = RunningStats(size, rows=len(METRICS))  # a row per metric of METRICS
        # per-image metrics computed next to the counts: those named here, and any an image brings
        self.extra_stats: dict[str, RunningStats] = {name: RunningStats(size) for name in extra_metrics}
        self.valid_pixels = 0
        self.ignored_pixels = 0
        self.n_images = 0
        self.unknown_pixels: Counter = Counter()
        self.unknown_images: Counter = Counter()
        self._waiting: list[ImageCounts] = []

    def add(self, image: ImageCounts) -> dict[str, np.ndarray]:
        """Add one image; return its per-class scores (aligned with ``image.class_ids``)."""
        self._waiting.append(image)
        if len(self._waiting) == BATCH_IMAGES:
            self._add_waiting()
        return {"tp": image.tp, "fp": image.fp, "fn": image.fn, **image.scores, **image.extra}

    def _add_waiting(self) -> None:
        """Sum the images added since the last batch."""
        images, self._waiting = self._waiting, []
        if not images:
            return
        positions = self._positions_making_room(np.concatenate([image.class_ids for image in images]))
        for name in ("tp", "fp", "fn"):
            np.add.at(
                getattr(self, name), positions, np.concatenate([getattr(image, name) for image in images])
            )
        joints = [image.joint for image in images if image.joint is not None]
        if joints:
            together = JointCounts(
                *(
                    np.concatenate(parts)
                    for parts in zip(
                        *((joint.true, joint.pred, joint.count) for joint in joints), strict=True
                    )
                )
            )
            place_joint(together, self.class_ids).add_to(self.matrix)
        self.score_stats.add(
            positions,
            np.concatenate(
                [np.stack([image.scores[metric] for metric in METRICS]) for image in images], axis=1
            ),
        )
        for metric in dict.fromkeys(metric for image in images for metric in image.extra):
            values = np.concatenate(
                [image.extra.get(metric, np.full(image.class_ids.size, np.nan)) for image in images]
            )
            self.extra_stats.setdefault(metric, RunningStats(self.class_ids.size)).add(positions, values)
        for image in images:
            self.valid_pixels += image.valid_pixels
            self.ignored_pixels += image.ignored_pixels
            for value, count in image.unknown_predictions.items():
                self.unknown_pixels[value] += count
                self.unknown_images[value] += 1
        self.n_images += len(images)

    def _positions_making_room(self, ids: np.ndarray) -> np.ndarray:
        """Where ``ids`` are in the class set, after growing it by those it lacks."""
        positions, known = positions_in(ids, self.class_ids)
        if known.all():
            return positions
        self._grow(np.unique(ids[~known]))
        return np.searchsorted(self.class_ids, ids)

    def _grow(self, new_ids: np.ndarray) -> None:
        """Add ``new_ids`` to the class set, moving every per-class array."""
        merged = np.union1d(self.class_ids, new_ids)
        old = np.searchsorted(merged, self.class_ids)
        size = merged.size
        for name in ("tp", "fp", "fn"):
            grown = np.zeros(size, np.int64)
            grown[old] = getattr(self, name)
            setattr(self, name, grown)
        matrix = np.zeros((size, size + 1), np.int64)
        matrix[np.ix_(old, np.append(old, size))] = self.matrix
        self.matrix = matrix
        for stats in (self.score_stats, *self.extra_stats.values()):
            stats.remap(old, size)
        self.class_ids = merged

    def in_mean(self) -> np.ndarray:
        """Which classes enter the macro means: those present in some image (in its ground truth or
        prediction), but the background only when it was asked for. A class absent from every
        image has no score to average, so it is in no mean."""
        self._add_waiting()
        present = (self.tp + self.fp + self.fn) > 0
        return ((self.class_ids != BACKGROUND_ID) | self.include_background) & present

    def result(self) -> DatasetScores:
        """Scores of everything added so far."""
        self._add_waiting()
        valid = self.valid_pixels if self.pixels_are_exclusive else None
        summary = summary_scores(self.tp, self.fp, self.fn, valid_pixels=valid, in_mean=self.in_mean())
        per_image = {
            metric: (means, stds, counts)
            for metric, means, stds, counts in zip(
                METRICS, self.score_stats.mean, self.score_stats.std, self.score_stats.count, strict=True
            )
        }
        per_image.update(
            {metric: (stats.mean, stats.std, stats.count) for metric, stats in self.extra_stats.items()}
        )
        image_mean = {metric: means for metric, (means, _, _) in per_image.items()}
        for metric, means in image_mean.items():
            summary[f"{metric}_image_mean"], summary[f"{metric}_image_n_classes"] = macro_mean(
                means, self.in_mean()
            )
        summary["n_images"] = self.n_images
        unknown = {
            value: {"pixels": self.unknown_pixels[value], "images": self.unknown_images[value]}
            for value in sorted(self.unknown_pixels, key=_value_order)
        }
        return DatasetScores(
            class_ids=self.class_ids,
            tp=self.tp,
            fp=self.fp,
            fn=self.fn,
            dataset=class_scores(self.tp, self.fp, self.fn),
            image_mean=image_mean,
            image_std={metric: stds for metric, (_, stds, _) in per_image.items()},
            image_count={metric: counts for metric, (_, _, counts) in per_image.items()},
            summary=summary,
            valid_pixels=self.valid_pixels,
            ignored_pixels=self.ignored_pixels,
            n_images=self.n_images,
            matrix=self.matrix if self.pixels_are_exclusive else None,
            unknown_predictions=unknown,
        )


def _value_order(value: str) -> tuple[int, int | str]:
    """Numbers first in numeric order, then anything else (colours) by name."""
    return (0, int(value)) if value.isdigit() else (1, value)
