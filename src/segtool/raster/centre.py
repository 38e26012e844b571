"""The centre rule: a pixel belongs to a shape when its centre lies inside the shape.

Polygons are filled even-odd (:mod:`.polygon`), ellipses by their inequality
(:mod:`.ellipse`), lines and points with a thickness (:mod:`.strokes`); shapes
of one kind are computed together. Bitmaps are placed as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from ..annotations.model import Bitmap, Ellipse, Geometry, Points, Polygon, Polyline
from .cover import Covers, bitmap_patch
from .ellipse import ellipse_spans
from .polygon import polygon_spans
from .spans import Spans
from .strokes import stroke_spans


def centre_covers(
    geometries: Sequence[Geometry | None], height: int, width: int, *, line_width: float, point_radius: float
) -> Covers:
    """What each geometry covers under the centre rule (``None`` covers nothing).

    Lines cover pixels whose centre is within ``line_width / 2`` of the path,
    points those within ``point_radius``; each vertex also covers its own pixel.
    """
    kinds: dict[type, list[int]] = {Polygon: [], Ellipse: [], Polyline: [], Points: []}
    makers = {}
    for index, geometry in enumerate(geometries):
        if isinstance(geometry, Bitmap):
            makers[index] = partial(bitmap_patch, geometry, height, width)
        elif geometry is not None:
            kinds[type(geometry)].append(index)
    families = [
        (
            ids,
            _spans(
                [geometries[index] for index in ids],
                kind,
                height,
                width,
                line_width=line_width,
                point_radius=point_radius,
            ),
        )
        for kind, ids in kinds.items()
        if ids
    ]
    if len(families) == 1 and len(families[0][0]) == len(geometries):  # one kind only: already numbered so
        spans = families[0][1]
    else:
        spans = Spans.concatenate(
            [family.relabel(np.asarray(ids, dtype=np.int64)) for ids, family in families]
        )
    return Covers(len(geometries), height, width, spans=spans, makers=makers)


def _spans(
    geometries: list, kind: type, height: int, width: int, *, line_width: float, point_radius: float
) -> Spans:
    """The spans of geometries all of one ``kind``; shape ``k`` is ``geometries[k]``."""
    if kind is Polygon:
        return polygon_spans([geometry.rings for geometry in geometries], height, width)
    if kind is Ellipse:
        return ellipse_spans(geometries, height, width)
    points = [geometry.points for geometry in geometries]
    if kind is Polyline:
        return stroke_spans(points, line_width / 2, height, width, connect=True)
    return stroke_spans(points, point_radius, height, width, connect=False)
