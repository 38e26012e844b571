"""What each metric is, written once: name, title, direction, unit, aggregations and convention.

Every output reads this registry: table headers and notes, the JSON settings,
the HTML report's titles, axes and rules, and the threshold options
(``--fail-under`` takes higher-is-better metrics, ``--fail-over`` distances).

* The confusion metrics (``dice``, ``iou``, ``precision``, ``recall``) are shares
  in [0, 1], higher is better, in both aggregations (dataset and per image).
* The dataset summaries (``pixel_accuracy``, ``mean_accuracy``,
  ``frequency_weighted_iou``) exist in the dataset aggregation only.
* Boundary metrics (:mod:`segtool.metrics.boundary`) exist per image only;
  distances are in spacing units and lower is better, the overlap-type ones are
  shares in [0, 1]. Their convention depends on the tolerances given.

>>> info = metric_info("hd95")
>>> info.title, info.higher_is_better, info.unit, info.aggregations
('HD95', False, 'spacing units', ('image',))
>>> metric_info("dice").convention
'dice = 2TP / (2TP + FP + FN)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .boundary import BoundaryMetric, Tolerances, parse_boundary_metric

__all__ = [
    "ALIAS_TITLES",
    "CONFUSION_METRICS",
    "DATASET_SUMMARIES",
    "SUMMARY_ALIASES",
    "MetricInfo",
    "is_metric",
    "metric_info",
    "metric_title",
]

BOTH = ("dataset", "image")
SHARE = "share from 0 to 1"
DISTANCE = "spacing units"


@dataclass(frozen=True)
class MetricInfo:
    """One metric as every output describes it.

    ``unit`` is :data:`SHARE` for scores in [0, 1], :data:`DISTANCE` for
    distances (pixels when the spacing is 1 x 1). ``aggregations`` lists where
    the metric exists: ``"dataset"`` (counts summed over images, then scored)
    and ``"image"`` (scored per image, then averaged).
    """

    name: str
    title: str
    higher_is_better: bool
    unit: str
    aggregations: tuple[str, ...]
    convention: str

    @property
    def is_distance(self) -> bool:
        return self.unit == DISTANCE

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``."""
        return "higher is better" if self.higher_is_better else "lower is better"


def _confusion(name: str, title: str, convention: str, aggregations: tuple[str, ...] = BOTH) -> MetricInfo:
    return MetricInfo(name, title, True, SHARE, aggregations, convention)


CONFUSION_METRICS = {
    info.name: info
    for info in (
        _confusion("dice", "Dice", "dice = 2TP / (2TP + FP + FN)"),
        _confusion("iou", "IoU", "iou = TP / (TP + FP + FN)"),
        _confusion("precision", "Precision", "precision = TP / (TP + FP)"),
        _confusion("recall", "Recall", "recall = TP / (TP + FN)"),
    )
}
DATASET_SUMMARIES = {
    info.name: info
    for info in (
        _confusion(
            "pixel_accuracy", "Pixel accuracy", "sum of TP over the valid pixels", aggregations=("dataset",)
        ),
        _confusion(
            "mean_accuracy",
            "Mean accuracy",
            "mean recall over the classes of the mean present in the ground truth",
            aggregations=("dataset",),
        ),
        _confusion(
            "frequency_weighted_iou",
            "Frequency-weighted IoU",
            "sum over classes of (ground-truth share of the class) x IoU",
            aggregations=("dataset",),
        ),
    )
}
#: The names mmseg users write for the dataset aggregation's summary numbers (``mIoU``, ``mDice``,
#: ``aAcc``, ``mAcc``, case-insensitive), as ``alias: (metric, aggregation)``. They are aliases of
#: segtool's own macro means, so background follows ``--include-background`` (mmseg counts it).
SUMMARY_ALIASES = {
    "miou": ("iou", "dataset"),
    "mdice": ("dice", "dataset"),
    "aacc": ("pixel_accuracy", "dataset"),
    "macc": ("mean_accuracy", "dataset"),
}
#: How the table writes each alias.
ALIAS_TITLES = {"miou": "mIoU", "mdice": "mDice", "aacc": "aAcc", "macc": "mAcc"}

_BOUNDARY_TITLES = {
    "assd": "ASSD",
    "masd": "MASD",
    "nsd": "NSD",
    "biou": "Boundary IoU",
    "biou_chessboard": "Boundary IoU (chessboard)",
    "bf": "Boundary F",
    "bf_davis": "Boundary F (DAVIS)",
}


def _boundary_title(metric: BoundaryMetric) -> str:
    if metric.kind != "hausdorff":
        return _BOUNDARY_TITLES[metric.kind]
    return re.sub(r"^hd", "HD", metric.name).replace("_", " ")


def metric_info(name: str, tolerances: Tolerances | None = None) -> MetricInfo:
    """The registry entry of a metric name.

    Parameters
    ----------
    name : str
        A confusion metric, a dataset summary or a boundary metric name
        (case-insensitive).
    tolerances : Tolerances, optional
        Boundary tolerances to state in the convention (default: the defaults).

    Returns
    -------
    MetricInfo
        Name, title, direction, unit, aggregations and convention.

    Raises
    ------
    ValueError
        For a name that is no metric.

    References
    ----------
    The conventions: ``docs/score.md`` and ``docs/boundary-metrics.md``.
    """
    key = name.strip().lower()
    known = CONFUSION_METRICS.get(key) or DATASET_SUMMARIES.get(key)
    if known is not None:
        return known
    metric = parse_boundary_metric(key)
    return MetricInfo(
        name=metric.name,
        title=_boundary_title(metric),
        higher_is_better=metric.higher_is_better,
        unit=SHARE if metric.higher_is_better else DISTANCE,
        aggregations=("image",),
        convention=metric.convention(tolerances),
    )


def is_metric(name: str) -> bool:
    """True when :func:`metric_info` knows the name.

    Parameters
    ----------
    name : str
        Any text.

    Returns
    -------
    bool

    References
    ----------
    :func:`metric_info`.
    """
    try:
        metric_info(name)
    except ValueError:
        return False
    return True


def metric_title(name: str) -> str:
    """A metric's name for people; a name that is no metric is shown as it is, underscores as spaces.

    Parameters
    ----------
    name : str
        A metric name, or a column name.

    Returns
    -------
    str
        ``"dice"`` -> ``"Dice"``, ``"hd99_pooled"`` -> ``"HD99 pooled"``.

    References
    ----------
    :func:`metric_info`.
    """
    return metric_info(name).title if is_metric(name) else name.replace("_", " ")
