"""Supervisely per-image JSON: every geometry type, bitmaps, project layout and meta.json."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image

from segtool.annotations import Bitmap, Points, Polygon, Polyline, find_annotation_files, load_annotation_file
from segtool.annotations.supervisely import decode_bitmap
from segtool.errors import AnnotationError


def png_bytes(array: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def sly_bitmap(mask: np.ndarray, *, compress: bool = True) -> str:
    """Supervisely's encoding: a 1-bit-per-pixel PNG, zlib-compressed, base64."""
    png = png_bytes(mask.astype(np.uint8) * 255, "L")
    return base64.b64encode(zlib.compress(png) if compress else png).decode()


def annotation(objects: list, height: int = 20, width: int = 30) -> dict:
    return {
        "description": "",
        "tags": [],
        "size": {"height": height, "width": width},
        "objects": [
            {"id": i, "classTitle": label, "geometryType": kind, "tags": [], **fields}
            for i, (kind, label, fields) in enumerate(objects)
        ],
    }


def write(folder: Path, document, name: str = "a.jpg.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def load_one(tmp_path: Path, objects: list):
    (image,) = load_annotation_file(write(tmp_path, annotation(objects)))
    return image


def test_polygon_with_holes_and_inclusive_rectangle(tmp_path):
    image = load_one(
        tmp_path,
        [
            (
                "polygon",
                "road",
                {
                    "points": {
                        "exterior": [[0, 0], [10, 0], [10, 10], [0, 10]],
                        "interior": [[[2, 2], [4, 2], [4, 4]], [[6, 6], [8, 6], [8, 8]]],
                    }
                },
            ),
            ("rectangle", "sign", {"points": {"exterior": [[14, 9], [5, 3]], "interior": []}}),
        ],
    )
    road, sign = image.shapes
    assert isinstance(road.geometry, Polygon) and len(road.geometry.rings) == 3
    assert road.geometry.rings[2].tolist() == [[6, 6], [8, 6], [8, 8]]
    # pixels 5..14 and 3..9 are included: the box runs from (5, 3) to (15, 10), 10 x 7 = 70 pixels
    np.testing.assert_array_equal(sign.geometry.rings[0], [[5, 3], [15, 3], [15, 10], [5, 10]])
    assert (image.height, image.width) == (20, 30) and sign.where == "object 2 (rectangle, 'sign')"


def test_line_and_point(tmp_path):
    image = load_one(
        tmp_path,
        [
            ("line", "lane", {"points": {"exterior": [[0, 0], [5, 5]], "interior": []}}),
            ("point", "eye", {"points": {"exterior": [[3, 4]], "interior": []}}),
        ],
    )
    line, point = (s.geometry for s in image.shapes)
    assert isinstance(line, Polyline) and line.points.tolist() == [[0, 0], [5, 5]]
    assert isinstance(point, Points) and point.points.tolist() == [[3, 4]]


def test_bitmap_is_placed_at_its_origin(tmp_path):
    mask = np.array([[1, 0, 1], [1, 1, 0]], dtype=bool)
    image = load_one(tmp_path, [("bitmap", "blob", {"bitmap": {"data": sly_bitmap(mask), "origin": [7, 4]}})])
    geometry = image.shapes[0].geometry
    assert isinstance(geometry, Bitmap) and (geometry.left, geometry.top) == (7, 4)
    np.testing.assert_array_equal(geometry.decoded(), mask)


def test_bitmap_decoding_variants():
    mask = np.array([[0, 1], [1, 1]], dtype=bool)
    assert decode_bitmap(sly_bitmap(mask, compress=False)).tolist() == mask.tolist()  # plain PNG
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (0, 0, 0, 255)  # black, opaque: inside
    rgba[1, 1] = (255, 255, 255, 0)  # white, transparent: outside
    encoded = base64.b64encode(zlib.compress(png_bytes(rgba, "RGBA"))).decode()
    assert decode_bitmap(encoded).tolist() == [[True, False], [False, False]]
    with pytest.raises(ValueError, match="not a PNG"):
        decode_bitmap(base64.b64encode(zlib.compress(b"garbage")).decode())


def test_unknown_geometry_and_missing_class_are_skipped_with_warnings(tmp_path):
    image = load_one(
        tmp_path,
        [
            ("graph", "skeleton", {"nodes": {}}),
            ("point", "", {"points": {"exterior": [[1, 1]], "interior": []}}),
        ],
    )
    assert image.shapes == []
    assert "geometry 'graph' is not read" in image.warnings[0] and "no classTitle" in image.warnings[1]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"points": {"exterior": [[0, 0], ["a", 1]]}}, r"object 1 \(polygon, 'x'\): exterior must be"),
        (
            {"points": {"exterior": [[0, 0], [1, 1]], "interior": [[[0, 0], [1, float("nan")]]]}},
            "interior ring 1 contains a coordinate that is not a finite number",
        ),
    ],
)
def test_bad_points_name_the_object(tmp_path, fields, message):
    with pytest.raises(AnnotationError, match=message):
        load_one(tmp_path, [("polygon", "x", fields)])


def test_rectangle_needs_two_points(tmp_path):
    with pytest.raises(AnnotationError, match="a rectangle needs 2 points, it has 3"):
        load_one(tmp_path, [("rectangle", "x", {"points": {"exterior": [[0, 0], [1, 1], [2, 2]]}})])


def test_bad_size_is_an_error(tmp_path):
    document = annotation([])
    document["size"]["height"] = 0
    with pytest.raises(AnnotationError, match="size: height must be a whole number > 0"):
        load_annotation_file(write(tmp_path, document))


def test_project_layout_names_images_and_declares_classes(tmp_path):
    project = tmp_path / "project"
    write(
        project,
        {
            "classes": [
                {"title": "road", "shape": "polygon", "color": "#FF0000"},
                {"title": "sky", "shape": "bitmap", "color": "#0000FF"},
            ],
            "tags": [],
        },
        name="meta.json",
    )
    write(project, {"tags": {}, "objects": {}, "figures": {}, "videos": {}}, name="key_id_map.json")
    write(project / "ds1" / "ann", annotation([]), name="a.jpg.json")
    (project / "ds1" / "img").mkdir()
    (project / "ds1" / "img" / "a.jpg").write_bytes(b"not decoded")
    loaded = {str(rel): load_annotation_file(path, rel) for path, rel in find_annotation_files([project])}
    # the project files are recognised and give no image
    assert loaded["meta.json"] == [] and loaded["key_id_map.json"] == []
    (image,) = loaded["ds1/ann/a.jpg.json"]
    assert image.name == PurePosixPath("ds1/a") and image.declared_labels == ("road", "sky")
    assert image.image_path == project / "ds1" / "img" / "a.jpg"


def test_project_layout_in_a_remote_folder_declares_classes():
    """A project under a URL reads its meta.json too (once per process: a run does not see it edited)."""
    pytest.importorskip("fsspec")
    from segtool.io.atomic import write_bytes_atomic
    from segtool.io.storage import as_path

    project = as_path(f"memory://sly-{uuid.uuid4().hex}/project")
    write_bytes_atomic(project / "meta.json", json.dumps({"classes": [{"title": "road"}]}).encode())
    write_bytes_atomic(project / "ds1" / "ann" / "a.jpg.json", json.dumps(annotation([])).encode())
    try:
        (image,) = load_annotation_file(
            project / "ds1" / "ann" / "a.jpg.json", PurePosixPath("ds1/ann/a.jpg.json")
        )
        assert image.declared_labels == ("road",)
    finally:
        project.fs.rm(project.parent.key, recursive=True)
