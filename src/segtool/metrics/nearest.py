"""Exact distances from some pixels to the nearest of other pixels, from their coordinates alone.

Boundary metrics need, for each boundary pixel of one mask, the distance to the
nearest boundary pixel of the other. Boundaries are thin: a few percent of an
image's pixels. So instead of a distance transform over every pixel of an area
(whose cost grows with the area), the search here looks at the boundary
pixels only:

- the *features* (the pixels distances are measured to) are kept as sorted
  row-major keys ``row * stride + col``; in any one row, the nearest feature to
  a column is found by one binary search (``np.searchsorted``). ``stride`` is
  wider than a row by more than any real distance, so a neighbour found in
  the wrong row is always farther than the true nearest one and never wins;
- near: a query pixel at row ``r`` looks at rows ``r``, ``r ± 1``, ... in
  blocks of doubling size, keeping the smallest ``(sy dr)**2 + (sx dc)**2``.
  Once every row closer than ``k`` has been looked at and the best squared
  distance is at most ``(sy k)**2``, no farther row can beat it: done. Most
  boundary pixels of a fair prediction are done within a few rows;
- far: the queries still open after :data:`NEAR_ROWS` rows (a stray blob, a
  missed object) look at bands of :data:`_BAND_ROWS` rows. The features of a
  band merged into one row give, for each band, a lower bound of the distance
  to any feature in it (nearest row of the band, that column gap) and an
  upper bound (farthest row). Only the bands whose lower bound is within the
  best upper bound can hold the nearest feature; their rows are looked at.

Several images (the classes of a label map) can be searched in one call: their
rows are stacked in groups of ``group_rows`` rows, each image followed by at
least :data:`NEAR_ROWS` empty rows, and a query looks only in its own group.
One call then serves every class, and the Python loop runs a handful of times
per label map, not per class.

The answers are exact: squared distances come from integer pixel offsets
(``dr**2 + dc**2`` in integers, times the squared spacing for square pixels).
"""

from __future__ import annotations

import math

import numpy as np

from .distance_transform import Spacing

# The near search looks at rows |dr| < 2, then < 4, < 8, < 16 (most queries are done after the first).
_NEAR_BLOCKS = (2, 4, 8, 16)
#: Rows either side that every query looks at one by one (the near search).
NEAR_ROWS = _NEAR_BLOCKS[-1]
# The far search's bands of rows.
_BAND_ROWS = 32
# At most this many (row or band, query) cells at once: bounded memory whatever the image.
_CHUNK_ELEMENTS = 1 << 20


def group_rows_for(height: int) -> int:
    """Rows per group when images of ``height`` rows are stacked.

    Parameters
    ----------
    height : int
        The rows of one image.

    Returns
    -------
    int
        Room for :data:`NEAR_ROWS` empty rows after each image, rounded up to
        whole bands of the far search.

    References
    ----------
    This module's docstring (the stacked search).
    """
    return -(-(height + NEAR_ROWS) // _BAND_ROWS) * _BAND_ROWS


def nearest_squared_distances(
    query_rows: np.ndarray,
    query_cols: np.ndarray,
    feature_rows: np.ndarray,
    feature_cols: np.ndarray,
    *,
    width: int,
    spacing: Spacing,
    group_rows: int | None = None,
) -> np.ndarray:
    """Squared distance (float64, spacing units squared) from each query pixel to the nearest feature pixel.

    Parameters
    ----------
    query_rows, query_cols : (n,) integer arrays
        The query pixels, in any order; the result follows it.
    feature_rows, feature_cols : (m,) integer arrays
        The feature pixels, in row-major order (as ``np.nonzero`` gives them).
    width : int
        More than the largest column of any pixel (the image width).
    spacing : (sy, sx)
        Pixel height and width.
    group_rows : int, optional
        Rows per group of stacked images (see the module docstring), from
        :func:`group_rows_for`. None: one image.

    Returns
    -------
    (n,) float64 array
        ``inf`` for a query whose group holds no feature.

    References
    ----------
    The exact answer of a Euclidean distance transform sampled at the query
    pixels (:func:`segtool.metrics.distance_transform.squared_edt`).

    Examples
    --------
    >>> rows, cols = np.array([0, 3]), np.array([0, 4])
    >>> nearest_squared_distances(rows, cols, np.array([0]), np.array([1]), width=5, spacing=(1.0, 1.0))
    array([ 1., 18.])
    """
    best = np.full(query_rows.size, math.inf)
    if feature_rows.size == 0 or query_rows.size == 0:
        return best
    height = int(max(query_rows.max(), feature_rows[-1])) + 1
    if group_rows is None:
        group_rows = group_rows_for(height)
    stride = width + math.ceil(math.hypot(group_rows * spacing[0] / spacing[1], width)) + 1
    # 32-bit keys when every key, sentinel and square fits: a third less work than 64-bit ones.
    fits = (3 * height + 4) * stride < 2**31 and 2 * stride * stride < 2**31
    key_type = np.int32 if fits else np.int64
    features = _RowKeys(
        feature_rows.astype(key_type) * key_type(stride) + feature_cols.astype(key_type),
        stride=stride,
        height=height,
    )
    rows, cols = query_rows.astype(key_type), query_cols.astype(key_type)
    pending = _near(best, rows, cols, features, spacing)
    if pending.size:
        _far(best, pending, rows, cols, features, spacing, group_rows)
    best[best >= _squared(0, stride - width, spacing)] = math.inf  # only wrong rows' gaps: no feature
    return best


class _RowKeys:
    """Pixels as sorted keys ``row * stride + col`` (given so), with a sentinel beyond each end."""

    def __init__(self, keys: np.ndarray, *, stride: int, height: int) -> None:
        self.stride, self.height = stride, height
        beyond = (3 * height + 4) * stride  # farther than any row a query looks at
        sentinels = np.array([-beyond, beyond], keys.dtype)
        self.keys = np.concatenate((sentinels[:1], keys, sentinels[1:]))

    def gaps(self, start: np.ndarray) -> np.ndarray:
        """For each key ``row * stride + col``, the column distance to the nearest pixel in that row.

        ``stride`` (more than any real distance) when the row has none.
        """
        after = np.searchsorted(self.keys, start)  # keys[after - 1] < start <= keys[after]
        gap = self.keys.take(after)
        gap -= start
        after -= 1
        before = self.keys.take(after)
        np.subtract(start, before, out=before)
        np.minimum(gap, before, out=gap)
        return np.minimum(gap, self.stride, out=gap)  # a wrong row's gap: larger than any, its square fits


def _near(best: np.ndarray, rows: np.ndarray, cols: np.ndarray, features: _RowKeys, spacing: Spacing):
    """Look at the rows within :data:`NEAR_ROWS` of each query; return the queries not done."""
    stride = features.stride
    query_keys = rows * stride + cols
    pending = np.arange(rows.size)
    lowest_row, highest_row = (int(key) // stride for key in features.keys[[1, -2]])
    done_below = 0  # rows with |dr| < done_below have been looked at
    for next_done in _NEAR_BLOCKS:
        steps = np.arange(done_below, next_done, dtype=rows.dtype)
        offsets = np.concatenate([steps, -steps[steps > 0]])[:, None]
        for chunk in _chunks(pending, len(offsets)):
            # (offsets, queries): each query's key in each row it looks at; sorted along each line.
            gap = features.gaps(query_keys[chunk] + offsets * stride)
            best[chunk] = np.minimum(best[chunk], _least_squared(offsets, gap, spacing, axis=0))
        done_below = next_done
        farther = best[pending] > _squared(done_below, 0, spacing)
        # No feature lies beyond the features' first and last rows: stop there.
        reachable = (rows[pending] - done_below >= lowest_row) | (rows[pending] + done_below <= highest_row)
        pending = pending[farther & reachable]
        if not pending.size:
            break
    return pending


def _far(
    best: np.ndarray,
    pending: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    features: _RowKeys,
    spacing: Spacing,
    group_rows: int,
) -> None:
    """Finish the open queries band by band, within each query's group (see the module docstring)."""
    stride, group_bands = features.stride, group_rows // _BAND_ROWS
    band_of, col_of = np.divmod(features.keys[1:-1], stride)
    band_of //= _BAND_ROWS
    merged_keys = band_of * stride + col_of
    merged_keys.sort(kind="stable")  # runs of sorted rows: a merge sort is quickest; duplicates do no harm
    merged = _RowKeys(merged_keys, stride=stride, height=-(-features.height // _BAND_ROWS))
    in_group = np.arange(group_bands, dtype=rows.dtype)[:, None]
    for chunk in _chunks(pending, group_bands):
        row, col = rows[chunk], cols[chunk]
        band = row // group_rows * group_bands + in_group  # (bands of the group, queries)
        gap = merged.gaps(band * stride + col)
        top = band * _BAND_ROWS
        nearest_row = np.maximum(0, np.maximum(top - row, row - (top + _BAND_ROWS - 1)))
        farthest_row = np.maximum(np.abs(top - row), np.abs(top + _BAND_ROWS - 1 - row))
        bound = np.minimum(best[chunk], _squared(farthest_row, gap, spacing).min(axis=0))
        worth, query = np.nonzero(_squared(nearest_row, gap, spacing) <= bound)
        looked = top[worth, query][:, None] + np.arange(
            _BAND_ROWS, dtype=rows.dtype
        )  # (bands worth a look, their rows)
        row_gap = features.gaps(looked * stride + col[query, None])
        squared = _least_squared(looked - row[query, None], row_gap, spacing, axis=1)
        chunk_best = best[chunk]
        np.minimum.at(chunk_best, query, squared)
        best[chunk] = chunk_best


def _chunks(queries: np.ndarray, cells_per_query: int) -> list[np.ndarray]:
    """``queries`` in pieces of at most :data:`_CHUNK_ELEMENTS` cells: bounded memory, whatever the image."""
    return np.array_split(queries, max(1, -(-queries.size * cells_per_query // _CHUNK_ELEMENTS)))


def _least_squared(
    row_steps: np.ndarray, col_steps: np.ndarray, spacing: Spacing, *, axis: int
) -> np.ndarray:
    """The least :func:`_squared` along ``axis``; ``col_steps`` is used up.

    For square pixels the least is taken over the integers and scaled once: rounding
    is monotone, so that is the least of the scaled values, bit for bit.
    """
    sy, sx = spacing
    if sy != sx:
        return _squared(row_steps, col_steps, spacing).min(axis=axis)
    np.multiply(col_steps, col_steps, out=col_steps)
    col_steps += row_steps * row_steps
    return col_steps.min(axis=axis) * (sy * sy)


def _squared(row_steps, col_steps, spacing: Spacing):
    """``(sy dr)**2 + (sx dc)**2`` of integer steps; for square pixels ``(dr**2 + dc**2) * s**2``.

    The square-pixel form rounds once, as a distance transform's ``rint(d**2) * s**2`` does.
    """
    sy, sx = spacing
    if sy == sx:
        return (row_steps * row_steps + col_steps * col_steps) * (sy * sy)
    return (sy * sy) * (row_steps * row_steps) + (sx * sx) * (col_steps * col_steps)
