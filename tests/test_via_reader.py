"""VGG Image Annotator 1.x/2.x: the VIA test fixture (no images), and hand-written exports and projects."""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segtool.annotations import Ellipse, Points, Polygon, Polyline, ReaderOptions, load_annotation_file
from segtool.errors import AnnotationError

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "via"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures not present")
FIXTURE_IMAGES = ("test_pattern_qbist.jpg", "sinus_test_pattern.jpg", "a_swan_swimming_in_geneve_lake.jpg")


def blank_images(folder: Path, names, size=(640, 480)) -> Path:
    folder.mkdir(exist_ok=True)
    for name in names:
        Image.new("RGB", size).save(folder / name)
    return folder


def entry(regions, filename="a.jpg", **extra) -> dict:
    return {"filename": filename, "size": 100, "file_attributes": {}, "regions": regions, **extra}


def load(tmp_path: Path, document, **options) -> list:
    path = tmp_path / "via.json"
    path.write_text(json.dumps(document))
    return load_annotation_file(path, options=ReaderOptions(**options))


@needs_fixtures
def test_fixture_without_images_names_every_missing_image():
    images = load_annotation_file(FIXTURES / "unit_test_annotation2.json")
    assert [image.name.name for image in images] == [name[:-4] for name in FIXTURE_IMAGES]
    for image, name in zip(images, FIXTURE_IMAGES, strict=True):
        assert image.problem is not None and (image.height, image.width, image.shapes) == (0, 0, [])
        assert f"image '{name}': VIA stores no image size" in image.problem and "--images" in image.problem


@needs_fixtures
def test_fixture_with_an_images_folder(tmp_path):
    folder = blank_images(tmp_path / "images", FIXTURE_IMAGES)
    qbist, sinus, swan = load_annotation_file(
        FIXTURES / "unit_test_annotation2.json", options=ReaderOptions(images_dir=folder)
    )
    assert [str(image.name) for image in (qbist, sinus, swan)] == [name[:-4] for name in FIXTURE_IMAGES]
    assert (qbist.height, qbist.width) == (480, 640)
    # regions 0-4 are labelled by the 'name' attribute; 5-7 have no attributes at all
    assert [s.label for s in qbist.shapes] == [
        'ellipse "red"',
        "rectangle 'black'",
        'red "dot"',
        "unknown 598 fjs £$ *(&£^",
        "1564865",
    ]
    assert len(qbist.warnings) == 3 and "region 5 (circle, None): no 'name' attribute" in qbist.warnings[0]
    assert qbist.shapes[0].geometry == Ellipse(252.0, 190.0, 27.0, 26.0, 0.0)
    # rect x=290 y=208 width=127 height=113
    np.testing.assert_array_equal(
        qbist.shapes[1].geometry.rings[0], [[290, 208], [417, 208], [417, 321], [290, 321]]
    )
    # VIA 1.x repeats the first polygon vertex at the end: 12 stored, 11 kept
    ring = sinus.shapes[0].geometry.rings[0]
    assert len(ring) == 11 and ring[0].tolist() == [121, 172] and ring[-1].tolist() == [159, 198]
    assert swan.shapes[2].label == "a point, in infinity, $, :"


def test_image_next_to_the_json_is_found_without_options(tmp_path):
    blank_images(tmp_path, ["a.jpg"], size=(30, 20))
    (image,) = load(tmp_path, {"a.jpg100": entry({})})
    assert (image.height, image.width, image.image_path) == (20, 30, tmp_path / "a.jpg")


def test_embedded_image_data_gives_the_size(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (7, 5)).save(buffer, format="PNG")
    data = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    (image,) = load(tmp_path, {"a.png": entry({}, filename="a.png", base64_img_data=data)})
    assert (image.height, image.width) == (5, 7)


def project(regions, attributes=None) -> dict:
    return {
        "_via_settings": {},
        "_via_img_metadata": {"a.jpg100": entry(regions)},
        "_via_attributes": {"region": attributes or {}, "file": {}},
        "_via_data_format_version": "2.0.10",
    }


def test_version_2_project_with_every_shape(tmp_path):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    regions = [
        {
            "shape_attributes": {
                "name": "ellipse",
                "cx": 10,
                "cy": 8,
                "rx": 6,
                "ry": 3,
                "theta": math.pi / 6,
            },
            "region_attributes": {"kind": "wheel"},
        },
        {
            "shape_attributes": {"name": "circle", "cx": 5, "cy": 5, "r": 2},
            "region_attributes": {"kind": "hub"},
        },
        {
            "shape_attributes": {"name": "polyline", "all_points_x": [0, 5, 9], "all_points_y": [1, 1, 4]},
            "region_attributes": {"kind": "lane"},
        },
        {"shape_attributes": {"name": "point", "cx": 3, "cy": 4}, "region_attributes": {"kind": "eye"}},
        {
            "shape_attributes": {"name": "polygon", "all_points_x": [1, 9, 5], "all_points_y": [1, 1, 7]},
            "region_attributes": {"kind": "roof"},
        },
    ]
    attributes = {
        "kind": {
            "type": "dropdown",
            "options": {"wheel": "", "hub": "", "lane": "", "eye": "", "roof": "", "sky": ""},
        }
    }
    (image,) = load(tmp_path, project(regions, attributes))
    ellipse, circle, line, point, polygon = (s.geometry for s in image.shapes)
    assert ellipse.cx == 10 and ellipse.angle == pytest.approx(30.0)  # theta pi/6 radians, clockwise
    assert circle == Ellipse(5.0, 5.0, 2.0, 2.0)
    assert isinstance(line, Polyline) and line.points.tolist() == [[0, 1], [5, 1], [9, 4]]
    assert isinstance(point, Points) and point.points.tolist() == [[3, 4]]
    assert isinstance(polygon, Polygon) and polygon.rings[0].tolist() == [[1, 1], [9, 1], [5, 7]]
    # the dropdown's options, "sky" included although no region uses it
    assert image.declared_labels == ("wheel", "hub", "lane", "eye", "roof", "sky")
    assert image.shapes[0].where == "image 'a.jpg' region 0 (ellipse, 'wheel')"


def two_attribute_regions() -> list:
    return [
        {
            "shape_attributes": {"name": "rect", "x": 1, "y": 2, "width": 3, "height": 4},
            "region_attributes": {"type": "car", "colour": "red"},
        }
    ]


def test_label_attribute_defaults_to_the_first_and_can_be_chosen(tmp_path):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    document = {"a.jpg100": entry(two_attribute_regions())}
    assert load(tmp_path, document)[0].shapes[0].label == "car"
    assert load(tmp_path, document, via_label_attribute="colour")[0].shapes[0].label == "red"
    with pytest.raises(AnnotationError, match="no region has the attribute 'color'.*'type', 'colour'"):
        load(tmp_path, document, via_label_attribute="color")


def test_declared_attribute_order_decides_the_default(tmp_path):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    attributes = {"colour": {"type": "text"}, "type": {"type": "text"}}
    assert load(tmp_path, project(two_attribute_regions(), attributes))[0].shapes[0].label == "red"


@pytest.mark.parametrize(
    "value, label, problem",
    [
        ({"car": True, "bus": False}, "car", None),
        ({"car": True, "bus": True}, None, "2 options ticked"),
        ("", None, "is empty"),
        (7, "7", None),
    ],
)
def test_checkbox_and_odd_attribute_values(tmp_path, value, label, problem):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    regions = [
        {"shape_attributes": {"name": "point", "cx": 1, "cy": 1}, "region_attributes": {"type": value}}
    ]
    (image,) = load(tmp_path, {"a.jpg100": entry(regions)})
    assert [s.label for s in image.shapes] == ([label] if label else [])
    assert (problem is None) == (not image.warnings)
    if problem:
        assert problem in image.warnings[0]


def test_unknown_shape_is_skipped_with_a_warning(tmp_path):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    regions = {"0": {"shape_attributes": {"name": "triangle"}, "region_attributes": {"type": "x"}}}
    (image,) = load(tmp_path, {"a.jpg100": entry(regions)})
    assert image.shapes == [] and "shape 'triangle' is not read" in image.warnings[0]


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"name": "polygon", "all_points_x": [1, 2, 3], "all_points_y": [1, 2]}, "same length"),
        ({"name": "rect", "x": 1, "y": 2, "width": None, "height": 4}, "width must be a finite number"),
        ({"name": "circle", "cx": 1, "cy": True, "r": 1}, "cy must be a finite number"),
    ],
)
def test_bad_regions_name_the_image_and_region(tmp_path, attrs, message):
    blank_images(tmp_path, ["a.jpg"], size=(40, 30))
    regions = [{"shape_attributes": attrs, "region_attributes": {"type": "x"}}]
    with pytest.raises(
        AnnotationError, match=rf"image 'a.jpg' region 0 \({attrs['name']}, 'x'\): .*{message}"
    ):
        load(tmp_path, {"a.jpg100": entry(regions)})
