"""One annotated image to a label array (or to one mask per label).

See the package docstring (:mod:`segtool.raster`) for the conventions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, NamedTuple, get_args

import numpy as np

from ..annotations.model import AnnotatedImage, Bitmap, Geometry, Points, Polyline, Shape
from ..errors import AnnotationError, LabelMapError, UnknownLabelError
from ..labels import IGNORE_NAME, LabelMap
from ..limits import BITMAP_COVER_LIMIT
from .centre import centre_covers
from .checks import Extent, Inspection, inspect_geometries, inspect_geometry
from .cover import Covers
from .labelme_compat import LABELME_LINE_WIDTH, LABELME_POINT_RADIUS, check_labelme_drawable, labelme_covers
from .paint import paint_labels, paint_union
from .spans import LARGEST_SIDE

#: Which pixels a shape covers (see the package docstring).
Convention = Literal["centre", "labelme", "cityscapes"]
#: Which shape paints over which where they overlap.
Order = Literal["file", "z", "area"]
#: What a shape whose label is not in the label map does.
UnknownLabel = Literal["error", "ignore", "skip"]
CONVENTIONS: tuple[Convention, ...] = get_args(Convention)
ORDERS: tuple[Order, ...] = get_args(Order)
UNKNOWN_LABEL_CHOICES: tuple[UnknownLabel, ...] = get_args(UnknownLabel)
#: Conventions that draw with Pillow's ImageDraw as labelme does. cityscapesScripts' json2labelImg
#: fills polygons with ``polygon(points, fill=id)``; labelme adds ``outline=id``, which Pillow draws
#: with the fill's pixels when outline and fill are the same value, so both are drawn alike.
PILLOW_CONVENTIONS = ("labelme", "cityscapes")
CENTRE_LINE_WIDTH = 1.0
CENTRE_POINT_RADIUS = 0.5


class RasterResult(NamedTuple):
    """A label array (background 0), the problems met drawing it (one line each), and its pixels per value."""

    labels: np.ndarray
    warnings: list[str]
    counts: dict[int, int]  # value -> pixels, for the values present (background 0 included), increasing


class LabelMasks(NamedTuple):
    """One boolean mask per label name, and the problems met drawing them, one line each."""

    masks: dict[str, np.ndarray]
    warnings: list[str]


@dataclass(frozen=True)
class _Style:
    convention: str
    line_width: float
    point_radius: float

    @classmethod
    def make(cls, convention: str, line_width: float | None, point_radius: float | None) -> _Style:
        _check_choice("convention", convention, CONVENTIONS)
        labelme = convention in PILLOW_CONVENTIONS
        if line_width is None:
            line_width = LABELME_LINE_WIDTH if labelme else CENTRE_LINE_WIDTH
        if point_radius is None:
            point_radius = LABELME_POINT_RADIUS if labelme else CENTRE_POINT_RADIUS
        if not (math.isfinite(line_width) and line_width > 0):
            raise ValueError(f"line_width must be a finite number > 0, not {line_width!r}")
        if not (math.isfinite(point_radius) and point_radius >= 0):
            raise ValueError(f"point_radius must be a finite number >= 0, not {point_radius!r}")
        if labelme and (line_width != int(line_width) or point_radius != int(point_radius)):
            raise ValueError("labelme's convention (Pillow) needs whole-number line_width and point_radius")
        return cls(convention, line_width, point_radius)

    def inspect(self, geometry: Geometry) -> Inspection:
        """Check ``geometry``; an :class:`AnnotationError` (without a path) if it cannot be drawn."""
        inspection = inspect_geometry(geometry)
        if self.convention in PILLOW_CONVENTIONS and inspection.drawable is not None:
            check_labelme_drawable(inspection.drawable)
        return inspection

    def covers(self, geometries: list[Geometry | None], height: int, width: int) -> Covers:
        if self.convention in PILLOW_CONVENTIONS:
            return labelme_covers(
                geometries,
                height,
                width,
                line_width=int(self.line_width),
                point_radius=int(self.point_radius),
            )
        return centre_covers(
            geometries, height, width, line_width=self.line_width, point_radius=self.point_radius
        )


@dataclass
class _Plan:
    """The shapes of one image that will be drawn, with their values, checks and covers."""

    image: AnnotatedImage
    shapes: list[Shape]
    values: list[int]
    keys: list[str]  # label name each shape is painted as (``__ignore__`` for the ignore value)
    inspections: list[Inspection]
    covers: Covers
    warnings: list[str]

    def report(self, drawn: set[int], style: _Style) -> list[str]:
        """The plan's warnings plus one per shape that drew nothing or was clipped."""
        lines = list(self.warnings)
        for index, (shape, inspection) in enumerate(zip(self.shapes, self.inspections, strict=True)):
            notes = inspection.notes
            if inspection.drawable is not None:
                note = _placement_note(index in drawn, inspection.extent, self.image, style.convention)
                if note:
                    notes = (*notes, note)
            if notes:
                lines.extend(f"{self.image.source}: {shape.where}: {note}" for note in notes)
        return lines


def rasterize_image(
    image: AnnotatedImage,
    label_map: LabelMap,
    *,
    order: Order = "file",
    convention: Convention = "centre",
    unknown_label: UnknownLabel = "error",
    line_width: float | None = None,
    point_radius: float | None = None,
    skip_lines_and_points: bool = False,
    padded: bool = False,
) -> RasterResult:
    """Draw every shape of ``image`` into one label array of the image's size.

    Parameters
    ----------
    order : "file" (later shapes paint over earlier ones), "z" (by ``Shape.z``, then
        file order) or "area" (shapes covering more pixels first, so smaller ones stay
        visible; ties in file order).
    convention : "centre" (the pixel-centre rule), "labelme" (labelme's own masks) or "cityscapes"
        (cityscapesScripts' json2labelImg masks: the same Pillow polygon fill).
    unknown_label : a label missing from ``label_map`` is an error ("error"), painted
        with the ignore value ("ignore"), or not drawn ("skip"); the last two warn.
    line_width, point_radius : how lines and points are drawn; default 1 and 0.5
        pixels for the centre rule, 10 and 5 for labelme's.
    skip_lines_and_points : leave lines and points out.
    padded : make ``labels`` the view ``[:, 1:]`` of a (height, width + 1) array
        whose column 0 is background. :func:`segtool.io.maskio.encode_png` writes such
        a uint8 view without copying it (the zero column becomes the rows' PNG
        filter bytes), as :func:`segtool.io.maskio.decode_png` with ``copy=False``
        returns them.

    Returns
    -------
    RasterResult
        ``labels``: uint8 when every id of the map and its ignore value fit in 8
        bits, else uint16 (never wrapped); background 0. ``warnings``: one line per
        problem, naming the file and the shape. ``counts``: ``{value: pixels}`` for
        each value in ``labels`` (counted from the runs drawn, not from the array).

    >>> from pathlib import Path, PurePosixPath
    >>> from segtool.annotations import AnnotatedImage, Polygon, Shape
    >>> square = Polygon(rings=(np.array([[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]]),))
    >>> image = AnnotatedImage(Path("a.json"), PurePosixPath("a"), 4, 5, [Shape("car", square, "shape 1")])
    >>> rasterize_image(image, LabelMap.from_names(["car"])).labels
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    """
    _check_choice("order", order, ORDERS)
    style = _Style.make(convention, line_width, point_radius)
    with _about(image):  # the work limit of segtool.raster.spans names no file
        plan = _plan(image, label_map, style, unknown_label, skip_lines_and_points)
        painting = paint_labels(
            plan.covers, _paint_order(order, plan), plan.values, _label_dtype(label_map), padded=padded
        )
    return RasterResult(painting.labels, plan.report(painting.drawn, style), painting.counts)


def rasterize_per_label(
    image: AnnotatedImage,
    label_map: LabelMap,
    *,
    convention: Convention = "centre",
    unknown_label: UnknownLabel = "error",
    line_width: float | None = None,
    point_radius: float | None = None,
    skip_lines_and_points: bool = False,
) -> LabelMasks:
    """One boolean mask per label, each the union of that label's shapes (labels may overlap).

    The options are those of :func:`rasterize_image` (order does not matter here).
    ``masks`` has every label of the map except the background (id 0), in id order,
    even those this image does not use, then ``__ignore__`` if a shape of this image
    is painted with the ignore value.
    """
    style = _Style.make(convention, line_width, point_radius)
    with _about(image):  # the work limit of segtool.raster.spans names no file
        plan = _plan(image, label_map, style, unknown_label, skip_lines_and_points)
        names = [label.name for label in label_map if label.id != 0]
        if IGNORE_NAME in plan.keys:
            names.append(IGNORE_NAME)
        masks, drawn = {}, set()
        for name in names:
            mask, drawn_here = paint_union(
                plan.covers, [index for index, key in enumerate(plan.keys) if key == name]
            )
            masks[name] = mask.view(np.bool_)
            drawn |= drawn_here
        # The background has no mask here and labels overlap: a background shape erases nothing.
        background = {index for index, value in enumerate(plan.values) if value == 0}
        warnings = plan.report(drawn | background, style) + [
            f"{image.source}: {plan.shapes[index].where}: background in the binary layout, which has no "
            "background mask and keeps overlapping labels: it erases nothing; nothing drawn"
            for index in sorted(background)
        ]
    return LabelMasks(masks, warnings)


def geometry_mask(
    geometry: Geometry,
    height: int,
    width: int,
    *,
    line_width: float | None = None,
    point_radius: float | None = None,
    convention: Convention = "centre",
) -> np.ndarray:
    """The boolean (height, width) mask of one geometry, clipped to the image.

    Options as in :func:`rasterize_image`. An :class:`AnnotationError` for unusable numbers.

    >>> from segtool.annotations import Ellipse
    >>> geometry_mask(Ellipse(cx=2.0, cy=2.0, rx=1.0, ry=1.0), 4, 4).astype(int)
    array([[0, 0, 0, 0],
           [0, 1, 1, 0],
           [0, 1, 1, 0],
           [0, 0, 0, 0]])
    """
    style = _Style.make(convention, line_width, point_radius)
    if not 0 < height <= LARGEST_SIDE or not 0 < width <= LARGEST_SIDE:
        raise ValueError(f"height and width must be 1 to {LARGEST_SIDE}, not {height} and {width}")
    covers = style.covers([style.inspect(geometry).drawable], height, width)
    return paint_union(covers, [0])[0].view(np.bool_)


# -- helpers ------------------------------------------------------------------------------
def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


@contextmanager
def _about(image: AnnotatedImage, shape: Shape | None = None) -> Iterator[None]:
    """Name the file (and the shape, if given) in an :class:`AnnotationError` raised without them."""
    try:
        yield
    except AnnotationError as exc:
        if exc.path is not None:
            raise
        message = exc.message if shape is None else f"{shape.where}: {exc.message}"
        raise AnnotationError(message, path=image.source) from None


def _plan(
    image: AnnotatedImage, label_map: LabelMap, style: _Style, unknown_label: str, skip_lines_and_points: bool
) -> _Plan:
    _check_choice("unknown_label", unknown_label, UNKNOWN_LABEL_CHOICES)
    if max(image.height, image.width, len(image.shapes)) > LARGEST_SIDE:
        raise AnnotationError(
            f"{image.width}x{image.height} pixels and {len(image.shapes)} shapes: segtool "
            f"draws images up to {LARGEST_SIDE} pixels a side and as many shapes",
            path=image.source,
        )
    shapes, values, keys, warnings = [], [], [], []
    for shape in image.shapes:
        if skip_lines_and_points and isinstance(shape.geometry, (Polyline, Points)):
            continue
        try:
            value = label_map.id_of(shape.label, path=image.source, where=shape.where)
            key = shape.label
        except UnknownLabelError:
            if unknown_label == "error":
                raise
            if unknown_label == "skip":
                warnings.append(
                    f"{image.source}: {shape.where}: label {shape.label!r} is not in the label map; not drawn"
                )
                continue
            value, key = label_map.ignore_value, IGNORE_NAME
            warnings.append(
                f"{image.source}: {shape.where}: label {shape.label!r} is not in the label "
                f"map; painted with the ignore value {value}"
            )
        shapes.append(shape)
        values.append(value)
        keys.append(IGNORE_NAME if value == label_map.ignore_value else key)
    _check_bitmap_work(image, shapes)
    inspections = _inspect(image, shapes, style)
    covers = style.covers([inspection.drawable for inspection in inspections], image.height, image.width)
    return _Plan(image, shapes, values, keys, inspections, covers, warnings)


def _check_bitmap_work(image: AnnotatedImage, shapes: list[Shape]) -> None:
    """Bitmaps are decoded one at a time, each over its box; their boxes together may cover the image
    at most :data:`BITMAP_COVER_LIMIT` times over, so a small file of many huge masks costs little."""
    boxes = [math.prod(shape.geometry.size) for shape in shapes if isinstance(shape.geometry, Bitmap)]
    total, limit = sum(boxes), BITMAP_COVER_LIMIT * image.height * image.width
    if total > limit:
        raise AnnotationError(
            f"its {len(boxes)} bitmaps (RLE, masks) have boxes of {total} pixels in all, more than "
            f"{BITMAP_COVER_LIMIT} times the image's {image.height * image.width} pixels",
            path=image.source,
        )


def _inspect(image: AnnotatedImage, shapes: list[Shape], style: _Style) -> list[Inspection]:
    """Check every shape (in one batch when all are fine; else shape by shape, to name the bad one)."""
    try:
        inspections = inspect_geometries([shape.geometry for shape in shapes])
        if style.convention in PILLOW_CONVENTIONS:
            for inspection in inspections:
                if inspection.drawable is not None:
                    check_labelme_drawable(inspection.drawable)
        return inspections
    except AnnotationError:
        pass
    inspections = []
    for shape in shapes:
        with _about(image, shape):
            inspections.append(style.inspect(shape.geometry))
    return inspections


def _paint_order(order: str, plan: _Plan) -> list[int]:
    indices = list(range(len(plan.shapes)))
    if order == "z":
        return sorted(indices, key=lambda index: plan.shapes[index].z)
    if order == "area":
        counts = plan.covers.counts()
        return sorted(indices, key=lambda index: -int(counts[index]))
    return indices


def _label_dtype(label_map: LabelMap) -> np.dtype:
    """uint8 when every id of the map and its ignore value fit, else uint16; the same for every image."""
    largest = max(label_map.max_id, label_map.ignore_value)
    if label_map.ignore_value < 0 or largest > 65535:
        raise LabelMapError(
            f"ignore value {label_map.ignore_value} does not fit in a 16-bit mask", path=label_map.source
        )
    return np.dtype(np.uint8 if largest <= 255 else np.uint16)


def _placement_note(drawn: bool, extent: Extent, image: AnnotatedImage, convention: str) -> str | None:
    """What to say about a drawable shape that drew nothing or reaches outside the image."""
    x_min, y_min, x_max, y_max = extent
    width, height = image.width, image.height
    if not drawn:
        if x_max < 0 or y_max < 0 or x_min > width or y_min > height:
            return f"lies outside the image (width {width}, height {height}); nothing drawn"
        if convention == "centre":
            return "covers no pixel centre (smaller or thinner than a pixel); nothing drawn"
        return "draws no pixel; nothing drawn"
    if x_min < 0 or y_min < 0 or x_max > width or y_max > height:
        return f"extends beyond the image (width {width}, height {height}); clipped to it"
    return None
