"""LabelMe JSON (one image per file, every labelme version in use) into the common model.

Shapes
------
``polygon`` (also when ``shape_type`` is missing, as in labelme 3)   -> :class:`Polygon`
``rectangle`` (two opposite corners, in any order)                  -> :class:`Polygon`
``circle`` (centre, then a point on the circle)                     -> :class:`Ellipse`, rx = ry
``line``, ``linestrip``                                             -> :class:`Polyline`
``point``, ``points``                                               -> :class:`Points`
``mask`` (base64 PNG in ``shape["mask"]``, nonzero = inside)        -> :class:`Bitmap`

A ``mask`` is placed as labelme places it: its top-left pixel is the integer
part of the box's top-left point (labelme's ``int()`` of the first point, which
labelme always saves as the top-left corner), and it keeps the PNG's own size.
Any other ``shape_type`` is an error: drawing the file without that shape would
give a silently wrong mask. A polygon with fewer than three points, a rectangle
of zero width or a circle of radius 0 is kept (the rasterizer reports that it
draws nothing); a line with only one point is kept with a warning; a shape with
no points at all is skipped with a warning.

Holes and instances
-------------------
LabelMe has no holes. segtool's way, which is also what labelme's own scripts
do: draw a shape labelled ``_background_`` (or ``__ignore__``) *after* the
outer shape; it paints background (or the ignore value) over it. Shapes that
share a ``group_id`` stay separate shapes here, in file order; they are one
object instance, which matters only for instance outputs (the id is kept in
:attr:`Shape.group_id`).

Image size
----------
``imageHeight``/``imageWidth`` when present. They are checked against the image
itself (embedded ``imageData``, else the file ``imagePath`` names, relative to the
JSON, else in the ``images_dir`` option; Windows ``\\`` paths work, and a path that
does not exist is also tried as a bare file name in those folders). On disagreement the JSON's size is kept,
since the points were drawn on an image of that size, and a warning names both.
(labelme's own exporters would use the image's size.) Without the two fields the
image's header gives the size; with neither, the file is an error.

An embedded image is taken as stored, its EXIF orientation (if any) ignored:
labelme shows ``imageData`` so, and embeds an image file only after applying
its orientation. An image file is taken as displayed (EXIF orientation
applied), as labelme opens it. A non-empty ``imageData`` is recorded in
:attr:`AnnotatedImage.embedded_image` (its place, not its content: see
:mod:`segtool.annotations.embedded`), so ``rasterize --viz`` can draw over it.
"""

from __future__ import annotations

import base64
import binascii
import math
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from ..errors import InputFileError, MaskError, shown
from ..io.imagesize import image_size
from ..io.maskio import decode_png
from ..io.storage import Location, as_path
from .fields import fail, is_number, point_array, positive_int
from .geometry import box_ring
from .imagefiles import find_image
from .model import (
    AnnotatedImage,
    Bitmap,
    Ellipse,
    EncodedMask,
    Geometry,
    Points,
    Polygon,
    Polyline,
    Shape,
    safe_relative_name,
)
from .registry import AnnotationFormat, ReaderOptions, register

DEFAULT_SHAPE_TYPE = "polygon"
IMAGE_DATA = "imageData"  # the field that embeds the image, base64
# The first base64 characters of an embedded image hold its header in practice;
# decoding only them keeps big embedded images cheap. The whole is tried if they do not.
_HEADER_CHARS = 1 << 16


def detect(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("shapes"), list)


def read_labelme(
    document: Any, source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """Read one LabelMe document (already parsed) into one :class:`AnnotatedImage`.

    ``rel`` (the JSON's path relative to its input folder) without its suffix is the output name.
    ``options.images_dir`` is a second place to look for the image file.
    """
    options = options if options is not None else ReaderOptions()
    source = as_path(source)
    if not detect(document):
        raise fail(source, "", 'not a LabelMe file: it needs a "shapes" list')
    warnings: list[str] = []
    image_path = _image_file(document.get("imagePath"), source, options)
    height, width = _image_size(document, source, image_path, warnings)
    shapes = []
    for index, entry in enumerate(document["shapes"], start=1):
        shape = _read_shape(entry, index, source, warnings, options.max_pixels)
        if shape is not None:
            shapes.append(shape)
    try:
        name = safe_relative_name(rel)
    except ValueError:
        raise fail(source, "", f"cannot name an output after {str(rel)!r}") from None
    image_data = document.get(IMAGE_DATA)
    return [
        AnnotatedImage(
            source=source,
            name=name,
            height=height,
            width=width,
            shapes=shapes,
            image_path=image_path,
            warnings=[f"{source}: {warning}" for warning in warnings],
            embedded_image=(IMAGE_DATA,) if _is_embedded(image_data) else None,
        )
    ]


# -- image and its size -------------------------------------------------------------------
def _image_file(image_path: Any, source: Location, options: ReaderOptions) -> Location | None:
    """The existing image file ``imagePath`` names (beside the JSON, else in ``images_dir``), or None."""
    if not isinstance(image_path, str) or not image_path.strip():
        return None
    found = find_image(image_path, [source.parent, options.images_dir])
    if found is None or found.resolve() == source.resolve():  # some files name themselves
        return None
    return found


def _image_size(
    document: dict, source: Location, image_path: Location | None, warnings: list[str]
) -> tuple[int, int]:
    declared = _declared_size(document, source)
    actual, unreadable = _actual_size(document.get(IMAGE_DATA), image_path)
    if declared is None:
        if actual is not None:
            return actual
        if unreadable is None:
            named = document.get("imagePath")
            unreadable = (
                f"there is no imageData and the image imagePath names ({named!r}) was not found"
                if isinstance(named, str) and named
                else "there is no imageData nor imagePath"
            )
        raise fail(source, "", f"no image size: imageHeight/imageWidth are missing and {unreadable}")
    if unreadable is not None:
        warnings.append(f"cannot check imageHeight/imageWidth: {unreadable}")
    elif actual is not None and actual != declared:
        hint = " (EXIF orientation?)" if actual == declared[::-1] else ""
        warnings.append(
            f"imageHeight x imageWidth is {declared[0]}x{declared[1]} but the image is "
            f"{actual[0]}x{actual[1]}{hint}; using the JSON's size, on which the points were drawn"
        )
    return declared


def _declared_size(document: dict, source: Location) -> tuple[int, int] | None:
    height, width = document.get("imageHeight"), document.get("imageWidth")
    if height is None or width is None:
        return None
    return (
        positive_int(height, source=source, where="", field="imageHeight"),
        positive_int(width, source=source, where="", field="imageWidth"),
    )


def _actual_size(image_data: Any, image_path: Location | None) -> tuple[tuple[int, int] | None, str | None]:
    """``(size, None)`` from imageData or the image file; ``(None, why)`` if one is there but
    unreadable; ``(None, None)`` if there is neither."""
    if _is_embedded(image_data):
        try:
            return _embedded_image_size(image_data), None
        except InputFileError as exc:
            return None, f"imageData is not a readable image ({exc.message})"
        except (binascii.Error, ValueError):
            return None, "imageData is not a readable image (not base64)"
    if image_path is None:
        return None, None
    try:
        return image_size(image_path), None
    except InputFileError as exc:
        return None, f"the image {image_path} cannot be read ({exc.message})"


def _is_embedded(image_data: Any) -> bool:
    """Whether an ``imageData`` value holds an image (labelme writes null when it does not)."""
    return isinstance(image_data, str) and bool(image_data)


def _embedded_image_size(image_data: str) -> tuple[int, int]:
    """The size of the embedded image as stored (see "Image size" above)."""
    head = image_data[:_HEADER_CHARS]
    if len(head) < len(image_data):
        try:
            return image_size(base64.b64decode(head), exif_orientation=False)
        except (InputFileError, binascii.Error, ValueError):
            pass
    return image_size(base64.b64decode(image_data), exif_orientation=False)


# -- shapes -------------------------------------------------------------------------------
def _read_shape(
    entry: Any, index: int, source: Location, warnings: list[str], max_pixels: int
) -> Shape | None:
    where = f"shape {index}"
    if not isinstance(entry, dict):
        raise fail(source, where, "must be an object with label, points and shape_type")
    label = entry.get("label")
    if not isinstance(label, str) or not label:
        raise fail(source, where, f"label must be a non-empty string, not {label!r}")
    shape_type = entry.get("shape_type")
    if shape_type is None:
        shape_type = DEFAULT_SHAPE_TYPE
    if not isinstance(shape_type, str):
        raise fail(source, where, f"shape_type must be a string, not {shape_type!r}")
    where = f"shape {index} ({shape_type} {shown(label)})"
    if shape_type not in SHAPE_TYPES:
        raise fail(
            source, where, f"unknown shape_type {shape_type!r} (segtool reads {', '.join(SHAPE_TYPES)})"
        )
    group_id = entry.get("group_id")
    if group_id is not None and not (
        is_number(group_id) and math.isfinite(group_id) and group_id == int(group_id)
    ):
        raise fail(source, where, f"group_id must be a whole number or null, not {group_id!r}")
    if "points" not in entry:
        raise fail(source, where, "has no points")
    points = point_array(entry["points"], source=source, where=where)
    if len(points) == 0:
        warnings.append(f"{where}: has no points; skipped")
        return None
    if shape_type == "mask":
        geometry = _mask(points, entry, source, where, warnings, max_pixels)
    else:
        geometry = _CONVERTERS[shape_type](points, entry, source, where, warnings)
    if geometry is None:
        return None
    return Shape(
        label=label, geometry=geometry, where=where, group_id=None if group_id is None else int(group_id)
    )


def _polygon(points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str]) -> Geometry:
    return Polygon(rings=(points,))


def _rectangle(
    points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str]
) -> Geometry:
    if len(points) == 4:  # some converters save the four corners
        return Polygon(rings=(points,))
    (x1, y1), (x2, y2) = _two_points(points, source, where, "two opposite corners")
    return Polygon(rings=(box_ring(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)),))


def _circle(points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str]) -> Geometry:
    (cx, cy), (px, py) = _two_points(points, source, where, "the centre and a point on the circle")
    radius = math.hypot(px - cx, py - cy)
    return Ellipse(cx=float(cx), cy=float(cy), rx=radius, ry=radius)


def _polyline(points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str]) -> Geometry:
    if len(points) < 2:
        warnings.append(f"{where}: has only one point, so no length")
    return Polyline(points=points)


def _points(points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str]) -> Geometry:
    return Points(points=points)


def _mask(
    points: np.ndarray, entry: dict, source: Location, where: str, warnings: list[str], max_pixels: int
) -> Geometry | None:
    (x1, y1), (x2, y2) = _two_points(
        points, source, where, "the top-left and bottom-right corners of its box"
    )
    encoded = entry.get("mask")
    if not isinstance(encoded, str) or not encoded:
        raise fail(source, where, 'a mask shape needs its mask as a base64 PNG string in "mask"')
    decode = partial(_mask_pixels, encoded, max_pixels)  # kept as the file has it (see EncodedMask)
    try:
        size = decode().shape  # decoded once to check it, then again when painted
    except (binascii.Error, ValueError):
        raise fail(source, where, "mask is not valid base64") from None
    except MaskError as exc:
        raise fail(source, where, f"mask is not a readable PNG ({exc.message})") from None
    left, top = math.floor(min(x1, x2)), math.floor(min(y1, y2))
    box = (math.floor(max(y1, y2)) - top + 1, math.floor(max(x1, x2)) - left + 1)
    if size != box:
        warnings.append(
            f"{where}: mask is {size[0]}x{size[1]} pixels but its box is "
            f"{box[0]}x{box[1]}; placed at its top-left corner with the PNG's size"
        )
    return Bitmap(mask=EncodedMask(size[0], size[1], decode), left=left, top=top)


def _mask_pixels(encoded: str, max_pixels: int) -> np.ndarray:
    """The nonzero pixels of a mask shape's base64 PNG (any channel, for a colour PNG)."""
    array = decode_png(base64.b64decode(encoded, validate=False), max_pixels=max_pixels)
    return (array != 0).any(axis=2) if array.ndim == 3 else array != 0


def _two_points(points: np.ndarray, source: Location, where: str, meaning: str) -> np.ndarray:
    if len(points) != 2:
        raise fail(source, where, f"needs 2 points ({meaning}), has {len(points)}")
    return points


_CONVERTERS = {
    "polygon": _polygon,
    "rectangle": _rectangle,
    "circle": _circle,
    "line": _polyline,
    "linestrip": _polyline,
    "point": _points,
    "points": _points,
}
SHAPE_TYPES = (*_CONVERTERS, "mask")  # a mask also needs the pixel limit: see _read_shape

LABELME = register(
    AnnotationFormat(
        name="labelme",
        detect=detect,
        read=read_labelme,
        expected='a "shapes" list',
        marks=("shapes",),
    )
)
