"""Score a folder of predicted masks against a folder of ground-truth masks.

Pipeline: pair files by name (:mod:`segtool.pipelines.pairing`) -> per pair, in worker
threads (or Dask workers): read both masks, check sizes, count the confusion in
one vectorised pass (:mod:`segtool.metrics.confusion`) -> in this thread, in file
order: add the counts up (:class:`~segtool.metrics.ScoreAccumulator`) and hand
each image's rows to ``on_image`` -> per-class rows and a summary (:class:`ScoreResult`).

Rules (see also :mod:`segtool.metrics.classwise`):

* Ignore values (``ignore``, default the label map's ignore value or 255) mark
  ground-truth pixels that are not scored. Prediction values never mask anything.
* With a label map, ground-truth values that are neither classes nor ignore
  values make that image fail; prediction values that are no class count as
  wrong (false negatives of the true class) and are reported. Without one, every
  value found in the ground truth or a prediction is a class (except ignore
  values, which in a prediction are no class).
* ``binary=True``: masks hold background (0) and foreground (any other value);
  255 is foreground, not ignore, unless ignore values are given explicitly.
* The ``binary`` layout scores each label as its own 0/1 problem (labels may
  overlap): no ignore values, and no pixel accuracy or frequency-weighted IoU.
* Missing predictions fail the run, or with ``missing="empty"`` are scored as
  all-background masks, or with ``missing="skip"`` are left out and listed (as
  nnU-Net's evaluator, which scores the predictions it finds). Predictions without
  ground truth are listed, not scored.
* One bad file fails its pair only; the others are scored.
* ``error_maps``: each worker also writes the error map of the pair it scored
  (:mod:`segtool.pipelines.errormaps`); ``images`` gives them (and report pictures) a
  photo underneath, matched by name like the masks (:mod:`segtool.pipelines.photos`);
  a pair without a usable photo is drawn without one, with a warning in
  :attr:`ScoreResult.photo_warnings`, and is scored as usual.
* Results do not depend on the number of workers, the executor (local threads
  or Dask, see :mod:`segtool.pipelines.executors`) or its batch size: images are added in
  file order. Folders may be fsspec URLs (see :mod:`segtool.io.storage`).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from ..errors import MaskError, SegtoolError
from ..io.files import check_picture_folder
from ..io.maskio import read_mask_shape
from ..io.storage import Location, RemotePath, as_path
from ..labels import DEFAULT_IGNORE_VALUE, LabelMap
from ..labelsets import is_label_set, label_set
from ..limits import DEFAULT_MAX_PIXELS, too_many_classes_problem
from ..metrics import METRICS, ImageCounts, ScoreAccumulator
from ..metrics.boundary import BoundaryScorer
from ..metrics.conventions import Bundle, CellTable, ConventionScores, bundle_named, convention_scores
from ..metrics.davis import NAME as DAVIS_NAME
from ..metrics.registry import ALIAS_TITLES, SUMMARY_ALIASES
from ..viz.errormap import ErrorStyle
from .errormaps import ErrorMapFolder
from .executors import Executor, LocalExecutor, executor_for
from .jobs import Failure, run_jobs
from .pairing import LabelMasksPair, MaskPair, Pairing, PairLayout, attach_images, pair_masks
from .parallel import batch_size_for
from .score_categories import CategoryTally
from .score_collector import ScoreCollector, report_metrics
from .score_pairs import ImageMetrics, PairSettings, score_binary_layout_pair, score_index_pair
from .score_settings import BoundarySettings, ScoreSettings

__all__ = [
    "CLASS_COLUMNS",
    "PER_IMAGE_COLUMNS",
    "ImageMetrics",
    "PairFailure",
    "ScoreResult",
    "score_folders",
]

#: A ground-truth mask without a prediction: an error, scored against an empty prediction, or left out.
MissingRule = Literal["error", "empty", "skip"]
MISSING_RULES: tuple[MissingRule, ...] = get_args(MissingRule)
#: Pairs are sent to Dask workers in batches of about this many ground-truth pixels: enough
#: to make the cost of a batch small, few enough to keep the workers evenly busy to the end.
BATCH_PIXELS = 1 << 21

#: The CSV columns (and the keys of the JSON rows), in order: those the issue fixes first, then the
#: extra ones. The means over classes, pixel accuracy, mean accuracy and frequency-weighted IoU are
#: in the summary (the table's mean row, the JSON ``summary``), not in the CSV.
CLASS_COLUMNS = (
    "class_id",
    "class_name",
    "tp",
    "fp",
    "fn",
    "dice",
    "iou",
    "precision",
    "recall",
    "dice_image_mean",
    "dice_image_std",
    "iou_image_mean",
    "iou_image_std",
    "n_images",
    "precision_image_mean",
    "precision_image_std",
    "precision_n_images",
    "recall_image_mean",
    "recall_image_std",
    "recall_n_images",
    "gt_pixels",
    "pred_pixels",
    "in_mean",
)
PER_IMAGE_COLUMNS = (
    "image",
    "class_id",
    "class_name",
    "tp",
    "fp",
    "fn",
    "dice",
    "iou",
    "precision",
    "recall",
)
SUMMARY_NAME = "mean"


def summary_alias_labels() -> dict[str, str]:
    """``{"miou": "iou, dataset aggregation (mmseg's mIoU)", ...}``: what each summary alias is."""
    return {
        alias: f"{metric}, {aggregation} aggregation (mmseg's {ALIAS_TITLES[alias]})"
        for alias, (metric, aggregation) in SUMMARY_ALIASES.items()
    }


#: A pair that could not be scored, with the one-line reason (it names the file).
PairFailure = Failure


@dataclass
class ScoreResult:
    """Scores of a prediction folder: plain data, nothing printed.

    ``classes`` has one row per class, keyed by ``columns`` (:data:`CLASS_COLUMNS` and
    the boundary metrics' columns), and ``summary`` the mean row (the table's last row:
    ``class_name`` ``mean``, the means over classes, ``n_classes``, ``pixel_accuracy``,
    ``mean_accuracy``, ``frequency_weighted_iou``). ``confusion`` is the dataset confusion matrix (rows
    true classes, columns predicted classes in ``confusion_class_ids`` order, then
    one column for predictions that are no class); None for the binary layout.
    ``pairing`` holds the files that were paired (with their photos, when
    ``images`` was given), for pictures of the results; ``collector`` what a
    report needs of the per-image scores (with ``report_worst``), and
    ``error_maps`` the folder the error maps went to: so
    :func:`~segtool.reports.score_html.build_score_report` needs the result only.
    """

    classes: list[dict[str, Any]]
    summary: dict[str, Any]
    settings: ScoreSettings
    columns: tuple[str, ...]
    n_images: int
    confusion: np.ndarray | None
    confusion_class_ids: list[int]
    missing_predictions: list[str] = field(default_factory=list)
    scored_as_empty: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # missing predictions left out (missing="skip")
    unpaired_predictions: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unknown_predictions: dict[str, dict[str, int]] = field(default_factory=dict)
    pairing: Pairing | None = None
    collector: ScoreCollector | None = None
    error_maps: Location | None = None
    pixels: dict[str, Any] = field(default_factory=dict)
    convention: ConventionScores | None = None
    cells: CellTable | None = None
    categories: list[dict[str, Any]] | None = None  # per-category rows with ``groups`` (CATEGORY_COLUMNS)
    photo_warnings: list[str] = field(default_factory=list)  # error maps drawn without their photo

    @property
    def failed(self) -> bool:
        """True when a pair could not be scored or a prediction was missing (and not scored nor skipped)."""
        accounted = len(self.scored_as_empty) + len(self.skipped)
        return bool(self.failures) or len(self.missing_predictions) > accounted

    def rows(self, *, mean_row: bool = True) -> list[dict[str, Any]]:
        """The class rows, then the summary row (the last row; left out with ``mean_row=False``): what
        the table shows. The CSV holds the class rows only."""
        return [*self.classes, self.summary] if mean_row else list(self.classes)

    @property
    def absent_classes(self) -> list[dict[str, Any]]:
        """The rows of the classes absent from every image (no pixel in any ground truth or prediction)."""
        return [row for row in self.classes if row["gt_pixels"] == 0 and row["pred_pixels"] == 0]

    def to_document(self) -> dict[str, Any]:
        """Everything, for JSON: ``settings``, ``rows`` (the CSV's rows: one per class, its columns as
        keys), ``summary`` (the means and their aliases), then ``columns`` (the rows' keys),
        ``images``, ``pixels``, ``unknown_prediction_values`` and, with ``groups``, ``categories``.

        With a ``compat`` bundle the rows and summary are the bundle's (what its CSV and table
        hold, under the peer's names), ``convention`` names it, and ``segtool`` holds segtool's
        own ``columns``, ``rows`` and ``summary``.
        """
        summary = {
            key: value
            for key, value in self.summary.items()
            if key not in ("class_id", "class_name", "in_mean", "gt_pixels", "pred_pixels")
        }
        # mmseg's names beside segtool's, for people who search for them; settings say what they are.
        summary.update({alias: self.summary.get(metric) for alias, (metric, _) in SUMMARY_ALIASES.items()})
        own = {
            "rows": [{key: row.get(key) for key in self.columns} for row in self.classes],
            "summary": summary,
            "columns": list(self.columns),
        }
        first: dict[str, Any] = dict(own)
        if self.convention is not None:
            convention = self.convention
            first = {
                "rows": self.convention_rows(),
                "summary": convention.summary,
                "columns": ["class_id", "class_name", *convention.columns],
                "convention": {
                    "name": convention.bundle.name,
                    "summary_name": convention.bundle.summary_name,
                    **({"categories": convention.categories} if convention.categories else {}),
                },
                "segtool": own,
            }
        return {
            "settings": {**self.settings.to_json(), "summary_aliases": summary_alias_labels()},
            **first,
            "images": {
                "scored": self.n_images,
                "failed": [{"image": failure.name, "error": failure.message} for failure in self.failures],
                "missing_predictions": self.missing_predictions,
                "scored_as_empty": self.scored_as_empty,
                "skipped_without_prediction": self.skipped,
                "predictions_without_ground_truth": self.unpaired_predictions,
            },
            "pixels": self.pixels,
            "unknown_prediction_values": [
                {"value": int(value) if value.isdigit() else value, **counts}
                for value, counts in self.unknown_predictions.items()
            ],
            **({"categories": self.categories} if self.categories is not None else {}),
        }

    def convention_rows(self) -> list[dict[str, Any]]:
        """The ``compat`` bundle's rows, one per class: class_id, class_name, then its columns (its
        summary is ``convention.summary``, not a row)."""
        if self.convention is None:
            return []
        names = {row["class_id"]: row["class_name"] for row in self.classes}
        return [
            {"class_id": class_id, "class_name": names.get(class_id, str(class_id)), **values}
            for class_id, values in zip(self.convention.class_ids, self.convention.classes, strict=True)
        ]


def score_folders(
    pred_dir: str | Path | RemotePath,
    gt_dir: str | Path | RemotePath,
    *,
    labels: LabelMap | str | Path | RemotePath | None = None,
    ignore: Iterable[int] | None = None,
    include_background: bool | None = None,
    missing: MissingRule = "error",
    binary: bool = False,
    layout: PairLayout = "auto",
    jobs: int = 1,
    image_metrics: Sequence[ImageMetrics] = (),
    compat: str | Bundle | None = None,
    keep_cells: bool = False,
    executor: Executor | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    error_maps: str | Path | RemotePath | None = None,
    error_style: ErrorStyle = "errors",
    images: str | Path | RemotePath | None = None,
    on_image: Callable[[list[dict[str, Any]]], None] | None = None,
    progress: Callable[[str, int], Callable[..., None]] | None = None,
    report_worst: int | None = None,
    groups: Mapping[int, str] | None = None,
    debug: bool = False,
) -> ScoreResult:
    """Score every ground-truth mask under ``gt_dir`` against its prediction under ``pred_dir``.

    Parameters
    ----------
    labels : LabelMap or path, optional
        Class ids and names (and colours, for RGB masks), or the name of a
        built-in table (:mod:`segtool.labelsets`: ``cityscapes``, which also
        sets the default ignore values). Without one, the map
        rasterize wrote into ``gt_dir`` (labels.csv, else labels.txt) if there is
        one, else every value found is a class named by its id.
    ignore : iterable of int, optional
        Ground-truth values not scored. Default: the label map's ignore value, or
        255; none with ``binary`` or the binary layout.
    include_background : bool, optional
        Count class 0 in the macro means. Default: the ``compat`` bundle's rule, else False.
    missing : {"error", "empty", "skip"}
        A missing prediction fails the run, is scored as an all-background mask, or
        is left out of every number (listed in ``result.skipped``).
    binary : bool
        Read masks as background (0) / foreground (any other value).
    layout : {"auto", "index", "binary"}
        See :mod:`segtool.pipelines.pairing`.
    jobs : int
        Worker threads; the result is the same for any number.
    executor : Executor, optional
        Where the pairs are scored (:mod:`segtool.pipelines.executors`); default: ``jobs``
        local threads (decoding and counting release the GIL). The result is the
        same on any executor.
    image_metrics : sequence of ImageMetrics
        Extra per-image scores (see :class:`ImageMetrics`).
    compat : str or Bundle, optional
        A peer's convention (:data:`segtool.metrics.conventions.BUNDLES`: nnunet,
        mmseg, cityscapes, monai, torchmetrics, medpy, davis, or a
        :func:`~segtool.metrics.conventions.custom_bundle`): its table is in
        ``result.convention`` and the JSON. ``bf_davis`` is added to the image
        metrics when the bundle reads it.
    keep_cells : bool
        Keep every (image, class) cell in ``result.cells`` (for
        :func:`~segtool.metrics.conventions.compare_conventions`); always done with ``compat``.
    max_pixels : int
        A mask larger than this fails its pair before it is decoded (see :mod:`segtool.limits`).
    error_maps : folder, optional
        Write each pair's error map there (:mod:`segtool.pipelines.errormaps`); it must not
        be ``pred_dir`` or ``gt_dir`` nor lie inside them, nor be ``images``.
    error_style : {"errors", "all"}
        What the error maps paint: the mistakes only, over the photo (default), or every
        category (:mod:`segtool.viz.errormap`).
    images : folder, optional
        Photos matched to the ground truth by name (:func:`segtool.pipelines.pairing.attach_images`),
        drawn under the error maps (or the image embedded in a LabelMe file of that name); pairs
        without a usable one are drawn without it, with one line each in ``result.photo_warnings``.
    on_image : callable, optional
        Called, in file order, with each scored image's rows (:data:`PER_IMAGE_COLUMNS`).
    progress : callable, optional
        ``progress(description, total)`` returning ``advance()``, called once per image.
    report_worst : int, optional
        Keep what an HTML report needs (:class:`~segtool.pipelines.score_collector.ScoreCollector`,
        ranking by Dice, this many worst images per group) in ``result.collector``; then
        ``build_score_report(result)`` draws the report.
    groups : mapping of int to str, optional
        Class id -> category (``score --groups``): ``result.categories`` then holds a row per
        category, scored from the summed blocks of the confusion matrix in both aggregations
        (see :mod:`segtool.pipelines.score_categories`).
    debug : bool
        Raise an unexpected exception (a bug) instead of failing its pair only
        (see :mod:`segtool.pipelines.jobs`).

    Raises
    ------
    SegtoolError
        For a bad label map or a folder that does not exist; problems with single
        files are collected in :attr:`ScoreResult.failures` instead.
    """
    if missing not in MISSING_RULES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_RULES)}, got {missing!r}")
    if report_worst is not None and report_worst < 1:
        raise ValueError(f"report_worst must be at least 1 (images kept per group), got {report_worst}")
    bundle = bundle_named(compat) if isinstance(compat, str) else compat
    labels_from = f"--labels {labels}"
    if bundle is not None and labels is None and "labels" in bundle.defaults:
        labels, labels_from = bundle.defaults["labels"], f"--compat {bundle.name}"
    builtin = label_set(labels) if isinstance(labels, str) and is_label_set(labels) else None
    label_ids_from = labels_from if builtin is not None and labels == "cityscapes" else None
    if builtin is not None:
        labels = builtin.label_map
        ignore = builtin.ignore if ignore is None else ignore
    if include_background is None:
        include_background = bundle.rules.background("dice") if bundle is not None else False
    if bundle is not None:
        image_metrics = _with_bundle_metrics(image_metrics, bundle)
    cells = CellTable() if bundle is not None or keep_cells else None
    label_map = LabelMap.read(labels) if isinstance(labels, (str, Path, RemotePath)) else labels
    # threads by default: the work releases the GIL (see segtool.pipelines.parallel)
    executor = executor_for(
        executor or LocalExecutor(jobs, threads=True), [pred_dir, gt_dir, error_maps, images]
    )
    pairing = pair_masks(pred_dir, gt_dir, layout=layout, label_map=label_map)
    if images is not None:
        attach_images(pairing, images)
    if error_maps is not None:
        check_picture_folder(
            error_maps, [pred_dir, gt_dir], what="the error-map folder", input_folders=[images]
        )
    ignore_values = _ignore_values(ignore, label_map, binary=binary or pairing.layout == "binary")
    _check_label_ids(pairing.label_map, ignore_values)
    settings = PairSettings(
        label_map=pairing.label_map,
        class_ids=_class_ids(pairing, binary),
        ignore=ignore_values,
        binary=binary,
        image_metrics=tuple(image_metrics),
        in_worker_processes=executor.uses_worker_processes,
        max_pixels=max_pixels,
        error_maps=ErrorMapFolder(as_path(error_maps), error_style) if error_maps is not None else None,
        cityscapes_label_ids_from=label_ids_from,
    )
    names = _class_names(pairing.label_map, binary)
    without_prediction = set(pairing.missing_predictions)
    work = [pair for pair in pairing.pairs if missing == "empty" or pair.name not in without_prediction]
    accumulator = ScoreAccumulator(
        settings.class_ids or (),
        include_background=include_background,
        pixels_are_exclusive=pairing.layout == "index",
        extra_metrics=[name for metric in settings.image_metrics for name in metric.names],
    )
    collector = (
        ScoreCollector(
            metrics=report_metrics([name for metric in image_metrics for name in metric.names]),
            worst=report_worst,
            include_background=include_background,
        )
        if report_worst is not None
        else None
    )
    failures = [Failure(name, message) for name, message in pairing.duplicates]
    photo_warnings: list[str] = []
    classes_found = np.empty(0, np.int64)  # without a label map: bounded over all pairs (B04)
    worker = partial(score_binary_layout_pair if pairing.layout == "binary" else score_index_pair, settings)
    batch_size = _batch_size(work, executor.workers) if executor.uses_worker_processes else None
    outcomes = run_jobs(
        worker,
        work,
        executor=executor,
        name_of=_pair_name,
        progress=progress,
        description="Scoring",
        batch_size=batch_size,
        debug=debug,
    )
    tally = CategoryTally(groups) if groups else None
    with contextlib.closing(outcomes):  # closed at once if on_image raises: no more pairs are started
        for _, outcome in outcomes:
            if isinstance(outcome, Failure):
                failures.append(outcome)
                continue
            photo_warnings += outcome.warnings
            if settings.class_ids is None:
                grown = np.union1d(classes_found, outcome.class_ids)
                problem = too_many_classes_problem(grown.size, over=" over this pair and those before it")
                if problem:
                    failures.append(Failure(outcome.name, f"{_gt_of(work, outcome.name)}: {problem}"))
                    continue
                classes_found = grown
            scores = accumulator.add(outcome)
            if tally is not None and outcome.joint is not None:
                tally.add(outcome.joint)
            if cells is not None:
                cells.add(outcome.class_ids, outcome.tp, outcome.fp, outcome.fn, outcome.extra)
            if on_image is not None or collector is not None:
                rows = _image_rows(outcome, scores, names)
                if collector is not None:
                    collector.add(rows)
                if on_image is not None:
                    on_image(rows)
    scored_empty = [name for name in pairing.missing_predictions if missing == "empty"]
    result_settings = _settings_record(
        pred_dir,
        gt_dir,
        pairing,
        ignore_values,
        include_background=include_background,
        missing=missing,
        binary=binary,
        image_metrics=settings.image_metrics,
    )
    if bundle is not None:
        result_settings = dataclasses.replace(result_settings, compat=bundle)
    result = _result(accumulator, names, result_settings, pairing, failures, scored_empty)
    result.collector = collector
    result.photo_warnings = photo_warnings
    result.skipped = [name for name in pairing.missing_predictions if missing == "skip"]
    result.error_maps = settings.error_maps.root if settings.error_maps is not None else None
    if not binary and pairing.layout == "index":
        _check_foreground_is_scored(result, gt_dir, ignore_values, cityscapes_from=label_ids_from)
    result.cells = cells
    result.categories = tally.rows() if tally is not None else None
    if bundle is not None and cells is not None:
        result.convention = convention_scores(
            cells.arrays(),
            result.confusion_class_ids,
            cells.n_images,
            bundle,
            matrix=result.confusion,
            categories=builtin.categories if builtin is not None else None,
        )
    return result


def _pair_name(pair: MaskPair | LabelMasksPair) -> str:
    return pair.name


def _gt_of(work: list[MaskPair | LabelMasksPair], name: str) -> Location:
    """The ground truth of the index-layout pair ``name`` (the binary layout always has a label map)."""
    return next(pair.gt for pair in work if isinstance(pair, MaskPair) and pair.name == name)


def _with_bundle_metrics(image_metrics: Sequence[ImageMetrics], bundle: Bundle) -> list[ImageMetrics]:
    """``image_metrics`` plus the DAVIS boundary F when the bundle reads it and none computes it."""
    metrics = list(image_metrics)
    scored = {name for metric in metrics for name in metric.names}
    if DAVIS_NAME in bundle.metrics and DAVIS_NAME not in scored:
        metrics.append(BoundaryScorer.from_names([DAVIS_NAME]))
    return metrics


# -- settings -----------------------------------------------------------------------------
def _batch_size(work: list[MaskPair | LabelMasksPair], jobs: int) -> int:
    """Batches of about :data:`BATCH_PIXELS` (judged by the first image), at least four per process."""
    balanced = batch_size_for(len(work), jobs)
    if not work:
        return balanced
    first = work[0].gt if isinstance(work[0], MaskPair) else next(path for _, path in work[0].gt if path)
    try:
        height, width = read_mask_shape(first)
    except (OSError, ValueError, SegtoolError):
        return balanced
    return max(1, min(balanced, BATCH_PIXELS // max(1, height * width)))


def _ignore_values(
    ignore: Iterable[int] | None, label_map: LabelMap | None, *, binary: bool
) -> tuple[int, ...]:
    if ignore is not None:
        values = tuple(sorted({int(value) for value in ignore}))
        bad = [value for value in values if not 0 <= value <= 65535]
        if bad:
            raise SegtoolError(f"ignore values must lie in 0..65535, got {bad[0]}")
        return values
    if binary:
        return ()
    return (label_map.ignore_value if label_map is not None else DEFAULT_IGNORE_VALUE,)


def _check_label_ids(label_map: LabelMap | None, ignore: tuple[int, ...]) -> None:
    if label_map is None:
        return
    clashes = [label for label in label_map if label.id in ignore]
    if clashes:
        label = clashes[0]
        raise SegtoolError(
            f"label {label.name!r} has id {label.id}, which is an ignore value; give other --ignore values",
            path=label_map.source,
        )


def _class_ids(pairing: Pairing, binary: bool) -> tuple[int, ...] | None:
    if binary:
        return (0, 1)
    if pairing.layout == "binary":
        first = pairing.pairs[0] if pairing.pairs else None
        return tuple(label_id for label_id, _ in first.gt) if isinstance(first, LabelMasksPair) else ()
    return tuple(pairing.label_map.ids) if pairing.label_map is not None else None


def _class_names(label_map: LabelMap | None, binary: bool) -> Callable[[int], str]:
    if label_map is not None:
        return label_map.name_of
    if binary:
        return {0: "background", 1: "foreground"}.__getitem__
    return str


def _settings_record(
    pred_dir: str | Path | RemotePath,
    gt_dir: str | Path | RemotePath,
    pairing: Pairing,
    ignore: tuple[int, ...],
    *,
    include_background: bool,
    missing: str,
    binary: bool,
    image_metrics: tuple[ImageMetrics, ...],
) -> ScoreSettings:
    used_map = pairing.label_map
    boundary = [metric for metric in image_metrics if isinstance(metric, BoundaryScorer)]
    return ScoreSettings(
        predictions=str(pred_dir),
        ground_truth=str(gt_dir),
        layout=pairing.layout,
        label_map=(
            None if used_map is None else str(used_map.source) if used_map.source else "label folders"
        ),
        ignore_values=ignore,
        binary=binary,
        include_background=include_background,
        missing=missing,
        image_metrics=tuple(name for metric in image_metrics for name in metric.names),
        boundary=BoundarySettings.of(boundary[0]) if boundary else None,
    )


# -- rows ---------------------------------------------------------------------------------
def _image_rows(image: ImageCounts, scores: dict[str, np.ndarray], names: Callable[[int], str]) -> list[dict]:
    rows = []
    for index, class_id in enumerate(image.class_ids.tolist()):
        row = {"image": image.name, "class_id": class_id, "class_name": names(class_id)}
        row.update({key: values[index].item() for key, values in scores.items()})
        rows.append(row)
    return rows


def _result(
    accumulator: ScoreAccumulator,
    names: Callable[[int], str],
    settings: ScoreSettings,
    pairing: Pairing,
    failures: list[Failure],
    scored_empty: list[str],
) -> ScoreResult:
    scores = accumulator.result()
    in_mean = accumulator.in_mean()
    extra_metrics = [name for name in scores.image_mean if name not in METRICS]
    columns = CLASS_COLUMNS + tuple(
        f"{name}_{part}" for name in extra_metrics for part in ("image_mean", "image_std", "n_images")
    )
    classes = []
    for index, class_id in enumerate(scores.class_ids.tolist()):
        row: dict[str, Any] = {
            "class_id": class_id,
            "class_name": names(class_id),
            "tp": int(scores.tp[index]),
            "fp": int(scores.fp[index]),
            "fn": int(scores.fn[index]),
            "gt_pixels": int(scores.tp[index] + scores.fn[index]),
            "pred_pixels": int(scores.tp[index] + scores.fp[index]),
            "in_mean": bool(in_mean[index]),
        }
        for metric in METRICS:
            row[metric] = float(scores.dataset[metric][index])
        for metric in scores.image_mean:
            row[f"{metric}_image_mean"] = float(scores.image_mean[metric][index])
            row[f"{metric}_image_std"] = float(scores.image_std[metric][index])
            row[_count_column(metric)] = int(scores.image_count[metric][index])
        classes.append(row)
    summary_row = _summary_row(scores.summary, extra_metrics)
    return ScoreResult(
        classes=classes,
        summary=summary_row,
        settings=settings,
        columns=columns,
        n_images=scores.n_images,
        confusion=scores.matrix,
        confusion_class_ids=scores.class_ids.tolist(),
        missing_predictions=pairing.missing_predictions,
        scored_as_empty=scored_empty,
        unpaired_predictions=pairing.unpaired_predictions,
        failures=failures,
        unknown_predictions=scores.unknown_predictions,
        pairing=pairing,
        pixels=_pixel_counts(scores.valid_pixels, scores.ignored_pixels),
    )


def _pixel_counts(valid: int, ignored: int) -> dict[str, Any]:
    """The ground-truth pixels of the scored images, and how many (and what share) were ignored."""
    total = valid + ignored
    return {"ground_truth": total, "ignored": ignored, "ignored_fraction": ignored / total if total else None}


def _check_foreground_is_scored(
    result: ScoreResult, gt_dir, ignore: tuple[int, ...], *, cityscapes_from: str | None = None
) -> None:
    """Refuse a run whose ground truth holds nothing but 0 and ignore values, some of them.

    That is what binary masks saved as 0/255 look like without ``--binary``: 255 is
    the default ignore value, so their whole foreground would be left out and only
    the background scored (or a 0/1 prediction's foreground counted as false
    positives), with exit code 0. A label map that makes 255 a class has another
    ignore value, and so is not refused. Under the Cityscapes labelIds table
    (``cityscapes_from`` names the option that chose it), 0 and 1 are void ids: 0/1
    masks are wholly ignored, and the message says so.
    """
    ignored = result.pixels["ignored"]
    if not ignored or any(row["gt_pixels"] for row in result.classes if row["class_id"] != 0):
        return
    if cityscapes_from is not None:
        raise MaskError(
            f"the ground truth holds only values that {cityscapes_from} ignores, void Cityscapes labelIds "
            f"({ignored} of {result.pixels['ground_truth']} pixels ignored), so nothing would be scored: "
            "binary masks? give --binary to score them as background/foreground",
            path=gt_dir,
        )
    values = ", ".join(str(value) for value in ignore)
    raise MaskError(
        f"the ground truth holds only 0 and the ignore value{'s' if len(ignore) > 1 else ''} {values} "
        f"({ignored} of {result.pixels['ground_truth']} pixels ignored), so only the background would be "
        "scored: binary masks saved as 0/255? Give --binary to score them as background/foreground "
        "(or --ignore none to score 255 as a class)",
        path=gt_dir,
    )


def _count_column(metric: str) -> str:
    """Dice and IoU share ``n_images`` (they are defined on the same images); others have their own."""
    return "n_images" if metric in ("dice", "iou") else f"{metric}_n_images"


def _summary_row(summary: dict[str, Any], extra_metrics: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "class_id": None,
        "class_name": SUMMARY_NAME,
        "n_images": summary["n_images"],
        "n_classes": summary["dice_n_classes"],
    }
    for metric in METRICS:
        row[metric] = summary[metric]
    for metric in (*METRICS, *extra_metrics):
        row[f"{metric}_image_mean"] = summary[f"{metric}_image_mean"]
    for key in ("pixel_accuracy", "mean_accuracy", "frequency_weighted_iou"):
        row[key] = summary[key]
    return row
