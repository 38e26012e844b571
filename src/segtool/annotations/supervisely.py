"""Supervisely per-image annotation JSON (``<project>/<dataset>/ann/<image>.json``).

Conventions
-----------
* ``size`` gives ``height`` and ``width``; ``objects`` hold the shapes, labelled
  by ``classTitle``; points are ``[x, y]``.
* ``polygon``: ``points.exterior`` and ``points.interior`` (holes).
  Vertices are read as coordinates in the pixel-corner frame, as in every other
  format, so a polygon covers about its own (shoelace) area, which is also
  Supervisely's ``Polygon.area``. Supervisely's own renderer fills every pixel
  the outline touches, about half a pixel wider all round.
* ``rectangle``: ``exterior`` is ``[[left, top], [right, bottom]]`` with the
  right and bottom *pixels included* (Supervisely's ``Rectangle.width`` is
  ``right - left + 1``), so it is read as the box from ``(left, top)`` to
  ``(right + 1, bottom + 1)``.
* ``bitmap`` (and ``alpha_mask``): ``data`` is base64 of a zlib-compressed PNG
  (plain PNG is accepted too), placed with its top-left pixel at
  ``origin = [x, y]``; a pixel is in the mask when its alpha (or, without
  alpha, its value) is not 0.
* ``line`` and ``point`` have no area; other geometries are skipped with a warning.
* Output name: the annotation's path relative to the input without ``.json``
  and without the ``ann/`` folder: ``ds1/ann/a.jpg.json`` -> ``ds1/a``.
* The project's ``meta.json`` (two folders above ``ann/``) gives
  :attr:`AnnotatedImage.declared_labels`. Project files (``meta.json``,
  ``key_id_map.json``) met as inputs are recognised and give no image.
"""

from __future__ import annotations

import base64
import binascii
import io
from functools import lru_cache, partial
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from ..errors import AnnotationError, MaskError, SegtoolError, shown
from ..io.imagesize import PILLOW_ERRORS
from ..io.jsonparse import parse_json
from ..io.maskio import PNG_SIGNATURE, read_png_header
from ..io.reading import read_input
from ..io.storage import Location, RemotePath
from ..limits import DEFAULT_MAX_PIXELS, MAX_LABEL_MAP_BYTES, ZlibError, inflate_at_most, pixel_limit_problem
from .fields import point_array, positive_int
from .geometry import box_ring
from .model import (
    AnnotatedImage,
    Bitmap,
    EncodedMask,
    Geometry,
    Points,
    Polygon,
    Polyline,
    Shape,
    safe_relative_name,
)
from .registry import AnnotationFormat, ReaderOptions, register

BITMAP_TYPES = ("bitmap", "alpha_mask")


def is_image_annotation(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("size"), dict)
        and isinstance(document.get("objects"), list)
    )


def is_project_file(document: Any) -> bool:
    """A project's meta.json (classes and tags) or key_id_map.json (id tables): no image in it."""
    if not isinstance(document, dict):
        return False
    meta = isinstance(document.get("classes"), list) and isinstance(document.get("tags"), list)
    key_id_map = isinstance(document.get("objects"), dict) and isinstance(document.get("figures"), dict)
    return meta or key_id_map


def detect(document: Any) -> bool:
    return is_image_annotation(document) or is_project_file(document)


def read(
    document: dict[str, Any], source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """The one image of a per-image annotation file; nothing for a project file.

    ``options.max_pixels`` bounds the bitmaps decoded.
    """
    options = options if options is not None else ReaderOptions()
    if not is_image_annotation(document):
        return []
    size = document["size"]
    height = positive_int(size.get("height"), source=source, where="size", field="height")
    width = positive_int(size.get("width"), source=source, where="size", field="width")
    image_file = rel.name[: -len(".json")] if rel.name.lower().endswith(".json") else rel.name
    in_ann_folder = rel.parent.name == "ann"
    try:
        name = safe_relative_name((rel.parent.parent if in_ann_folder else rel.parent) / image_file)
    except ValueError:
        raise AnnotationError("the file name gives no output name", path=source) from None
    image_path = source.parent.parent / "img" / image_file if source.parent.name == "ann" else None
    image = AnnotatedImage(
        source=source,
        name=name,
        height=height,
        width=width,
        image_path=image_path if image_path is not None and image_path.is_file() else None,
        declared_labels=_project_classes(source),
    )
    for position, obj in enumerate(document["objects"], start=1):
        if not isinstance(obj, dict):
            raise AnnotationError(f"object {position} is not a JSON object", path=source)
        label, kind = obj.get("classTitle"), obj.get("geometryType")
        where = f"object {position} ({kind}, {shown(label)})"
        if not isinstance(label, str) or not label:
            image.warnings.append(f"{source}: {where}: no classTitle; skipped")
        elif kind not in ("polygon", "rectangle", "line", "point") + BITMAP_TYPES:
            image.warnings.append(f"{source}: {where}: geometry {kind!r} is not read; skipped")
        else:
            image.shapes.append(
                Shape(
                    label=label, geometry=_geometry(kind, obj, source, where, options.max_pixels), where=where
                )
            )
    return [image]


def _project_classes(source: Location) -> tuple[str, ...]:
    """Class titles from ``<project>/meta.json`` when the file sits in ``<project>/<dataset>/ann/``."""
    if source.parent.name != "ann":
        return ()
    meta = source.parent.parent.parent / "meta.json"
    if isinstance(meta, RemotePath):
        return _classes_of(meta, 0)  # read once per process: a remote file has no cheap mtime
    try:
        stamp = meta.stat().st_mtime_ns
    except OSError:
        return ()
    return _classes_of(meta, stamp)


@lru_cache(maxsize=16)
def _classes_of(meta: Location, stamp: int) -> tuple[str, ...]:
    """Class titles of one meta.json (``stamp`` is its mtime, so an edited file is read again).

    A meta.json that cannot be read gives no classes here: it fails on its own
    when it is among the inputs.
    """
    try:
        classes = parse_json(read_input(meta, limit=MAX_LABEL_MAP_BYTES)).get("classes", [])
        return tuple(c["title"] for c in classes if isinstance(c, dict) and isinstance(c.get("title"), str))
    except (SegtoolError, ValueError, AttributeError, TypeError, RecursionError):
        return ()


def _geometry(kind: str, obj: dict[str, Any], source: Location, where: str, max_pixels: int) -> Geometry:
    if kind in BITMAP_TYPES:
        return _bitmap(obj.get("bitmap"), source, where, max_pixels)
    points = obj.get("points")
    if not isinstance(points, dict):
        raise AnnotationError(f"{where}: missing 'points'", path=source)
    exterior = point_array(points.get("exterior"), source=source, where=where, field="exterior")
    if kind == "polygon":
        interior = points.get("interior") or []
        if not isinstance(interior, list):
            raise AnnotationError(f"{where}: 'interior' must be a list of rings", path=source)
        holes = [
            point_array(ring, source=source, where=where, field=f"interior ring {number}")
            for number, ring in enumerate(interior, start=1)
        ]
        return Polygon((exterior, *holes))
    if kind == "rectangle":
        if len(exterior) != 2:
            raise AnnotationError(f"{where}: a rectangle needs 2 points, it has {len(exterior)}", path=source)
        (left, top), (right, bottom) = exterior.min(axis=0), exterior.max(axis=0)
        return Polygon((box_ring(left, top, right + 1, bottom + 1),))
    return Polyline(exterior) if kind == "line" else Points(exterior)


def _bitmap(bitmap: Any, source: Location, where: str, max_pixels: int) -> Bitmap:
    if not isinstance(bitmap, dict) or not isinstance(bitmap.get("data"), str):
        raise AnnotationError(f"{where}: missing 'bitmap.data'", path=source)
    origin = point_array([bitmap.get("origin")], source=source, where=where, field="bitmap origin")
    decode = partial(decode_bitmap, bitmap["data"], max_pixels=max_pixels)  # kept as the file has it
    try:
        height, width = decode().shape  # decoded once to check it, then again when painted
    except ValueError as exc:
        raise AnnotationError(f"{where}: bad bitmap data: {exc}", path=source) from None
    return Bitmap(EncodedMask(height, width, decode), left=int(origin[0, 0]), top=int(origin[0, 1]))


def decode_bitmap(text: str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """A Supervisely bitmap (base64 of a zlib-compressed PNG, or of a PNG) as a boolean mask.

    A ``ValueError`` for anything else, for a PNG larger than ``max_pixels``, and for
    zlib data that inflates to more than such a PNG could hold (a zip bomb).
    """
    from PIL import Image

    try:
        raw = base64.b64decode(text)
    except binascii.Error as exc:
        raise ValueError(f"not base64 ({exc})") from None
    if raw.startswith(PNG_SIGNATURE):
        png = raw
    else:
        try:  # at most 4 bytes (RGBA) per pixel, and a filter byte per row, plus room for chunks
            png = inflate_at_most(raw, 5 * max_pixels + (1 << 16))
        except ZlibError:
            png = raw
    try:
        header = read_png_header(png)
    except MaskError as exc:
        raise ValueError(exc.message) from None
    too_large = pixel_limit_problem("its PNG", header.height, header.width, max_pixels)
    if too_large:
        raise ValueError(too_large)
    try:
        with Image.open(io.BytesIO(png)) as picture:
            values = np.asarray(picture.getchannel("A")) if "A" in picture.getbands() else np.asarray(picture)
    except (*PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a PNG ({exc})") from None
    return np.asarray(values.any(axis=2)) if values.ndim == 3 else values.astype(bool)


FORMAT = register(
    AnnotationFormat(
        name="supervisely",
        detect=detect,
        read=read,
        expected='"size" and "objects" (or "classes" and "tags": a project\'s meta.json)',
        marks=("size", "objects"),
    )
)
