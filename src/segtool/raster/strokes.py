"""Lines and points, which have no area, drawn with a thickness at pixel centres.

A line covers the pixels whose centre lies within ``radius`` (half the line
width) of the path, ends included (a "capsule" around each segment); a point
covers those within ``radius`` of it. Distance equal to ``radius`` counts as
inside. On top of that each vertex always covers the pixel that contains it,
so nothing is ever drawn as nothing. With a width of at least 1 a line has no
gaps: every row (or column) it crosses has a pixel. Each row's interval is
computed from the formulas of the capsule's parts (two discs and a slab), and
the intervals of all segments are united.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .spans import Spans, ranges

Runs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # shape, row, first column, last column


def stroke_spans(
    paths: Sequence[np.ndarray], radius: float, height: int, width: int, *, connect: bool
) -> Spans:
    """Spans of each ``paths[k]`` ((N, 2) points): a polyline when ``connect``, else separate points."""
    paths = [np.asarray(path, dtype=np.float64).reshape(-1, 2) for path in paths]
    lengths = np.array([len(path) for path in paths], dtype=np.int64)
    if lengths.sum() == 0:
        return Spans.empty()
    points = np.concatenate(paths)
    owner = np.repeat(np.arange(len(paths)), lengths)
    pieces = [_discs(points, owner, radius, height), _containing_pixels(points, owner)]
    if connect:
        following = np.arange(1, len(points) + 1)
        joined = np.ones(len(points), dtype=bool)
        joined[np.cumsum(lengths)[lengths > 0] - 1] = False  # a path's last point starts no segment
        joined[:-1] &= np.any(points[:-1] != points[1:], axis=1)
        joined[-1] = False
        start = np.flatnonzero(joined)
        pieces.append(_slabs(points[start], points[following[start]], owner[start], radius, height))
    shape, row, first, last = (np.concatenate(part) for part in zip(*pieces, strict=True))
    start = np.clip(first, 0, width).astype(np.int64)
    end = np.clip(last + 1, 0, width).astype(np.int64)
    keep = (start < end) & (row >= 0) & (row < height)
    return Spans.union(shape[keep], row[keep], start[keep], end[keep])


def _columns(x_low: np.ndarray, x_high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last column (floats, maybe infinite) whose centre lies in the closed [x_low, x_high]."""
    return np.ceil(x_low - 0.5), np.floor(x_high - 0.5)


def _rows_near(
    y_low: np.ndarray, y_high: np.ndarray, radius: float, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each item, the rows whose centre lies within [y_low - radius, y_high + radius]: (item, row)."""
    first = np.clip(np.ceil(y_low - radius - 0.5), 0, height).astype(np.int64)
    stop = np.clip(np.floor(y_high + radius - 0.5) + 1, 0, height).astype(np.int64)
    counts = np.maximum(stop - first, 0)
    rows = ranges(first, counts)  # first: it bounds the work (see spans.ranges)
    return np.repeat(np.arange(len(counts)), counts), rows


def _discs(points: np.ndarray, owner: np.ndarray, radius: float, height: int) -> Runs:
    item, row = _rows_near(points[:, 1], points[:, 1], radius, height)
    x = points[item, 0]
    dy = row + 0.5 - points[item, 1]
    half = np.sqrt(np.maximum(radius * radius - dy * dy, 0.0))
    inside = dy * dy <= radius * radius
    first, last = _columns(x - half, x + half)
    return owner[item], row, np.where(inside, first, 0), np.where(inside, last, -1)


def _containing_pixels(points: np.ndarray, owner: np.ndarray) -> Runs:
    pixel = np.floor(points)
    return owner, pixel[:, 1].clip(-1, 2**62).astype(np.int64), pixel[:, 0], pixel[:, 0]


def _slabs(a: np.ndarray, b: np.ndarray, owner: np.ndarray, radius: float, height: int) -> Runs:
    """The part of each segment's capsule whose points project inside the segment."""
    item, row = _rows_near(np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1]), radius, height)
    ax, ay = a[item, 0], a[item, 1]
    dx, dy = (b - a)[item, 0], (b - a)[item, 1]
    length2 = dx * dx + dy * dy
    rise = row + 0.5 - ay
    # Along the segment: 0 <= dx (x - ax) + dy rise <= length2.
    along_low, along_high = _solve(dx, dy * rise - dx * ax, 0.0, length2)
    # Across it: |dx rise - dy (x - ax)| <= radius * length.
    across = radius * np.sqrt(length2)
    across_low, across_high = _solve(-dy, dx * rise + dy * ax, -across, across)
    first, last = _columns(np.maximum(along_low, across_low), np.minimum(along_high, across_high))
    return owner[item], row, first, last


def _solve(slope: np.ndarray, offset: np.ndarray, low, high) -> tuple[np.ndarray, np.ndarray]:
    """The x interval where ``low <= slope * x + offset <= high`` (empty: lower end > upper end)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        one, other = (low - offset) / slope, (high - offset) / slope
    flat = slope == 0
    everywhere = (low <= offset) & (offset <= high)
    x_low = np.where(flat, np.where(everywhere, -np.inf, np.inf), np.minimum(one, other))
    x_high = np.where(flat, np.where(everywhere, np.inf, -np.inf), np.maximum(one, other))
    return x_low, x_high
