"""Geometry the readers share: closed rings, boxes, rotations.

Angles are in degrees, clockwise on screen (y points down), as in
:class:`~segtool.annotations.model.Ellipse`. Checking the numbers read from a
file is :mod:`.fields`' job.
"""

from __future__ import annotations

import math

import numpy as np


def open_ring(points: np.ndarray) -> np.ndarray:
    """The ring without a last vertex that repeats the first (VIA, GeoJSON-style closed rings)."""
    if len(points) > 1 and np.array_equal(points[0], points[-1]):
        return points[:-1]
    return points


def box_ring(left: float, top: float, right: float, bottom: float) -> np.ndarray:
    """The four corners of an axis-aligned box, clockwise on screen from the top-left."""
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float64)


def rotate(points: np.ndarray, angle: float, pivot: tuple[float, float]) -> np.ndarray:
    """``points`` turned by ``angle`` degrees clockwise on screen around ``pivot``.

    >>> rotate(np.array([[1.0, 0.0]]), 90, (0.0, 0.0)).round(12).tolist()
    [[0.0, 1.0]]
    """
    if angle % 360 == 0:
        return points
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)
    offset = points - pivot
    # With y down, the usual counter-clockwise matrix turns clockwise on screen.
    turned = np.column_stack(
        [offset[:, 0] * cos - offset[:, 1] * sin, offset[:, 0] * sin + offset[:, 1] * cos]
    )
    return turned + pivot
