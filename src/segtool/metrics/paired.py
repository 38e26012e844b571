"""Two models scored on the same images: paired differences, bootstrap intervals, Wilcoxon, Holm.

Arrays in, numbers out. Model A is the baseline; every difference is **B − A**
(so for a distance such as HD95 a negative difference means B is better).

* **Images are the unit of resampling.** One bootstrap resample draws the n
  images with replacement; it is held as its *weights* (how often each image was
  drawn), one row of a ``(resamples, n)`` array, so a resampled sum of per-image
  values is one matrix product (:func:`weight_chunks`).
* **Dataset aggregation** (:func:`dataset_differences`): the per-image tp, fp,
  fn of each model are summed with the weights, then scored, then averaged over
  the classes of the mean where the score is defined (segtool's macro mean).
  With all weights 1 this is ``score``'s dataset number (:func:`dataset_scores`
  computes it the same way as ``score``, to the last digit).
* **Per-image aggregation** (:func:`image_differences`): per class, the mean of
  the paired differences ``b_i − a_i`` over the images where both values are
  defined (the others are left out and counted); for the macro mean, each
  model's per-class image means (over the images where its own value is
  defined, as ``score``), averaged over classes, then B − A.
* **Intervals** (:func:`percentile_interval`): percentile bootstrap intervals
  over the resamples where the difference is defined. With fewer than two
  images an interval cannot be estimated: NaN.
* **Bootstrap p-value** (:func:`bootstrap_p_value`): twice the smaller share of
  resampled differences on either side of 0 (``<= 0``, ``>= 0``), at most 1: the
  smallest ``1 - confidence`` whose percentile interval still reaches 0.
* **Wilcoxon signed-rank test** (:func:`wilcoxon_signed_rank`): two-sided, on
  the paired per-image differences; zeros dropped (Wilcoxon's rule), ties get
  average ranks. Exact null distribution for at most 50 non-zero differences
  without ties, else the normal approximation with the tie correction and no
  continuity correction (SciPy's ``wilcoxon`` defaults give the same numbers).
  No non-zero difference: p = 1 (no evidence of any difference; SciPy gives NaN).
* **Holm–Bonferroni across classes** (:func:`holm`, :func:`holm_confidences`):
  adjusted p-values, and for the class with the k-th smallest p-value of m an
  interval at confidence ``1 - (1 - confidence) / (m - k + 1)``. A class is
  *better* or *worse* (:func:`verdicts`) only when its Holm-adjusted p-value is
  below ``1 - confidence`` and its adjusted interval excludes 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from .classwise import macro_mean
from .conventions import count_metric

__all__ = [
    "NOT_ESTIMABLE",
    "bootstrap_p_value",
    "dataset_differences",
    "dataset_scores",
    "holm",
    "holm_confidences",
    "image_differences",
    "image_means",
    "percentile_interval",
    "percentile_intervals",
    "verdicts",
    "weight_chunks",
    "wilcoxon_signed_rank",
    "wins_ties_losses",
]

#: Resample weights drawn at once, at most (about 8 MB of float64): memory does not grow with
#: the resamples, and the draws, hence the numbers, do not depend on it.
CHUNK_CELLS = 1 << 20
#: The largest number of non-zero differences the exact Wilcoxon distribution is used for.
EXACT_WILCOXON_MAX = 50
NOT_ESTIMABLE = "not estimable"


# -- resampling ---------------------------------------------------------------------------
def weight_chunks(n_items: int, *, resamples: int, seed: int | None) -> Iterator[np.ndarray]:
    """Bootstrap resamples of ``n_items`` items as weights, a few hundred rows at a time.

    Parameters
    ----------
    n_items : int
        The items (images) resampled with replacement.
    resamples : int
        Rows in all.
    seed : int, optional
        Seed of NumPy's default generator (PCG64); the same seed gives the same rows.

    Yields
    ------
    (rows, n_items) float64 array
        How often each item was drawn in each resample (each row sums to ``n_items``).

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall, 1993.

    Examples
    --------
    >>> [chunk.sum(axis=1).tolist() for chunk in weight_chunks(3, resamples=2, seed=0)]
    [[3.0, 3.0]]
    """
    rng = np.random.default_rng(seed)
    rows = max(1, CHUNK_CELLS // max(1, n_items))
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        draws = rng.integers(0, n_items, size=(size, n_items)) + n_items * np.arange(size)[:, None]
        yield np.bincount(draws.ravel(), minlength=size * n_items).reshape(size, n_items).astype(np.float64)


# -- dataset aggregation ------------------------------------------------------------------
def dataset_scores(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, *, metric: str, in_mean: np.ndarray
) -> tuple[np.ndarray, float]:
    """One model's dataset aggregation: counts summed over images, scored, and the macro mean.

    Parameters
    ----------
    tp, fp, fn : (n_images, n_classes) array_like of int
        Per-image confusion counts.
    metric : str
        ``dice``, ``iou``, ``precision`` or ``recall``.
    in_mean : (n_classes,) array_like of bool
        The classes the macro mean may include.

    Returns
    -------
    per_class : (n_classes,) float64 array
        NaN where undefined.
    mean : float
        Macro mean over the classes of ``in_mean`` where defined (as ``score``).

    References
    ----------
    .. [1] M. Cordts et al., "The Cityscapes dataset for semantic urban scene
       understanding", CVPR 2016 (scores from counts summed over the dataset).
    """
    sums = [np.asarray(counts, np.int64).sum(axis=0) for counts in (tp, fp, fn)]
    per_class = count_metric(metric, *sums)
    return per_class, macro_mean(per_class, in_mean)[0]


def dataset_differences(
    counts_a: tuple[np.ndarray, np.ndarray, np.ndarray],
    counts_b: tuple[np.ndarray, np.ndarray, np.ndarray],
    weights: np.ndarray,
    *,
    metrics: Sequence[str],
    in_mean: np.ndarray,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Resampled B − A of the dataset aggregation, per class and for the macro mean, for each metric.

    Parameters
    ----------
    counts_a, counts_b : tuple of three (n_images, n_classes) arrays
        Each model's per-image tp, fp and fn, images in the same order.
    weights : (resamples, n_images) array
        From :func:`weight_chunks`.
    metrics : sequence of str
        Among ``dice``, ``iou``, ``precision``, ``recall``: the resampled sums are shared.
    in_mean : (n_classes,) array_like of bool
        The classes the macro means may include.

    Returns
    -------
    dict of str to (per_class, mean)
        ``per_class``: (resamples, n_classes), NaN where the class is undefined for
        either model in that resample; ``mean``: (resamples,), the difference of the
        macro means (each over its own defined classes).

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall, 1993
       (the paired bootstrap: both models' values of a drawn image are drawn together).
    """
    # One product for all six count arrays: integer counts times integer weights, so the float64
    # sums are exact below 2**53.
    stacked = np.concatenate([np.asarray(counts, np.float64) for counts in (*counts_a, *counts_b)], axis=1)
    tp_a, fp_a, fn_a, tp_b, fp_b, fn_b = np.split(weights @ stacked, 6, axis=1)
    out = {}
    for metric in metrics:
        score_a, score_b = count_metric(metric, tp_a, fp_a, fn_a), count_metric(metric, tp_b, fp_b, fn_b)
        out[metric] = (score_b - score_a, _macro_rows(score_b, in_mean) - _macro_rows(score_a, in_mean))
    return out


def _macro_rows(values: np.ndarray, in_mean: np.ndarray) -> np.ndarray:
    """Row-wise mean over the columns of ``in_mean`` where defined; NaN for a row without any."""
    chosen = values[:, np.asarray(in_mean, bool)]
    defined = ~np.isnan(chosen)
    count = defined.sum(axis=1)
    total = np.where(defined, chosen, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


# -- per-image aggregation ----------------------------------------------------------------
def image_means(values: np.ndarray, *, in_mean: np.ndarray) -> tuple[np.ndarray, float]:
    """One model's per-image aggregation: per class the mean over the images where defined, and
    the macro mean of those means over the classes of ``in_mean``.

    Parameters
    ----------
    values : (n_images, n_classes) array_like of float
        Per-image scores; NaN where undefined.
    in_mean : (n_classes,) array_like of bool
        The classes the macro mean may include.

    Returns
    -------
    per_class : (n_classes,) float64 array
    mean : float

    References
    ----------
    .. [1] F. Isensee et al., "nnU-Net: a self-configuring method for deep learning-based
       biomedical image segmentation", Nature Methods 18, 2021 (scores per image, then averaged).
    """
    values = np.asarray(values, np.float64)
    per_class = _macro_rows(values.T, np.ones(values.shape[0], bool))
    return per_class, macro_mean(per_class, in_mean)[0]


def image_differences(
    values_a: Mapping[str, np.ndarray],
    values_b: Mapping[str, np.ndarray],
    weights: np.ndarray,
    *,
    in_mean: np.ndarray,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Resampled B − A of the per-image aggregation, per class (paired) and for the macro mean.

    Parameters
    ----------
    values_a, values_b : mapping of metric name to (n_images, n_classes) array
        Each model's per-image scores (NaN where undefined), images in the same order.
    weights : (resamples, n_images) array
        From :func:`weight_chunks`; a row of ones gives the estimate itself.
    in_mean : (n_classes,) array_like of bool
        The classes the macro means may include.

    Returns
    -------
    dict of str to (per_class, mean)
        For each metric of ``values_a``: ``per_class`` (resamples, n_classes), the mean of
        ``b - a`` over the drawn images where both are defined (NaN where none is); ``mean``
        (resamples,), the macro mean of B's per-class image means minus A's.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall, 1993.
    """
    blocks = _UniqueBlocks()
    wanted = []
    for metric in values_a:
        a, b = np.asarray(values_a[metric], np.float64), np.asarray(values_b[metric], np.float64)
        defined_a, defined_b = ~np.isnan(a), ~np.isnan(b)
        paired = defined_a & defined_b
        parts = (np.where(paired, b - a, 0.0), paired, np.where(defined_a, a, 0.0), defined_a)
        wanted.append([blocks.add(part) for part in (*parts, np.where(defined_b, b, 0.0), defined_b)])
    sums = blocks.weighted_sums(weights)
    out = {}
    for metric, positions in zip(values_a, wanted, strict=True):
        paired_sum, paired_count, sum_a, count_a, sum_b, count_b = (sums[position] for position in positions)
        mean_a = _macro_rows(_ratio_or_nan(sum_a, count_a), in_mean)
        mean_b = _macro_rows(_ratio_or_nan(sum_b, count_b), in_mean)
        out[metric] = (_ratio_or_nan(paired_sum, paired_count), mean_b - mean_a)
    return out


class _UniqueBlocks:
    """(n_images, k) blocks of per-image values, each distinct block kept once.

    Their weighted sums are one float32 matrix product (the weights are read once,
    not once per block; float32 halves the work, and its relative error, about 1e-7,
    is far below any resampling noise). A block equal to another (the same values
    for both models, or the same "defined" mask for two metrics) shares its sums, so
    identical inputs give identical sums: B - A is then exactly 0.
    """

    def __init__(self) -> None:
        self._index: dict[bytes, int] = {}
        self._blocks: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> int:
        """The position of ``block``'s sums in :meth:`weighted_sums`."""
        block = np.ascontiguousarray(block, np.float32)
        key = block.tobytes()
        if key not in self._index:
            self._index[key] = len(self._blocks)
            self._blocks.append(block)
        return self._index[key]

    def weighted_sums(self, weights: np.ndarray) -> list[np.ndarray]:
        stacked = np.concatenate(self._blocks, axis=1)
        sums = (weights.astype(np.float32) @ stacked).astype(np.float64)
        return np.split(sums, len(self._blocks), axis=1)


def _ratio_or_nan(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


def wins_ties_losses(
    values_a: np.ndarray, values_b: np.ndarray, *, higher_is_better: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class, the images where B is better than A, equal, and worse (both defined).

    Parameters
    ----------
    values_a, values_b : (n_images, n_classes) array_like of float
        Per-image scores, NaN where undefined.
    higher_is_better : bool
        False for distances (then B wins where its value is lower).

    Returns
    -------
    wins, ties, losses : (n_classes,) int64 arrays

    References
    ----------
    .. [1] W. J. Dixon and A. M. Mood, "The statistical sign test", JASA 41(236), 1946.

    Examples
    --------
    >>> a = np.array([[0.5], [0.7], [np.nan], [0.9]])
    >>> b = np.array([[0.6], [0.7], [0.8], [0.1]])
    >>> [int(x[0]) for x in wins_ties_losses(a, b)]
    [1, 1, 1]
    """
    difference = np.asarray(values_b, np.float64) - np.asarray(values_a, np.float64)
    if not higher_is_better:
        difference = -difference
    wins, ties, losses = (
        np.count_nonzero(test, axis=0).astype(np.int64)
        for test in (difference > 0, difference == 0, difference < 0)
    )
    return wins, ties, losses


# -- intervals and tests ------------------------------------------------------------------
def percentile_interval(
    samples: np.ndarray, confidence: float | np.ndarray, *, n_items: int
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each column, over the resamples where it is defined.

    Parameters
    ----------
    samples : (resamples,) or (resamples, k) array
        Resampled statistics; NaN where undefined.
    confidence : float or (k,) array
        Between 0 and 1, for example 0.95.
    n_items : int
        Items resampled: below 2 nothing varies, so the interval cannot be estimated (NaN).

    Returns
    -------
    low, high : float64 arrays of shape ``samples.shape[1:]``
        NaN where no resample is defined or ``n_items < 2``.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall,
       1993, chapter 13 (percentile intervals).

    Examples
    --------
    >>> low, high = percentile_interval(np.arange(101.0), 0.5, n_items=10)
    >>> float(low), float(high)
    (25.0, 75.0)
    """
    return percentile_intervals(samples, [confidence], n_items=n_items)[0]


def percentile_intervals(
    samples: np.ndarray, confidences: Sequence[float | np.ndarray], *, n_items: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`percentile_interval` at several confidences, sorting the resamples once.

    Parameters
    ----------
    samples : (resamples,) or (resamples, k) array
    confidences : sequence of float or (k,) arrays
    n_items : int

    Returns
    -------
    list of (low, high)
        One per confidence.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall,
       1993, chapter 13 (percentile intervals).
    """
    samples = np.asarray(samples, np.float64)
    columns = np.sort(samples.reshape(samples.shape[0], math.prod(samples.shape[1:])), axis=0)  # NaN last
    defined = np.count_nonzero(~np.isnan(columns), axis=0)
    intervals = []
    for confidence in confidences:
        tail = (1.0 - np.broadcast_to(np.asarray(confidence, np.float64), columns.shape[1:])) / 2
        low, high = (_sorted_quantile(columns, defined, q) for q in (tail, 1.0 - tail))
        if n_items < 2:
            low, high = np.full_like(low, np.nan), np.full_like(high, np.nan)
        intervals.append((low.reshape(samples.shape[1:]), high.reshape(samples.shape[1:])))
    return intervals


def _sorted_quantile(columns: np.ndarray, defined: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantile ``q`` of each column's first ``defined`` (sorted) values, linearly interpolated as
    ``numpy.quantile`` does; NaN for a column without values."""
    if columns.shape[0] == 0:
        return np.full(columns.shape[1], np.nan)
    position = q * np.maximum(defined - 1, 0)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, np.maximum(defined - 1, 0))
    index = np.arange(columns.shape[1])
    lower, upper = columns[below, index], columns[above, index]
    fraction = position - below
    value = np.where(
        fraction >= 0.5, upper - (upper - lower) * (1 - fraction), lower + (upper - lower) * fraction
    )
    return np.where(defined > 0, value, np.nan)


def bootstrap_p_value(samples: np.ndarray, *, n_items: int) -> np.ndarray:
    """Two-sided bootstrap p-value of "no difference" for each column of resampled differences.

    Parameters
    ----------
    samples : (resamples,) or (resamples, k) array
        Resampled differences; NaN where undefined.
    n_items : int
        Items resampled; below 2 the p-value is NaN.

    Returns
    -------
    float64 array of shape ``samples.shape[1:]``
        ``min(1, 2 * min(share <= 0, share >= 0))``; NaN where no resample is defined.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall,
       1993, chapter 16 (the duality of percentile intervals and tests).

    Examples
    --------
    >>> float(bootstrap_p_value(np.array([-1.0, 1.0, 2.0, 3.0]), n_items=4))
    0.5
    """
    samples = np.asarray(samples, np.float64)
    defined = ~np.isnan(samples)
    count = defined.sum(axis=0)
    below = np.count_nonzero(defined & (samples <= 0), axis=0)
    above = np.count_nonzero(defined & (samples >= 0), axis=0)
    share = np.divide(np.minimum(below, above), count, out=np.full(count.shape, np.nan), where=count > 0)
    p_value = np.minimum(1.0, 2 * share)
    return np.where(n_items >= 2, p_value, np.nan)


def wilcoxon_signed_rank(differences: np.ndarray) -> float:
    """Two-sided p-value of Wilcoxon's signed-rank test that paired differences centre on 0.

    Parameters
    ----------
    differences : (n,) array_like of float
        Paired differences ``b - a``; NaN entries are left out.

    Returns
    -------
    float
        Zeros are dropped (Wilcoxon's rule) and tied absolute values get the mean of
        their ranks. With at most 50 non-zero differences and no ties, the exact null
        distribution of the positive rank sum; else the normal approximation with the
        tie correction (no continuity correction). 1.0 when no non-zero difference is left.

    References
    ----------
    .. [1] F. Wilcoxon, "Individual comparisons by ranking methods", Biometrics Bulletin 1(6), 1945.
    .. [2] M. Hollander, D. A. Wolfe and E. Chicken, "Nonparametric Statistical Methods", 3rd ed.,
       Wiley, 2014, section 3.1 (ties, zeros and the large-sample approximation).

    Examples
    --------
    >>> wilcoxon_signed_rank(np.array([1.0, 2.0, 3.0, 4.0]))
    0.125
    >>> wilcoxon_signed_rank(np.zeros(5))
    1.0
    """
    values = np.asarray(differences, np.float64)
    values = values[~np.isnan(values) & (values != 0)]
    n = values.size
    if n == 0:
        return 1.0
    magnitudes = np.abs(values)
    order = np.argsort(magnitudes, kind="stable")
    sorted_magnitudes = magnitudes[order]
    starts = np.flatnonzero(np.r_[True, sorted_magnitudes[1:] != sorted_magnitudes[:-1]])
    sizes = np.diff(np.r_[starts, n])
    ranks = np.empty(n)
    ranks[order] = np.repeat(starts + (sizes + 1) / 2, sizes)  # average rank of each tie group
    positive_sum = float(ranks[values > 0].sum())
    if n <= EXACT_WILCOXON_MAX and np.all(sizes == 1):
        return _exact_signed_rank_p(int(round(positive_sum)), n)
    mean = n * (n + 1) / 4
    variance = (n * (n + 1) * (2 * n + 1) - np.sum(sizes**3 - sizes) / 2) / 24
    z = (positive_sum - mean) / math.sqrt(variance)
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _exact_signed_rank_p(positive_sum: int, n: int) -> float:
    """Two-sided exact p of the positive rank sum of n untied non-zero differences."""
    # ways[s] = the subsets of the ranks 1..n whose sum is s (each equally likely under the null)
    ways = np.zeros(n * (n + 1) // 2 + 1)
    ways[0] = 1.0
    for rank in range(1, n + 1):
        ways[rank:] = ways[rank:] + ways[:-rank]
    probability = ways / 2.0**n
    at_most, at_least = probability[: positive_sum + 1].sum(), probability[positive_sum:].sum()
    return float(min(1.0, 2 * min(at_most, at_least)))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values; NaN entries are not hypotheses (and stay NaN).

    Parameters
    ----------
    p_values : (m,) array_like of float

    Returns
    -------
    (m,) float64 array
        ``max over j <= k of min(1, (m - j + 1) p_(j))`` for the k-th smallest.

    References
    ----------
    .. [1] S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
       Journal of Statistics 6(2), 1979.

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, np.nan, 0.03])).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p_values = np.asarray(p_values, np.float64)
    adjusted = np.full(p_values.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p_values))
    order = tested[np.argsort(p_values[tested], kind="stable")]
    m = order.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * p_values[order])
    adjusted[order] = np.maximum.accumulate(scaled) if m else scaled
    return adjusted


def holm_confidences(p_values: np.ndarray, confidence: float) -> np.ndarray:
    """The confidence of each hypothesis' Holm-adjusted interval (NaN p-values keep ``confidence``).

    The k-th smallest of m p-values gets ``1 - (1 - confidence) / (m - k + 1)``: Holm's
    level for that step, so the smallest gets Bonferroni's and the largest the unadjusted one.

    Parameters
    ----------
    p_values : (m,) array_like of float
    confidence : float

    Returns
    -------
    (m,) float64 array

    References
    ----------
    .. [1] S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
       Journal of Statistics 6(2), 1979.

    Examples
    --------
    >>> [round(x, 4) for x in holm_confidences(np.array([0.2, 0.01]), 0.95).tolist()]
    [0.95, 0.975]
    """
    p_values = np.asarray(p_values, np.float64)
    levels = np.full(p_values.shape, float(confidence))
    tested = np.flatnonzero(~np.isnan(p_values))
    order = tested[np.argsort(p_values[tested], kind="stable")]
    levels[order] = 1.0 - (1.0 - confidence) / (order.size - np.arange(order.size))
    return levels


def verdicts(
    low: np.ndarray,
    high: np.ndarray,
    adjusted_p: np.ndarray,
    *,
    confidence: float,
    higher_is_better: bool = True,
) -> list[str]:
    """``better``, ``worse``, ``no difference`` or ``not estimable`` for B against A, per entry.

    Parameters
    ----------
    low, high : (k,) arrays
        The (Holm-adjusted) interval of B − A; NaN when it cannot be estimated.
    adjusted_p : (k,) array
        Holm-adjusted p-values.
    confidence : float
        A difference needs ``adjusted_p < 1 - confidence`` and an interval excluding 0.
    higher_is_better : bool
        The metric's direction (B − A > 0 is better when True).

    Returns
    -------
    list of str

    References
    ----------
    .. [1] S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
       Journal of Statistics 6(2), 1979.

    Examples
    --------
    >>> verdicts(np.array([0.1, -0.2, np.nan]), np.array([0.3, 0.1, np.nan]),
    ...          np.array([0.001, 0.5, np.nan]), confidence=0.95)
    ['better', 'no difference', 'not estimable']
    """
    out = []
    rows = zip(np.asarray(low, float), np.asarray(high, float), np.asarray(adjusted_p, float), strict=True)
    for lo, hi, p in rows:
        if math.isnan(lo) or math.isnan(hi):
            out.append(NOT_ESTIMABLE)
        elif not (p < 1.0 - confidence) or lo <= 0.0 <= hi:
            out.append("no difference")
        else:
            out.append("better" if (lo > 0) == higher_is_better else "worse")
    return out
