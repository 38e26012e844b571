"""Runs of covered pixels ("spans") and the masks they make.

A span says: shape ``k`` covers row ``r``, columns ``start <= c < end``. Every
shape kind the centre rule draws from a formula (polygons, ellipses, lines,
points) is first turned into spans, for many shapes at once with a few NumPy
calls; masks are then built only over each shape's bounding box, clipped to the
image. Spans of one shape never overlap and are sorted by row, then column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


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
    def from_keys(cls, start_key: np.ndarray, end_key: np.ndarray, height: int, width: int) -> Spans:
        """Spans from sorted keys ``(shape * height + row) * (width + 1) + column``; empty runs dropped."""
        keep = start_key < end_key
        start_key, end_key = start_key[keep], end_key[keep]
        line, start = np.divmod(start_key, width + 1)
        shape, row = np.divmod(line, height)
        return cls(shape, row, start, end_key - line * (width + 1))

    @classmethod
    def union(cls, shape: np.ndarray, row: np.ndarray, start: np.ndarray, end: np.ndarray,
              height: int, width: int) -> Spans:
        """The union of runs that may overlap, given in any order (columns already in ``[0, width]``)."""
        line = (shape.astype(np.int64) * height + row) * (width + 1)
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
        return cls.from_keys(start_key[first], np.maximum.reduceat(end_key, first), height, width)

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
        return cls(shape[order], *(np.concatenate([getattr(part, name) for part in parts])[order]
                                   for name in ("row", "start", "end")))


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items repeated ``counts`` times: the item of each repetition and its rank within the item.

    >>> [a.tolist() for a in expand(np.array([2, 0, 3]))]
    [[0, 0, 2, 2, 2], [0, 1, 0, 1, 2]]
    """
    counts = np.asarray(counts, dtype=np.int64)
    item = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return item, np.arange(len(item), dtype=np.int64) - first[item]


@dataclass(frozen=True)
class SpanBoxes:
    """Where each shape's runs are, and the bounding box and pixel count they make."""

    begin: np.ndarray   # runs of shape k are begin[k]:stop[k]
    stop: np.ndarray
    top: np.ndarray
    left: np.ndarray
    bottom: np.ndarray  # exclusive
    right: np.ndarray   # exclusive
    count: np.ndarray

    @classmethod
    def of(cls, spans: Spans, n_shapes: int) -> SpanBoxes:
        ids = np.arange(n_shapes)
        begin = np.searchsorted(spans.shape, ids, side="left")
        stop = np.searchsorted(spans.shape, ids, side="right")
        top, left, bottom, right, count = (np.zeros(n_shapes, dtype=np.int64) for _ in range(5))
        drawn = begin < stop
        if drawn.any():
            first = begin[drawn]
            top[drawn] = spans.row[first]
            bottom[drawn] = spans.row[stop[drawn] - 1] + 1
            left[drawn] = np.minimum.reduceat(spans.start, first)
            right[drawn] = np.maximum.reduceat(spans.end, first)
            count[drawn] = np.add.reduceat(spans.end - spans.start, first)
        return cls(begin, stop, top, left, bottom, right, count)


def span_masks(spans: Spans, boxes: SpanBoxes, shapes: Sequence[int]
               ) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """``(shape, top, left, mask)`` for each of ``shapes`` (which must have runs), in that order.

    ``mask`` is a uint8 0/1 array over the shape's bounding box. All the masks are
    cut from one buffer, written by a single ``np.repeat`` of alternating 0/1 runs.
    """
    shapes = np.asarray(shapes, dtype=np.int64)
    heights = boxes.bottom[shapes] - boxes.top[shapes]
    widths = boxes.right[shapes] - boxes.left[shapes]
    sizes = heights * widths
    offsets = np.cumsum(sizes) - sizes
    slot, rank = expand(boxes.stop[shapes] - boxes.begin[shapes])
    run = boxes.begin[shapes][slot] + rank
    opening = (offsets[slot] + (spans.row[run] - boxes.top[shapes][slot]) * widths[slot]
               + spans.start[run] - boxes.left[shapes][slot])
    edges = np.empty(2 * len(run) + 2, dtype=np.int64)
    edges[0], edges[-1] = 0, offsets[-1] + sizes[-1]
    edges[1:-1:2] = opening
    edges[2:-1:2] = opening + (spans.end[run] - spans.start[run])
    values = np.zeros(len(edges) - 1, dtype=np.uint8)
    values[1::2] = 1
    flat = np.repeat(values, np.diff(edges))
    for index, shape in enumerate(shapes.tolist()):
        block = flat[offsets[index]:offsets[index] + sizes[index]]
        yield (shape, int(boxes.top[shape]), int(boxes.left[shape]),
               block.reshape(int(heights[index]), int(widths[index])))
