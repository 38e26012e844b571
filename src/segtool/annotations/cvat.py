"""CVAT for images 1.1 XML (``annotations.xml`` of a task or project export).

Conventions
-----------
* Coordinates are already in the pixel-corner frame.
* ``box``: ``xtl, ytl, xbr, ybr``, turned by ``rotation`` degrees clockwise
  about its centre; read as a 4-vertex polygon.
* ``ellipse``: ``cx, cy, rx, ry`` and ``rotation`` (degrees clockwise).
* ``mask``: ``rle`` is comma-separated run lengths over the ``width x height``
  box at ``left, top``, row by row, alternating background / foreground and
  starting with a (possibly empty) background run.
* ``polyline`` and ``points`` have no area; ``tag`` is an image-level label,
  not a shape; ``cuboid`` and ``skeleton`` are skipped with a warning.
* ``z_order`` becomes :attr:`Shape.z` (larger is in front); ``group_id`` becomes
  :attr:`Shape.group_id`. ``occluded`` is read but changes nothing: it says the
  object is partly hidden, and what hides it is decided by the z-order.
* Images of a project export carry a ``subset``; their output name is
  ``<subset>/<name>`` (the layout of CVAT's own export), since the same file
  name often occurs in several subsets.
* Labels declared in ``<meta>`` (except tag-only and skeleton labels) are
  given as :attr:`AnnotatedImage.declared_labels`, so that a label map can
  include labels no shape uses.
* CVAT for video (``<track>`` elements) is not read: export as CVAT for images.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from ..errors import AnnotationError, shown
from ..io.storage import Location
from .fields import check_pixels, fail
from .geometry import box_ring, rotate
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
from .rle import RunBox, checked_runs, decode_box, runs_box

SHAPE_TAGS = ("polygon", "box", "ellipse", "polyline", "points", "mask")
SKIPPED_TAGS = ("cuboid", "skeleton")
_UNDRAWN_LABEL_TYPES = ("tag", "skeleton")


def detect(document: Any) -> bool:
    return isinstance(document, ElementTree.Element) and document.tag == "annotations"


def read(
    document: ElementTree.Element, source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """Every ``<image>`` of a CVAT for images XML document (``options.max_pixels`` bounds mask boxes)."""
    options = options if options is not None else ReaderOptions()
    if document.find("track") is not None:
        raise AnnotationError(
            "CVAT for video (<track>) is not supported: export the task as 'CVAT for images'", path=source
        )
    declared = declared_labels(document)
    default_size = _original_size(document, source)
    return [
        _read_image(element, source, declared, default_size, options.max_pixels)
        for element in document.findall("image")
    ]


def declared_labels(document: ElementTree.Element) -> tuple[str, ...]:
    """Label names in ``<meta>``, in order, without duplicates, tag-only and skeleton labels."""
    meta = document.find("meta")
    if meta is None:
        return ()
    names: dict[str, None] = {}
    for label in meta.iter("label"):
        name = label.findtext("name")
        kind = (label.findtext("type") or "").strip()
        if name and kind not in _UNDRAWN_LABEL_TYPES and label.find("parent") is None:
            names[name] = None
    return tuple(names)


def decode_mask_rle(counts: list[int], height: int, width: int) -> np.ndarray:
    """CVAT's mask RLE: alternating background/foreground run lengths, row-major, background first.

    >>> decode_mask_rle([1, 2, 3], 2, 3).astype(int).tolist()
    [[0, 1, 1], [0, 0, 0]]
    """
    runs = checked_runs(np.asarray(counts, dtype=np.int64), height * width, f"the {width}x{height} box")
    return decode_box(runs, width, RunBox(0, 0, width, height))


def _number(
    attrs: Mapping[str, str | None], key: str, *, source: Location, where: str, default: float | None = None
) -> float:
    """The XML attribute (or child text) ``key`` as a finite float; ``default`` when it is absent."""
    text = attrs.get(key)
    if text is None:
        if default is None:
            raise fail(source, where, f"missing {key!r}")
        return default
    try:
        value = float(text)
    except ValueError:
        raise fail(source, where, f"{key} must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise fail(source, where, f"{key} must be a finite number, not {text!r}")
    return value


def _original_size(document: ElementTree.Element, source: Location) -> tuple[int, int] | None:
    size = document.find("meta/task/original_size")
    if size is None:
        return None
    values = {key: size.findtext(key) for key in ("height", "width")}
    where = "<meta> original_size"
    return (
        int(_number(values, "height", source=source, where=where)),
        int(_number(values, "width", source=source, where=where)),
    )


def _read_image(
    element: ElementTree.Element,
    source: Location,
    declared: tuple[str, ...],
    default_size: tuple[int, int] | None,
    max_pixels: int,
) -> AnnotatedImage:
    file = element.get("name")
    if not file:
        raise AnnotationError(f"<image id={element.get('id')!r}> has no name", path=source)
    where = f"image {shown(file)}"
    if element.get("height") is None and element.get("width") is None and default_size is not None:
        height, width = default_size
    else:
        height = int(_number(element.attrib, "height", source=source, where=where))
        width = int(_number(element.attrib, "width", source=source, where=where))
    if height <= 0 or width <= 0:
        raise AnnotationError(f"{where}: size is {width}x{height}", path=source)
    subset = element.get("subset")
    try:
        name = safe_relative_name(f"{subset}/{file}" if subset else file)
    except ValueError:
        raise AnnotationError(f"{where}: the name gives no output file name", path=source) from None
    folders = [source.parent / "images" / subset if subset else None, source.parent / "images", source.parent]
    image = AnnotatedImage(
        source=source,
        name=name,
        height=height,
        width=width,
        image_path=find_image(file, folders),
        declared_labels=declared,
    )
    position = 0
    for child in element:
        if child.tag not in SHAPE_TAGS + SKIPPED_TAGS:
            continue
        position += 1
        label = child.get("label", "")
        shape_where = f"{where} {child.tag} {position} ({shown(label)})"
        if child.tag in SKIPPED_TAGS:
            image.warnings.append(f"{source}: {shape_where}: {child.tag} shapes are not drawn; skipped")
        elif not label:
            image.warnings.append(f"{source}: {shape_where}: no label; skipped")
        else:
            image.shapes.append(
                Shape(
                    label=label,
                    geometry=_geometry(child, source, shape_where, max_pixels),
                    where=shape_where,
                    group_id=_group(child, source, shape_where),
                    z=_number(child.attrib, "z_order", source=source, where=shape_where, default=0.0),
                )
            )
    return image


def _group(child: ElementTree.Element, source: Location, where: str) -> int | None:
    group = _number(child.attrib, "group_id", source=source, where=where, default=0.0)
    return int(group) or None


def _geometry(child: ElementTree.Element, source: Location, where: str, max_pixels: int) -> Geometry:
    attrs = child.attrib

    def get(key: str, default: float | None = None) -> float:
        return _number(attrs, key, source=source, where=where, default=default)

    if child.tag == "box":
        left, top, right, bottom = get("xtl"), get("ytl"), get("xbr"), get("ybr")
        ring = rotate(
            box_ring(left, top, right, bottom), get("rotation", 0.0), ((left + right) / 2, (top + bottom) / 2)
        )
        return Polygon((ring,))
    if child.tag == "ellipse":
        return Ellipse(get("cx"), get("cy"), abs(get("rx")), abs(get("ry")), get("rotation", 0.0))
    if child.tag == "mask":
        return _mask(attrs, source, where, get, max_pixels)
    points = _points(attrs.get("points"), source, where)
    if child.tag == "polygon":
        return Polygon((points,))
    if child.tag == "polyline":
        return Polyline(points)
    return Points(points)


def _points(text: str | None, source: Location, where: str) -> np.ndarray:
    """``"x0,y0;x1,y1;..."`` as an (N, 2) array."""
    if text is None:
        raise fail(source, where, "missing 'points'")
    try:  # numpy converts the whole list of number strings at once
        values = np.array(text.strip(" ;").replace(";", ",").split(","), dtype=np.float64)
    except ValueError:
        values = np.zeros(1)  # not numbers: reported below like an odd count
    if values.size % 2:
        raise fail(source, where, f"points must be 'x0,y0;x1,y1;...', not {text[:40]!r}")
    points = values.reshape(-1, 2)
    if not np.isfinite(points).all():
        raise fail(source, where, "points contain a coordinate that is not a finite number")
    return points


def _mask(attrs: dict[str, str], source: Location, where: str, get, max_pixels: int) -> Bitmap:
    left, top, width, height = (int(get(key)) for key in ("left", "top", "width", "height"))
    if width <= 0 or height <= 0:
        raise AnnotationError(f"{where}: mask box is {width}x{height}", path=source)
    check_pixels(height, width, max_pixels, source=source, where=where, what="the mask box")
    try:
        counts = [int(part) for part in attrs.get("rle", "").split(",") if part.strip()]
        runs = checked_runs(np.asarray(counts, dtype=np.int64), height * width, f"the {width}x{height} box")
    except (ValueError, OverflowError) as exc:
        raise AnnotationError(f"{where}: bad mask rle: {exc}", path=source) from None
    # lines are rows; decoded when painted, over the pixels it covers (an empty mask: its whole box)
    box = runs_box(runs, width) or RunBox(0, 0, width, height)
    mask = EncodedMask(box.lines, box.length, partial(decode_box, runs, width, box))
    return Bitmap(mask, left=left + box.first, top=top + box.first_line)


FORMAT = register(
    AnnotationFormat(
        name="cvat",
        detect=detect,
        read=read,
        expected="an XML <annotations> root with <image> elements",
    )
)
