"""Ellipses (and circles) at pixel centres, row by row, for many ellipses at once.

A pixel is in when its centre ``(x, y)`` satisfies, with ``(dx, dy)`` its offset
from the centre and ``(c, s)`` the cosine and sine of the rotation,
``(c dx + s dy)^2 ry^2 + (-s dx + c dy)^2 rx^2 <= rx^2 ry^2``: the boundary
counts as inside, so a circle centred on a pixel centre is symmetric. The
inequality is written without divisions, so for a circle or an axis-aligned
ellipse with integer or half-integer numbers it is decided exactly. Each row's
span comes from the quadratic's roots, and the two end columns are then
checked with the inequality itself, so rounding in the square root never
moves a span end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..annotations.model import Ellipse
from .spans import Spans, ranges


def cos_sin(angle_degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine and sine, exactly 0 and +-1 at multiples of 90 degrees."""
    angle = np.asarray(angle_degrees, dtype=np.float64)
    radians = np.radians(angle)
    cos, sin = np.cos(radians), np.sin(radians)
    quarter = np.mod(angle, 90) == 0
    turns = np.mod(np.round(angle / 90), 4).astype(np.int64)
    cos = np.where(quarter, np.array([1.0, 0.0, -1.0, 0.0])[turns], cos)
    sin = np.where(quarter, np.array([0.0, 1.0, 0.0, -1.0])[turns], sin)
    return cos, sin


def ellipse_reach(ellipse: Ellipse) -> tuple[float, float]:
    """Half the width and half the height of the ellipse's axis-aligned bounding box."""
    cos, sin = cos_sin(np.array([ellipse.angle]))
    return (
        float(np.hypot(ellipse.rx * cos[0], ellipse.ry * sin[0])),
        float(np.hypot(ellipse.rx * sin[0], ellipse.ry * cos[0])),
    )


def ellipse_spans(ellipses: Sequence[Ellipse], height: int, width: int) -> Spans:
    """The spans of each ellipse (shape ``k`` is ``ellipses[k]``), clipped to the image.

    Ellipses with a radius <= 0 cover nothing. Numbers must be finite.
    """
    if not ellipses:
        return Spans.empty()
    cx, cy, rx, ry, angle = (
        np.array([getattr(e, name) for e in ellipses], dtype=np.float64)
        for name in ("cx", "cy", "rx", "ry", "angle")
    )
    cos, sin = cos_sin(angle)
    reach_y = np.hypot(rx * sin, ry * cos)
    # One row of margin each side: the exact test below removes rows that miss.
    first_row = np.clip(np.floor(cy - reach_y - 0.5), 0, height).astype(np.int64)
    stop_row = np.clip(np.floor(cy + reach_y - 0.5) + 2, 0, height).astype(np.int64)
    rows = np.where((rx > 0) & (ry > 0), stop_row - first_row, 0)
    row = ranges(first_row, rows)  # first: it bounds the work (see spans.ranges)
    shape = np.repeat(np.arange(len(ellipses)), rows)

    cx, rx2, ry2, cos, sin = cx[shape], rx[shape] ** 2, ry[shape] ** 2, cos[shape], sin[shape]
    dy = row + 0.5 - cy[shape]
    # Inside when a dx^2 + b dx + k <= 0.
    a = cos * cos * ry2 + sin * sin * rx2
    b = 2 * dy * cos * sin * (ry2 - rx2)
    k = dy * dy * (sin * sin * ry2 + cos * cos * rx2) - rx2 * ry2

    def inside(column: np.ndarray) -> np.ndarray:
        dx = column + 0.5 - cx
        return (a * dx + b) * dx + k <= 0

    root = np.sqrt(np.maximum(b * b - 4 * a * k, 0.0))
    first = np.clip(np.ceil(cx + (-b - root) / (2 * a) - 0.5), -1, width)
    last = np.clip(np.floor(cx + (-b + root) / (2 * a) - 0.5), -1, width)
    first = np.where(inside(first - 1), first - 1, np.where(inside(first), first, first + 1))
    last = np.where(inside(last + 1), last + 1, np.where(inside(last), last, last - 1))
    start = np.clip(first, 0, width).astype(np.int64)
    end = np.clip(last + 1, 0, width).astype(np.int64)
    keep = start < end
    return Spans(shape[keep], row[keep], start[keep], end[keep])
