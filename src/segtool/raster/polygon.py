"""Even-odd scanline fill of polygons at pixel centres, for many polygons at once.

Row ``r`` is sampled on the line ``y = r + 0.5``. An edge crosses it when
``y_low <= r + 0.5 < y_high`` (half-open, so a vertex on the line is counted by
exactly one of its two edges, and horizontal edges never count). The crossing is
``x = x_low + (r + 0.5 - y_low) * (x_high - x_low) / (y_high - y_low)``, always
computed from the edge's lower end, multiplication first: exact whenever the
true value is a float (integer and half-integer vertices, for instance), and
identical whichever way round or from wherever a ring is listed. Sorted
crossings pair up into spans ``[xa, xb)``; column ``c`` is in the span when
``xa <= c + 0.5 < xb``, i.e. ``ceil(xa - 0.5) <= c < ceil(xb - 0.5)``. So a pixel
whose centre lies exactly on a left or top edge is in, on a right or bottom edge
out: polygons that share an edge share none of its pixels and leave no gap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .spans import Spans, ranges, run_key


def polygon_spans(polygons: Sequence[Sequence[np.ndarray]], height: int, width: int) -> Spans:
    """The spans of each polygon (a sequence of (N, 2) rings, combined even-odd), clipped to the image.

    Shape ``k`` of the result is ``polygons[k]``. Coordinates must be finite.
    """
    owners, rings = [], []
    for index, polygon in enumerate(polygons):
        for ring in polygon:
            if len(ring) >= 2:
                owners.append(index)
                rings.append(ring)
    if not rings:
        return Spans.empty()
    lengths = np.array([len(ring) for ring in rings], dtype=np.int64)
    points = np.concatenate(rings).astype(np.float64, copy=False)
    following = np.arange(1, len(points) + 1)
    ring_ends = np.cumsum(lengths)
    following[ring_ends - 1] = ring_ends - lengths
    owner = np.repeat(np.array(owners, dtype=np.int64), lengths)

    x0, y0 = points[:, 0], points[:, 1]
    x1, y1 = x0[following], y0[following]
    slanted = y0 != y1
    if not slanted.all():  # horizontal edges cross no row
        x0, y0, x1, y1, owner = x0[slanted], y0[slanted], x1[slanted], y1[slanted], owner[slanted]
    upward = y0 < y1
    x_low, y_low = np.where(upward, x0, x1), np.where(upward, y0, y1)
    x_high, y_high = np.where(upward, x1, x0), np.where(upward, y1, y0)

    first_row = np.clip(np.ceil(y_low - 0.5), 0, height).astype(np.int64)
    rows = np.clip(np.ceil(y_high - 0.5), 0, height).astype(np.int64) - first_row
    row = ranges(first_row, rows)
    x_low, y_low, x_run, y_run = (
        np.repeat(values, rows) for values in (x_low, y_low, x_high - x_low, y_high - y_low)
    )
    x = x_low + ((row + 0.5 - y_low) * x_run) / y_run
    column = np.clip(np.ceil(x - 0.5), 0, width).astype(np.int64)

    # Sorting by (polygon, row, column) puts each row's crossings in order; every
    # ring crosses every row an even number of times, so neighbours pair up.
    key = run_key(np.repeat(owner, rows), row, column)
    key.sort()
    return Spans.from_keys(key[0::2], key[1::2])
