"""The catalogue of bad inputs (issue 7, point 1), each through the library and the command line.

Every case puts one bad file beside a good one and checks the outcome rules
(point 2): the bad file fails alone with one line that names it (and the shape,
field or class) and the problem; no traceback; exit code 1 with a summary at the
end; the good file is still written. docs/robustness.md lists the same catalogue.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.annotations import ReaderOptions, load_annotation_file
from segtool.annotations.supervisely import decode_bitmap
from segtool.cli import app
from segtool.errors import LabelMapError, SegtoolError
from segtool.io.maskio import read_mask, write_mask
from segtool.labels import LabelMap
from segtool.pipelines.rasterize import rasterize_to_folder
from segtool.pipelines.score import score_folders
from segtool.pipelines.stats import class_balance

HEIGHT, WIDTH = 20, 30
SMALL_LIMIT = 10_000  # a --max-pixels low enough that a real (small) PNG can exceed it


# -- builders -------------------------------------------------------------------------------
def square(
    label: str = "road", x0: float = 0, y0: float = 0, x1: float = 10, y1: float = 10, **extra
) -> dict:
    return {
        "label": label,
        "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        "shape_type": "polygon",
        "group_id": None,
        "flags": {},
        **extra,
    }


def labelme(shapes: list | None = None, **fields) -> bytes:
    document = {
        "version": "5.4.1",
        "flags": {},
        "shapes": [square()] if shapes is None else shapes,
        "imagePath": "x.jpg",
        "imageData": None,
        "imageHeight": HEIGHT,
        "imageWidth": WIDTH,
    }
    document.update(fields)
    return json.dumps(document).encode()


def labelme_shape(**fields) -> bytes:
    """A LabelMe file whose only shape is the good square with ``fields`` changed."""
    return labelme([{**square(), **fields}])


def coco(*, image: dict | None = None, annotation: dict | None = None, **fields) -> bytes:
    document = {
        "images": [{"id": 1, "file_name": "c.jpg", "width": WIDTH, "height": HEIGHT, **(image or {})}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "iscrowd": 0,
                "segmentation": [[0, 0, 10, 0, 10, 10, 0, 10]],
                **(annotation or {}),
            }
        ],
        "categories": [{"id": 1, "name": "road"}],
    }
    document.update(fields)
    return json.dumps(document).encode()


def cvat(body: str = '<polygon label="road" points="0,0;10,0;10,10"/>', *, size: str | None = None) -> bytes:
    size = size if size is not None else f'width="{WIDTH}" height="{HEIGHT}"'
    return (
        f'<?xml version="1.0"?><annotations><version>1.1</version>'
        f'<image id="0" name="c.jpg" {size}>{body}</image></annotations>'
    ).encode()


def labelstudio(value: dict | None = None, *, kind: str = "polygonlabels", **region) -> bytes:
    value = {"points": [[0, 0], [50, 0], [50, 50]], kind: ["road"]} if value is None else value
    result = {
        "id": "r1",
        "type": kind,
        "from_name": "label",
        "to_name": "image",
        "original_width": WIDTH,
        "original_height": HEIGHT,
        "value": value,
        **region,
    }
    return json.dumps(
        [
            {
                "id": 1,
                "data": {"image": "c.jpg"},
                "annotations": [{"id": 1, "completed_by": 1, "result": [result]}],
            }
        ]
    ).encode()


def via(shape: dict | None = None, **entry) -> bytes:
    shape = (
        {"name": "polygon", "all_points_x": [0, 10, 10], "all_points_y": [0, 0, 10]}
        if shape is None
        else shape
    )
    record = {
        "filename": "v.png",
        "size": 1,
        "file_attributes": {},
        "regions": [{"shape_attributes": shape, "region_attributes": {"class": "road"}}],
        **entry,
    }
    return json.dumps({"v.png1": record}).encode()


def supervisely(obj: dict | None = None, **fields) -> bytes:
    obj = (
        {
            "classTitle": "road",
            "geometryType": "polygon",
            "points": {"exterior": [[0, 0], [10, 0], [10, 10]], "interior": []},
        }
        if obj is None
        else obj
    )
    document = {"description": "", "tags": [], "size": {"height": HEIGHT, "width": WIDTH}, "objects": [obj]}
    document.update(fields)
    return json.dumps(document).encode()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, *, colour_type: int = 0, bit_depth: int = 8) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` (its pixel data is a few rows only)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(bytes(4 * (width + 1))))
        + png_chunk(b"IEND", b"")
    )


def real_png(height: int, width: int, *, channels: int = 1, dtype=np.uint8) -> bytes:
    """A genuine PNG of zeros (it compresses well: the shape of a decompression bomb)."""
    shape = (height, width) if channels == 1 else (height, width, channels)
    ok, encoded = cv2.imencode(".png", np.zeros(shape, dtype))
    assert ok
    return encoded.tobytes()


def pillow_png(mode: str, size=(WIDTH, HEIGHT)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_claiming(shape: tuple[int, ...]) -> bytes:
    """A .npy header declaring ``shape`` (uint8) followed by only 16 bytes of data."""
    header = repr({"descr": "|u1", "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + bytes(16)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE annotations [{entities}]>'
        '<annotations><image id="0" name="&a9;" width="3" height="3"/></annotations>'
    ).encode()


# -- the catalogue --------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One bad input: the file name it is saved as, its bytes, and what its one-line error must say."""

    id: str
    name: str
    data: bytes
    expect: tuple[str, ...]


ANNOTATION_CASES = [
    # not a document at all
    Case("empty-file", "bad.json", b"", ("invalid JSON",)),
    Case("invalid-json", "bad.json", b'{"shapes": [', ("invalid JSON at line 1",)),
    Case("not-utf8", "bad.json", b'{"shapes": [], "x": "\xff\xfe"}', ("not UTF-8",)),
    Case(
        "binary-garbage", "bad.json", bytes(range(256)) * 4, ("invalid JSON",)
    ),  # read as UTF-32: NULs first
    Case("png-named-json", "bad.json", real_png(4, 4), ("not UTF-8",)),
    Case("nested-too-deeply", "bad.json", b"[" * 100_000, ("nested too deeply",)),
    Case(
        "integer-of-5000-digits",
        "bad.json",
        b'{"shapes": [], "imageHeight": 1' + b"0" * 5000 + b"}",
        ("invalid JSON", "digits"),
    ),
    Case("invalid-xml", "bad.xml", b"<annotations><image", ("invalid XML",)),
    Case("xml-entity-bomb", "bad.xml", billion_laughs(), ("invalid XML",)),
    # valid JSON of the wrong shape: with a format's keys it is a broken file of that format (valid JSON
    # of no format's shape, found in a folder, is skipped with a note: tests/test_rasterize_inputs.py)
    Case("shapes-not-a-list", "bad.json", b'{"shapes": {"label": "road"}}', ("not a valid labelme file",)),
    # LabelMe: wrong types in every field
    Case("labelme-shape-not-object", "bad.json", labelme([5]), ("shape 1", "must be an object")),
    Case(
        "labelme-label-number",
        "bad.json",
        labelme_shape(label=7),
        ("shape 1", "label must be a non-empty string"),
    ),
    Case(
        "labelme-label-empty", "bad.json", labelme_shape(label=""), ("shape 1", "label must be a non-empty")
    ),
    Case(
        "labelme-points-string",
        "bad.json",
        labelme_shape(points="0,0 10,0 10,10"),
        ("shape 1", "points must be a list of [x, y] pairs"),
    ),
    Case(
        "labelme-points-not-pairs",
        "bad.json",
        labelme_shape(points=[[0, 0, 1], [1, 2, 3], [4, 5, 6]]),
        ("shape 1", "[x, y] number pairs"),
    ),
    Case(
        "labelme-points-strings",
        "bad.json",
        labelme_shape(points=[["0", "0"], ["1", "0"], ["1", "1"]]),
        ("shape 1", "[x, y] number pairs"),
    ),
    Case(
        "labelme-points-ragged",
        "bad.json",
        labelme_shape(points=[[0, 0], [1], [1, 1]]),
        ("shape 1", "[x, y] number pairs"),
    ),
    Case(
        "labelme-points-nested-deeper",
        "bad.json",
        labelme_shape(points=[[[0, 0]], [[1, 0]], [[1, 1]]]),
        ("shape 1", "[x, y] number pairs"),
    ),
    Case(
        "labelme-points-missing",
        "bad.json",
        labelme([{"label": "road", "shape_type": "polygon"}]),
        ("shape 1", "has no points"),
    ),
    Case(
        "labelme-shape-type-number",
        "bad.json",
        labelme_shape(shape_type=3),
        ("shape 1", "shape_type must be"),
    ),
    Case(
        "labelme-shape-type-unknown",
        "bad.json",
        labelme_shape(shape_type="cuboid"),
        ("shape 1", "unknown shape_type 'cuboid'"),
    ),
    Case("labelme-group-id-string", "bad.json", labelme_shape(group_id="a"), ("shape 1", "group_id must be")),
    Case(
        "labelme-height-string",
        "bad.json",
        labelme(imageHeight="20"),
        ("imageHeight must be a whole number",),
    ),
    Case(
        "labelme-height-zero", "bad.json", labelme(imageHeight=0), ("imageHeight must be a whole number > 0",)
    ),
    Case(
        "labelme-width-negative",
        "bad.json",
        labelme(imageWidth=-30),
        ("imageWidth must be a whole number > 0",),
    ),
    Case(
        "labelme-width-fraction", "bad.json", labelme(imageWidth=30.5), ("imageWidth must be a whole number",)
    ),
    Case(
        "labelme-size-absurd",
        "bad.json",
        labelme(imageHeight=100_000, imageWidth=100_000),
        ("100000x100000", "more than the limit of 1073741824 pixels", "--max-pixels"),
    ),
    Case(
        "labelme-size-beyond-int64",
        "bad.json",
        labelme(imageHeight=10**30, imageWidth=10**30),
        ("more than the limit",),
    ),
    Case(
        "labelme-no-size-and-imagedata-not-an-image",
        "bad.json",
        labelme(imageHeight=None, imageWidth=None, imageData=b64(b"hello, world")),
        ("no image size", "imageData is not a readable image (not an image in a format Pillow reads)"),
    ),
    Case(
        "labelme-no-size-and-imagedata-not-base64",
        "bad.json",
        labelme(imageHeight=None, imageWidth=None, imageData="%%%not base64%%%"),
        ("no image size", "imageData is not a readable image (not base64)"),
    ),
    Case(
        "labelme-imagedata-bomb",
        "bad.json",  # read for its size only, yet Pillow refuses to open it
        labelme(imageHeight=None, imageWidth=None, imageData=b64(png_claiming(100_000, 100_000))),
        ("no image size", "imageData is not a readable image (too large to open safely"),
    ),
    Case(
        "labelme-rectangle-three-points",
        "bad.json",
        labelme_shape(shape_type="rectangle", points=[[0, 0], [1, 1], [2, 2]]),
        ("shape 1", "needs 2 points"),
    ),
    Case(
        "labelme-mask-not-base64",
        "bad.json",
        labelme_shape(shape_type="mask", points=[[0, 0], [4, 4]], mask="%%%"),
        ("shape 1", "mask"),
    ),
    Case(
        "labelme-mask-not-png",
        "bad.json",
        labelme_shape(shape_type="mask", points=[[0, 0], [4, 4]], mask=b64(b"GIF89a....")),
        ("shape 1", "not a readable PNG"),
    ),
    Case(
        "labelme-mask-bomb",
        "bad.json",
        labelme_shape(shape_type="mask", points=[[0, 0], [4, 4]], mask=b64(png_claiming(100_000, 100_000))),
        ("shape 1", "100000x100000", "more than the limit"),
    ),
    # numbers that are not coordinates
    Case(
        "nan-coordinate",
        "bad.json",
        labelme_shape(points=[[0, 0], [float("nan"), 0], [10, 10]]),
        ("shape 1", "not a finite number"),
    ),
    Case(
        "infinite-coordinate",
        "bad.json",
        b'{"shapes": [{"label": "road", "points": [[0, 0], [1e999, 0], [1, 1]]}],'
        b' "imageHeight": 20, "imageWidth": 30}',
        ("shape 1", "not a finite number"),
    ),
    Case(
        "huge-coordinate",
        "bad.json",
        labelme_shape(points=[[0, 0], [1e300, 0], [10, 10]]),
        ("shape 1", "has an out-of-range coordinate"),
    ),
    Case(
        "integer-coordinate-beyond-int64",
        "bad.json",
        labelme_shape(points=[[0, 0], [10**30, 0], [10, 10]]),
        ("shape 1", "[x, y] number pairs"),
    ),
    Case(
        "huge-circle-radius",
        "bad.json",
        labelme_shape(shape_type="circle", points=[[5, 5], [5, 1e200]]),
        ("shape 1", "out-of-range"),
    ),
    # work that a small file can ask for: 2000 boxes stacked on one another, and one polygon whose 20000
    # edges each cross all 2000 rows (4e7 crossings); both need more pieces of rows than the limit of 2**25
    Case(
        "stacked-shapes",
        "bad.json",
        labelme([square(x0=0, y0=0, x1=100, y1=100)] * 2000, imageHeight=100, imageWidth=100),
        ("pieces of pixel rows", "more than the limit of 33554432"),
    ),
    Case(
        "zigzag-polygon",
        "bad.json",
        labelme([square(points=[[i * 0.001, (i % 2) * 2000] for i in range(20_000)])], imageHeight=2000),
        ("pieces of pixel rows", "more than the limit of 33554432"),
    ),
    # odd characters in names
    Case("label-lone-surrogate", "bad.json", labelme_shape(label="road\ud800"), ("shape 1", "UTF-8")),
    Case("label-line-break", "bad.json", labelme_shape(label="road\nside"), ("shape 1", "line break")),
    Case("label-surrounding-spaces", "bad.json", labelme_shape(label=" road"), ("shape 1", "spaces")),
    # COCO
    Case("coco-images-not-list", "bad.json", coco(images={"id": 1}), ("not a valid coco file",)),
    Case("coco-image-id-float", "bad.json", coco(image={"id": 1.5}), ("image 1", "id must be an integer")),
    Case(
        "coco-file-name-number",
        "bad.json",
        coco(image={"file_name": 17}),
        ("image id 1", "file_name must be"),
    ),
    Case(
        "coco-file-name-nul",
        "bad.json",
        coco(image={"file_name": "c\x00.jpg"}),
        ("image id 1", "file_name", "does not name a file"),
    ),
    Case(
        "coco-file-name-only-dots",
        "bad.json",
        coco(image={"file_name": "../.."}),
        ("image id 1", "does not name a file"),
    ),
    Case("coco-width-string", "bad.json", coco(image={"width": "30"}), ("image id 1", "width must be")),
    Case(
        "coco-height-absurd",
        "bad.json",
        coco(image={"height": 10**9, "width": 10**9}),
        ("more than the limit",),
    ),
    Case(
        "coco-category-missing",
        "bad.json",
        coco(annotation={"category_id": 9}),
        ("annotation id 1", "category_id 9 is not in categories"),
    ),
    Case(
        "coco-image-id-list", "bad.json", coco(annotation={"image_id": [1]}), ("annotation id 1", "image_id")
    ),
    Case(
        "coco-iscrowd-2", "bad.json", coco(annotation={"iscrowd": 2}), ("annotation id 1", "iscrowd must be")
    ),
    Case(
        "coco-segmentation-string",
        "bad.json",
        coco(annotation={"segmentation": "0 0 10 0 10 10"}),
        ("annotation id 1", "segmentation must be"),
    ),
    Case(
        "coco-polygon-odd-count",
        "bad.json",
        coco(annotation={"segmentation": [[0, 0, 10, 0, 10]]}),
        ("annotation id 1", "odd number of coordinates"),
    ),
    Case(
        "coco-polygon-nested",
        "bad.json",
        coco(annotation={"segmentation": [[[0, 0], [10, 0], [10, 10]]]}),
        ("annotation id 1", "flat list of numbers"),
    ),
    Case(
        "coco-rle-sum-wrong",
        "bad.json",
        coco(annotation={"segmentation": {"size": [HEIGHT, WIDTH], "counts": [5, 5]}}),
        ("annotation id 1", "add up to 10 pixels"),
    ),
    Case(
        "coco-rle-negative",
        "bad.json",
        coco(annotation={"segmentation": {"size": [HEIGHT, WIDTH], "counts": [700, -100]}}),
        ("annotation id 1", "negative run"),
    ),
    Case(
        "coco-rle-string-garbage",
        "bad.json",
        coco(annotation={"segmentation": {"size": [HEIGHT, WIDTH], "counts": "\u00ff\u00fe"}}),
        ("annotation id 1", "RLE counts string"),
    ),
    Case(
        "coco-rle-bomb",
        "bad.json",
        coco(
            image={"height": 100_000, "width": 100_000},
            annotation={"segmentation": {"size": [100_000, 100_000], "counts": [0, 10**10]}},
        ),
        ("100000x100000", "more than the limit"),
    ),
    # CVAT
    Case(
        "cvat-width-text",
        "bad.xml",
        cvat(size='width="wide" height="20"'),
        ("image 'c.jpg'", "width must be"),
    ),
    Case("cvat-size-zero", "bad.xml", cvat(size='width="0" height="20"'), ("image 'c.jpg'", "size is 0x20")),
    Case("cvat-size-absurd", "bad.xml", cvat(size='width="1e9" height="1e9"'), ("more than the limit",)),
    Case(
        "cvat-points-odd",
        "bad.xml",
        cvat('<polygon label="road" points="0,0;10,0;10"/>'),
        ("polygon 1", "points must be"),
    ),
    Case(
        "cvat-points-nan",
        "bad.xml",
        cvat('<polygon label="road" points="0,0;nan,0;10,10"/>'),
        ("polygon 1", "not a finite number"),
    ),
    Case(
        "cvat-box-missing-corner",
        "bad.xml",
        cvat('<box label="road" xtl="0" ytl="0" xbr="10"/>'),
        ("box 1", "missing 'ybr'"),
    ),
    Case(
        "cvat-mask-run-beyond-int64",
        "bad.xml",
        cvat(
            '<mask label="road" rle="0, 1000000000000000000000000000000" '
            'left="0" top="0" width="2" height="2"/>'
        ),
        ("mask 1", "rle"),
    ),
    Case(
        "cvat-mask-bomb",
        "bad.xml",
        cvat('<mask label="road" rle="0, 10000000000" left="0" top="0" width="100000" height="100000"/>'),
        ("mask 1", "100000x100000", "more than the limit"),
    ),
    Case(
        "cvat-video-track",
        "bad.xml",
        b"<annotations><track id='0' label='road'/></annotations>",
        ("CVAT for video",),
    ),
    # Label Studio
    Case(
        "labelstudio-size-string", "bad.json", labelstudio(original_width="30"), ("original_width must be",)
    ),
    Case(
        "labelstudio-points-string",
        "bad.json",
        labelstudio({"points": "0,0", "polygonlabels": ["road"]}),
        ("region 'r1'", "points must be a list"),
    ),
    Case(
        "labelstudio-rectangle-x-missing",
        "bad.json",
        labelstudio({"y": 0, "width": 5, "height": 5, "rectanglelabels": ["road"]}, kind="rectanglelabels"),
        ("region 'r1'", "x must be a finite number"),
    ),
    Case(
        "labelstudio-result-not-list",
        "bad.json",
        json.dumps([{"id": 1, "data": {"image": "c.jpg"}, "annotations": [{"id": 1, "result": 5}]}]).encode(),
        ("'result' is not a list",),
    ),
    Case(
        "labelstudio-annotations-not-list",
        "bad.json",
        json.dumps([{"id": 1, "data": {"image": "c.jpg"}, "annotations": True}]).encode(),
        ("task 1", "'annotations' must be a list"),
    ),
    Case(
        "labelstudio-brush-garbage",
        "bad.json",
        labelstudio({"format": "rle", "rle": [1, 2, 3], "brushlabels": ["road"]}, kind="brushlabels"),
        ("region 'r1'", "bad brush rle"),
    ),
    Case(
        "labelstudio-brush-not-bytes",
        "bad.json",
        labelstudio({"format": "rle", "rle": ["a", None], "brushlabels": ["road"]}, kind="brushlabels"),
        ("region 'r1'", "bad brush rle"),
    ),
    Case(
        "labelstudio-brush-bomb",
        "bad.json",
        labelstudio(
            {"format": "rle", "rle": list(bytes(64)), "brushlabels": ["road"]},
            kind="brushlabels",
            original_width=100_000,
            original_height=100_000,
        ),
        ("100000x100000", "more than the limit"),
    ),
    # VIA
    Case("via-regions-string", "bad.json", via(regions="polygon"), ("image 'v.png'", "regions")),
    Case(
        "via-points-x-string",
        "bad.json",
        via({"name": "polygon", "all_points_x": "0,10,10", "all_points_y": [0, 0, 10]}),
        ("region 0", "all_points_x and all_points_y must be lists"),
    ),
    Case(
        "via-rect-width-string",
        "bad.json",
        via({"name": "rect", "x": 0, "y": 0, "width": "10", "height": 10}),
        ("region 0", "width must be a finite number"),
    ),
    Case("via-filename-missing", "bad.json", via(filename=None), ("has no 'filename'",)),
    # a VIA image that is not found or cannot be sized fails alone: tests/test_rasterize_partial.py
    # Supervisely
    Case(
        "supervisely-height-string",
        "bad.json",
        supervisely(size={"height": "20", "width": 30}),
        ("size", "height must be a whole number"),
    ),
    Case("supervisely-object-not-object", "bad.json", supervisely(objects=[7]), ("object 1",)),
    Case(
        "supervisely-exterior-string",
        "bad.json",
        supervisely({"classTitle": "road", "geometryType": "polygon", "points": {"exterior": "0,0"}}),
        ("object 1", "exterior must be a list"),
    ),
    Case(
        "supervisely-bitmap-not-base64",
        "bad.json",
        supervisely(
            {"classTitle": "road", "geometryType": "bitmap", "bitmap": {"data": "%%%", "origin": [0, 0]}}
        ),
        ("object 1", "bad bitmap data"),
    ),
    Case(
        "supervisely-bitmap-origin-string",
        "bad.json",
        supervisely(
            {
                "classTitle": "road",
                "geometryType": "bitmap",
                "bitmap": {"data": b64(zlib.compress(pillow_png("L", (2, 2)))), "origin": "0,0"},
            }
        ),
        ("object 1", "bitmap origin"),
    ),
    Case(
        "supervisely-bitmap-png-bomb",
        "bad.json",
        supervisely(
            {
                "classTitle": "road",
                "geometryType": "bitmap",
                "bitmap": {"data": b64(zlib.compress(png_claiming(100_000, 100_000))), "origin": [0, 0]},
            }
        ),
        ("object 1", "100000x100000", "more than the limit"),
    ),
    Case(
        "supervisely-bitmap-zlib-bomb",
        "bad.json",
        supervisely(
            {
                "classTitle": "road",
                "geometryType": "bitmap",
                "bitmap": {"data": b64(zlib.compress(bytes(20_000_000), 9)), "origin": [0, 0]},
            }
        ),
        ("object 1", "bad bitmap data"),
    ),  # 20 MB of zeros: below the default cap, and not a PNG
]


def write_inputs(folder: Path, case: Case) -> Path:
    """The good LabelMe file, a 30x20 image for VIA, and the bad file; returns the bad file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.json").write_bytes(labelme())
    (folder / "v.png").write_bytes(pillow_png("RGB"))
    bad = folder / case.name
    bad.write_bytes(case.data)
    return bad


def assert_good_written(out: Path, name: str = "good") -> None:
    # good.json: the square (0,0)-(10,10) covers the 10 x 10 pixels whose centres lie inside it.
    mask = read_mask(out / f"{name}.png")
    assert mask.shape == (HEIGHT, WIDTH) and int((mask != 0).sum()) == 100


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, [*args], input=input, terminal_width=200)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def assert_clean_failure(result) -> None:
    """Exit 1, no exception escaped the command, no traceback printed."""
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr


def one_error_naming(result, name: str, fragments: tuple[str, ...]) -> str:
    lines = [line for line in error_lines(result) if name in line]
    assert len(lines) == 1, result.stderr
    assert all(fragment in lines[0] for fragment in fragments), lines[0]
    return lines[0]


@pytest.mark.parametrize("case", ANNOTATION_CASES, ids=lambda case: case.id)
def test_bad_annotation_fails_alone_in_the_library(tmp_path, case):
    bad = write_inputs(tmp_path / "in", case)
    summary = rasterize_to_folder([tmp_path / "in"], tmp_path / "out")
    assert len(summary.failures) == 1, summary.failures
    message = summary.failures[0]
    assert message.startswith(f"{bad}: ") and "\n" not in message
    assert all(fragment in message for fragment in case.expect), message
    assert "internal error" not in message
    assert_good_written(tmp_path / "out")


@pytest.mark.parametrize("case", ANNOTATION_CASES, ids=lambda case: case.id)
def test_bad_annotation_fails_alone_on_the_command_line(tmp_path, case):
    write_inputs(tmp_path / "in", case)
    result = invoke("rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "1")
    assert_clean_failure(result)
    assert len(error_lines(result)) == 1
    one_error_naming(result, case.name, case.expect)
    assert result.stderr.rstrip().splitlines()[-1] == "1 of 2 files failed"  # the summary comes last
    assert_good_written(tmp_path / "out")


# -- a limit the user can raise --------------------------------------------------------------
def test_max_pixels_refuses_before_drawing_and_an_option_raises_it(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "big.json").write_bytes(labelme(imageHeight=200, imageWidth=100))  # 20000 pixels
    low = invoke("rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "low"), "--max-pixels", "19999")
    assert_clean_failure(low)
    one_error_naming(low, "big.json", ("100x200", "20000 pixels", "more than the limit of 19999 pixels"))
    assert not (tmp_path / "low" / "big.png").exists()
    high = invoke("rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "high"), "--max-pixels", "20000")
    assert high.exit_code == 0, high.stderr
    assert read_mask(tmp_path / "high" / "big.png").shape == (200, 100)


def test_max_pixels_in_the_library_covers_embedded_bitmaps(tmp_path):
    # A genuine 200x200 PNG mask (40000 pixels) on a 20x30 image: refused under a limit of 10000.
    path = tmp_path / "a.json"
    path.write_bytes(labelme_shape(shape_type="mask", points=[[0, 0], [4, 4]], mask=b64(real_png(200, 200))))
    with pytest.raises(SegtoolError, match=r"shape 1.*200x200.*more than the limit of 10000"):
        load_annotation_file(path, options=ReaderOptions(max_pixels=SMALL_LIMIT))
    (image,) = load_annotation_file(path)  # under the default limit it is read (and clipped when drawn)
    assert image.shapes[0].geometry.size == (200, 200)


def test_zlib_bomb_in_a_bitmap_stops_inflating_at_the_limit():
    # 10 MB of zeros in 10 kB; a 10000-pixel PNG never needs more than 5 x 10000 + 65536 bytes.
    bomb = b64(zlib.compress(bytes(10_000_000), 9))
    with pytest.raises(ValueError, match="inflates to more than 115536 bytes"):
        decode_bitmap(bomb, max_pixels=SMALL_LIMIT)


# -- warnings: drawn, reported, and failures with --strict ------------------------------------
WARNING_CASES = [
    # (id, shapes, fragment of the warning, road pixels drawn)
    ("two-point-polygon", [square(points=[[0, 0], [10, 10]])], "zero area", 0),
    ("collinear-polygon", [square(points=[[0, 0], [5, 5], [10, 10]])], "zero area", 0),
    ("repeated-point-polygon", [square(points=[[3, 3], [3, 3], [3, 3]])], "zero area", 0),
    # the square (-1e6, -1e6)-(1e6, 1e6) covers the whole 30 x 20 image
    ("far-outside-vertices", [square(x0=-1e6, y0=-1e6, x1=1e6, y1=1e6)], "extends beyond", 600),
    ("wholly-outside", [square(x0=100, y0=100, x1=110, y1=110)], "lies outside", 0),
    ("thinner-than-a-pixel", [square(x0=1.1, y0=1.1, x1=1.4, y1=9)], "covers no pixel centre", 0),
    ("zero-radius-circle", [square(shape_type="circle", points=[[5, 5], [5, 5]])], "radius 0", 0),
    ("shape-without-points", [square(points=[])], "has no points", 0),
]


@pytest.mark.parametrize(
    "shapes,fragment,pixels", [case[1:] for case in WARNING_CASES], ids=[case[0] for case in WARNING_CASES]
)
def test_warnings_draw_and_strict_fails(tmp_path, shapes, fragment, pixels):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "w.json").write_bytes(labelme(shapes + [square("car", 20, 10, 30, 20)]))
    (tmp_path / "in" / "good.json").write_bytes(labelme())
    plain = invoke("rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "plain"), "-j", "1")
    assert plain.exit_code == 0, plain.stderr
    warnings = [line for line in plain.stderr.splitlines() if line.startswith("warning:")]
    assert (
        len(warnings) == 1
        and "w.json" in warnings[0]
        and "shape 1" in warnings[0]
        and fragment in warnings[0]
    )
    mask = read_mask(tmp_path / "plain" / "w.png")
    lm = LabelMap.read(tmp_path / "plain" / "labels.txt")
    # the car square (20,10)-(30,20) is the last shape: 10 x 10 pixels, painted over anything else
    assert int((mask == lm.id_of("car")).sum()) == 100
    assert int((mask == lm.id_of("road")).sum()) == pixels - (100 if pixels == 600 else 0)

    strict = invoke("rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "strict"), "-j", "1", "--strict")
    assert_clean_failure(strict)
    one_error_naming(strict, "w.json", ("shape 1", fragment))
    assert "1 warning treated as an error (--strict)" in strict.stderr
    assert_good_written(tmp_path / "strict")


def test_unreadable_image_data_with_a_declared_size_is_a_warning(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(labelme(imageData=b64(b"not an image")))
    summary = rasterize_to_folder([path], tmp_path / "out")
    assert summary.ok and summary.written == 1
    assert summary.warnings == [
        f"{path}: cannot check imageHeight/imageWidth: imageData is not a readable image "
        "(not an image in a format Pillow reads)"
    ]
    assert_good_written(tmp_path / "out", "a")  # drawn at the declared 30 x 20, the same square as good.json


def test_self_intersecting_polygon_is_drawn_even_odd_without_a_warning(tmp_path):
    # The bow tie (0,0) (10,10) (10,0) (0,10) is two triangles of area 25 meeting at (5,5).
    # Row r (centre y = r + 0.5) is crossed at x = 0, min(y, 10-y), max(y, 10-y), 10; the left span
    # holds ceil(m - 0.5) pixels: 0 1 2 3 4 4 3 2 1 0 = 20, the right one 10 - ceil(M - 0.5):
    # 1 2 3 4 5 5 4 3 2 1 = 30 (a centre on a left edge is in, on a right edge out): 50 in all.
    path = tmp_path / "bow.json"
    path.write_bytes(labelme([square(points=[[0, 0], [10, 10], [10, 0], [0, 10]])]))
    summary = rasterize_to_folder([path], tmp_path / "out")
    assert summary.ok and summary.warnings == []
    assert int((read_mask(tmp_path / "out" / "bow.png") == 1).sum()) == 50


# -- label maps -----------------------------------------------------------------------------
LABEL_MAP_CASES = [
    Case(
        "txt-duplicate-name",
        "labels.txt",
        b"__ignore__\n_background_\nroad\nroad\n",
        ("label name 'road' appears twice",),
    ),
    Case(
        "csv-duplicate-id",
        "labels.csv",
        b"id,name\n0,_background_\n1,road\n1,car\n",
        ("id 1 is given to both 'road' and 'car'",),
    ),
    Case(
        "csv-duplicate-name",
        "labels.csv",
        b"id,name\n0,_background_\n1,road\n2,road\n",
        ("label name 'road' appears twice",),
    ),
    Case(
        "json-duplicate-id",
        "labels.json",
        b'{"labels": [{"id": 0, "name": "_background_"}, {"id": 0, "name": "road"}]}',
        ("id 0 is given to both",),
    ),
    Case(
        "csv-id-not-a-number",
        "labels.csv",
        b"id,name\n0,_background_\none,road\n",
        ("line 3", "not a whole number"),
    ),
    Case("csv-id-too-large", "labels.csv", b"id,name\n0,_background_\n70000,road\n", ("outside 0..65535",)),
    Case("csv-id-negative", "labels.csv", b"id,name\n0,_background_\n-1,road\n", ("outside 0..65535",)),
    Case(
        "csv-id-is-ignore-value", "labels.csv", b"id,name\n0,_background_\n255,road\n", ("the ignore value",)
    ),
    Case(
        "json-ignore-value-too-large",
        "labels.json",
        b'{"labels": [{"id": 0, "name": "_background_"}, {"id": 1, "name": "road"}], "ignore_value": 70000}',
        ("ignore value 70000", "outside 0..65535"),
    ),
    Case(
        "csv-bad-colour",
        "labels.csv",
        b"id,name,color\n0,_background_,#000\n1,road,#ff0000\n",
        ("'_background_'", "not #rrggbb"),
    ),
    Case("csv-no-header", "labels.csv", b"0,_background_\n1,road\n", ("needs a header",)),
    Case("json-not-object", "labels.json", b"[1, 2]", ("JSON label map needs",)),
    Case("json-invalid", "labels.json", b"{", ("invalid JSON",)),
    Case(
        "json-name-line-break",
        "labels.json",
        b'{"labels": [{"id": 0, "name": "_background_"}, {"id": 1, "name": "road\\nside"}]}',
        ("line break",),
    ),
    Case("not-utf8", "labels.txt", b"_background_\nro\xffad\n", ("not UTF-8",)),
    Case("empty", "labels.txt", b"\n\n", ("has no labels",)),
]


@pytest.mark.parametrize("case", LABEL_MAP_CASES, ids=lambda case: case.id)
def test_bad_label_map_is_one_error_naming_it(tmp_path, case):
    path = tmp_path / case.name
    path.write_bytes(case.data)
    with pytest.raises(LabelMapError) as raised:
        LabelMap.read(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert all(fragment in str(raised.value) for fragment in case.expect), str(raised.value)

    (tmp_path / "good.json").write_bytes(labelme())
    commands = [["score", str(tmp_path), str(tmp_path)]]
    if case.id != "json-ignore-value-too-large":  # rasterize's --ignore-value (255) replaces the file's
        commands.append(["rasterize", str(tmp_path / "good.json"), "-o", str(tmp_path / "out")])
    for command in commands:
        result = invoke(*command, "--labels", str(path))
        assert_clean_failure(result)
        assert len(error_lines(result)) == 1
        one_error_naming(result, case.name, case.expect)


# -- masks ----------------------------------------------------------------------------------
MASK_CASES = [
    Case("zero-bytes", "b.png", b"", ("empty (0 bytes)",)),
    Case("not-a-png", "b.png", b"GIF89a" + bytes(100), ("not a PNG",)),
    Case("truncated", "b.png", real_png(HEIGHT, WIDTH)[:60], ("truncated",)),
    Case("truncated-pixels", "b.png", pillow_png("L")[:-20], ("truncated",)),
    Case(
        "header-claims-absurd-size",
        "b.png",
        png_claiming(100_000, 100_000),
        ("100000x100000", "more than the limit"),
    ),
    Case("header-claims-zero-size", "b.png", png_claiming(0, 5), ("empty size",)),
    Case(
        "sixteen-bit-colour",
        "b.png",
        real_png(HEIGHT, WIDTH, channels=3, dtype=np.uint16),
        ("16-bit", "colour"),
    ),
    Case(
        "colour-without-label-map",
        "b.png",
        real_png(HEIGHT, WIDTH, channels=3),
        ("colour (RGB) mask", "--labels"),
    ),
    Case("npy-float", "b.npy", npy(np.zeros((HEIGHT, WIDTH), np.float32)), ("must hold integers",)),
    Case("npy-three-channels", "b.npy", npy(np.zeros((HEIGHT, WIDTH, 3), np.uint8)), ("must be 2-D",)),
    Case("npy-negative", "b.npy", npy(np.full((HEIGHT, WIDTH), -2, np.int16)), ("outside -1..65535",)),
    Case(
        "npy-too-large-values",
        "b.npy",
        npy(np.full((HEIGHT, WIDTH), 70000, np.int32)),
        ("outside -1..65535",),
    ),
    Case("npy-object", "b.npy", npy(np.array([[{}]], dtype=object)), ("must hold integers, got object",)),
    Case("npy-truncated", "b.npy", npy(np.zeros((HEIGHT, WIDTH), np.uint8))[:100], ("cannot read .npy",)),
    Case(
        "npy-header-claims-absurd-size",
        "b.npy",
        npy_claiming((100_000, 100_000)),
        ("100000x100000", "more than the limit"),
    ),
    Case("npy-not-npy", "b.npy", b"hello", ("cannot read .npy",)),
]


def write_mask_folders(root: Path, case: Case) -> tuple[Path, Path, Path]:
    """gt/ and pred/ with a good pair g.png and the bad ground truth (a good prediction beside it)."""
    gt, pred = root / "gt", root / "pred"
    good = np.zeros((HEIGHT, WIDTH), np.uint8)
    good[:10, :10] = 1
    for folder in (gt, pred):
        write_mask(folder / "g.png", good)
    write_mask(pred / (Path(case.name).stem + ".png"), good)
    bad = gt / case.name
    bad.write_bytes(case.data)
    return gt, pred, bad


@pytest.mark.parametrize("case", MASK_CASES, ids=lambda case: case.id)
def test_bad_mask_fails_alone_in_score_and_stats(tmp_path, case):
    gt, pred, bad = write_mask_folders(tmp_path, case)
    result = score_folders(pred, gt)
    assert [failure.name for failure in result.failures] == ["b"] and result.n_images == 1
    message = result.failures[0].message
    assert message.startswith(f"{bad}: ") and all(fragment in message for fragment in case.expect), message
    balance = class_balance(sorted(gt.iterdir()))
    assert len(balance.failures) == 1 and balance.masks == 1
    assert balance.failures[0].message.startswith(f"{bad}: ")

    for command in (["score", str(pred), str(gt), "-f", "csv"], ["stats", str(gt), "-f", "csv"]):
        cli = invoke(*command, "-j", "1")
        assert_clean_failure(cli)
        one_error_naming(cli, case.name, case.expect)
        assert cli.stdout.startswith("class_id,")  # the good mask is still counted and printed


def test_real_png_above_a_lowered_limit_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(real_png(2000, 2000))  # 4 million zero pixels in a few kilobytes
    assert path.stat().st_size < 50_000
    with pytest.raises(
        SegtoolError, match=r"2000x2000 \(4000000 pixels\), more than the limit of 10000 pixels"
    ):
        read_mask(path, max_pixels=SMALL_LIMIT)
    assert read_mask(path).shape == (2000, 2000)


def test_score_max_pixels_option(tmp_path):
    for folder in ("gt", "pred"):
        write_mask(tmp_path / folder / "a.png", np.zeros((200, 100), np.uint8))
    low = invoke("score", str(tmp_path / "pred"), str(tmp_path / "gt"), "--max-pixels", "19999", "-j", "1")
    assert_clean_failure(low)
    one_error_naming(low, "a.png", ("100x200", "more than the limit of 19999 pixels"))
    high = invoke(
        "score", str(tmp_path / "pred"), str(tmp_path / "gt"), "--max-pixels", "20000", "-j", "1", "-f", "csv"
    )
    assert high.exit_code == 0, high.stderr


def test_overlay_bad_image_is_one_warning_and_drawn_without_it(tmp_path):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    (images / "g.png").write_bytes(pillow_png("RGB"))
    (images / "b.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    for name in ("g", "b"):
        write_mask(masks / f"{name}.png", np.zeros((HEIGHT, WIDTH), np.uint8))
    result = invoke("overlay", str(images), str(masks), "-o", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "b.jpg" in line and "drawn without a photo" in line
    assert "not an image in a format Pillow reads" in line
    assert (tmp_path / "out" / "g.png").exists() and (tmp_path / "out" / "b.png").exists()


@pytest.mark.parametrize("command", ["rasterize", "score", "stats", "overlay"])
def test_every_command_has_a_hidden_debug_that_raises(tmp_path, command):
    (tmp_path / "labels.txt").write_bytes(b"")
    (tmp_path / "a.json").write_bytes(labelme())
    args = {
        "rasterize": ["rasterize", str(tmp_path / "a.json"), "-o", str(tmp_path / "o")],
        "score": ["score", str(tmp_path), str(tmp_path)],
        "stats": ["stats", str(tmp_path)],
        "overlay": ["overlay", str(tmp_path), str(tmp_path), "-o", str(tmp_path / "o")],
    }[command]
    quiet = invoke(*args, "--labels", str(tmp_path / "labels.txt"))
    assert_clean_failure(quiet)
    one_error_naming(quiet, "labels.txt", ("has no labels",))
    loud = invoke(*args, "--labels", str(tmp_path / "labels.txt"), "--debug")
    assert isinstance(loud.exception, LabelMapError)


# -- names ----------------------------------------------------------------------------------
def test_non_utf8_file_names_are_named_and_written_back_byte_for_byte(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = os.fsdecode(b"caf\xe9.json")  # Latin-1 bytes: not UTF-8
    bad = os.fsdecode(b"th\xe9.json")
    (folder / good).write_bytes(labelme())
    (folder / bad).write_bytes(b"{")
    result = invoke("rasterize", str(folder), "-o", str(tmp_path / "out"), "-j", "1")
    assert_clean_failure(result)
    one_error_naming(result, "th\\xe9.json", ("invalid JSON",))  # undecodable bytes shown as \xNN
    assert os.fsdecode(b"caf\xe9.png") in os.listdir(tmp_path / "out")


def test_odd_but_valid_label_names_survive_the_label_files(tmp_path):
    names = ["vélo 🚲", "a,b", 'quote"d', "tv/monitor", "..", "__ignore__x"]
    path = tmp_path / "a.json"
    path.write_bytes(
        labelme([square(name, index * 3, 0, index * 3 + 2, 2) for index, name in enumerate(names)])
    )
    result = invoke("rasterize", str(path), "-o", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.stderr
    for written in ("labels.txt", "labels.csv"):
        assert set(LabelMap.read(tmp_path / "out" / written).names) == {"_background_", *names}
    binary = invoke("rasterize", str(path), "-o", str(tmp_path / "binary"), "--layout", "binary", "-j", "1")
    assert binary.exit_code == 0, binary.stderr
    folders = {entry.name for entry in (tmp_path / "binary").iterdir() if entry.is_dir()}
    assert folders == {"vélo 🚲", "a,b", 'quote"d', "tv_monitor", "_..", "__ignore__x"}


def test_messages_with_brackets_are_printed_as_they_are(tmp_path):
    (tmp_path / "a.json").write_bytes(labelme_shape(points="[bold]x[/bold]"))
    result = invoke("rasterize", str(tmp_path / "a.json"), "-o", str(tmp_path / "out"))
    assert_clean_failure(result)
    one_error_naming(result, "a.json", ("points must be a list of [x, y] pairs",))


def test_non_utf8_mask_names_are_written_back_byte_for_byte_in_per_image_rows(tmp_path):
    name = os.fsdecode(b"caf\xe9.png")
    for folder in ("gt", "pred"):
        write_mask(tmp_path / folder / name, np.zeros((2, 2), np.uint8))
    result = invoke(
        "score",
        str(tmp_path / "pred"),
        str(tmp_path / "gt"),
        "-f",
        "csv",
        "-j",
        "1",
        "--per-image",
        str(tmp_path / "per_image.csv"),
    )
    assert result.exit_code == 0, result.stderr
    rows = (tmp_path / "per_image.csv").read_bytes().splitlines()
    assert rows[1].startswith(b"caf\xe9,0,")  # the image's name as its file name's bytes, class 0


def test_stats_report_of_a_folder_named_in_another_encoding(tmp_path):
    folder = tmp_path / os.fsdecode(b"d\xe9")
    write_mask(folder / "a.png", np.zeros((2, 2), np.uint8))
    result = invoke("stats", str(folder), "-f", "csv", "--report", str(tmp_path / "r.html"), "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert b"d\xe9" in (tmp_path / "r.html").read_bytes()  # the folder's name, as its bytes
