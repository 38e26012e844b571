"""The HTML report of a scoring run (``score --report``): the numbers, charts and the worst images.

Score with ``report_worst`` (the number of worst images to show per group), then
build the page from the result alone::

    scorer = BoundaryScorer.from_names(["hd95", "nsd"])         # optional
    result = score_folders(pred, gt, image_metrics=[scorer], report_worst=8)
    report = build_score_report(result, link_from="reports")
    write_bytes_atomic("reports/scores.html", report.html.encode())

The page holds the run's settings and rules, per-class Dice and IoU in both
aggregations, the distribution of per-image scores, the confusion matrix
(index layout; the binary layout has none) and the worst images: the
``collector.worst`` lowest-scoring images overall (mean Dice over the classes
of the macro mean) and per class of the macro mean, each with its pictures.

Boundary metrics (the run's ``image_metrics``, e.g. ``--metrics hd95,nsd``)
exist per image only. When the run has them, the report adds:

* per class, their per-image mean, standard deviation and number of images
  (``<name>_image_mean``, ``_image_std``, ``_n_images`` of the result's
  rows; undefined is a dash), each column headed with which way is better
  (distances: lower, with their unit; NSD, Boundary IoU, Boundary F: higher);
* their macro means (``summary["<name>_image_mean"]``) in the summary;
* their distributions, when the collector collected them (see
  :func:`report_metrics`): scores on 0..1, distances from 0 to the largest
  upper whisker or mean of the classes (outliers beyond it counted at the
  axis end);
* in the rules, each metric's convention (as ``score`` prints under its
  table), the boundary, unit, aggregation and empty-mask rules; the settings
  list the metrics, the spacing and the edge rule;
* beside each worst image of a class, its value of each of them.

The worst images stay ranked by Dice, and the page says so. Distances are in
pixels when the spacing is 1 x 1, else in the unit of the spacing.

Pictures are drawn after the run, from the files, on ``jobs`` threads, one
image per task (its masks are read once, whatever the number of its entries):

* worst overall, index layout: ground truth, prediction and the error map of
  all classes (with ``binary`` the masks are background / foreground first);
  binary layout: the error map of every label with a file;
* worst of a class: the error map of that class only (the image's ground truth
  and prediction would repeat in every class it is among the worst of, and
  make the report several times larger);
* every error map is drawn in ``error_style`` (``errors``: the mistakes over
  the photo in gray; ``all``: every category), its errors thickened for
  display, and followed by a close-up of its largest error region with exact
  pixels (see :mod:`segtool.reports.pictures`); the worst overall of the binary
  layout gets one close-up, of the largest region over all its labels;
* thumbnails are drawn at full size, then shrunk by area averaging, over the
  photo when the run had ``images`` (JPEG), else without one (PNG, exact
  colours); the ground truth's and prediction's outline (``outline``) is drawn
  on the thumbnail (:func:`segtool.reports.pictures.mask_thumbnail`);
* the colour legend (which says that errors are drawn thicker) stands beside
  the first image.

The report's size and drawing time grow with the number of classes times
``collector.worst``, not with the number of images scored.

An entry whose pictures cannot be drawn (a file changed since the run) is shown
without them and named in :attr:`ScoreReport.warnings`; an image without a usable
photo (:mod:`segtool.pipelines.photos`) is drawn without one, with a warning there too.
Each image name links to the pair's error map when the run wrote them (``error_maps``),
else to its photo, else to its prediction (or ground truth), relative to
``link_from`` (the report's folder).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from ..io.maskio import read_label_ids
from ..io.maskpair import check_same_size, read_mask_pair
from ..io.storage import Location, RemotePath, as_path
from ..labels import Label, LabelMap, label_folder, voc_colour
from ..metrics.registry import metric_title
from ..pipelines.errormaps import ErrorMapFolder
from ..pipelines.executors import LocalExecutor
from ..pipelines.jobs import Failure, run_jobs
from ..pipelines.pairing import LabelMasksPair, MaskPair
from ..pipelines.photos import load_photo
from ..pipelines.score import ScoreResult
from ..pipelines.score_collector import REPORT_METRICS, ScoreCollector
from ..pipelines.score_pairs import binary_masks
from ..pipelines.score_settings import ScoreSettings
from ..viz.errormap import ErrorStyle, error_categories
from ..viz.regions import largest_error_region
from .html import (
    ClassScores,
    Confusion,
    ImageEntry,
    ImageGroup,
    PerImageMetric,
    Picture,
    score_report,
)
from .pictures import (
    close_up_picture,
    draw_report_pictures,
    error_pictures,
    error_thumbnail,
    report_error_legend,
)

#: Names and colours of ``binary=True`` masks; the ignored ground truth is drawn as 255 (cream).
BINARY_LABELS = LabelMap([Label(0, "background", voc_colour(0)), Label(1, "foreground", voc_colour(1))])
NO_CLASS_COLUMN = "(no class)"


@dataclass
class ScoreReport:
    """The report's HTML text, and one message per entry drawn without pictures or without its photo."""

    html: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PictureJob:
    """What a process needs to draw the pictures of one image's entries (picklable).

    ``class_ids`` lists the entries: None for the worst overall, else a class.
    """

    pair: MaskPair | LabelMasksPair
    class_ids: tuple[int | None, ...]
    names: dict[int, str]
    label_map: LabelMap | None
    ignore: tuple[int, ...]
    binary: bool
    max_side: int
    style: ErrorStyle
    outline: bool = True


def build_score_report(
    result: ScoreResult,
    *,
    link_from: str | Path | RemotePath | None = None,
    jobs: int = 1,
    max_side: int = 240,
    error_style: ErrorStyle = "errors",
    outline: bool = True,
) -> ScoreReport:
    """The report of a scoring run run with ``report_worst`` (see the module docstring).

    The image names link to the run's error maps when it wrote them.

    Parameters
    ----------
    result
        What :func:`~segtool.pipelines.score.score_folders` returned, with ``report_worst`` given.
    link_from
        The folder the report is written to; links are relative to it
        (default: relative to the current folder).
    jobs
        Processes drawing the pictures.
    max_side
        Longest side of a thumbnail, in pixels.
    error_style
        ``"errors"`` (the mistakes over the photo in gray) or ``"all"`` (every category),
        see :mod:`segtool.viz.errormap`.
    outline
        The dark-and-light outline on the ground-truth and prediction thumbnails
        (:func:`segtool.reports.pictures.mask_thumbnail`).
    """
    collector = result.collector
    if result.pairing is None or collector is None:
        raise ValueError("build reports from what score_folders(..., report_worst=N) returns")
    pairs = {pair.name: pair for pair in result.pairing.pairs}
    in_mean = {row["class_id"] for row in result.classes if row["in_mean"]}
    boundary = _boundary_metrics(result.settings)
    overall = collector.worst_overall()
    wanted: list[tuple[str, list[tuple[str, float, int | None]]]] = [
        (
            f"{_group_name('overall', len(overall), collector.worst)} "
            f"(mean {metric_title(collector.rank_by)} over the classes of the mean)",
            [(name, score, None) for name, score in overall],
        )
    ]
    wanted += [
        (
            _group_name(class_name, len(items), collector.worst),
            [(name, score, collector.class_id_of(class_name)) for name, score in items],
        )
        for class_name, items in collector.worst_per_class().items()
        if collector.class_id_of(class_name) in in_mean
    ]
    entries_of: dict[str, dict[int | None, None]] = {}
    for _, entries in wanted:
        for name, _, class_id in entries:
            entries_of.setdefault(name, {})[class_id] = None
    settings = result.settings
    label_map = result.pairing.label_map
    names = {row["class_id"]: row["class_name"] for row in result.classes}
    tasks = [
        _PictureJob(
            pairs[name],
            tuple(class_ids),
            names,
            label_map,
            settings.ignore_values,
            settings.binary,
            max_side,
            error_style,
            outline,
        )
        for name, class_ids in entries_of.items()
    ]
    drawn = {
        name: outcome
        for name, (_, outcome) in zip(
            entries_of,
            run_jobs(_draw, tasks, executor=LocalExecutor(jobs, threads=True), name_of=_job_name),
            strict=True,
        )
    }
    report = ScoreReport(
        "", [warning for name, outcome in drawn.items() if (warning := _picture_warning(name, outcome))]
    )
    maps = ErrorMapFolder(result.error_maps) if result.error_maps is not None else None
    groups = [
        ImageGroup(
            title,
            [
                ImageEntry(
                    name,
                    _entry_scores(
                        collector, score, name, None if class_id is None else names[class_id], boundary
                    ),
                    () if isinstance(outcome := drawn[name], Failure) else outcome[0][class_id],
                    href=_href(
                        pairs[name], class_id, error_maps=maps, label_map=label_map, link_from=link_from
                    ),
                )
                for name, score, class_id in entries
            ],
        )
        for title, entries in wanted
        if entries
    ]
    # drawn over a photo: the pair has a photo source and it gave no warning
    photos = {
        pairs[name].photo is not None and outcome[1] is None
        for name, outcome in drawn.items()
        if not isinstance(outcome, Failure)
    }
    two_classes = settings.binary or result.pairing.layout == "binary"  # no "wrong class"
    report.html = score_report(
        settings=_shown_settings(settings, worst=collector.worst, error_style=error_style),
        classes=_class_scores(result, boundary),
        metrics=REPORT_METRICS,
        per_image=collector.per_image,
        confusion=_confusion(result),
        worst=groups,
        summary=_summary(result, boundary),
        rules=settings.rules(),
        image_metrics=boundary,
        ranked_by=collector.rank_by,
        legend=report_error_legend(
            style=error_style, photo=photos.pop() if len(photos) == 1 else None, two_classes=two_classes
        ),
    )
    return report


def _group_name(group: str, shown: int, worst: int) -> str:
    """``Worst images: car``; ``All 3 images: car, worst first`` when there are fewer than ``worst``
    (they are not "the worst" then: every image of the group is shown).

    >>> _group_name("car", 3, 8), _group_name("overall", 8, 8), _group_name("car", 1, 8)
    ('All 3 images: car, worst first', 'Worst images overall', 'The only image: car')
    """
    if shown >= worst:
        return "Worst images overall" if group == "overall" else f"Worst images: {group}"
    if shown == 1:
        return "The only image" + (" overall" if group == "overall" else f": {group}")
    return f"All {shown} images" + (
        " overall, worst first" if group == "overall" else f": {group}, worst first"
    )


def _entry_scores(
    collector: ScoreCollector,
    score: float,
    image: str,
    class_name: str | None,
    boundary: Sequence[PerImageMetric],
) -> dict[str, float]:
    """The ranking score of a worst image; for an image of a class, also its boundary metrics."""
    scores = {collector.rank_by: score}
    if class_name is not None:
        kept = collector.scores_of(class_name, image)
        scores.update({metric.name: kept[metric.name] for metric in boundary if metric.name in kept})
    return scores


# -- boundary metrics ---------------------------------------------------------------------
def _boundary_metrics(settings: ScoreSettings) -> list[PerImageMetric]:
    """The run's per-image-only metrics, with which way is better and the unit of distances.

    A metric of another :class:`~segtool.pipelines.score.ImageMetrics` than the boundary
    scorer is shown with neither, on an axis from its values.
    """
    boundary = settings.boundary
    known = {info.name: info for info in boundary.metrics} if boundary is not None else {}
    return [
        PerImageMetric(
            name,
            higher_is_better=known[name].higher_is_better if name in known else None,
            unit=boundary.distance_unit
            if boundary is not None and name in known and known[name].is_distance
            else "",
            maximum=1.0 if name in known and known[name].higher_is_better else None,
        )
        for name in settings.image_metrics
    ]


def _shown_settings(settings: ScoreSettings, *, worst: int, error_style: ErrorStyle) -> dict[str, object]:
    """The run's settings as shown: the boundary record shortened (its rules go to the rules list)."""
    shown = {**settings.to_json(), "worst_images_shown": worst, "error_style": error_style}
    boundary = settings.boundary
    if boundary is not None:
        sy, sx = boundary.spacing
        shown["boundary_metrics"] = {
            "metrics": ", ".join(f"{info.name} ({info.direction})" for info in boundary.metrics),
            "spacing": f"{sy:g} x {sx:g} (pixel height x width): distances in {boundary.distance_unit}",
            "edge_is_boundary": boundary.edge_is_boundary,
            "tolerances": "stated in each metric's convention, in the rules below",
        }
    return shown


# -- numbers ------------------------------------------------------------------------------
def _class_scores(result: ScoreResult, boundary: Sequence[PerImageMetric]) -> list[ClassScores]:
    """Dice and IoU in both aggregations; boundary metrics per image only (keyed by their names)."""
    extra = [metric.name for metric in boundary]
    return [
        ClassScores(
            row["class_id"],
            row["class_name"],
            dataset={metric: row[metric] for metric in REPORT_METRICS},
            per_image_mean={metric: row[f"{metric}_image_mean"] for metric in (*REPORT_METRICS, *extra)},
            per_image_std={metric: row[f"{metric}_image_std"] for metric in (*REPORT_METRICS, *extra)},
            per_image_count={
                **{metric: row["n_images"] for metric in REPORT_METRICS},
                **{metric: row[f"{metric}_n_images"] for metric in extra},
            },
            in_mean=row["in_mean"],
        )
        for row in result.classes
    ]


def _confusion(result: ScoreResult) -> Confusion | None:
    if result.confusion is None:
        return None
    names = {row["class_id"]: row["class_name"] for row in result.classes}
    labels = [names.get(class_id, str(class_id)) for class_id in result.confusion_class_ids]
    return Confusion(result.confusion, labels, [*labels, NO_CLASS_COLUMN])


def _summary(result: ScoreResult, boundary: Sequence[PerImageMetric]) -> dict[str, object]:
    summary = result.summary
    return {
        "images scored": result.n_images,
        "mean Dice, dataset": summary["dice"],
        "mean Dice, per image": summary["dice_image_mean"],
        "mean IoU, dataset": summary["iou"],
        "mean IoU, per image": summary["iou_image_mean"],
        **{
            f"mean {metric_title(metric.name)}, per image"
            + (f" ({metric.qualifier})" if metric.qualifier else ""): summary[f"{metric.name}_image_mean"]
            for metric in boundary
        },
        "pixel accuracy (dataset)": summary.get("pixel_accuracy"),
        "images that failed": len(result.failures),
        "ground truths without prediction": len(result.missing_predictions),
    }


# -- pictures (in worker threads) ---------------------------------------------------------
#: An image's pictures by class id (None: overall), and why they are drawn without the photo.
_Drawn = tuple[dict[int | None, list[Picture]], str | None]


def _draw(job: _PictureJob) -> _Drawn:
    """The pictures of one image's entries, by class id (None: overall), and the warning when
    they are drawn without the image's photo."""
    warnings: list[str] = []
    if isinstance(job.pair, LabelMasksPair):
        return _label_pictures(job, job.pair, warnings), next(iter(warnings), None)
    return _index_pictures(job, job.pair, warnings), next(iter(warnings), None)


def _picture_warning(name: str, outcome: _Drawn | Failure) -> str | None:
    """Why an entry is drawn without its pictures, or without its photo; None when it is not."""
    return (
        f"{name}: drawn without pictures: {outcome.message}" if isinstance(outcome, Failure) else outcome[1]
    )


def _job_name(job: _PictureJob) -> str:
    return job.pair.name


def _index_pictures(job: _PictureJob, pair: MaskPair, warnings: list[str]) -> dict[int | None, list[Picture]]:
    truth, guess = read_mask_pair(pair.gt, pair.pred, label_map=job.label_map)
    photo = _photo(pair, truth.shape, warnings)
    label_map, ignore = job.label_map, job.ignore
    if job.binary:
        truth, guess, ignore = binary_masks(truth, guess, ignore)
        if ignore:
            truth[truth == 2] = 255  # drawn in the ignore value's cream
            ignore = (255,)
        label_map = BINARY_LABELS
    return {
        class_id: draw_report_pictures(
            truth,
            guess,
            image=photo,
            label_map=label_map,
            ignore=ignore,
            max_side=job.max_side,
            style=job.style,
            outline=job.outline,
        )
        if class_id is None
        else error_pictures(
            error_categories(truth, guess, class_id=class_id, ignore=ignore),
            _error_caption(job, class_id),
            image=photo,
            max_side=job.max_side,
            style=job.style,
        )
        for class_id in job.class_ids
    }


def _label_pictures(
    job: _PictureJob, pair: LabelMasksPair, warnings: list[str]
) -> dict[int | None, list[Picture]]:
    """Binary layout: per label, its error map and close-up; overall, every label's error map and
    one close-up, of the largest error region over all labels."""
    files = [
        (label_id, gt_path, pred_path)
        for (label_id, gt_path), (_, pred_path) in zip(pair.gt, pair.pred, strict=True)
        if gt_path is not None or pred_path is not None
    ]
    read = {path: read_label_ids(path) != 0 for _, *paths in files for path in paths if path is not None}
    (first_path, first), *others = read.items()
    for path, mask in others:
        check_same_size(path, mask.shape, first_path, first.shape, what="the mask")
    photo = _photo(pair, first.shape, warnings)
    empty = np.zeros(first.shape, np.uint8)
    categories = {
        label_id: error_categories(
            read[gt_path].view(np.uint8) if gt_path is not None else empty,
            read[pred_path].view(np.uint8) if pred_path is not None else empty,
            class_id=1,
            ignore=(),
        )
        for label_id, gt_path, pred_path in files
    }
    pictures: dict[int | None, list[Picture]] = {}
    for class_id in job.class_ids:
        if class_id is not None:
            pictures[class_id] = (
                error_pictures(
                    categories[class_id],
                    _error_caption(job, class_id),
                    image=photo,
                    max_side=job.max_side,
                    style=job.style,
                )
                if class_id in categories
                else []
            )
            continue
        pictures[None] = [
            error_thumbnail(
                codes, _error_caption(job, label_id), image=photo, max_side=job.max_side, style=job.style
            )
            for label_id, codes in categories.items()
        ]
        regions = {label_id: largest_error_region(codes) for label_id, codes in categories.items()}
        found = [
            (region.pixels, label_id, region) for label_id, region in regions.items() if region is not None
        ]
        if found:
            _, label_id, region = max(found, key=lambda item: item[0])
            close = close_up_picture(
                categories[label_id],
                region,
                image=photo,
                max_side=job.max_side,
                style=job.style,
                what=f"largest error ({_class_name(job, label_id)})",
            )
            if close is not None:  # beside its label's thumbnail
                pictures[None].insert(list(categories).index(label_id) + 1, close)
    return pictures


def _error_caption(job: _PictureJob, class_id: int) -> str:
    return f"errors: {_class_name(job, class_id)}"


def _class_name(job: _PictureJob, class_id: int) -> str:
    return job.names.get(class_id, str(class_id))


def _photo(pair: MaskPair | LabelMasksPair, shape: tuple[int, ...], warnings: list[str]) -> np.ndarray | None:
    """The pair's photo (:func:`segtool.pipelines.photos.load_photo`); why not into ``warnings``."""
    if pair.photo is None:
        return None
    photo, warning = load_photo(pair.photo, shape)
    warnings += [warning] if warning else []
    return photo


# -- links --------------------------------------------------------------------------------
def _href(
    pair: MaskPair | LabelMasksPair,
    class_id: int | None,
    *,
    error_maps: ErrorMapFolder | None,
    label_map: LabelMap | None,
    link_from: str | Path | RemotePath | None,
) -> str | None:
    """The file an entry's name links to: its error map, else its photo, else its masks."""
    target: Location | None = None
    if error_maps is not None and isinstance(pair, MaskPair):
        target = error_maps.path_for(pair.name)
    elif error_maps is not None and class_id is not None and label_map is not None:
        target = error_maps.path_for(pair.name, label_folder(label_map.name_of(class_id)))
    target = target or (pair.photo.file if pair.photo is not None else None)
    if target is None and isinstance(pair, MaskPair):
        target = pair.pred or pair.gt
    elif target is None and isinstance(pair, LabelMasksPair):
        files = [path for label_id, path in (*pair.pred, *pair.gt) if class_id in (None, label_id)]
        target = next((path for path in files if path is not None), None)
    return None if target is None else _link(target, link_from)


def _link(target: Location, link_from: str | Path | RemotePath | None) -> str:
    """A URL for ``target``: relative to the local folder ``link_from`` when both are local."""
    if isinstance(target, RemotePath):
        return str(target)
    base = as_path(link_from) if link_from is not None else Path.cwd()
    if isinstance(base, RemotePath):
        return Path(target).absolute().as_uri()
    try:
        relative = os.path.relpath(Path(target).absolute(), Path(base).absolute())
    except ValueError:  # another drive (Windows)
        return Path(target).absolute().as_uri()
    return quote(os.fsencode(Path(relative).as_posix()))
