"""Runs of covered pixels ("spans") and the masks they make.

A span says: shape ``k`` covers row ``r``, columns ``start <= c < end``. Every
shape kind the centre rule draws from a formula (polygons, ellipses, lines,
points) is first turned into spans, for many shapes at once with a few NumPy
calls, clipped to the image. Spans of one shape never overlap and are sorted by
row, then column. A label image is then written in one pass: the flattened
image is cut where runs start and end, the topmost shape of each piece is
found from the runs alone, and ``np.repeat`` writes the pieces; the pixels of
each label are counted from the same pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import AnnotationError

#: At most this many row pieces per image (some 2.5 GB of work arrays at the peak). Real annotations need a
#: small fraction of it; a crafted file of a few hundred kilobytes (stacked or zigzagging shapes)
#: could otherwise ask for hundreds of gigabytes.
MAX_PIECES = 1 << 25

FIELD_BITS = 21
LARGEST_SIDE = (1 << FIELD_BITS) - 2  # so that a column index up to the width fits in a key field
_FIELD = (1 << FIELD_BITS) - 1


def run_key(shape: np.ndarray, row: np.ndarray, column: np.ndarray | int) -> np.ndarray:
    """One int64 per (shape, row, column) that sorts by shape, then row, then column.

    Each field has 21 bits: images up to :data:`LARGEST_SIDE` pixels a side, as many shapes.
    """
    return (shape << (2 * FIELD_BITS)) | (row << FIELD_BITS) | column


@dataclass(frozen=True)
class Spans:
    """Parallel int64 arrays, sorted by (shape, row, start); each run is non-empty."""

    shape: np.ndarray
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> Spans:
        nothing = np.empty(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, nothing)

    @classmethod
    def from_keys(cls, start_key: np.ndarray, end_key: np.ndarray) -> Spans:
        """Spans from sorted :func:`run_key` pairs of the same shape and row; empty runs dropped."""
        keep = start_key < end_key
        start_key, end_key = start_key[keep], end_key[keep]
        return cls(
            start_key >> (2 * FIELD_BITS),
            (start_key >> FIELD_BITS) & _FIELD,
            start_key & _FIELD,
            end_key & _FIELD,
        )

    @classmethod
    def union(cls, shape: np.ndarray, row: np.ndarray, start: np.ndarray, end: np.ndarray) -> Spans:
        """The union of runs that may overlap, given in any order (columns already in ``[0, width]``)."""
        line = run_key(shape.astype(np.int64), row, 0)
        start_key, end_key = line + start, line + end
        order = np.argsort(start_key, kind="stable")
        start_key, end_key = start_key[order], end_key[order]
        if len(start_key) == 0:
            return cls.empty()
        # A run opens a new group when it starts after everything before it has ended;
        # runs of different rows never merge since a row's keys stay below the next row's.
        reach = np.maximum.accumulate(end_key)
        opens = np.ones(len(start_key), dtype=bool)
        opens[1:] = start_key[1:] > reach[:-1]
        first = np.flatnonzero(opens)
        return cls.from_keys(start_key[first], np.maximum.reduceat(end_key, first))

    def relabel(self, shape_ids: np.ndarray) -> Spans:
        """The same runs, with shape ``k`` renamed ``shape_ids[k]``."""
        return Spans(np.asarray(shape_ids, dtype=np.int64)[self.shape], self.row, self.start, self.end)

    @classmethod
    def concatenate(cls, parts: Sequence[Spans]) -> Spans:
        """All runs of ``parts`` (whose shapes are distinct), sorted by shape again."""
        parts = [part for part in parts if len(part.shape)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        shape = np.concatenate([part.shape for part in parts])
        order = np.argsort(shape, kind="stable")
        return cls(
            shape[order],
            *(
                np.concatenate([getattr(part, name) for part in parts])[order]
                for name in ("row", "start", "end")
            ),
        )


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[i], starts[i] + 1, ...`` (``counts[i]`` numbers) for each i, one after the other.

    Pair it with ``np.repeat(values, counts)`` to carry per-item values along.

    >>> ranges(np.array([10, 5, 0]), np.array([2, 0, 3])).tolist()
    [10, 11, 0, 1, 2]

    Every per-row array of the rasterizer is made here (or right after, from the same
    ``counts``), so this is where its work is bounded: more than :data:`MAX_PIECES`
    numbers is an :class:`~segtool.errors.AnnotationError` (naming no file), not gigabytes.
    """
    counts = np.asarray(counts, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    total = int(offsets[-1] + counts[-1]) if len(counts) else 0
    if total > MAX_PIECES:
        raise AnnotationError(
            f"drawing it needs {total} pieces of pixel rows, more than the limit of {MAX_PIECES} "
            "(thousands of shapes on top of one another, or edges that zigzag far more finely "
            "than the pixels?)"
        )
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64) - offsets, counts)


def pixel_counts(spans: Spans, n_shapes: int) -> np.ndarray:
    """How many pixels each of the ``n_shapes`` shapes covers."""
    return np.bincount(spans.shape, weights=spans.end - spans.start, minlength=n_shapes).astype(np.int64)


def flat_runs(spans: Spans, stride: int, lead: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each run as ``[first, stop)`` positions in a flattened array whose rows are ``stride`` long
    and hold the image's columns from position ``lead`` on."""
    line = spans.row * stride + lead
    return line + spans.start, line + spans.end


def topmost(
    spans: Spans, priority: np.ndarray, size: int, stride: int, lead: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A flattened canvas of ``size`` positions cut into pieces, and the highest priority on each.

    The canvas holds image row ``r`` at positions ``r * stride + lead`` on (see
    :func:`flat_runs`). Returns ``(bounds, top)``: piece ``i`` is
    ``bounds[i]:bounds[i+1]`` and ``top[i]`` is the largest ``priority[shape]``
    among the runs covering it, 0 where none does; priorities are >= 1. Pieces
    may be empty (their ``top`` is then meaningless). Each run is spread over the
    pieces it covers, so the work grows with the number of runs, not pixels.
    """
    first, stop = flat_runs(spans, stride, lead)
    ends = np.concatenate([first, stop, [0, size]])
    # Each shape's runs are already in order, so a stable (merging) sort is quick.
    order = np.argsort(ends, kind="stable")
    bounds = ends[order]
    # A run covers the pieces between where its two ends were sorted to: any place
    # among equal values will do, since the pieces between equal values are empty.
    place = np.empty_like(order)
    place[order] = np.arange(len(order))
    low, high = place[: len(first)], place[len(first) : 2 * len(first)]
    top = np.zeros(len(bounds) - 1, dtype=np.int64)
    np.maximum.at(
        top, ranges(low, high - low), np.repeat(np.asarray(priority, dtype=np.int64)[spans.shape], high - low)
    )
    return bounds, top


def union_mask(spans: Spans, height: int, width: int) -> np.ndarray:
    """A uint8 0/1 (height, width) mask of every pixel some run covers (runs may overlap)."""
    merged = Spans.union(np.zeros_like(spans.shape), spans.row, spans.start, spans.end)
    first, stop = flat_runs(merged, width)
    bounds = np.empty(2 * len(first) + 2, dtype=np.int64)
    bounds[0], bounds[-1] = 0, height * width
    bounds[1:-1:2], bounds[2:-1:2] = first, stop
    values = np.zeros(len(bounds) - 1, dtype=np.uint8)
    values[1::2] = 1
    return np.repeat(values, np.diff(bounds)).reshape(height, width)
