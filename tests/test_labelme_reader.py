"""The LabelMe reader: real labelme files, every shape type, and every way a file can be wrong."""

from __future__ import annotations

import base64
import io
import json
import math
import pickle
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from segtool.annotations import (
    Bitmap,
    Ellipse,
    Points,
    Polygon,
    Polyline,
    load_annotation_file,
    load_document,
)
from segtool.annotations.embedded import read_embedded_image
from segtool.errors import AnnotationError

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "labelme"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent")


def labelme_files() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return [path for path in sorted(FIXTURES.rglob("*.json")) if "shapes" in json.loads(path.read_text())]


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def write_json(folder: Path, document: dict, name: str = "image.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def doc(*shapes: dict, **fields) -> dict:
    """A minimal LabelMe document, 20 rows x 30 columns unless told otherwise."""
    document = {
        "version": "5.4.1",
        "shapes": list(shapes),
        "imagePath": "image.jpg",
        "imageData": None,
        "imageHeight": 20,
        "imageWidth": 30,
    }
    document.update(fields)
    return {key: value for key, value in document.items() if value is not ...}


def polygon(label: str = "car", points=((1, 1), (5, 1), (5, 4)), **fields) -> dict:
    return {
        "label": label,
        "points": [list(p) for p in points],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
        **fields,
    }


def read_one(tmp_path: Path, document: dict):
    (image,) = load_annotation_file(write_json(tmp_path, document))
    return image


# -- the real files --------------------------------------------------------------------------
@needs_fixtures
@pytest.mark.parametrize("path", labelme_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_loads_as_its_json_says(path: Path):
    document = json.loads(path.read_text())
    (image,) = load_annotation_file(path, PurePosixPath("sub") / path.name)
    assert (image.height, image.width) == (document["imageHeight"], document["imageWidth"])
    assert [shape.label for shape in image.shapes] == [shape["label"] for shape in document["shapes"]]
    assert [shape.group_id for shape in image.shapes] == [shape["group_id"] for shape in document["shapes"]]
    assert image.name == PurePosixPath("sub") / path.stem
    assert image.warnings == []


@needs_fixtures
def test_instance_fixture_keeps_shapes_of_one_group_separate():
    (image,) = load_annotation_file(FIXTURES / "instance_segmentation/data_annotated/2011_000003.json")
    # the file has 5 shapes: person (group 0) is drawn as two polygons, both kept
    groups = [(shape.label, shape.group_id) for shape in image.shapes]
    assert len(image.shapes) == 5
    assert len(set(groups)) < len(groups)
    assert image.image_path == FIXTURES / "instance_segmentation/data_annotated/2011_000003.jpg"


@needs_fixtures
def test_tutorial_size_comes_from_embedded_image_when_json_lacks_it(tmp_path: Path):
    document = json.loads((FIXTURES / "tutorial/apc2016_obj3.json").read_text())
    assert document["imageData"]
    del document["imageHeight"], document["imageWidth"]
    image = read_one(tmp_path, document)
    # 907 x 1210 is what the original file declares for its embedded JPEG
    assert (image.height, image.width) == (907, 1210)
    assert len(image.shapes) == 4 and image.warnings == []


@needs_fixtures
def test_primitives_every_shape_type():
    (image,) = load_annotation_file(FIXTURES / "primitives/primitives.json")
    kinds = [type(shape.geometry) for shape in image.shapes]
    assert kinds == [Polygon, Ellipse, Polygon, Polygon, Polyline, Points, Polyline, Bitmap]
    assert [shape.where for shape in image.shapes][:2] == [
        "shape 1 (rectangle 'rectangle')",
        "shape 2 (circle 'circle')",
    ]
    rectangle = image.shapes[0].geometry.rings[0]
    # corners (32, 35) and (132, 135), walked round
    assert rectangle.tolist() == [[32, 35], [132, 35], [132, 135], [32, 135]]
    circle = image.shapes[1].geometry
    # centre (195, 84), point on circle (225, 125): radius sqrt(30^2 + 41^2)
    assert (circle.cx, circle.cy) == (195, 84)
    assert circle.rx == circle.ry == pytest.approx(math.sqrt(30**2 + 41**2))
    assert image.shapes[5].geometry.points.tolist() == [[345, 174]]
    assert image.shapes[6].geometry.points.shape == (3, 2)

    bitmap = image.shapes[7].geometry
    # box (417.4, 305) .. (516.4, 404): labelme's int() gives top-left (417, 305) and a 100 x 100 box
    assert (bitmap.left, bitmap.top, bitmap.size) == (417, 305, (100, 100))
    encoded = json.loads((FIXTURES / "primitives/primitives.json").read_text())["shapes"][7]["mask"]
    expected = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded)))) != 0
    assert np.array_equal(bitmap.decoded(), expected)
    # an octagon: its centre is in, its corners are cut off
    mask = bitmap.decoded()
    assert mask[50, 50] and not mask[0, 0] and not mask[99, 99]


# -- shapes, by hand -------------------------------------------------------------------------
def test_missing_shape_type_is_a_polygon_and_where_names_it(tmp_path: Path):
    shape = polygon(label="tree")
    del shape["shape_type"]
    image = read_one(tmp_path, doc(polygon(), shape, polygon(label="car")))
    assert [s.where for s in image.shapes] == [
        "shape 1 (polygon 'car')",
        "shape 2 (polygon 'tree')",
        "shape 3 (polygon 'car')",
    ]
    assert image.shapes[1].geometry.rings[0].tolist() == [[1, 1], [5, 1], [5, 4]]


def test_rectangle_corners_in_any_order(tmp_path: Path):
    shapes = [
        {"label": "box", "points": points, "shape_type": "rectangle"}
        for points in ([[2, 3], [7, 9]], [[7, 9], [2, 3]], [[7, 3], [2, 9]])
    ]
    image = read_one(tmp_path, doc(*shapes))
    for shape in image.shapes:
        ring = shape.geometry.rings[0]
        # the same box x 2..7, y 3..9 whichever two opposite corners were given
        assert (ring[:, 0].min(), ring[:, 0].max(), ring[:, 1].min(), ring[:, 1].max()) == (2, 7, 3, 9)
        assert len(ring) == 4


def test_circle_line_points_and_group_id(tmp_path: Path):
    image = read_one(
        tmp_path,
        doc(
            {"label": "ball", "points": [[10, 10], [13, 14]], "shape_type": "circle", "group_id": 4},
            {"label": "wire", "points": [[0, 0], [3, 4], [6, 0]], "shape_type": "linestrip"},
            {"label": "dots", "points": [[1, 2], [3, 4]], "shape_type": "points"},
        ),
    )
    ball, wire, dots = (shape.geometry for shape in image.shapes)
    assert (ball.cx, ball.cy, ball.rx, ball.ry) == (10, 10, 5, 5)  # 3-4-5 triangle
    assert image.shapes[0].group_id == 4
    assert wire.points.tolist() == [[0, 0], [3, 4], [6, 0]]
    assert dots.points.tolist() == [[1, 2], [3, 4]]


def test_mask_shape_is_placed_at_the_floor_of_its_top_left_point(tmp_path: Path):
    mask = np.array([[1, 0, 1], [0, 1, 0]], dtype=np.uint8)
    shape = {
        "label": "blob",
        "points": [[1.7, 2.2], [3.9, 3.5]],
        "shape_type": "mask",
        "mask": base64.b64encode(png_bytes(mask)).decode(),
    }
    image = read_one(tmp_path, doc(shape))
    bitmap = image.shapes[0].geometry
    # floor(1.7) = 1, floor(2.2) = 2; box rows 2..3 and columns 1..3 = 2 x 3, the PNG's size: no warning
    assert (bitmap.left, bitmap.top) == (1, 2)
    assert bitmap.decoded().tolist() == [[True, False, True], [False, True, False]]
    assert image.warnings == []


def test_mask_shape_whose_png_disagrees_with_its_box_warns(tmp_path: Path):
    shape = {
        "label": "blob",
        "points": [[0, 0], [9, 9]],
        "shape_type": "mask",
        "mask": base64.b64encode(png_bytes(np.ones((2, 2), np.uint8))).decode(),
    }
    image = read_one(tmp_path, doc(shape))
    assert image.shapes[0].geometry.size == (2, 2)
    assert "mask is 2x2 pixels but its box is 10x10" in image.warnings[0]


def test_degenerate_shapes_are_kept_or_skipped_with_a_warning(tmp_path: Path):
    image = read_one(
        tmp_path,
        doc(
            polygon(points=[(1, 1), (5, 5)]),
            polygon(label="empty", points=[]),
            {"label": "tiny", "points": [[3, 3], [3, 8]], "shape_type": "rectangle"},
        ),
    )
    assert [shape.label for shape in image.shapes] == ["car", "tiny"]
    # The polygon and the rectangle without area are the rasterizer's to report (it draws them).
    assert (
        len(image.warnings) == 1 and "shape 2 (polygon 'empty'): has no points; skipped" in image.warnings[0]
    )


# -- image size and image path ---------------------------------------------------------------
def test_size_from_image_file_named_by_a_windows_path(tmp_path: Path):
    (tmp_path / "pics").mkdir()
    Image.new("RGB", (7, 5)).save(tmp_path / "pics" / "a.png")
    image = read_one(tmp_path, doc(polygon(), imagePath="pics\\a.png", imageHeight=..., imageWidth=...))
    assert (image.height, image.width) == (5, 7)
    assert image.image_path == tmp_path / "pics" / "a.png"


def test_absolute_windows_path_falls_back_to_the_file_beside_the_json(tmp_path: Path):
    Image.new("L", (4, 3)).save(tmp_path / "shot.png")
    image = read_one(tmp_path, doc(imagePath="D:\\work\\shots\\shot.png", imageHeight=None, imageWidth=None))
    assert (image.height, image.width) == (3, 4)


def test_declared_size_wins_over_image_with_a_warning(tmp_path: Path):
    Image.new("L", (20, 30)).save(tmp_path / "image.jpg", format="PNG")
    image = read_one(tmp_path, doc(polygon()))
    assert (image.height, image.width) == (20, 30)
    # the image is 30 rows x 20 columns: the axes are swapped, which hints at EXIF orientation
    assert image.warnings == [
        f"{tmp_path / 'image.json'}: imageHeight x imageWidth is 20x30 but the image is "
        "30x20 (EXIF orientation?); using the JSON's size, on which the points were drawn"
    ]


def test_embedded_image_data_larger_than_the_header_prefix(tmp_path: Path):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=(300, 400, 3), dtype=np.uint8)  # incompressible: > 64 KiB of base64
    data = base64.b64encode(png_bytes(noise)).decode()
    assert len(data) > 1 << 16
    image = read_one(tmp_path, doc(imageData=data, imageHeight=None, imageWidth=None))
    assert (image.height, image.width) == (300, 400)


def exif_png(width: int, height: int, orientation: int) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", (width, height)).save(buffer, format="PNG", exif=exif)
    return buffer.getvalue()


def test_embedded_image_size_is_as_stored_and_an_image_file_as_displayed(tmp_path: Path):
    stored = exif_png(30, 20, orientation=6)  # 30 wide, 20 tall; orientation 6 would show it 20 wide, 30 tall
    text = base64.b64encode(stored).decode()
    embedded = read_one(tmp_path, doc(imageData=text, imageHeight=None, imageWidth=None))
    assert (embedded.height, embedded.width) == (20, 30)  # labelme shows imageData as stored
    assert (
        read_one(tmp_path, doc(imageData=text)).warnings == []
    )  # declared 20 rows x 30 columns: no EXIF hint
    (tmp_path / "image.jpg").write_bytes(stored)  # the same bytes as the image file: read as displayed
    from_file = read_one(tmp_path, doc(imageHeight=None, imageWidth=None))
    assert (from_file.height, from_file.width) == (30, 20)


def test_the_model_records_where_the_image_is_embedded_not_the_image(tmp_path: Path):
    rng = np.random.default_rng(1)
    data = png_bytes(rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8))  # noise: ~1.8 KB, incompressible
    text = base64.b64encode(data).decode()
    path = write_json(tmp_path, doc(polygon(), imageData=text))
    (image,) = load_annotation_file(path)
    assert image.embedded_image == ("imageData",)
    assert len(pickle.dumps(image)) < len(text)  # neither the base64 text nor the bytes are kept
    assert read_embedded_image(image) == data  # read again from the file
    assert read_embedded_image(image, document=json.dumps(doc(imageData=text)).encode()) == data  # e.g. stdin
    for absent in (None, ""):
        assert read_one(tmp_path, doc(polygon(), imageData=absent)).embedded_image is None


def test_an_embedded_image_gone_from_the_file_is_an_error_naming_it(tmp_path: Path):
    text = base64.b64encode(png_bytes(np.zeros((20, 30), np.uint8))).decode()
    path = write_json(tmp_path, doc(polygon(), imageData=text))
    (image,) = load_annotation_file(path)
    write_json(tmp_path, doc(polygon(), imageData=None))  # the file changed after it was read
    with pytest.raises(AnnotationError) as error:
        read_embedded_image(image)
    assert str(error.value) == f"{path}: imageData holds no embedded image"


def test_missing_size_without_image_is_an_error_naming_the_file(tmp_path: Path):
    with pytest.raises(AnnotationError) as error:
        read_one(tmp_path, doc(polygon(), imageHeight=..., imageWidth=...))
    message = str(error.value)
    assert message.startswith(str(tmp_path / "image.json"))
    assert "no image size: imageHeight/imageWidth are missing" in message
    assert "'image.jpg'" in message and "was not found" in message


def test_unreadable_image_data_without_size_is_an_error(tmp_path: Path):
    with pytest.raises(AnnotationError, match="imageData is not a readable image"):
        read_one(
            tmp_path,
            doc(imageData=base64.b64encode(b"not an image").decode(), imageHeight=None, imageWidth=None),
        )


def test_output_name_is_the_relative_path_without_suffix(tmp_path: Path):
    path = write_json(tmp_path, doc(polygon()), name="frame.v2.json")
    (image,) = load_annotation_file(path, PurePosixPath("day1/cam/frame.v2.json"))
    assert image.name == PurePosixPath("day1/cam/frame.v2")
    assert image.source == path


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (doc(imageHeight=0), "imageHeight must be a whole number > 0, not 0"),
        (doc(imageWidth="30"), "imageWidth must be a whole number > 0, not '30'"),
        (doc(imageHeight=20.5), "imageHeight must be a whole number > 0, not 20.5"),
        (doc("polygon"), "shape 1: must be an object"),
        (doc(polygon(label=3)), "shape 1: label must be a non-empty string, not 3"),
        (doc(polygon(label="")), "shape 1: label must be a non-empty string"),
        (doc(polygon(shape_type=["polygon"])), "shape 1: shape_type must be a string"),
        (doc(polygon(shape_type="cuboid")), "shape 1 (cuboid 'car'): unknown shape_type 'cuboid'"),
        (
            doc(polygon(), {**polygon(), "points": "1,2,3"}),
            "shape 2 (polygon 'car'): points must be a list of [x, y] pairs",
        ),
        (doc(polygon(points=[(1, 2, 3)])), "points must be a list of [x, y] number pairs"),
        (doc(polygon(points=[(1, 2), (3,)])), "points must be a list of [x, y] number pairs"),
        (doc(polygon(points=[(1, 2), ("3", 4)])), "points must be a list of [x, y] number pairs"),
        (doc(polygon(points=[(1, 2), (None, 4)])), "points must be a list of [x, y] number pairs"),
        (doc(polygon(points=[(1, 2), (float("nan"), 4), (5, 5)])), "not a finite number"),
        (doc(polygon(points=[(1, 2), (float("inf"), 4), (5, 5)])), "not a finite number"),
        (doc(polygon(group_id="a")), "group_id must be a whole number or null, not 'a'"),
        (doc(polygon(group_id=1.5)), "group_id must be a whole number or null"),
        (doc({"label": "car", "shape_type": "polygon"}), "shape 1 (polygon 'car'): has no points"),
        (
            doc({"label": "c", "points": [[1, 1]], "shape_type": "circle"}),
            "shape 1 (circle 'c'): needs 2 points (the centre and a point on the circle), has 1",
        ),
        (
            doc({"label": "r", "points": [[1, 1], [2, 2], [3, 3]], "shape_type": "rectangle"}),
            "shape 1 (rectangle 'r'): needs 2 points (two opposite corners), has 3",
        ),
        (
            doc({"label": "m", "points": [[1, 1], [2, 2]], "shape_type": "mask"}),
            "needs its mask as a base64 PNG",
        ),
        (
            doc({"label": "m", "points": [[1, 1], [2, 2]], "shape_type": "mask", "mask": "abc"}),
            "mask is not valid base64",
        ),
        (
            doc(
                {
                    "label": "m",
                    "points": [[1, 1], [2, 2]],
                    "shape_type": "mask",
                    "mask": base64.b64encode(b"GIF89a").decode(),
                }
            ),
            "mask is not a readable PNG",
        ),
    ],
)
def test_bad_fields_are_annotation_errors_naming_file_and_shape(tmp_path: Path, document: dict, message: str):
    with pytest.raises(AnnotationError) as error:
        read_one(tmp_path, document)
    assert str(error.value).startswith(f"{tmp_path / 'image.json'}: ")
    assert message in str(error.value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    label=json_values,
    points=json_values,
    shape_type=st.sampled_from(
        ["polygon", "rectangle", "circle", "line", "linestrip", "point", "points", "mask", None]
    )
    | json_values,
    group_id=json_values,
    mask=json_values,
)
def test_any_junk_in_a_shape_is_read_or_an_annotation_error(label, points, shape_type, group_id, mask):
    shape = {"label": label, "points": points, "shape_type": shape_type, "group_id": group_id, "mask": mask}
    try:
        load_document(doc(shape), Path("junk.json"))
    except AnnotationError as error:
        assert str(error).startswith("junk.json: ")
