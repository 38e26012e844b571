"""Checking a shape before it is drawn: numbers, zero-area polygons, where it lies.

Decisions
---------
* A NaN or infinite number, or one beyond +-1e12 (a million times larger than
  any image), is an error: such a file is corrupt, and a mask drawn without
  the shape would be silently wrong.
* A polygon ring with zero area (fewer than 3 distinct points, or all on one
  line) draws nothing; so does an ellipse with a radius of 0. Both are reported.
  A negative radius is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..annotations.model import Bitmap, Ellipse, Geometry, Points, Polygon, Polyline
from ..errors import AnnotationError
from .ellipse import ellipse_reach

MAX_COORDINATE = 1e12
ZERO_AREA_POLYGON = "polygon has zero area (fewer than 3 distinct points, or all on one line); nothing drawn"

Extent = tuple[float, float, float, float]  # x_min, y_min, x_max, y_max


class Inspection(NamedTuple):
    """What to draw of a geometry (``None``: nothing), its extent, and problems to report."""

    drawable: Geometry | None
    extent: Extent
    notes: tuple[str, ...] = ()


def inspect_geometry(geometry: Geometry) -> Inspection:
    """Check ``geometry``; an :class:`AnnotationError` (without a path) if its numbers are unusable."""
    if isinstance(geometry, Polygon):
        return _inspect_polygon(geometry)
    if isinstance(geometry, Ellipse):
        return _inspect_ellipse(geometry)
    if isinstance(geometry, (Polyline, Points)):
        points = _checked_points(geometry.points)
        if len(points) == 0:
            return Inspection(None, (0.0, 0.0, 0.0, 0.0), ("has no points; nothing drawn",))
        return Inspection(geometry, _extent(points))
    if isinstance(geometry, Bitmap):
        if len(geometry.size) != 2:
            raise AnnotationError(f"a bitmap must be 2-D, not {len(geometry.size)}-D")
        height, width = geometry.size
        left, top = geometry.left, geometry.top
        return Inspection(geometry, (left, top, left + width, top + height))
    raise TypeError(f"not a geometry: {type(geometry).__name__}")


def inspect_geometries(geometries: Sequence[Geometry]) -> list[Inspection]:
    """:func:`inspect_geometry` of each, with all single-ring polygons checked in one batch.

    An :class:`AnnotationError` (naming no shape) if any geometry's numbers are unusable.
    """
    simple = [
        (index, geometry)
        for index, geometry in enumerate(geometries)
        if isinstance(geometry, Polygon) and len(geometry.rings) == 1 and len(geometry.rings[0]) >= 3
    ]
    results: list[Inspection | None] = [None] * len(geometries)
    if simple:
        inspections = _inspect_simple_polygons([polygon for _, polygon in simple])
        for (index, _), inspection in zip(simple, inspections, strict=True):
            results[index] = inspection
    return [
        inspect_geometry(geometry) if result is None else result
        for geometry, result in zip(geometries, results, strict=True)
    ]


def _inspect_simple_polygons(polygons: list[Polygon]) -> list[Inspection]:
    """Single rings of 3 or more points, all at once: numbers, extents, signed areas."""
    rings = [polygon.rings[0] for polygon in polygons]
    lengths = np.array([len(ring) for ring in rings])
    points = _checked_points(np.concatenate(rings))
    starts = np.cumsum(lengths) - lengths
    low, high = np.minimum.reduceat(points, starts), np.maximum.reduceat(points, starts)
    following = np.empty_like(points)
    following[:-1] = points[1:]
    following[starts + lengths - 1] = points[starts]
    doubled_area = np.add.reduceat(points[:, 0] * following[:, 1] - points[:, 1] * following[:, 0], starts)
    extents = np.column_stack([low, high]).tolist()
    inspections = [
        Inspection(polygon, tuple(extent)) for polygon, extent in zip(polygons, extents, strict=True)
    ]
    for index in np.flatnonzero(doubled_area == 0).tolist():
        if is_zero_area_ring(np.asarray(rings[index], dtype=np.float64)):
            inspections[index] = Inspection(None, inspections[index].extent, (ZERO_AREA_POLYGON,))
    return inspections


def is_zero_area_ring(ring: np.ndarray) -> bool:
    """True when the ring has fewer than 3 distinct points or all its points are on one line."""
    if len(ring) < 3:
        return True
    offsets = ring - ring[0]
    farthest = offsets[np.argmax(np.einsum("ij,ij->i", offsets, offsets))]
    cross = offsets[:, 0] * farthest[1] - offsets[:, 1] * farthest[0]
    return not np.any(cross)


def _checked_points(points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    # min and max are NaN when a NaN is there, and NaN fails both comparisons.
    if points.size and not (points.min() >= -MAX_COORDINATE and points.max() <= MAX_COORDINATE):
        bad = "a non-finite" if not np.all(np.isfinite(points)) else "an out-of-range"
        raise AnnotationError(f"has {bad} coordinate (NaN, infinite or beyond +-{MAX_COORDINATE:g})")
    return points.reshape(-1, 2)


def _extent(points: np.ndarray) -> Extent:
    low, high = points.min(axis=0), points.max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def _inspect_polygon(polygon: Polygon) -> Inspection:
    rings = [_checked_points(ring) for ring in polygon.rings]
    if not any(len(ring) for ring in rings):
        return Inspection(None, (0.0, 0.0, 0.0, 0.0), ("polygon has no points; nothing drawn",))
    extent = _extent(np.concatenate(rings))
    flat = [_has_zero_signed_area(ring) and is_zero_area_ring(ring) for ring in rings]
    if all(flat):
        return Inspection(None, extent, (ZERO_AREA_POLYGON,))
    if not any(flat):
        return Inspection(polygon, extent)
    notes = tuple(
        f"ring {index} of {len(rings)} has zero area; ignored"
        for index, is_flat in enumerate(flat, start=1)
        if is_flat
    )
    kept = tuple(ring for ring, is_flat in zip(rings, flat, strict=True) if not is_flat)
    return Inspection(Polygon(rings=kept), extent, notes)


def _has_zero_signed_area(ring: np.ndarray) -> bool:
    """Cheap first test (the shoelace sum); a bow tie has zero signed area but is not degenerate."""
    if len(ring) < 3:
        return True
    x, y = ring[:, 0], ring[:, 1]
    return float(x[:-1] @ y[1:] - y[:-1] @ x[1:] + x[-1] * y[0] - y[-1] * x[0]) == 0.0


def _inspect_ellipse(ellipse: Ellipse) -> Inspection:
    numbers = np.array([ellipse.cx, ellipse.cy, ellipse.rx, ellipse.ry, ellipse.angle], dtype=np.float64)
    if not np.all(np.abs(numbers) <= MAX_COORDINATE):
        raise AnnotationError(f"ellipse has a non-finite or out-of-range number {numbers.tolist()}")
    if ellipse.rx < 0 or ellipse.ry < 0:
        raise AnnotationError(f"ellipse has a negative radius ({ellipse.rx:g}, {ellipse.ry:g})")
    reach_x, reach_y = ellipse_reach(ellipse)
    extent = (ellipse.cx - reach_x, ellipse.cy - reach_y, ellipse.cx + reach_x, ellipse.cy + reach_y)
    if ellipse.rx == 0 or ellipse.ry == 0:
        return Inspection(None, extent, ("ellipse has radius 0, so zero area; nothing drawn",))
    return Inspection(ellipse, extent)
