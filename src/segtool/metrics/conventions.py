"""Other tools' scoring conventions as data: rules, bundles of rules per peer, and their numbers.

A *convention* is a handful of rules, each a plain choice that segtool can make
on the per-image confusion counts it already has. Rules may differ per metric
(``{"*": default, "iou": other}``):

==================  =====================================================================
rule                choices
==================  =====================================================================
``aggregation``     ``dataset``: sum tp, fp, fn over images, then score (mmseg, Cityscapes).
                    ``class``: per class the mean over images, then the mean over classes
                    (nnU-Net). ``image``: per image the mean over classes, then the mean
                    over images (MONAI ``reduction="mean"``, torchmetrics ``DiceScore``).
                    ``cells``: the mean over every (image, class) cell (torchmetrics
                    ``MeanIoU``). Per-class values are ``dataset`` for ``dataset``, else
                    ``class``.
``empty_truth``     ``scored``: a class predicted where the ground truth has none scores 0.
                    ``undefined``: any cell whose ground truth is empty is undefined, so
                    its false positives vanish (MONAI ``ignore_empty=True``).
``absent``          a class absent from both masks: ``undefined`` (left out), or ``one``
                    (MONAI ``ignore_empty=False``, DAVIS, MedPy ``jc``).
``no_value``        a class (or, for ``image``, a whole run) with no defined value, in a
                    mean: ``drop`` it, ``nan`` (the mean becomes NaN: nnU-Net's
                    ``np.mean``), ``zero`` (MONAI), ``minus_one`` (torchmetrics
                    ``per_class=True``).
``one_empty``       a boundary metric where one mask is empty: ``worst`` (segtool: the image
                    diagonal for distances, 0 for scores), ``nan`` (MONAI's percentile
                    Hausdorff: dropped from means), ``inf`` (MONAI's Hausdorff and surface
                    distance). Count metrics ignore it.
``include_background``  class 0 enters the means over classes (may differ per metric:
                    MONAI's surface metrics leave it out, its Dice keeps it).
``percent``         values x 100, rounded to 2 decimals (mmseg's printed tables).
==================  =====================================================================

Undefined values are NaN. The ``fscore`` metric is mmseg's: the harmonic mean of
precision and recall, NaN when either is NaN or both are 0 (it equals Dice
otherwise). Boundary metrics (``bf_davis``) enter as given per cell.

Each :class:`Bundle` names a peer, the version its rules were checked against,
the rules, the peer's column names, and where each rule is in the peer's code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

AGGREGATIONS = ("dataset", "class", "image", "cells")
EMPTY_TRUTH = ("scored", "undefined")
ABSENT = ("undefined", "one")
NO_VALUE = ("drop", "nan", "zero", "minus_one")
ONE_EMPTY = ("worst", "nan", "inf")
#: Rules that may take one value per metric; "*" is the value for metrics not named.
PER_METRIC_RULES = {
    "aggregation": AGGREGATIONS,
    "empty_truth": EMPTY_TRUTH,
    "absent": ABSENT,
    "no_value": NO_VALUE,
    "one_empty": ONE_EMPTY,
}
COUNT_METRICS = ("dice", "iou", "precision", "recall", "fscore")
#: segtool's own value of each per-metric rule.
DEFAULT_RULES = {
    "aggregation": "dataset",
    "empty_truth": "scored",
    "absent": "undefined",
    "no_value": "drop",
    "one_empty": "worst",
}
_NO_VALUE_NUMBER = {"nan": np.nan, "zero": 0.0, "minus_one": -1.0}


def _one_rule(value: str | Mapping[str, str]) -> dict[str, str]:
    return {"*": value} if isinstance(value, str) else dict(value)


@dataclass(frozen=True)
class Rules:
    """A full set of rules (see the module docstring); segtool's own by default.

    >>> Rules(aggregation={"*": "image", "iou": "cells"}).rule("aggregation", "iou")
    'cells'
    """

    aggregation: str | Mapping[str, str] = "dataset"
    empty_truth: str | Mapping[str, str] = "scored"
    absent: str | Mapping[str, str] = "undefined"
    no_value: str | Mapping[str, str] = "drop"
    one_empty: str | Mapping[str, str] = "worst"
    include_background: bool | Mapping[str, bool] = False
    percent: bool = False

    def __post_init__(self) -> None:
        for name, choices in PER_METRIC_RULES.items():
            values = {"*": DEFAULT_RULES[name], **_one_rule(getattr(self, name))}
            for metric, value in values.items():
                if value not in choices:
                    raise ValueError(f"{name} for {metric}: {value!r} is not one of {', '.join(choices)}")
            object.__setattr__(self, name, values)
        background = self.include_background
        background = {"*": background} if isinstance(background, bool) else {"*": False, **background}
        object.__setattr__(self, "include_background", background)

    def rule(self, name: str, metric: str) -> str:
        """The value of per-metric rule ``name`` for ``metric``."""
        values: Mapping[str, str] = getattr(self, name)
        return values.get(metric, values["*"])

    def background(self, metric: str) -> bool:
        """Whether class 0 enters the means of ``metric``."""
        values: Mapping[str, bool] = self.include_background  # type: ignore[assignment]
        return bool(values.get(metric, values["*"]))

    def with_rule(self, name: str, value: Any) -> Rules:
        """A copy with one rule changed (``value`` as the field takes it)."""
        return replace(self, **{name: value})

    def describe(self) -> dict[str, Any]:
        """The rules as plain data, for JSON settings."""
        record: dict[str, Any] = {name: dict(getattr(self, name)) for name in PER_METRIC_RULES}
        background = cast("Mapping[str, bool]", self.include_background)  # a mapping after __post_init__
        record.update(include_background=dict(background), percent=self.percent)
        return record


@dataclass(frozen=True)
class Column:
    """One output column: the peer's name and what it holds.

    ``kind`` is ``class`` (a per-class value of ``metric``), ``mean`` (the macro
    mean of ``metric`` under its aggregation), ``pixel_accuracy``, ``average``
    (the mean of the summary columns named in ``of``) or ``categories`` (the
    mean of the defined :func:`category_iou` values; NaN without categories).
    """

    name: str
    kind: str
    metric: str = ""
    of: tuple[str, ...] = ()
    #: Shown only when the run scored ``metric`` (a boundary metric given with --metrics).
    optional: bool = False


@dataclass(frozen=True)
class Bundle:
    """One peer's convention: its rules, its column names, and where each rule is in its code."""

    name: str
    peer: str
    checked: str
    rules: Rules
    class_columns: tuple[Column, ...]
    summary_columns: tuple[Column, ...]
    summary_name: str
    sources: Mapping[str, str]
    notes: tuple[str, ...] = ()
    #: segtool options the bundle sets besides the rules (documented defaults, not rules).
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics its columns read, in order."""
        names = [column.metric for column in (*self.class_columns, *self.summary_columns) if column.metric]
        return tuple(dict.fromkeys(names))

    def describe(self) -> dict[str, Any]:
        """Everything about the bundle as plain data, for JSON settings."""
        return {
            "name": self.name,
            "peer": self.peer,
            "checked_against": self.checked,
            "sources": dict(self.sources),
            "notes": list(self.notes),
            "defaults": dict(self.defaults),
        }


def _classes(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, "class", metric) for name, metric in pairs)


def _means(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, "mean", metric) for name, metric in pairs)


MMSEG = Bundle(
    name="mmseg",
    peer="MMSegmentation IoUMetric",
    checked="mmsegmentation 1.2.2 (source read; rules measured in shared/research/peers.md)",
    rules=Rules(aggregation="dataset", include_background=True, percent=True),
    class_columns=_classes(
        ("IoU", "iou"),
        ("Acc", "recall"),
        ("Dice", "dice"),
        ("Fscore", "fscore"),
        ("Precision", "precision"),
        ("Recall", "recall"),
    ),
    summary_columns=(
        Column("aAcc", "pixel_accuracy"),
        *_means(
            ("mIoU", "iou"),
            ("mAcc", "recall"),
            ("mDice", "dice"),
            ("mFscore", "fscore"),
            ("mPrecision", "precision"),
            ("mRecall", "recall"),
        ),
    ),
    summary_name="summary",
    sources={
        "aggregation": "mmseg/evaluation/metrics/iou_metric.py IoUMetric.compute_metrics: areas summed over "
        "images (sum(results[i])) before total_area_to_metrics",
        "include_background": "IoUMetric.compute_metrics: np.nanmean over every class of "
        "dataset_meta['classes']",
        "absent": "IoUMetric.total_area_to_metrics: iou = intersect / union, 0/0 is NaN and nanmean drops it",
        "fscore": "IoUMetric.total_area_to_metrics.f_score: (1 + beta^2) P R / (beta^2 P + R), NaN at TP = 0",
        "percent": "IoUMetric.compute_metrics: np.round(np.nanmean(value) * 100, 2), per class "
        "np.round(v * 100, 2)",
        "ignore": "IoUMetric.intersect_and_union: mask = label != ignore_index (ground truth only)",
    },
    notes=(
        "mmseg counts with torch.histc in float32: its numbers differ from exact counts after about "
        "7 digits, "
        "invisible at the 2 decimals it prints",
        "reduce_zero_label (ADE20K) is --ignore 0 --ignore 255 with a label map of classes 1..K; "
        "LoadAnnotations casts 16-bit ids to uint8 (ids over 255 wrap): segtool never wraps",
    ),
)

CITYSCAPES = Bundle(
    name="cityscapes",
    peer="cityscapesScripts evalPixelLevelSemanticLabeling",
    checked="cityscapesscripts 2.3.0 (run)",
    rules=Rules(aggregation="dataset", include_background=True),
    class_columns=_classes(("IoU", "iou")),
    summary_columns=(*_means(("averageScoreClasses", "iou")), Column("averageScoreCategories", "categories")),
    summary_name="average",
    sources={
        "aggregation": "cityscapesscripts/evaluation/evalPixelLevelSemanticLabeling.py evaluateImgLists: one "
        "confusion matrix over all images (addToConfusionMatrix), then getIouScoreForLabel",
        "ignore": "getIouScoreForLabel: ignoreInEval ground-truth rows never count; a prediction of "
        "a void id "
        "on a valid pixel is a false negative (row sum) of the true class",
        "absent": "getIouScoreForLabel: denominator 0 -> NaN; getScoreAverage skips NaN",
        "include_background": "getScoreAverage: the mean over every evaluated class (no background notion)",
    },
    notes=(
        "with labelIds masks and no --labels, the built-in Cityscapes table is used: the 19 "
        "evaluated classes, "
        "the 15 ignoreInEval ids as ignore values",
        "iIoU needs instance ids and is not computed",
    ),
    defaults={"labels": "cityscapes"},
)

NNUNET = Bundle(
    name="nnunet",
    peer="nnU-Net v2 compute_metrics_on_folder",
    checked="nnunetv2 2.8.1 (rules measured in shared/research/peers.md; source read)",
    rules=Rules(aggregation="class", no_value="nan"),
    class_columns=_classes(("Dice", "dice"), ("IoU", "iou")),
    summary_columns=_means(("Dice", "dice"), ("IoU", "iou")),
    summary_name="foreground_mean",
    sources={
        "empty_truth": "nnunetv2/evaluation/evaluate_predictions.py compute_metrics: Dice = 2tp / "
        "(2tp + fp + fn) "
        "for every label, so a prediction on an empty reference scores 0",
        "absent": "compute_metrics: tp + fp + fn = 0 gives 0/0 = NaN",
        "aggregation": "compute_metrics_on_folder: means[r][m] = np.nanmean over cases",
        "no_value": "compute_metrics_on_folder: foreground_mean[m] = np.mean over labels (not nanmean): "
        "one label absent from every case makes it NaN",
        "include_background": "compute_metrics_on_folder: key 0 is skipped in foreground_mean",
        "ignore": "compute_metrics: ignore_mask = seg_ref == ignore_label, removed from tp, fp, fn",
    },
    notes=(
        "nnU-Net scores the cases it finds in the prediction folder (--chill): --missing skip does the same, "
        "and lists them",
    ),
)

#: MONAI's surface metrics, optional columns of its bundle: (metric, per-class name, summary name).
_MONAI_SURFACE = (
    ("hd95", "HD95", "HausdorffDistanceMetric(percentile=95)"),
    ("hd", "HD", "HausdorffDistanceMetric"),
    ("assd", "ASSD", "SurfaceDistanceMetric(symmetric=True)"),
    ("nsd", "NSD", "SurfaceDiceMetric"),
)

MONAI = Bundle(
    name="monai",
    peer="MONAI DiceMetric / MeanIoU (and, with --metrics, its surface metrics)",
    checked="monai 1.6.1 (run)",
    rules=Rules(
        aggregation="image",
        empty_truth={"*": "scored", "dice": "undefined", "iou": "undefined"},
        no_value="zero",
        one_empty={"hd95": "nan", "hd": "inf", "assd": "inf"},
        include_background={"*": True, **{metric: False for metric, _, _ in _MONAI_SURFACE}},
    ),
    class_columns=(
        *_classes(("Dice", "dice"), ("IoU", "iou")),
        *(Column(name, "class", metric, optional=True) for metric, name, _ in _MONAI_SURFACE),
    ),
    summary_columns=(
        *_means(("DiceMetric", "dice"), ("MeanIoU", "iou")),
        *(Column(name, "mean", metric, optional=True) for metric, _, name in _MONAI_SURFACE),
    ),
    summary_name="mean",
    sources={
        "empty_truth": "monai/metrics/meandice.py DiceHelper.compute_channel (ignore_empty=True): NaN when "
        "the ground truth is empty, whatever the prediction; monai/metrics/meaniou.py compute_iou likewise "
        "(surface metrics have no ignore_empty)",
        "aggregation": "monai/metrics/utils.py do_metric_reduction, reduction='mean': channel average over "
        "not-NaN values, then batch average over images with one",
        "no_value": "do_metric_reduction: torch.where(not_nans > 0, ..., t_zero): 0 where nothing is defined "
        "(per class with 'mean_batch', the per-class table here)",
        "include_background": "DiceMetric / MeanIoU: include_background=True by default; "
        "HausdorffDistanceMetric, SurfaceDistanceMetric, SurfaceDiceMetric: False",
        "one_empty": "monai/metrics/utils.py get_edge_surface_distance / hausdorff_distance.py "
        "compute_percent_hausdorff_distance: an empty side gives inf distances, whose maximum is inf and "
        "whose torch.quantile is NaN; surface_dice.py: 0 when one side has no edge",
        "edge_is_boundary": "monai/metrics/utils.py get_mask_edges: binary_erosion with a zero border, so "
        "the image edge and ignored (zeroed) pixels make edges",
    },
    notes=(
        "MONAI computes in float32 (about 7 digits)",
        "ignore_empty=False is --empty-truth scored --absent one",
        "surface metrics: give --metrics hd95,hd,assd,nsd (and --nsd-tolerance); --edge-is-boundary is set",
    ),
    defaults={"edge_is_boundary": True},
)

TORCHMETRICS = Bundle(
    name="torchmetrics",
    peer="torchmetrics segmentation.DiceScore / segmentation.MeanIoU",
    checked="torchmetrics 1.9.0 (run)",
    rules=Rules(
        aggregation={"*": "image", "iou": "cells"},
        no_value={"*": "drop", "iou": "minus_one"},
        include_background=True,
    ),
    class_columns=_classes(("DiceScore", "dice"), ("MeanIoU", "iou")),
    summary_columns=_means(("DiceScore", "dice"), ("MeanIoU", "iou")),
    summary_name="mean",
    sources={
        "aggregation": "torchmetrics/functional/segmentation/dice.py _dice_score_compute: average='macro' is "
        "nanmean over classes per sample, then DiceScore.compute takes nanmean over samples; "
        "torchmetrics/segmentation/mean_iou.py MeanIoU.update adds every (sample, class) IoU with union > 0 "
        "and counts them: the mean over cells",
        "absent": "_dice_score_compute: _safe_divide(zero_division='nan'); MeanIoU.update: union > 0 only",
        "no_value": "MeanIoU.compute: per_class=True -> nan_to_num(-1.0); DiceScore(average='none') "
        "keeps NaN",
        "include_background": "DiceScore / MeanIoU: include_background=True by default",
    },
    notes=(
        "torchmetrics has no ignore index in its segmentation metrics: ignored pixels must be zeroed in both "
        "one-hot masks, which is what segtool's ignore does",
    ),
)

MEDPY = Bundle(
    name="medpy",
    peer="MedPy medpy.metric.binary dc / jc",
    checked="medpy 0.5.2 on NumPy 2 (run)",
    rules=Rules(aggregation="class", absent={"*": "undefined", "iou": "one"}),
    class_columns=_classes(("dc", "dice"), ("jc", "iou")),
    summary_columns=_means(("dc", "dice"), ("jc", "iou")),
    summary_name="mean",
    sources={
        "absent": "medpy/metric/binary.py dc: count_nonzero returns np.int64, so 0/0 is NaN on NumPy 2 (the "
        "ZeroDivisionError branch never runs); jc: returns 1.0 when both are empty",
        "aggregation": "MedPy scores one pair: the per-class mean over images (NaN dropped) and the "
        "mean over foreground classes are what a loop over its values gives",
    },
    notes=(
        "hd, hd95 and assd are segtool's hd, hd95_pooled and assd with --edge-is-boundary; MedPy raises "
        "RuntimeError on an empty mask where segtool gives the image diagonal",
    ),
    defaults={"edge_is_boundary": True},
)

DAVIS = Bundle(
    name="davis",
    peer="DAVIS 2017 db_eval_iou / db_eval_boundary",
    checked="davis2017-evaluation metrics.py (source read; rules measured in shared/research/peers.md)",
    rules=Rules(aggregation="class", absent="one"),
    class_columns=_classes(("J", "iou"), ("F", "bf_davis")),
    summary_columns=(
        *_means(("J-Mean", "iou"), ("F-Mean", "bf_davis")),
        Column("J&F-Mean", "average", of=("J-Mean", "F-Mean")),
    ),
    summary_name="mean",
    sources={
        "absent": "davis2017/metrics.py db_eval_iou: j = 1 where the union is 0; f_measure: precision = "
        "recall = 1 when both boundaries are empty",
        "bf_davis": "f_measure: _seg2bmap boundaries of the masks times ~void, matched by cv2.dilate with "
        "skimage disk(ceil(0.008 * diagonal))",
        "aggregation": "davis2017/evaluation.py / utils db_statistics: per object np.nanmean over "
        "frames, then "
        "the mean over objects",
        "include_background": "DAVIS objects are ids 1..N; 0 is background and not an object",
    },
    notes=(
        "the semi-supervised protocol drops each sequence's first and last frames: leave them out of the "
        "folders to match",
    ),
    defaults={"metrics": ("bf_davis",)},
)

BUNDLES: dict[str, Bundle] = {
    bundle.name: bundle for bundle in (NNUNET, MMSEG, CITYSCAPES, MONAI, TORCHMETRICS, MEDPY, DAVIS)
}
#: segtool's own convention, for comparisons: the dataset aggregation, background left out.
SEGTOOL = Bundle(
    name="segtool",
    peer="segtool default (dataset aggregation)",
    checked="",
    rules=Rules(),
    class_columns=_classes(("dice", "dice"), ("iou", "iou")),
    summary_columns=_means(("dice", "dice"), ("iou", "iou")),
    summary_name="mean",
    sources={},
)


def custom_bundle(rules: Rules, metrics: Sequence[str] = ("dice", "iou")) -> Bundle:
    """A bundle of rules chosen one by one, with segtool's column names.

    Parameters
    ----------
    rules : Rules
        The rules (see the module docstring).
    metrics : sequence of str
        The count metrics to report.

    Returns
    -------
    Bundle
        Named ``custom``.

    References
    ----------
    Each bundle's rules and where each is in the peer's code: the module docstring
    and ``docs/compat.md``.
    """
    return replace(
        SEGTOOL,
        name="custom",
        peer="rules given as options",
        rules=rules,
        class_columns=_classes(*((metric, metric) for metric in metrics)),
        summary_columns=_means(*((metric, metric) for metric in metrics)),
    )


def bundle_named(name: str) -> Bundle:
    """The bundle called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`BUNDLES` (case-insensitive).

    Returns
    -------
    Bundle

    Raises
    ------
    ValueError
        Naming the known bundles, for any other name.

    References
    ----------
    Each bundle's rules and where each is in the peer's code: the module docstring
    and ``docs/compat.md``.
    """
    try:
        return BUNDLES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown convention {name!r}; use one of {', '.join(BUNDLES)}") from None


# -- per-image cells ----------------------------------------------------------------------
class CellTable:
    """The (image, class) cells of a run: confusion counts and per-image metric values.

    Only cells with a pixel of the class in the ground truth or prediction are
    stored; the others are absent from both masks and counted at the end.
    """

    def __init__(self) -> None:
        self.n_images = 0
        self._parts: list[
            tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]
        ] = []

    def add(
        self,
        class_ids: np.ndarray,
        tp: np.ndarray,
        fp: np.ndarray,
        fn: np.ndarray,
        values: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Add one image's cells (arrays aligned with ``class_ids``)."""
        self._parts.append(
            (
                self.n_images,
                np.asarray(class_ids),
                np.asarray(tp),
                np.asarray(fp),
                np.asarray(fn),
                dict(values or {}),
            )
        )
        self.n_images += 1

    def arrays(self) -> dict[str, np.ndarray]:
        """``image``, ``class_id``, ``tp``, ``fp``, ``fn`` and each metric value, one entry per cell."""
        parts = self._parts
        sizes = [part[1].size for part in parts]
        out = {
            "image": np.repeat(np.array([part[0] for part in parts], np.int64), sizes),
            **{
                name: np.concatenate([part[index] for part in parts]).astype(np.int64)
                if parts
                else np.zeros(0, np.int64)
                for index, name in ((1, "class_id"), (2, "tp"), (3, "fp"), (4, "fn"))
            },
        }
        for name in dict.fromkeys(key for part in parts for key in part[5]):
            out[name] = np.concatenate(
                [np.asarray(part[5].get(name, np.full(part[1].size, np.nan)), float) for part in parts]
            )
        return out


# -- scores under a set of rules ----------------------------------------------------------
def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(denominator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def count_metric(metric: str, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """One metric of counts, NaN where undefined.

    Parameters
    ----------
    metric : str
        ``dice``, ``iou``, ``precision``, ``recall`` or ``fscore`` (mmseg's F1 of
        precision and recall).
    tp, fp, fn : array_like of int
        True positives, false positives and false negatives, one per class or cell.

    Returns
    -------
    float64 array
        The metric, NaN where its denominator is 0.

    References
    ----------
    .. [1] L. R. Dice, "Measures of the amount of ecologic association between species",
       Ecology 26(3), 1945.
    .. [2] MMSegmentation's ``IoUMetric`` (``fscore`` with ``beta=1``).

    Examples
    --------
    >>> count_metric("fscore", np.array([0, 2]), np.array([1, 2]), np.array([1, 0])).tolist()
    [nan, 0.6666666666666666]
    """
    tp, fp, fn = (np.asarray(values, np.float64) for values in (tp, fp, fn))
    if metric == "dice":
        return _ratio(2 * tp, 2 * tp + fp + fn)
    if metric == "iou":
        return _ratio(tp, tp + fp + fn)
    if metric == "precision":
        return _ratio(tp, tp + fp)
    if metric == "recall":
        return _ratio(tp, tp + fn)
    if metric == "fscore":
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        return _ratio(2 * precision * recall, np.nan_to_num(precision + recall, nan=0.0))
    raise ValueError(f"{metric!r} is not a count metric ({', '.join(COUNT_METRICS)})")


def _with_empty_rules(
    values: np.ndarray, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, rules: Rules, metric: str
) -> np.ndarray:
    """Apply ``empty_truth`` and ``absent`` to values computed on counts (cells or dataset sums)."""
    values = np.array(values, float)
    truth_empty = (tp + fn) == 0
    if rules.rule("empty_truth", metric) == "undefined":
        values[truth_empty] = np.nan
    if rules.rule("absent", metric) == "one":
        values[truth_empty & (fp == 0)] = 1.0
    return values


def _with_one_empty_rule(
    values: np.ndarray, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, rule: str
) -> np.ndarray:
    """Replace segtool's worst value where exactly one mask is empty by NaN or inf."""
    if rule == "worst":
        return values
    one_empty = ((tp + fn) == 0) != ((tp + fp) == 0)
    return np.where(one_empty, np.nan if rule == "nan" else np.inf, values)


@dataclass
class ConventionScores:
    """Per-class values and the summary of one bundle: plain data, keyed by the peer's column names."""

    bundle: Bundle
    class_ids: list[int]
    classes: list[dict[str, float]]
    summary: dict[str, float]
    means: dict[str, float]
    categories: dict[str, float] = field(default_factory=dict)
    #: The per-class columns scored: the bundle's, less optional ones whose metric the run did not score
    #: (MONAI's HD95 without --metrics hd95); every output shows these and no others.
    columns: list[str] = field(default_factory=list)


def convention_scores(
    cells: Mapping[str, np.ndarray],
    class_ids: Iterable[int],
    n_images: int,
    bundle: Bundle,
    *,
    matrix: np.ndarray | None = None,
    categories: Mapping[int, str] | None = None,
) -> ConventionScores:
    """Score ``cells`` (from :meth:`CellTable.arrays`) under ``bundle``'s rules.

    Parameters
    ----------
    cells : mapping of str to array
        Per-image, per-class counts.
    class_ids : iterable of int
        The run's class set (classes absent from every image included).
    n_images : int
        The number of images scored.
    bundle : Bundle
        The peer's rules and column names.
    matrix : array, optional
        The dataset confusion matrix in ``class_ids`` order, for the category IoU.
    categories : mapping of int to str, optional
        Class id -> category, for the category IoU.

    Returns
    -------
    ConventionScores
        Per-class values and the summary, keyed by the peer's column names.

    References
    ----------
    Each bundle's rules and where each is in the peer's code: the module docstring
    and ``docs/compat.md``.
    """
    ids = np.asarray(sorted(int(class_id) for class_id in class_ids), np.int64)
    rules = bundle.rules
    position = np.searchsorted(ids, cells["class_id"])
    tp, fn = cells["tp"], cells["fn"]
    required = {
        column.metric for column in (*bundle.class_columns, *bundle.summary_columns) if not column.optional
    }
    cells = {**cells}
    per_class: dict[str, np.ndarray] = {}
    means: dict[str, float] = {}
    for metric in bundle.metrics:
        if metric not in COUNT_METRICS and metric not in cells:
            if metric not in required:
                continue  # an optional column of a metric this run did not score
            cells[metric] = np.full(tp.size, np.nan)  # no image gave a value (none was scored)
        in_mean = (ids != 0) | rules.background(metric)
        per_class[metric], means[metric] = _metric_scores(
            cells, position, ids.size, n_images, in_mean, rules, metric
        )
    class_columns = [column for column in bundle.class_columns if not column.metric or column.metric in means]
    by_category = category_iou(matrix, ids.tolist(), categories) if matrix is not None and categories else {}
    summary: dict[str, float] = {}
    for column in bundle.summary_columns:
        if column.metric and column.metric not in means:
            continue
        if column.kind == "mean":
            summary[column.name] = means[column.metric]
        elif column.kind == "pixel_accuracy":
            # correct pixels / ground-truth pixels of a class (mmseg's aAcc: histc keeps class values only)
            summary[column.name] = float(tp.sum() / (tp + fn).sum()) if (tp + fn).sum() else float("nan")
        elif column.kind == "average":
            summary[column.name] = float(np.mean([summary[name] for name in column.of]))
        elif column.kind == "categories":
            defined = [value for value in by_category.values() if not np.isnan(value)]
            summary[column.name] = float(np.mean(defined)) if defined else float("nan")
    scale = (lambda value: float(np.round(value * 100, 2))) if rules.percent else float
    classes = [
        {column.name: scale(per_class[column.metric][index]) for column in class_columns}
        for index in range(ids.size)
    ]
    return ConventionScores(
        bundle=bundle,
        class_ids=ids.tolist(),
        classes=classes,
        summary={name: scale(value) for name, value in summary.items()},
        means={metric: float(value) for metric, value in means.items()},
        categories={name: scale(value) for name, value in by_category.items()},
        columns=[column.name for column in class_columns],
    )


def _metric_scores(
    cells: Mapping[str, np.ndarray],
    position: np.ndarray,
    size: int,
    n_images: int,
    in_mean: np.ndarray,
    rules: Rules,
    metric: str,
) -> tuple[np.ndarray, float]:
    """Per-class values and the macro mean of one metric under ``rules``."""
    tp, fp, fn = cells["tp"], cells["fp"], cells["fn"]
    aggregation = rules.rule("aggregation", metric)
    no_value = rules.rule("no_value", metric)
    if aggregation == "dataset":
        if metric not in COUNT_METRICS:
            raise ValueError(f"{metric} is scored per image only: it has no dataset aggregation")
        tp_sum, fp_sum, fn_sum = (
            np.bincount(position, weights=values, minlength=size) for values in (tp, fp, fn)
        )
        per_class = _with_empty_rules(
            count_metric(metric, tp_sum, fp_sum, fn_sum), tp_sum, fp_sum, fn_sum, rules, metric
        )
        return _fill(per_class, no_value), _mean_over_classes(per_class, in_mean, no_value)
    values = count_metric(metric, tp, fp, fn) if metric in COUNT_METRICS else np.asarray(cells[metric], float)
    values = _with_empty_rules(values, tp, fp, fn, rules, metric)
    if metric not in COUNT_METRICS:
        values = _with_one_empty_rule(values, tp, fp, fn, rules.rule("one_empty", metric))
    # cells absent from both masks: per class, the images where the class has no stored cell
    absent_value = 1.0 if rules.rule("absent", metric) == "one" else np.nan
    stored = np.bincount(position, minlength=size)
    absent = n_images - stored
    defined = ~np.isnan(values)
    class_sum = np.bincount(position[defined], weights=values[defined], minlength=size)
    class_count = np.bincount(position[defined], minlength=size).astype(float)
    if absent_value == 1.0:
        class_sum, class_count = class_sum + absent, class_count + absent
    per_class = _fill(_ratio(class_sum, class_count), no_value)
    if aggregation == "class":
        return per_class, _mean_over_classes(_ratio(class_sum, class_count), in_mean, no_value)
    counted = defined & in_mean[position]
    if aggregation == "cells":
        total = values[counted].sum() + (absent_value == 1.0) * absent[in_mean].sum()
        count = counted.sum() + (absent_value == 1.0) * absent[in_mean].sum()
        return per_class, float(total / count) if count else _no_value_number(no_value)
    # image: per image over its classes in the mean, then over the images with a defined value
    image = cells["image"]
    image_sum = np.bincount(image[counted], weights=values[counted], minlength=n_images)
    image_count = np.bincount(image[counted], minlength=n_images).astype(float)
    if absent_value == 1.0:
        stored_in_mean = np.bincount(image[in_mean[position]], minlength=n_images)
        missing = int(in_mean.sum()) - stored_in_mean
        image_sum, image_count = image_sum + missing, image_count + missing
    image_means = _ratio(image_sum, image_count)
    image_means = image_means[~np.isnan(image_means)]
    return per_class, float(image_means.mean()) if image_means.size else _no_value_number(no_value)


def _no_value_number(no_value: str, *, per_class: bool = False) -> float:
    """The number standing for "no defined value"; -1 (torchmetrics) only ever stands in a per-class value."""
    if no_value == "minus_one" and not per_class:
        return float("nan")
    return float(_NO_VALUE_NUMBER.get(no_value, np.nan))


def _fill(per_class: np.ndarray, no_value: str) -> np.ndarray:
    """Per-class values with ``no_value`` in place of NaN (``drop`` and ``nan`` keep NaN)."""
    return np.where(np.isnan(per_class), _no_value_number(no_value, per_class=True), per_class)


def _mean_over_classes(per_class: np.ndarray, in_mean: np.ndarray, no_value: str) -> float:
    chosen = _fill(per_class[in_mean], no_value)
    if no_value == "drop":
        chosen = chosen[~np.isnan(chosen)]
    return float(chosen.mean()) if chosen.size else float("nan")


def category_iou(
    matrix: np.ndarray, class_ids: Sequence[int], categories: Mapping[int, str]
) -> dict[str, float]:
    """IoU of each category, its classes merged (cityscapesScripts ``getIouScoreForCategory``).

    TP = pixels of the category predicted as any class of it; FN = the
    category's other pixels; FP = pixels of other classes predicted as the
    category.

    Parameters
    ----------
    matrix : (K, K) or (K, K + 1) array_like of int
        Rows are true classes in ``class_ids`` order, columns predicted ones,
        then (optionally) predictions that are no class.
    class_ids : sequence of int
        The classes of the rows.
    categories : mapping of int to str
        Class id -> category.

    Returns
    -------
    dict
        Category -> IoU; NaN when TP, FP and FN are all 0.

    References
    ----------
    .. [1] M. Cordts et al., "The Cityscapes dataset for semantic urban scene
       understanding", CVPR 2016; cityscapesScripts ``evalPixelLevelSemanticLabeling.py``.

    Examples
    --------
    >>> matrix = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])
    >>> category_iou(matrix, [7, 8, 26], {7: "flat", 8: "flat", 26: "vehicle"})
    {'flat': 0.9166666666666666, 'vehicle': 0.8}
    """
    matrix = np.asarray(matrix, np.int64)
    out = {}
    for category in dict.fromkeys(categories[class_id] for class_id in class_ids if class_id in categories):
        inside = np.array([categories.get(class_id) == category for class_id in class_ids])
        tp = matrix[np.ix_(inside, np.flatnonzero(inside))].sum()
        fn = matrix[inside].sum() - tp
        fp = matrix[np.ix_(~inside, np.flatnonzero(inside))].sum()
        out[category] = float(tp / (tp + fp + fn)) if tp + fp + fn else float("nan")
    return out


# -- every bundle side by side ------------------------------------------------------------
#: The order in which :func:`compare_conventions` moves from segtool's rules to a bundle's.
RULE_ORDER = ("include_background", "aggregation", "empty_truth", "absent", "no_value")
COMPARED_METRICS = ("dice", "iou")
#: Differences smaller than this are rounding, not a rule.
SAME = 1e-12


@dataclass(frozen=True)
class Difference:
    """One rule that moves one bundle's macro mean of one metric away from segtool's."""

    convention: str
    metric: str
    rule: str
    segtool_value: str
    convention_value: str
    before: float
    after: float

    def describe(self) -> str:
        change = "becomes undefined" if np.isnan(self.after) else f"{self.after - self.before:+.4f}"
        if np.isnan(self.before) and not np.isnan(self.after):
            change = "becomes defined"
        return (
            f"{self.convention} {self.metric}: {_number(self.before)} -> {_number(self.after)} ({change}): "
            f"{self.rule} {self.segtool_value} -> {self.convention_value}"
        )


def _number(value: float) -> str:
    return "nan" if np.isnan(value) else f"{value:.4f}"


def _rule_text(rules: Rules, name: str, metric: str) -> str:
    if name == "include_background":
        return "in" if rules.background(metric) else "out"
    return rules.rule(name, metric)


def compare_conventions(
    cells: Mapping[str, np.ndarray],
    class_ids: Iterable[int],
    n_images: int,
    bundles: Sequence[Bundle] = (SEGTOOL, *BUNDLES.values()),
) -> tuple[list[dict[str, Any]], list[Difference]]:
    """The macro mean Dice and IoU of each bundle on the same cells, and the rules that move them.

    Each bundle's rules are reached from segtool's one rule at a time, in
    :data:`RULE_ORDER`; a step that changes a mean by more than :data:`SAME`
    is one :class:`Difference`. Values are fractions (``percent`` is not applied).

    Parameters
    ----------
    cells : mapping of str to array
        Per-image, per-class counts (:meth:`CellTable.arrays`).
    class_ids : iterable of int
        The run's class set.
    n_images : int
        The number of images scored.
    bundles : sequence of Bundle
        The conventions to compare (segtool's first).

    Returns
    -------
    rows : list of dict
        One row per bundle and metric.
    differences : list of Difference
        The rules that move a mean.

    References
    ----------
    Each bundle's rules and where each is in the peer's code: the module docstring
    and ``docs/compat.md``.
    """
    ids = list(class_ids)
    rows, differences = [], []
    for bundle in bundles:
        plain = replace(bundle.rules, percent=False)
        row: dict[str, Any] = {"convention": bundle.name, "peer": bundle.peer}
        for metric in COMPARED_METRICS:
            row[metric] = _macro_mean(cells, ids, n_images, plain, metric)
        for name in RULE_ORDER:
            row[name] = "/".join(
                dict.fromkeys(_rule_text(plain, name, metric) for metric in COMPARED_METRICS)
            )
        rows.append(row)
        for metric in COMPARED_METRICS:
            rules = Rules()
            before = _macro_mean(cells, ids, n_images, rules, metric)
            for name in RULE_ORDER:
                if _rule_text(rules, name, metric) == _rule_text(plain, name, metric):
                    continue
                value = plain.background(metric) if name == "include_background" else plain.rule(name, metric)
                changed = rules.with_rule(name, {"*": value})
                after = _macro_mean(cells, ids, n_images, changed, metric)
                if not (abs(after - before) <= SAME or (np.isnan(after) and np.isnan(before))):
                    differences.append(
                        Difference(
                            bundle.name,
                            metric,
                            name,
                            _rule_text(rules, name, metric),
                            _rule_text(changed, name, metric),
                            before,
                            after,
                        )
                    )
                rules, before = changed, after
    return rows, differences


def _macro_mean(
    cells: Mapping[str, np.ndarray], class_ids: list[int], n_images: int, rules: Rules, metric: str
) -> float:
    probe = replace(SEGTOOL, rules=rules, class_columns=_classes((metric, metric)), summary_columns=())
    return convention_scores(cells, class_ids, n_images, probe).means[metric]
