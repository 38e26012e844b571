"""CVAT for images XML: fixtures from datumaro, and hand-written files for every shape type."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from annotation_writers import cvat_rle
from segtool.annotations import (
    AnnotatedImage,
    Bitmap,
    Ellipse,
    Points,
    Polygon,
    Polyline,
    load_annotation_file,
)
from segtool.annotations.cvat import decode_mask_rle
from segtool.errors import AnnotationError
from segtool.labels import LabelMap

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "cvat"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures not present")


def write_xml(tmp_path: Path, body: str, *, meta: str = "", name: str = "annotations.xml") -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>'
        f"<meta>{meta}</meta>{body}</annotations>",
        encoding="utf-8",
    )
    return path


def one_image(tmp_path: Path, shapes: str, **kwargs) -> AnnotatedImage:
    path = write_xml(
        tmp_path, f'<image id="0" name="a.jpg" width="20" height="10">{shapes}</image>', **kwargs
    )
    (image,) = load_annotation_file(path)
    return image


@needs_fixtures
def test_project_export_fixture_reads_every_image_with_its_subset():
    images = load_annotation_file(FIXTURES / "annotations.xml")
    # 2 images in each of the 3 subsets; the same file names recur, so the subset prefixes the name
    assert [str(image.name) for image in images] == [
        "Test/img0",
        "Test/img1",
        "Train/img0",
        "Train/img1",
        "Validation/img0",
        "Validation/img1",
    ]
    assert [(image.height, image.width) for image in images[:2]] == [(8, 8), (10, 10)]
    assert all(image.declared_labels == ("label1", "label2") for image in images)
    box, line = images[0].shapes
    assert box.label == "label1" and box.z == 1.0
    # box xtl=0 ytl=2 xbr=4 ybr=4, corners from the top-left, clockwise on screen
    np.testing.assert_array_equal(box.geometry.rings[0], [[0, 2], [4, 2], [4, 4], [0, 4]])
    assert isinstance(line.geometry, Polyline) and line.geometry.points.tolist() == [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
    ]
    polygon, points = images[1].shapes
    assert polygon.geometry.rings[0].tolist() == [[1, 2], [3, 4], [6, 5]] and polygon.z == 1.0
    assert isinstance(points.geometry, Points) and points.z == 2.0
    assert box.where == "image 'img0.jpg' box 1 ('label1')"


@needs_fixtures
def test_task_export_fixture_warns_about_shapes_without_label():
    first, second = load_annotation_file(FIXTURES / "train.xml")
    assert [str(first.name), str(second.name)] == ["img0", "img1"]
    # train.xml has label="" on the polyline of img0 and the polygon of img1: skipped, not drawn as ""
    assert [s.label for s in first.shapes] == ["label1"] and [s.label for s in second.shapes] == ["label2"]
    assert (
        len(first.warnings) == 1
        and "polyline 2 ('')" in first.warnings[0]
        and "no label" in first.warnings[0]
    )


def test_rotated_box_turns_clockwise_about_its_centre(tmp_path):
    image = one_image(tmp_path, '<box label="b" xtl="0" ytl="0" xbr="4" ybr="2" rotation="90" z_order="0"/>')
    # centre (2, 1); a quarter turn clockwise on screen maps an offset (dx, dy) to (-dy, dx):
    # (0,0)->(3,-1), (4,0)->(3,3), (4,2)->(1,3), (0,2)->(1,-1)
    np.testing.assert_allclose(
        image.shapes[0].geometry.rings[0], [[3, -1], [3, 3], [1, 3], [1, -1]], atol=1e-12
    )


def test_ellipse_keeps_centre_radii_and_rotation(tmp_path):
    image = one_image(tmp_path, '<ellipse label="e" cx="10.5" cy="5" rx="4" ry="2" rotation="30.5"/>')
    assert image.shapes[0].geometry == Ellipse(10.5, 5.0, 4.0, 2.0, 30.5)


def test_mask_rle_is_row_major_over_its_box(tmp_path):
    # box 3 wide, 2 high at (5, 7); runs 1 background, 2 foreground, 3 background:
    # row 0 = 0 1 1, row 1 = 0 0 0 (the ", " separator is what CVAT writes). Kept over the pixels
    # it covers: the 2 x 1 block at (6, 7).
    image = one_image(
        tmp_path, '<mask label="m" rle="1, 2, 3" left="5" top="7" width="3" height="2" z_order="4"/>'
    )
    geometry = image.shapes[0].geometry
    assert isinstance(geometry, Bitmap) and (geometry.left, geometry.top) == (6, 7)
    assert geometry.decoded().astype(int).tolist() == [[1, 1]]
    assert image.shapes[0].z == 4.0


def test_mask_starting_with_foreground_has_an_empty_first_run():
    mask = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)
    assert cvat_rle(mask) == "0, 2, 2, 2"  # counted by hand: 0 bg, 2 fg, 2 bg, 2 fg
    np.testing.assert_array_equal(decode_mask_rle([0, 2, 2, 2], 2, 3), mask)


def test_mask_whose_runs_do_not_fill_the_box_is_an_error(tmp_path):
    with pytest.raises(
        AnnotationError, match=r"image 'a.jpg' mask 1 \('m'\): bad mask rle: the runs add up to 5"
    ):
        one_image(tmp_path, '<mask label="m" rle="1, 2, 2" left="0" top="0" width="3" height="2"/>')


def test_group_and_polygon_points(tmp_path):
    image = one_image(
        tmp_path,
        '<polygon label="p" points="1.5,2;3,4;6,5" group_id="3"/><polyline label="l" points="0,0;1,1"/>',
    )
    polygon, line = image.shapes
    assert isinstance(polygon.geometry, Polygon) and polygon.group_id == 3 and line.group_id is None
    assert polygon.geometry.rings[0].tolist() == [[1.5, 2], [3, 4], [6, 5]]


def test_tags_are_not_shapes_and_cuboids_are_skipped_with_a_warning(tmp_path):
    image = one_image(
        tmp_path, '<tag label="good"/><cuboid label="c" xtl1="0" ytl1="0"/><points label="p" points="1,1"/>'
    )
    assert [s.label for s in image.shapes] == ["p"]
    assert len(image.warnings) == 1 and "cuboid 1 ('c')" in image.warnings[0]


def test_declared_labels_leave_out_tag_and_skeleton_labels(tmp_path):
    meta = (
        "<task><labels><label><name>car</name><type>polygon</type></label>"
        "<label><name>frame_ok</name><type>tag</type></label>"
        "<label><name>unused</name></label></labels></task>"
    )
    image = one_image(tmp_path, "", meta=meta)
    assert image.declared_labels == ("car", "unused") and image.shapes == []


def test_video_export_is_refused(tmp_path):
    path = write_xml(
        tmp_path, '<track id="0" label="car"><box frame="0" xtl="0" ytl="0" xbr="1" ybr="1"/></track>'
    )
    with pytest.raises(AnnotationError, match="CVAT for video"):
        load_annotation_file(path)


@pytest.mark.parametrize(
    "shape, message",
    [
        ('<polygon label="p" points="1,2;a,b"/>', r"polygon 1 \('p'\): points must be"),
        ('<box label="b" xtl="0" ytl="0" xbr="inf" ybr="1"/>', r"box 1 \('b'\): xbr must be a finite number"),
        ('<ellipse label="e" cx="1" cy="1" rx="2"/>', r"ellipse 1 \('e'\): missing 'ry'"),
    ],
)
def test_bad_values_name_the_image_and_the_shape(tmp_path, shape, message):
    with pytest.raises(AnnotationError, match=message) as error:
        one_image(tmp_path, shape)
    assert error.value.path == str(tmp_path / "annotations.xml")


def test_image_without_size_is_an_error(tmp_path):
    path = write_xml(tmp_path, '<image id="0" name="a.jpg"/>')
    with pytest.raises(AnnotationError, match="image 'a.jpg': missing 'height'"):
        load_annotation_file(path)


def test_image_path_is_found_in_the_images_folder(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.jpg").write_bytes(b"not decoded")
    image = one_image(tmp_path, "")
    assert image.image_path == tmp_path / "images" / "a.jpg" and image.name == PurePosixPath("a")


def test_other_xml_is_not_taken_for_cvat(tmp_path):
    path = tmp_path / "voc.xml"
    path.write_text("<annotation><filename>a.jpg</filename></annotation>")
    with pytest.raises(AnnotationError, match=r"not an annotation file \(segtool reads .*cvat"):
        load_annotation_file(path)
    with pytest.raises(AnnotationError, match="not a cvat file .*an XML <annotations> root"):
        load_annotation_file(path, input_format="cvat")


def test_z_order_decides_overlaps_when_drawn_in_z_order(tmp_path):
    rasterize_image = pytest.importorskip("segtool.raster").rasterize_image
    # the box is first in the file but has the higher z_order: it must end up in front
    image = one_image(
        tmp_path,
        '<box label="front" xtl="0" ytl="0" xbr="10" ybr="10" z_order="2"/>'
        '<box label="back" xtl="5" ytl="0" xbr="20" ybr="10" z_order="1"/>',
    )
    labels = LabelMap.from_names(["back", "front"])
    by_z = rasterize_image(image, labels, order="z").labels
    by_file = rasterize_image(image, labels, order="file").labels
    # columns 5..9 are covered by both boxes
    assert (by_z[:, 5:10] == labels.id_of("front")).all()
    assert (by_file[:, 5:10] == labels.id_of("back")).all()
