"""VGG Image Annotator (VIA) 1.x and 2.x: JSON exports and project files (``_via_img_metadata``).

Conventions
-----------
* Coordinates are image pixels in the pixel-corner frame.
* ``regions`` is a dict (VIA 1.x) or a list (VIA 2.x); region numbers in
  messages are the dict keys, or list positions from 0.
* Shapes: ``polygon`` (``all_points_x/y``; a last point repeating the first is
  dropped), ``rect`` (``x, y, width, height``), ``circle`` (``cx, cy, r``),
  ``ellipse`` (``cx, cy, rx, ry`` and ``theta`` in radians, clockwise on
  screen), ``polyline`` and ``point`` (no area). Other shapes are skipped with
  a warning.
* The label is the value of one region attribute: ``ReaderOptions.via_label_attribute``,
  or by default the first region attribute the project declares
  (``_via_attributes``), or else the first one found in the file's regions.
  A checkbox attribute must have exactly one option ticked. A region without
  the attribute, or with an empty value, is skipped with a warning. The
  options of a declared dropdown/radio/checkbox attribute become
  :attr:`AnnotatedImage.declared_labels`.
* VIA stores no image size: it is read from the image's header, found in
  ``ReaderOptions.images_dir`` or next to the JSON file (by the stored file
  name, then by its last component), or from ``base64_img_data`` (VIA 1.x).
  An image that cannot be found, or whose size cannot be read, fails alone
  (:attr:`AnnotatedImage.problem`, naming it): the file's other images are drawn,
  and every such image of the file is reported in the same run.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from ..errors import AnnotationError, InputFileError, shown
from ..io.imagesize import image_size
from ..io.storage import Location
from .fields import finite_number, point_array
from .geometry import box_ring, open_ring
from .imagefiles import find_image, image_file_size, reference_path
from .model import AnnotatedImage, Ellipse, Geometry, Points, Polygon, Polyline, Shape, safe_relative_name
from .registry import AnnotationFormat, ReaderOptions, register

SHAPES = ("polygon", "polyline", "rect", "circle", "ellipse", "point")


def detect(document: Any) -> bool:
    if not isinstance(document, dict) or not document:
        return False
    if isinstance(document.get("_via_img_metadata"), dict):
        return True
    first = next(iter(document.values()))
    return isinstance(first, dict) and "filename" in first and "regions" in first


def read(
    document: dict[str, Any], source: Location, rel: PurePosixPath, options: ReaderOptions
) -> list[AnnotatedImage]:
    """Every image entry of a VIA export or project file."""
    metadata = document.get("_via_img_metadata", document)
    declared_attributes = _object(_object(document.get("_via_attributes")).get("region"))
    entries = [(key, entry) for key, entry in metadata.items() if isinstance(entry, dict)]
    for key, entry in entries:
        if not isinstance(entry.get("regions") or [], (list, dict)):
            raise AnnotationError(
                f"image {entry.get('filename', key)!r}: regions must be a list or an object, "
                f"not {type(entry['regions']).__name__}",
                path=source,
            )
    attribute = _label_attribute(entries, declared_attributes, options.via_label_attribute, source)
    options_of_attribute = _object(declared_attributes.get(attribute)).get("options") if attribute else None
    declared = tuple(options_of_attribute) if isinstance(options_of_attribute, dict) else ()
    return [_image(key, entry, attribute, declared, source, options) for key, entry in entries]


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (for optional project settings)."""
    return value if isinstance(value, dict) else {}


def _regions(entry: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    regions = entry.get("regions") or {}
    pairs = regions.items() if isinstance(regions, dict) else enumerate(regions)
    for index, region in pairs:
        if isinstance(region, dict):
            yield str(index), region


def _label_attribute(
    entries: list[tuple[str, dict[str, Any]]], declared: dict[str, Any], chosen: str | None, source: Location
) -> str | None:
    """The region attribute that holds the label (see the module docstring)."""
    seen: dict[str, None] = dict.fromkeys(declared)
    for _, entry in entries:
        for _, region in _regions(entry):
            attributes = region.get("region_attributes")
            if isinstance(attributes, dict):
                seen.update(dict.fromkeys(attributes))
    if chosen is None:
        return next(iter(seen), None)
    if seen and chosen not in seen:
        raise AnnotationError(
            f"no region has the attribute {chosen!r} given as the label attribute "
            f"(attributes found: {', '.join(map(repr, seen))})",
            path=source,
        )
    return chosen


def _image(
    key: str,
    entry: dict[str, Any],
    attribute: str | None,
    declared: tuple[str, ...],
    source: Location,
    options: ReaderOptions,
) -> AnnotatedImage:
    filename = entry.get("filename")
    if not isinstance(filename, str) or not filename:
        raise AnnotationError(f"image entry {key!r} has no 'filename'", path=source)
    where = f"image {shown(filename)}"
    try:
        name = safe_relative_name(reference_path(filename))
    except ValueError:
        raise AnnotationError(f"{where}: the file name gives no output name", path=source) from None
    image_path = find_image(filename, [options.images_dir, source.parent])
    try:
        height, width = _size(entry, image_path, where, source, options)
    except AnnotationError as exc:
        return AnnotatedImage.failed(source, name, exc)
    image = AnnotatedImage(
        source=source, name=name, height=height, width=width, image_path=image_path, declared_labels=declared
    )
    for index, region in _regions(entry):
        shape_attributes = region.get("shape_attributes") or {}
        kind = shape_attributes.get("name") if isinstance(shape_attributes, dict) else None
        label, problem = _label(region.get("region_attributes"), attribute)
        shape_where = f"{where} region {index} ({kind}, {shown(label)})"
        if kind not in SHAPES:
            image.warnings.append(f"{source}: {shape_where}: shape {kind!r} is not read; skipped")
        elif label is None:
            image.warnings.append(f"{source}: {shape_where}: {problem}; skipped")
        else:
            image.shapes.append(
                Shape(
                    label=label,
                    geometry=_geometry(kind, shape_attributes, source, shape_where),
                    where=shape_where,
                )
            )
    return image


def _size(
    entry: dict[str, Any], image_path: Location | None, where: str, source: Location, options: ReaderOptions
) -> tuple[int, int]:
    embedded = entry.get("base64_img_data")
    if isinstance(embedded, str) and embedded:
        try:
            data = base64.b64decode(embedded.partition(",")[2] or embedded)
            return image_size(data, name=f"{source} ({where} base64_img_data)")
        except (InputFileError, binascii.Error, ValueError) as exc:
            raise AnnotationError(f"{where}: cannot read the image size: {exc}", path=source) from None
    if image_path is not None:
        return image_file_size(image_path, source=source, where=where)
    searched = " or ".join(
        str(folder) for folder in (options.images_dir, source.parent) if folder is not None
    )
    raise AnnotationError(
        f"{where}: VIA stores no image size and the image was not found in {searched}; "
        "pass the image folder (--images)",
        path=source,
    )


def _label(attributes: Any, attribute: str | None) -> tuple[str | None, str]:
    """The label of a region, or None and why there is none."""
    if attribute is None or not isinstance(attributes, dict) or attribute not in attributes:
        return None, f"no {attribute!r} attribute to take the label from"
    value = attributes[attribute]
    if isinstance(value, dict):  # checkbox: {option: true/false}
        ticked = [option for option, on in value.items() if on]
        if len(ticked) != 1:
            return None, f"attribute {attribute!r} has {len(ticked)} options ticked, not 1"
        value = ticked[0]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"attribute {attribute!r} is {value!r}, not a label"
    text = str(value).strip()
    return (text, "") if text else (None, f"attribute {attribute!r} is empty")


def _geometry(kind: str, attrs: dict[str, Any], source: Location, where: str) -> Geometry:
    def get(key: str, default: float | None = None) -> float:
        return finite_number(attrs.get(key, default), source=source, where=where, field=key)

    if kind == "rect":
        left, top = get("x"), get("y")
        return Polygon((box_ring(left, top, left + get("width"), top + get("height")),))
    if kind == "circle":
        return Ellipse(get("cx"), get("cy"), abs(get("r")), abs(get("r")))
    if kind == "ellipse":
        return Ellipse(get("cx"), get("cy"), abs(get("rx")), abs(get("ry")), math.degrees(get("theta", 0.0)))
    if kind == "point":
        return Points(np.array([[get("cx"), get("cy")]]))
    xs, ys = attrs.get("all_points_x"), attrs.get("all_points_y")
    if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys):
        raise AnnotationError(
            f"{where}: all_points_x and all_points_y must be lists of the same length", path=source
        )
    points = point_array(list(zip(xs, ys, strict=True)), source=source, where=where, field="all_points_x/y")
    return Polygon((open_ring(points),)) if kind == "polygon" else Polyline(points)


FORMAT = register(
    AnnotationFormat(
        name="via",
        detect=detect,
        read=read,
        expected='"_via_img_metadata" (a project), or entries with "filename" and "regions" (an export)',
        marks=("_via_img_metadata",),
    )
)
