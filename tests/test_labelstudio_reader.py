"""Label Studio JSON and JSON-MIN: the converter's fixture, and hand-written tasks for every region type."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from annotation_writers import brush_rle, encode_brush
from segtool.annotations import Bitmap, Ellipse, Points, ReaderOptions, load_annotation_file
from segtool.annotations.labelstudio_brush import brush_mask, decode_brush_rle
from segtool.errors import AnnotationError

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "labelstudio"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures not present")


def region(
    kind: str, label: str, value: dict, *, ident: str = "r1", width: int = 200, height: int = 100, **extra
) -> dict:
    return {
        "id": ident,
        "type": f"{kind}labels",
        "from_name": "label",
        "to_name": "image",
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
        "value": {**value, f"{kind}labels": [label]},
        **extra,
    }


def task(
    results: list, *, image: str = "/data/upload/7/1a2b3c4d-street.jpg", annotations=None, task_id=1
) -> dict:
    return {
        "id": task_id,
        "data": {"image": image},
        "annotations": annotations
        if annotations is not None
        else [{"id": 100, "completed_by": 1, "was_cancelled": False, "result": results}],
    }


def load(tmp_path: Path, document, **options) -> list:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    return load_annotation_file(path, options=ReaderOptions(**options))


@needs_fixtures
def test_converter_fixture_polygon_is_scaled_from_percent():
    (image,) = load_annotation_file(FIXTURES / "data_polygons.json")
    assert (image.height, image.width, str(image.name)) == (426, 640, "image2")
    (shape,) = image.shapes
    assert shape.label == "Airplane" and len(shape.geometry.rings[0]) == 37
    # first point [60, 19.559...] % of 640 x 426 -> (384, 83.32...)
    np.testing.assert_allclose(shape.geometry.rings[0][0], [384.0, 19.55922865013774 * 4.26])
    assert "task 68501 annotation 211797" in shape.where


def test_rectangle_rotates_clockwise_about_its_top_left_corner(tmp_path):
    value = {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 90}
    (image,) = load(tmp_path, [task([region("rectangle", "car", value)])])
    # on 200 x 100: top-left (20, 20), 60 wide, 40 high; turned 90 degrees clockwise about (20, 20),
    # an offset (dx, dy) becomes (-dy, dx): (80,20)->(20,80), (80,60)->(-20,80), (20,60)->(-20,20)
    np.testing.assert_allclose(
        image.shapes[0].geometry.rings[0], [[20, 20], [20, 80], [-20, 80], [-20, 20]], atol=1e-12
    )
    assert (image.height, image.width) == (100, 200)


def test_unrotated_rectangle_and_ellipse_and_keypoint(tmp_path):
    results = [
        region("rectangle", "car", {"x": 50, "y": 50, "width": 25, "height": 10}, ident="a"),
        region(
            "ellipse", "wheel", {"x": 50, "y": 50, "radiusX": 10, "radiusY": 20, "rotation": 15}, ident="b"
        ),
        region("keypoint", "eye", {"x": 1, "y": 2, "width": 0.5}, ident="c"),
    ]
    (image,) = load(tmp_path, [task(results)])
    box, ellipse, point = image.shapes
    np.testing.assert_allclose(box.geometry.rings[0], [[100, 50], [150, 50], [150, 60], [100, 60]])
    # radii are percent of the width (x) and of the height (y): 10% of 200, 20% of 100
    assert ellipse.geometry == Ellipse(100.0, 50.0, 20.0, 20.0, 15.0)
    assert isinstance(point.geometry, Points) and point.geometry.points.tolist() == [[2.0, 2.0]]


def test_brush_region_decodes_to_its_mask(tmp_path):
    mask = np.zeros((100, 200), dtype=bool)
    mask[10:30, 40:45] = True
    mask[50, 199] = True
    value = {"format": "rle", "rle": brush_rle(mask)}
    (image,) = load(tmp_path, [task([region("brush", "paint", value)])])
    geometry = image.shapes[0].geometry
    # kept over the pixels it covers: rows 10..50, columns 40..199
    assert isinstance(geometry, Bitmap) and (geometry.left, geometry.top) == (40, 10)
    np.testing.assert_array_equal(geometry.decoded(), mask[10:51, 40:200])
    assert geometry.decoded().sum() == 20 * 5 + 1


def test_brush_of_the_wrong_size_is_an_error(tmp_path):
    value = {"format": "rle", "rle": brush_rle(np.ones((10, 10), dtype=bool))}
    with pytest.raises(
        AnnotationError,
        match=r"region 'r1' \(brush, 'paint'\): bad brush rle for a 200x100 image: "
        r"it holds 400 values, 80000 were expected",
    ):
        load(tmp_path, [task([region("brush", "paint", value)])])


def test_truncated_brush_is_an_error():
    data = encode_brush(np.arange(50, dtype=np.uint8))
    with pytest.raises(ValueError, match="ends in the middle"):
        decode_brush_rle(data[:-10])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=300), st.integers(1, 70_000))
def test_brush_decoder_inverts_the_encoder(values, long_run):
    # a long run exercises run lengths past the largest field (chunks of 2**16)
    array = np.array(values + [9] * long_run + values, dtype=np.uint32)
    np.testing.assert_array_equal(decode_brush_rle(encode_brush(array)), array)


def test_brush_mask_takes_the_alpha_channel():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 1] = (0, 0, 0, 1)  # black but opaque: inside
    rgba[1, 0] = (255, 9, 9, 0)  # coloured but transparent: outside
    assert brush_mask(encode_brush(rgba.ravel()), 2, 2).tolist() == [[False, True], [False, False]]


def test_geometry_and_labels_in_separate_results_are_merged(tmp_path):
    results = [
        {
            "id": "p1",
            "type": "polygon",
            "original_width": 200,
            "original_height": 100,
            "value": {"points": [[0, 0], [50, 0], [50, 50]]},
        },
        {
            "id": "p1",
            "type": "labels",
            "original_width": 200,
            "original_height": 100,
            "value": {"points": [[0, 0], [50, 0], [50, 50]], "labels": ["road"]},
        },
        {"id": "c1", "type": "choices", "value": {"choices": ["day"]}},
    ]
    (image,) = load(tmp_path, [task(results)])
    (shape,) = image.shapes
    assert shape.label == "road" and shape.geometry.rings[0].tolist() == [[0, 0], [100, 0], [100, 50]]


def annotations_by_three() -> list:
    def poly(x):
        return [region("polygon", "car", {"points": [[x, 0], [x + 10, 0], [x, 10]]})]

    return [
        {"id": 1, "completed_by": 5, "was_cancelled": True, "result": poly(0)},
        {"id": 2, "completed_by": 1, "result": poly(10)},
        {"id": 3, "completed_by": {"id": 2, "email": "b@x.org"}, "result": poly(20)},
        {"id": 4, "completed_by": 2, "result": poly(30)},
    ]


def first_x(image) -> float:
    return image.shapes[0].geometry.rings[0][0, 0]


def test_first_annotator_skips_cancelled_annotations(tmp_path):
    (image,) = load(tmp_path, [task([], annotations=annotations_by_three())])
    assert str(image.name) == "street" and first_x(image) == 20.0  # annotation 2: 10% of 200


def test_all_annotators_get_their_own_output(tmp_path):
    images = load(tmp_path, [task([], annotations=annotations_by_three())], annotator="all")
    # annotator 2 has two annotations (3 and 4): the annotation id tells them apart
    assert [str(image.name) for image in images] == [
        "street__annotator1",
        "street__annotator2-3",
        "street__annotator2-4",
    ]
    assert [first_x(image) for image in images] == [20.0, 40.0, 60.0]


@pytest.mark.parametrize("who", ["2", "b@x.org"])
def test_one_annotator_by_id_or_email(tmp_path, who):
    (image,) = load(tmp_path, [task([], annotations=annotations_by_three())], annotator=who)
    assert str(image.name) == "street" and first_x(image) == 40.0


def test_an_annotator_who_did_not_annotate_the_task_gives_no_output(tmp_path):
    assert load(tmp_path, [task([], annotations=annotations_by_three())], annotator="someone@else") == []


def test_min_json_records(tmp_path):
    records = [
        {
            "image": "/data/upload/1/deadbeef-a.png",
            "id": 9,
            "annotator": 1,
            "annotation_id": 1,
            "label": [
                {
                    "points": [[0, 0], [10, 0], [0, 10]],
                    "polygonlabels": ["car"],
                    "original_width": 200,
                    "original_height": 100,
                }
            ],
            "created_at": "2024-01-01",
            "lead_time": 3.0,
        },
        {
            "image": "/data/upload/1/deadbeef-a.png",
            "id": 9,
            "annotator": "b@x.org",
            "annotation_id": 2,
            "box": [
                {
                    "x": 0,
                    "y": 0,
                    "width": 50,
                    "height": 50,
                    "rectanglelabels": ["sign"],
                    "original_width": 200,
                    "original_height": 100,
                }
            ],
        },
    ]
    (first,) = load(tmp_path, records)
    assert str(first.name) == "a" and [s.label for s in first.shapes] == ["car"]
    both = load(tmp_path, records, annotator="all")
    assert [str(image.name) for image in both] == ["a__annotator1", "a__annotatorb@x.org"]
    assert both[1].shapes[0].geometry.rings[0].tolist() == [[0, 0], [100, 0], [100, 50], [0, 50]]


@pytest.mark.parametrize(
    "reference, name",
    [
        ("/data/upload/3/0f1e2d3c-photo.v2.jpg", "photo.v2"),
        ("https://example.com/imgs/a%20b.png?X-Amz=1", "a b"),
        ("/data/local-files/?d=folder/sub/x.jpg", "x"),
        (
            "s3://bucket/dir/0f1e2d3c-kept.jpg",
            "0f1e2d3c-kept",
        ),  # not an upload: the prefix is part of the name
    ],
)
def test_output_names_from_image_references(tmp_path, reference, name):
    (image,) = load(
        tmp_path, [task([region("polygon", "car", {"points": [[0, 0], [1, 0], [0, 1]]})], image=reference)]
    )
    assert image.name == PurePosixPath(name)


def test_task_without_regions_takes_its_size_from_the_image(tmp_path):
    document = [task([], image="/data/upload/7/1a2b3c4d-street.jpg")]
    # Without the image, that task cannot be drawn: it says why; the other tasks of the file are fine.
    square = region("polygon", "car", {"points": [[0, 0], [10, 0], [0, 10]]})
    unsized, other = load(tmp_path, document + [task([square], image="b.jpg", task_id=2)])
    assert re.fullmatch(
        r".*export\.json: task 1 annotation 100: no region gives the image size and the image "
        r"'/data/upload/7/1a2b3c4d-street\.jpg' was not found .*--images\)",
        unsized.problem,
    )
    assert (unsized.height, unsized.width, unsized.shapes) == (0, 0, [])
    assert other.problem is None and (other.height, other.width) == (100, 200) and len(other.shapes) == 1
    folder = tmp_path / "imgs"
    folder.mkdir()
    Image.new("RGB", (64, 48)).save(folder / "street.jpg")
    (image,) = load(tmp_path, document, images_dir=folder)
    assert (image.height, image.width, image.shapes) == (48, 64, [])
    assert image.image_path == folder / "street.jpg"


def test_regions_on_a_rotated_view_are_skipped_with_a_warning(tmp_path):
    results = [region("polygon", "car", {"points": [[0, 0], [1, 0], [0, 1]]}, image_rotation=90)]
    (image,) = load(tmp_path, [task(results)])
    assert image.shapes == [] and "image_rotation" in image.warnings[0]


def test_regions_with_different_original_sizes_are_an_error(tmp_path):
    results = [
        region("polygon", "car", {"points": [[0, 0], [1, 0], [0, 1]]}, ident="a"),
        region("polygon", "car", {"points": [[0, 0], [1, 0], [0, 1]]}, ident="b", width=300),
    ]
    with pytest.raises(AnnotationError, match="different original sizes"):
        load(tmp_path, [task(results)])


def test_bad_coordinate_names_the_region(tmp_path):
    results = [region("rectangle", "car", {"x": "left", "y": 0, "width": 1, "height": 1})]
    with pytest.raises(
        AnnotationError, match=r"task 1 annotation 100 region 'r1' \(rectangle, 'car'\): x must be"
    ):
        load(tmp_path, [task(results)])


def test_unknown_json_list_is_no_annotation_file_and_forcing_the_format_names_what_was_expected(tmp_path):
    with pytest.raises(AnnotationError, match=r"not an annotation file \(segtool reads .*labelstudio"):
        load(tmp_path, [{"foo": 1}])
    path = tmp_path / "export.json"
    with pytest.raises(AnnotationError, match='a list of tasks with "data" and "annotations"'):
        load_annotation_file(path, input_format="labelstudio")


@needs_fixtures
def test_labeling_config_is_recognised_and_gives_no_image():
    assert load_annotation_file(FIXTURES / "label_config_polygons.xml") == []
