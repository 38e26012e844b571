"""labelme's own rule, for users who must match masks labelme made.

labelme (``labelme.utils.shape_to_mask``, used by labelme2voc and
labelme_json_to_dataset) draws each shape with Pillow's ``ImageDraw`` on an
image-sized canvas and paints the shapes in file order:

* polygon (and rectangle, which our readers hold as its 4 corners; Pillow fills
  the two alike): ``polygon(points, outline=1, fill=1)``, which covers every
  pixel the outline touches, about half a pixel wider all round than the
  centre rule;
* circle: ``ellipse`` over the box ``centre +- radius``;
* line and linestrip: ``line(points, width=10)``;
* point: ``ellipse`` over the box ``point +- 5``;
* mask: the bitmap at its box.

This module makes the same calls, so the masks are exactly labelme's *with the
installed Pillow*: like labelme's, they change slightly between Pillow versions
(see the fixtures README). Where labelme has no answer: an ellipse is drawn over
its box when it is axis-aligned, a rotated one is an error; a polygon with
several rings is the exclusive-or of its rings (holes work); coordinates beyond
+-2**30 are an error (Pillow's integers would overflow silently).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
from PIL import Image, ImageDraw

from ..annotations.model import Bitmap, Ellipse, Geometry, Points, Polygon, Polyline
from ..errors import AnnotationError
from .cover import Covers, Patch, bitmap_patch
from .spans import Spans

LABELME_LINE_WIDTH = 10
LABELME_POINT_RADIUS = 5
PILLOW_LIMIT = 2.0**30


def labelme_covers(
    geometries: Sequence[Geometry | None], height: int, width: int, *, line_width: int, point_radius: int
) -> Covers:
    """What each geometry covers in labelme's convention (``None`` covers nothing)."""
    makers = {}
    for index, geometry in enumerate(geometries):
        if geometry is None:
            continue
        if isinstance(geometry, Bitmap):
            makers[index] = partial(bitmap_patch, geometry, height, width)
        else:
            makers[index] = partial(_drawn_patch, geometry, height, width, line_width, point_radius)
    return Covers(len(geometries), height, width, spans=Spans.empty(), makers=makers)


def check_labelme_drawable(geometry: Geometry) -> None:
    """An :class:`AnnotationError` (without a path) if labelme's convention cannot draw ``geometry``."""
    if isinstance(geometry, Polygon):
        numbers = [np.abs(ring).max(initial=0.0) for ring in geometry.rings]
    elif isinstance(geometry, (Polyline, Points)):
        numbers = [np.abs(geometry.points).max(initial=0.0)]
    elif isinstance(geometry, Ellipse):
        if geometry.angle % 90 != 0:
            raise AnnotationError(
                f"labelme's convention has no rotated ellipses (this one is turned "
                f"{geometry.angle:g} degrees); use the centre convention"
            )
        numbers = [abs(geometry.cx) + geometry.rx + geometry.ry, abs(geometry.cy) + geometry.rx + geometry.ry]
    else:
        return
    if max(numbers, default=0.0) > PILLOW_LIMIT:
        raise AnnotationError(
            "a coordinate is beyond +-2**30, which labelme's convention (Pillow) "
            "cannot draw; use the centre convention"
        )


def _drawn_patch(
    geometry: Polygon | Ellipse | Polyline | Points,
    height: int,
    width: int,
    line_width: int,
    point_radius: int,
) -> Patch | None:
    if isinstance(geometry, Polygon):

        def ring_canvas(ring: np.ndarray) -> Image.Image:
            return _draw(height, width, lambda draw: draw.polygon(_flat(ring), outline=1, fill=1))

        if len(geometry.rings) == 1:
            return _crop(ring_canvas(geometry.rings[0]))
        combined = np.array(ring_canvas(geometry.rings[0]))
        for ring in geometry.rings[1:]:
            combined ^= np.asarray(ring_canvas(ring))
        return _crop_array(combined)
    if isinstance(geometry, Ellipse):
        rx, ry = (geometry.rx, geometry.ry) if geometry.angle % 180 == 0 else (geometry.ry, geometry.rx)
        box = [geometry.cx - rx, geometry.cy - ry, geometry.cx + rx, geometry.cy + ry]
        return _crop(_draw(height, width, lambda draw: draw.ellipse(box, outline=1, fill=1)))
    if isinstance(geometry, Polyline):
        return _crop(
            _draw(height, width, lambda draw: draw.line(_flat(geometry.points), fill=1, width=line_width))
        )

    def points(draw: ImageDraw.ImageDraw) -> None:
        for x, y in np.asarray(geometry.points, dtype=np.float64).tolist():
            draw.ellipse(
                [x - point_radius, y - point_radius, x + point_radius, y + point_radius], outline=1, fill=1
            )

    return _crop(_draw(height, width, points))


def _flat(points: np.ndarray) -> list[float]:
    return np.asarray(points, dtype=np.float64).ravel().tolist()


def _draw(height: int, width: int, paint: Callable[[ImageDraw.ImageDraw], None]) -> Image.Image:
    """A fresh image-sized canvas (as labelme uses for every shape) with ``paint`` done on it."""
    canvas = Image.new("L", (width, height))
    paint(ImageDraw.Draw(canvas))
    return canvas


def _crop(canvas: Image.Image) -> Patch | None:
    box = canvas.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    return Patch(top, left, np.asarray(canvas.crop(box)))


def _crop_array(canvas: np.ndarray) -> Patch | None:
    rows = np.flatnonzero(canvas.any(axis=1))
    if len(rows) == 0:
        return None
    columns = np.flatnonzero(canvas.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
    return Patch(top, left, canvas[top:bottom, left:right])
