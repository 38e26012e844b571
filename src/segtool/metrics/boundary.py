"""Boundary metrics of two masks: Hausdorff distances, ASSD, MASD, NSD, Boundary IoU, boundary F-score.

Every name below means exactly one convention; ``docs/boundary-metrics.md``
compares them with MONAI, MedPy, seg-metrics, deepmind's surface-distance,
the Boundary IoU reference code and DAVIS.

Boundaries, unknown pixels and distances follow :mod:`segtool.metrics.surface`:
inner border (4-neighbourhood), the image edge makes no boundary unless
``edge_is_boundary=True``, exact Euclidean distances between pixel centres in
spacing units. ``a`` are the distances from each reference boundary pixel to
the predicted boundary, ``b`` the other way round.

========================  ==========================================================
name                      value
========================  ==========================================================
``hd``                    max(max a, max b)
``hd95``, ``hd<p>``       max(P_p(a), P_p(b)): the larger directed p-th percentile
                          (MONAI, MetricsReloaded); linear interpolation
``hd95_pooled``, ...      P_p(a ∪ b): the percentile of the pooled distances
                          (MedPy ``hd95``, seg-metrics)
``assd``                  mean(a ∪ b): pooled mean (MetricsReloaded ASSD, MONAI
                          ``symmetric=True``, MedPy 0.5 ``assd``)
``masd``                  (mean a + mean b) / 2 (MetricsReloaded MASD, MedPy 0.4
                          ``assd``)
``nsd``                   (|a <= tau| + |b <= tau|) / (|a| + |b|) (surface Dice)
``biou``                  |Bt ∩ Bp| / |Bt ∪ Bp|, B = pixels of a mask closer than w
                          to its own boundary (Cheng et al. 2021, Euclidean band)
``biou_chessboard``       as ``biou`` with the reference code's square band: pixels
                          within chessboard distance w (whole pixels) of the outside
``bf``                    F = 2PR / (P + R), P = |b <= t| / |b|, R = |a <= t| / |a|
                          (DAVIS boundary F-measure)
``bf_davis``              DAVIS's own F, its boundary map and rules included
                          (:mod:`segtool.metrics.davis`; pixels, not spacing units)
========================  ==========================================================

Default tolerances, from the image diagonal ``D`` in spacing units and the
smaller pixel side ``s``: ``tau = 2`` spacing units for NSD (no common
default exists); ``w = max(1, round(0.02 D / s)) s`` for Boundary IoU (the
reference code's rounding); ``t = ceil(0.008 D / s) s`` for the F-score
(DAVIS's rounding). Tolerances are inclusive (``<=``); the Boundary IoU band is
exclusive (``< w``), so that it is ``w`` pixels wide along a straight edge.

Empty masks: both empty -> NaN (undefined; leave it out of means). One empty
-> the worst value: the image diagonal ``D`` for distances, 0 for NSD,
Boundary IoU and F. Never a distance of 0, never dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from .class_borders import ClassBorders
from .confusion import is_one_of, joint_counts
from .davis import NAME as DAVIS_NAME
from .davis import davis_boundary_f
from .distance_transform import normalise_spacing
from .surface import BoundaryDistances, SurfacePair

__all__ = [
    "AGGREGATION_RULE",
    "BoundaryF",
    "BoundaryMetric",
    "BoundaryScorer",
    "DEFAULT_NSD_TOLERANCE",
    "EMPTY_RULE",
    "Tolerances",
    "assd",
    "boundary_f_score",
    "boundary_iou",
    "boundary_metrics",
    "boundary_scores",
    "hausdorff_distance",
    "hd95",
    "masd",
    "normalized_surface_distance",
    "parse_boundary_metric",
]

DEFAULT_NSD_TOLERANCE = 2.0
BIOU_WIDTH_RATIO = 0.02
BF_TOLERANCE_RATIO = 0.008
#: How boundary metrics are aggregated over images, and the empty-mask rule, in words for outputs.
AGGREGATION_RULE = (
    "per image only (no dataset aggregation: there is nothing to sum over images): "
    "scored per image and class, then mean and population standard deviation over the "
    "images where defined, with their number"
)
EMPTY_RULE = (
    "both masks empty: undefined, left out of every mean; one mask empty: the worst value "
    "(the image diagonal for distances, 0 for nsd, biou and bf), never 0 distance, never dropped"
)
# A relative slack so that a distance equal to a tolerance counts as within it despite rounding.
_INCLUSIVE = 1 + 1e-9

Pooling = Literal["max", "pooled"]

_HAUSDORFF_NAME = re.compile(r"hd(?P<percentile>\d+(?:\.\d+)?)?(?P<pooled>_pooled)?")
_FIXED_NAMES = ("assd", "masd", "nsd", "biou", "biou_chessboard", "bf", DAVIS_NAME)
# The metrics that read bands of mask pixels near the boundary, not only the boundaries.
_BAND_KINDS = ("biou", "biou_chessboard")


@dataclass(frozen=True)
class BoundaryMetric:
    """One boundary metric, by its canonical name (see the module docstring)."""

    name: str
    kind: str
    percentile: float = 100.0
    pooling: Pooling = "max"

    @property
    def higher_is_better(self) -> bool:
        """True for overlap-type scores in [0, 1], False for distances."""
        return self.kind in ("nsd", "biou", "biou_chessboard", "bf", DAVIS_NAME)

    def convention(self, tolerances: Tolerances | None = None) -> str:
        """One line stating what this name means, for the output (tolerances as given, or the defaults).

        >>> parse_boundary_metric("hd95").convention()
        'hd95: max of the two directed 95th percentiles of boundary distances (MONAI, MetricsReloaded)'
        """
        given = tolerances or Tolerances()
        if self.kind == "hausdorff":
            which = "maximum" if self.percentile == 100 else f"{self.percentile:g}th percentile"
            if self.pooling == "pooled":
                return (
                    f"{self.name}: {which} of both directions' boundary distances pooled (MedPy, seg-metrics)"
                )
            if self.percentile == 100:
                return f"{self.name}: maximum boundary distance, both directions (Hausdorff)"
            return (
                f"{self.name}: max of the two directed {which}s of boundary distances "
                "(MONAI, MetricsReloaded)"
            )
        biou_width = "2% of the image diagonal" if given.biou_width is None else f"{given.biou_width:g}"
        bf_tolerance = "0.008 of the image diagonal, rounded up" if given.bf is None else f"{given.bf:g}"
        davis_tolerance = "ceil(0.008 * diagonal)" if given.bf is None else f"{given.bf:g}"
        return {
            "assd": "assd: mean of both directions' boundary distances pooled (MetricsReloaded ASSD)",
            "masd": "masd: mean of the two directed mean boundary distances (MetricsReloaded MASD)",
            "nsd": f"nsd: share of both boundaries within {given.nsd:g} of the other (surface Dice)",
            "biou": (
                f"biou: Boundary IoU, bands closer than {biou_width} to each mask's boundary (Euclidean)"
            ),
            "biou_chessboard": (
                f"biou_chessboard: Boundary IoU, square bands of {biou_width} (reference code)"
            ),
            "bf": f"bf: DAVIS boundary F-score, tolerance {bf_tolerance}",
            DAVIS_NAME: f"{DAVIS_NAME}: boundary F exactly as DAVIS 2017 computes it (seg2bmap "
            f"boundaries, disk of radius {davis_tolerance} pixels)",
        }[self.kind]


def parse_boundary_metric(name: str) -> BoundaryMetric:
    """The boundary metric a name means (case-insensitive; see the module docstring's table).

    Parameters
    ----------
    name : str
        ``hd``, ``hd95``, ``hd<p>``, ``hd<p>_pooled``, ``assd``, ``masd``, ``nsd``,
        ``biou``, ``biou_chessboard``, ``bf`` or ``bf_davis``.

    Returns
    -------
    BoundaryMetric
        Its canonical name, kind, percentile and pooling.

    Raises
    ------
    ValueError
        For any other name, or a percentile outside (0, 100].

    References
    ----------
    The names and their conventions: ``docs/boundary-metrics.md``.

    Examples
    --------
    >>> parse_boundary_metric("HD95_pooled")
    BoundaryMetric(name='hd95_pooled', kind='hausdorff', percentile=95.0, pooling='pooled')
    """
    key = name.strip().lower()
    if key in _FIXED_NAMES:
        return BoundaryMetric(name=key, kind=key)
    match = _HAUSDORFF_NAME.fullmatch(key)
    if match is None:
        raise ValueError(
            f"unknown boundary metric {name!r}; use hd, hd95 (or hd<p>), hd95_pooled, "
            "assd, masd, nsd, biou, biou_chessboard, bf or bf_davis"
        )
    percentile = float(match["percentile"] or 100)
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile of {name!r} must be in (0, 100]")
    pooling: Pooling = "pooled" if match["pooled"] else "max"
    return BoundaryMetric(name=key, kind="hausdorff", percentile=percentile, pooling=pooling)


@dataclass(frozen=True)
class Tolerances:
    """Tolerances in spacing units; None means the default derived from the image diagonal."""

    nsd: float = DEFAULT_NSD_TOLERANCE
    biou_width: float | None = None
    bf: float | None = None

    def resolve(self, pair: BoundaryDistances) -> ResolvedTolerances:
        """Fill in the defaults for this image (see the module docstring)."""
        step = min(pair.spacing)
        biou_width = self.biou_width
        if biou_width is None:
            biou_width = max(1, round(BIOU_WIDTH_RATIO * pair.diagonal / step)) * step
        bf = self.bf
        if bf is None:
            bf = math.ceil(BF_TOLERANCE_RATIO * pair.diagonal / step) * step
        Tolerances(nsd=self.nsd, biou_width=biou_width, bf=bf).check()
        return ResolvedTolerances(nsd=self.nsd, biou_width=biou_width, bf=bf)

    def check(self) -> None:
        """Raise ``ValueError`` unless every given value is a finite number >= 0 (the width > 0)."""
        for label, value in (("nsd tolerance", self.nsd), ("bf tolerance", self.bf)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{label} must be a finite number >= 0, got {value!r}")
        if self.biou_width is not None and not (math.isfinite(self.biou_width) and self.biou_width > 0):
            raise ValueError(f"biou width must be a finite number > 0, got {self.biou_width!r}")


@dataclass(frozen=True)
class ResolvedTolerances:
    """The tolerances of one image, every default filled in (spacing units)."""

    nsd: float
    biou_width: float
    bf: float


class BoundaryF(NamedTuple):
    """Boundary F-score with its precision and recall (NaN where a side has no boundary)."""

    f: float
    precision: float
    recall: float


def evaluate(pair: BoundaryDistances, metric: BoundaryMetric, tolerances: ResolvedTolerances) -> float:
    """The value of ``metric`` on ``pair``, with the empty-mask rules (the metrics below call it).

    Parameters
    ----------
    pair : BoundaryDistances
        The two boundaries' distances. Boundary IoU reads mask pixels near the
        boundaries, so ``pair`` must be a :class:`~segtool.metrics.surface.SurfacePair`
        for it; the other metrics read the distances alone.
    metric : BoundaryMetric
        What to compute (:func:`parse_boundary_metric`).
    tolerances : ResolvedTolerances
        This image's tolerances (:meth:`Tolerances.resolve`).

    Returns
    -------
    float
        NaN when both masks are empty; the worst value when one is.

    References
    ----------
    The module docstring's table and ``docs/boundary-metrics.md``.
    """
    if pair.true_empty and pair.pred_empty:
        return math.nan
    if pair.true_empty or pair.pred_empty:
        return 0.0 if metric.higher_is_better else pair.diagonal
    a, b = pair.true_to_pred, pair.pred_to_true
    if metric.kind == "hausdorff":
        return _hausdorff(a, b, metric.percentile, metric.pooling)
    if metric.kind == "assd":
        return float((a.sum() + b.sum()) / (a.size + b.size))
    if metric.kind == "masd":
        return float((a.mean() + b.mean()) / 2)
    if metric.kind == "nsd":
        return (_count_within(a, tolerances.nsd) + _count_within(b, tolerances.nsd)) / (a.size + b.size)
    if metric.kind == "bf":
        return _f_score(pair, tolerances.bf).f
    if metric.kind in _BAND_KINDS and not isinstance(pair, SurfacePair):
        raise TypeError(f"{metric.name} reads mask pixels: pass a SurfacePair")
    if metric.kind == "biou" and isinstance(pair, SurfacePair):
        return _iou(*pair.bands(tolerances.biou_width))
    if metric.kind == "biou_chessboard" and isinstance(pair, SurfacePair):
        return _iou(*pair.chessboard_bands(_whole_pixels(pair, tolerances.biou_width)))
    raise AssertionError(metric.kind)


def _hausdorff(
    true_to_pred: np.ndarray, pred_to_true: np.ndarray, percentile: float, pooling: Pooling
) -> float:
    if pooling == "pooled":
        return float(np.percentile(np.concatenate([true_to_pred, pred_to_true]), percentile))
    if percentile == 100:
        return float(max(true_to_pred.max(), pred_to_true.max()))
    return float(max(np.percentile(true_to_pred, percentile), np.percentile(pred_to_true, percentile)))


def _count_within(distances: np.ndarray, tolerance: float) -> int:
    return int(np.count_nonzero(distances <= tolerance * _INCLUSIVE))


def _f_score(pair: BoundaryDistances, tolerance: float) -> BoundaryF:
    if pair.true_empty or pair.pred_empty:
        precision = math.nan if pair.pred_empty else 0.0
        recall = math.nan if pair.true_empty else 0.0
        return BoundaryF(0.0, precision, recall)
    precision = _count_within(pair.pred_to_true, tolerance) / pair.pred_to_true.size
    recall = _count_within(pair.true_to_pred, tolerance) / pair.true_to_pred.size
    f = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return BoundaryF(f, precision, recall)


def _iou(band_true: np.ndarray, band_pred: np.ndarray) -> float:
    union = np.count_nonzero(band_true | band_pred)
    return np.count_nonzero(band_true & band_pred) / union


def _whole_pixels(pair: SurfacePair, width: float) -> int:
    if pair.spacing[0] != pair.spacing[1]:
        raise ValueError("biou_chessboard needs square pixels (a chessboard band has no meaning otherwise)")
    return max(1, round(width / pair.spacing[0]))


# --- Python API on two masks -------------------------------------------------------------------


def boundary_metrics(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    metrics: Iterable[str] = ("hd95", "assd", "nsd", "biou", "bf"),
    *,
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
    tolerances: Tolerances = Tolerances(),
) -> dict[str, float]:
    """Several boundary metrics of two masks, sharing the boundaries and distance transforms.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    metrics : iterable of str
        Names accepted by :func:`parse_boundary_metric`.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit.
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.
    tolerances : Tolerances
        NSD tolerance, Boundary IoU width and F-score tolerance.

    Returns
    -------
    dict
        Canonical metric name -> value; NaN when both masks are empty.

    References
    ----------
    Each name's convention and source: the module docstring's table and
    ``docs/boundary-metrics.md``.

    Examples
    --------
    >>> square = np.zeros((8, 8), bool); square[2:6, 2:6] = True
    >>> boundary_metrics(square, np.roll(square, 1, axis=1), ["hd", "nsd"])
    {'hd': 1.0, 'nsd': 1.0}
    """
    specs = [parse_boundary_metric(name) for name in metrics]
    pair = SurfacePair(mask_true, mask_pred, spacing=spacing, edge_is_boundary=edge_is_boundary)
    resolved = tolerances.resolve(pair)
    return {spec.name: evaluate(pair, spec, resolved) for spec in specs}


def hausdorff_distance(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    percentile: float = 100,
    pooling: Pooling = "max",
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """Hausdorff distance, or a percentile of it, between the boundaries of two masks.

    Percentiles use linear interpolation (NumPy's default, as MONAI and MedPy).

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    percentile : float
        In (0, 100]; 100 is the Hausdorff distance itself.
    pooling : {"max", "pooled"}
        ``"max"``: the larger of the two directed percentiles (MONAI,
        MetricsReloaded). ``"pooled"``: the percentile of both directions'
        distances together (MedPy, seg-metrics).
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        NaN when both masks are empty; the image diagonal when one is.

    References
    ----------
    .. [1] D. P. Huttenlocher, G. A. Klanderman and W. J. Rucklidge, "Comparing images
       using the Hausdorff distance", IEEE TPAMI 15(9), 1993.
    .. [2] L. Maier-Hein et al., "Metrics reloaded: recommendations for image analysis
       validation", Nature Methods 21, 2024.
    """
    if pooling not in ("max", "pooled"):
        raise ValueError(f"pooling must be 'max' or 'pooled', got {pooling!r}")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}")
    metric = BoundaryMetric(name="hd", kind="hausdorff", percentile=float(percentile), pooling=pooling)
    pair = SurfacePair(mask_true, mask_pred, spacing=spacing, edge_is_boundary=edge_is_boundary)
    return evaluate(pair, metric, Tolerances().resolve(pair))


def hd95(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    pooling: Pooling = "max",
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """95th-percentile Hausdorff distance: :func:`hausdorff_distance` with ``percentile=95``.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    pooling : {"max", "pooled"}
        As for :func:`hausdorff_distance`.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        NaN when both masks are empty; the image diagonal when one is.

    References
    ----------
    .. [1] D. P. Huttenlocher, G. A. Klanderman and W. J. Rucklidge, "Comparing images
       using the Hausdorff distance", IEEE TPAMI 15(9), 1993.
    .. [2] L. Maier-Hein et al., "Metrics reloaded: recommendations for image analysis
       validation", Nature Methods 21, 2024.
    """
    return hausdorff_distance(
        mask_true,
        mask_pred,
        percentile=95,
        pooling=pooling,
        spacing=spacing,
        edge_is_boundary=edge_is_boundary,
    )


def assd(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """Average symmetric surface distance: the mean of both directions' distances pooled.

    This is MetricsReloaded's ASSD, MONAI's ``compute_average_surface_distance(symmetric=True)``
    and MedPy 0.5's ``assd`` (MedPy 0.4's ``assd`` was :func:`masd`).

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        NaN when both masks are empty; the image diagonal when one is.

    References
    ----------
    .. [1] L. Maier-Hein et al., "Metrics reloaded: recommendations for image analysis
       validation", Nature Methods 21, 2024.
    """
    return boundary_metrics(
        mask_true, mask_pred, ["assd"], spacing=spacing, edge_is_boundary=edge_is_boundary
    )["assd"]


def masd(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """Mean average surface distance: the mean of the two directed mean distances.

    MetricsReloaded's MASD and MedPy 0.4's ``assd``.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        NaN when both masks are empty; the image diagonal when one is.

    References
    ----------
    .. [1] L. Maier-Hein et al., "Metrics reloaded: recommendations for image analysis
       validation", Nature Methods 21, 2024.
    .. [2] P. Beneš and B. Zitová, "Performance evaluation of image segmentation algorithms
       on microscopic image data", Journal of Microscopy 257(1), 2015.
    """
    return boundary_metrics(
        mask_true, mask_pred, ["masd"], spacing=spacing, edge_is_boundary=edge_is_boundary
    )["masd"]


def normalized_surface_distance(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    tolerance: float = DEFAULT_NSD_TOLERANCE,
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """NSD (surface Dice): the share of both boundaries' pixels within ``tolerance`` of the other boundary.

    Counts boundary pixels, as MONAI's ``compute_surface_dice`` (deepmind's
    surface-distance weights them by contour length instead).

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    tolerance : float
        The largest distance (inclusive, spacing units) at which a boundary
        pixel counts as matched.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        In [0, 1]; NaN when both masks are empty; 0 when one is.

    References
    ----------
    .. [1] S. Nikolov et al., "Clinically applicable segmentation of head and neck anatomy
       for radiotherapy: deep learning algorithm development and validation study",
       Journal of Medical Internet Research 23(7), 2021.
    """
    return boundary_metrics(
        mask_true,
        mask_pred,
        ["nsd"],
        spacing=spacing,
        edge_is_boundary=edge_is_boundary,
        tolerances=Tolerances(nsd=tolerance),
    )["nsd"]


def boundary_iou(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    width: float | None = None,
    band: Literal["euclidean", "chessboard"] = "euclidean",
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> float:
    """Boundary IoU: the IoU of the bands of each mask near its own boundary.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    width : float, optional
        The band's width in spacing units. Default: 2% of the image diagonal.
    band : {"euclidean", "chessboard"}
        ``"euclidean"``: mask pixels whose distance to the mask's boundary is
        less than ``width``. ``"chessboard"``: mask pixels within chessboard
        distance ``width`` (whole pixels) of a pixel outside the mask, as the
        reference code's erosion; pass ``edge_is_boundary=True`` as well to
        match its zero padding.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    float
        In [0, 1]; NaN when both masks are empty; 0 when one is.

    References
    ----------
    .. [1] B. Cheng, R. Girshick, P. Dollár, A. C. Berg and A. Kirillov, "Boundary IoU:
       Improving object-centric image segmentation evaluation", CVPR 2021.
    """
    if band not in ("euclidean", "chessboard"):
        raise ValueError(f"band must be 'euclidean' or 'chessboard', got {band!r}")
    name = "biou" if band == "euclidean" else "biou_chessboard"
    return boundary_metrics(
        mask_true,
        mask_pred,
        [name],
        spacing=spacing,
        edge_is_boundary=edge_is_boundary,
        tolerances=Tolerances(biou_width=width),
    )[name]


def boundary_f_score(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    tolerance: float | None = None,
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
) -> BoundaryF:
    """Boundary F-score: precision and recall of boundary pixels matched within ``tolerance``.

    A predicted boundary pixel is matched when a reference boundary pixel lies
    within ``tolerance`` (inclusive: DAVIS dilates with a disk of that
    radius); recall likewise the other way.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks (nonzero = inside).
    tolerance : float, optional
        In spacing units. Default: 0.008 of the image diagonal, rounded up to
        whole pixels (DAVIS).
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge make a boundary, as MedPy and MONAI do.

    Returns
    -------
    BoundaryF
        ``(f, precision, recall)``. One side empty: F = 0, with the empty
        side's ratio NaN (0/0) and the other 0. Both empty: all NaN.

    References
    ----------
    .. [1] F. Perazzi, J. Pont-Tuset, B. McWilliams, L. Van Gool, M. Gross and
       A. Sorkine-Hornung, "A benchmark dataset and evaluation methodology for video
       object segmentation", CVPR 2016.
    """
    pair = SurfacePair(mask_true, mask_pred, spacing=spacing, edge_is_boundary=edge_is_boundary)
    if pair.true_empty and pair.pred_empty:
        return BoundaryF(math.nan, math.nan, math.nan)
    resolved = Tolerances(bf=tolerance).resolve(pair)
    return _f_score(pair, resolved.bf)


# --- Label maps: all classes of one image -----------------------------------------------------


def boundary_scores(
    labels_true: np.ndarray,
    labels_pred: np.ndarray,
    classes: Sequence[int] | np.ndarray,
    metrics: Iterable[str],
    *,
    ignore_index: Iterable[int] = (),
    spacing: float | tuple[float, float] | None = None,
    edge_is_boundary: bool = False,
    tolerances: Tolerances = Tolerances(),
) -> dict[str, np.ndarray]:
    """Boundary metrics of every class of one image pair.

    For each class ``c``, the masks are ``labels_true == c`` and
    ``labels_pred == c``; pixels whose ground truth is in ``ignore_index``
    are removed from both and are unknown (like pixels beyond the image
    edge: they make no boundary unless ``edge_is_boundary``). Each class's
    boundaries and distances are computed once and shared by all metrics.

    The boundaries of all classes are found in one pass over each label map
    (:mod:`~segtool.metrics.class_borders`) and the distances from the boundary
    pixels alone, in one search for all classes. Boundary IoU, whose bands
    cover mask pixels, also takes each class's bounding box
    (:class:`~segtool.metrics.surface.SurfacePair`).

    Parameters
    ----------
    labels_true, labels_pred : (H, W) array_like of int
        Ground-truth and predicted label maps.
    classes : sequence of int
        The class ids to score, in the order of the result.
    metrics : iterable of str
        Names accepted by :func:`parse_boundary_metric`.
    ignore_index : iterable of int
        Ground-truth values whose pixels are unknown.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances use this unit (default 1).
    edge_is_boundary : bool
        Let the image edge and unknown pixels make a boundary, as MedPy and MONAI do.
    tolerances : Tolerances
        NSD tolerance, Boundary IoU width and F-score tolerance.

    Returns
    -------
    dict
        Canonical metric name -> float64 array of ``len(classes)`` values,
        NaN where the class is absent from both label maps.

    References
    ----------
    Each name's convention and source: the module docstring's table and
    ``docs/boundary-metrics.md``.
    """
    labels_true = np.asarray(labels_true)
    labels_pred = np.asarray(labels_pred)
    if labels_true.ndim != 2 or labels_true.shape != labels_pred.shape:
        raise ValueError(
            f"label maps must be 2-D arrays of one shape, got {labels_true.shape} and {labels_pred.shape}"
        )
    specs = [parse_boundary_metric(name) for name in metrics]
    ignored = list(ignore_index)
    valid = ~is_one_of(labels_true, ignored) if ignored else None
    scores = {spec.name: np.full(len(classes), math.nan) for spec in specs}
    davis = [spec for spec in specs if spec.kind == DAVIS_NAME]
    specs = [spec for spec in specs if spec.kind != DAVIS_NAME]
    for index, class_id in enumerate(classes if davis else ()):
        scores[DAVIS_NAME][index] = _davis_f(
            labels_true == class_id, labels_pred == class_id, valid, tolerances
        )
    if not specs:
        return scores
    with_bands = any(spec.kind in _BAND_KINDS for spec in specs)
    pairs = _class_pairs(
        labels_true,
        labels_pred,
        classes,
        valid,
        ignored,
        normalise_spacing(spacing),
        edge_is_boundary,
        with_bands,
    )
    for index, pair in enumerate(pairs):
        resolved = tolerances.resolve(pair)
        for spec in specs:
            scores[spec.name][index] = evaluate(pair, spec, resolved)
    return scores


def _class_pairs(
    labels_true: np.ndarray,
    labels_pred: np.ndarray,
    classes: Sequence[int] | np.ndarray,
    valid: np.ndarray | None,
    ignored: list[int],
    spacing: tuple[float, float],
    edge_is_boundary: bool,
    with_bands: bool,
) -> Iterator[BoundaryDistances]:
    """The boundaries of each class in both label maps, in the order of ``classes``.

    The distances come from one search over all classes. With ``with_bands``
    (Boundary IoU) each class also gets its masks' work area, for the bands.
    """

    def surface_pair(class_id: int, distances: tuple[np.ndarray, np.ndarray] | None = None) -> SurfacePair:
        return SurfacePair(
            labels_true == class_id,
            labels_pred == class_id,
            spacing=spacing,
            edge_is_boundary=edge_is_boundary,
            valid=valid,
            distances=distances,
        )

    joint = joint_counts(labels_true, labels_pred).without_true(ignored)
    in_true, in_pred = set(joint.true.tolist()), set(joint.pred.tolist())
    true_borders = ClassBorders(labels_true, valid, edge_is_boundary=edge_is_boundary)
    pred_borders = ClassBorders(labels_pred, valid, edge_is_boundary=edge_is_boundary)
    true_to_pred = np.sqrt(true_borders.squared_distances_to(pred_borders, spacing=spacing))
    pred_to_true = np.sqrt(pred_borders.squared_distances_to(true_borders, spacing=spacing))
    for class_id in classes:
        true_span, pred_span = true_borders.span(class_id), pred_borders.span(class_id)
        true_empty, pred_empty = class_id not in in_true, class_id not in in_pred
        lacks_border = (not true_empty and true_span.start == true_span.stop) or (
            not pred_empty and pred_span.start == pred_span.stop
        )
        if lacks_border and not edge_is_boundary:  # the pair-level edge rule (see surface): rare
            yield surface_pair(class_id)
            continue
        distances = true_to_pred[true_span], pred_to_true[pred_span]
        if with_bands:
            yield surface_pair(class_id, distances)
            continue
        yield BoundaryDistances(
            *distances,
            spacing=spacing,
            image_shape=labels_true.shape,
            true_empty=true_empty,
            pred_empty=pred_empty,
            edge_is_boundary=edge_is_boundary,
        )


def _davis_f(truth: np.ndarray, guess: np.ndarray, valid: np.ndarray | None, tolerances: Tolerances) -> float:
    """``bf_davis`` of one class: ignored pixels are DAVIS's void; absent from both (valid pixels): NaN."""
    if valid is not None:
        truth, guess = truth & valid, guess & valid
    if not (truth.any() or guess.any()):
        return math.nan
    return davis_boundary_f(truth, guess, tolerance=tolerances.bf)


@dataclass(frozen=True)
class BoundaryScorer:
    """:func:`boundary_scores` with its settings bound: picklable, one call per image pair.

    Fits the scorer's per-image seam (``segtool.pipelines.score.ImageMetrics``):
    ``scorer(mask_true, mask_pred, class_ids=..., ignore=...)`` returns
    ``{name: one value per class id}``, NaN where undefined.

    >>> scorer = BoundaryScorer.from_names(["HD95", "nsd"])
    >>> scorer.names
    ('hd95', 'nsd')
    """

    metrics: tuple[BoundaryMetric, ...]
    spacing: tuple[float, float] | None = None
    edge_is_boundary: bool = False
    tolerances: Tolerances = Tolerances()

    def __post_init__(self) -> None:
        """Check the settings here (``ValueError``), not once per image in the workers."""
        if self.spacing is not None:
            object.__setattr__(self, "spacing", normalise_spacing(self.spacing))
        self.tolerances.check()
        square = self.spacing is None or self.spacing[0] == self.spacing[1]
        if not square and any(metric.kind == "biou_chessboard" for metric in self.metrics):
            raise ValueError(
                "biou_chessboard needs square pixels (a chessboard band has no meaning otherwise)"
            )

    @classmethod
    def from_names(
        cls,
        names: Iterable[str],
        *,
        spacing: float | tuple[float, float] | None = None,
        edge_is_boundary: bool = False,
        tolerances: Tolerances = Tolerances(),
    ) -> BoundaryScorer:
        """Parse and validate the metric names first (``ValueError`` for an unknown one).

        The settings are the fields of this class; ``spacing`` may also be one number.
        """
        metrics = tuple(parse_boundary_metric(name) for name in names)
        pixel = None if spacing is None else normalise_spacing(spacing)
        return cls(metrics, spacing=pixel, edge_is_boundary=edge_is_boundary, tolerances=tolerances)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(metric.name for metric in self.metrics)

    def __call__(
        self,
        mask_true: np.ndarray,
        mask_pred: np.ndarray,
        *,
        class_ids: Sequence[int] | np.ndarray,
        ignore: Iterable[int] = (),
    ) -> dict[str, np.ndarray]:
        return boundary_scores(
            mask_true,
            mask_pred,
            [int(class_id) for class_id in class_ids],
            self.names,
            ignore_index=ignore,
            spacing=self.spacing,
            edge_is_boundary=self.edge_is_boundary,
            tolerances=self.tolerances,
        )
