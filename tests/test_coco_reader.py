"""The COCO instances reader: real files, every segmentation encoding, crowd regions and errors."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from segtool.annotations import Bitmap, Polygon, ReaderOptions, load_annotation_file, load_document
from segtool.annotations.coco import read_coco_results
from segtool.errors import AnnotationError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
COCO = SHARED / "coco"
LABELME_INSTANCES = SHARED / "labelme" / "instance_segmentation"
needs_fixtures = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/fixtures is absent")


def coco(*annotations: dict, images=None, categories=None) -> dict:
    """A small instances document: image 1 is 4 rows x 3 columns, image 2 is 10 x 10."""
    return {
        "images": images
        if images is not None
        else [
            {"id": 1, "file_name": "a.jpg", "height": 4, "width": 3},
            {"id": 2, "file_name": "sub/b.png", "height": 10, "width": 10},
        ],
        "categories": categories
        if categories is not None
        else [{"id": 1, "name": "car"}, {"id": 7, "name": "person"}],
        "annotations": list(annotations),
    }


def ann(id=1, image_id=1, category_id=1, segmentation=((0, 0, 2, 0, 2, 2),), **fields) -> dict:
    if isinstance(segmentation, tuple):
        segmentation = [list(part) for part in segmentation]
    return {
        "id": id,
        "image_id": image_id,
        "category_id": category_id,
        "segmentation": segmentation,
        "iscrowd": 0,
        **fields,
    }


def read(document, **options):
    return load_document(document, Path("instances.json"), options=ReaderOptions(**options))


# -- the real files ------------------------------------------------------------------------------
@needs_fixtures
def test_datumaro_polygon_and_crowd_rle():
    (image,) = load_annotation_file(COCO / "instances_val.json")
    assert (image.name, image.height, image.width) == (PurePosixPath("b"), 10, 5)
    polygon, crowd = image.shapes
    assert polygon.label == "a" and polygon.group_id == 1 and polygon.where == "annotation id 1 (polygon 'a')"
    # the 1 x 2 pixel box [0, 0, 1, 0, 1, 2, 0, 2]
    assert polygon.geometry.rings[0].tolist() == [[0, 0], [1, 0], [1, 2], [0, 2]]
    # iscrowd 1 is drawn as ignore by default
    assert crowd.label == "__ignore__" and crowd.where == "annotation id 2 (crowd RLE 'b')"
    bitmap = crowd.geometry
    # counts [0, 20, 30] on 10 rows x 5 columns, column by column: no background, then 20 foreground
    # pixels = all of columns 0 and 1, then 30 background = columns 2..4. Cropped: a 10 x 2 block at (0, 0).
    assert isinstance(bitmap, Bitmap)
    assert (bitmap.left, bitmap.top) == (0, 0)
    assert bitmap.decoded().shape == (10, 2) and bitmap.decoded().all()


@needs_fixtures
def test_crowd_as_class_keeps_its_category():
    (image,) = load_annotation_file(COCO / "instances_val.json", options=ReaderOptions(coco_crowd="class"))
    assert [shape.label for shape in image.shapes] == ["a", "b"]


@needs_fixtures
def test_bbox_only_annotation_is_skipped_with_a_warning_and_the_image_kept():
    (image,) = load_annotation_file(COCO / "instances_train.json")
    assert (image.name, image.height, image.width, image.shapes) == (PurePosixPath("a"), 5, 10, [])
    assert image.warnings == [
        f"{COCO / 'instances_train.json'}: annotation id 1 (bbox 'b'): has no segmentation "
        "(only a bbox); skipped, segtool draws segmentations"
    ]


@needs_fixtures
def test_labelme_export_matches_the_labelme_files_it_came_from():
    images = load_annotation_file(LABELME_INSTANCES / "data_dataset_coco" / "annotations.json")
    assert [str(image.name) for image in images] == [
        "JPEGImages/2011_000003",
        "JPEGImages/2011_000025",
        "JPEGImages/2011_000006",
    ]
    assert [(image.height, image.width) for image in images] == [(338, 500), (375, 500), (375, 500)]
    assert [len(image.shapes) for image in images] == [3, 3, 6]
    for image in images:
        (labelme,) = load_annotation_file(LABELME_INSTANCES / "data_annotated" / f"{image.name.name}.json")
        # labelme2coco makes one annotation per instance: shapes sharing (label, group_id) become the
        # parts of one annotation; a shape without group_id is an instance of its own; __ignore__ is left out
        instances: dict[tuple, list[np.ndarray]] = {}
        for index, shape in enumerate(labelme.shapes):
            if shape.label != "__ignore__":
                key = (shape.label, shape.group_id if shape.group_id is not None else f"alone {index}")
                instances.setdefault(key, []).append(shape.geometry.rings[0])
        assert len(instances) == len(image.shapes)
        for (label, _group), rings, shape in zip(
            instances.keys(), instances.values(), image.shapes, strict=True
        ):
            assert shape.label == label
            assert len(shape.geometry.rings) == len(rings)
            assert all(np.array_equal(a, b) for a, b in zip(shape.geometry.rings, rings, strict=True))


# -- by hand -------------------------------------------------------------------------------------
def test_every_image_is_an_output_even_without_annotations():
    images = read(coco(ann(image_id=2, category_id=7)))
    assert [(str(image.name), image.height, image.width, len(image.shapes)) for image in images] == [
        ("a", 4, 3, 0),
        ("sub/b", 10, 10, 1),
    ]
    assert images[1].shapes[0].label == "person"


def test_polygon_parts_become_rings_of_one_polygon_in_file_order():
    images = read(
        coco(ann(id=5, segmentation=((0, 0, 1, 0, 1, 1), (2, 2, 3, 2, 3, 3, 2, 3))), ann(id=6, category_id=7))
    )
    first, second = images[0].shapes
    assert isinstance(first.geometry, Polygon) and len(first.geometry.rings) == 2
    assert first.geometry.rings[1].tolist() == [[2, 2], [3, 2], [3, 3], [2, 3]]
    assert (first.group_id, second.group_id) == (5, 6)
    assert [first.label, second.label] == ["car", "person"]


def test_compressed_rle_is_decoded_and_cropped():
    # 4 rows x 3 columns, "525" = counts [5, 2, 5]: 4 background in column 0 and 1 at the top of column 1,
    # then rows 1..2 of column 1, then background. Cropped to those two pixels: top 1, left 1.
    rle = {"size": [4, 3], "counts": "525"}
    (shape,) = read(coco(ann(segmentation=rle)))[0].shapes
    assert (shape.geometry.left, shape.geometry.top) == (1, 1)
    assert shape.geometry.decoded().tolist() == [[True], [True]]
    assert shape.where == "annotation id 1 (RLE 'car')"


def test_empty_rle_is_skipped_with_a_warning():
    (image, _) = read(coco(ann(segmentation={"size": [4, 3], "counts": [12]})))
    assert image.shapes == [] and "its mask is empty" in image.warnings[0]


def test_degenerate_polygon_part_is_kept_for_the_rasterizer_to_report():
    (image, _) = read(coco(ann(segmentation=((0, 0, 1, 1),))))
    assert len(image.shapes) == 1 and image.warnings == []  # the rasterizer reports that it has no area


def test_file_name_cannot_leave_the_output_folder():
    images = read(coco(images=[{"id": 3, "file_name": "..\\..\\etc\\x.jpg", "height": 2, "width": 2}]))
    assert images[0].name == PurePosixPath("etc/x")


def test_image_path_is_found_beside_the_json_or_in_images_dir(tmp_path: Path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.jpg").write_bytes(b"")
    path = tmp_path / "ann" / "instances.json"
    path.write_text(json.dumps(coco()))
    assert [image.image_path for image in load_annotation_file(path)] == [None, None]
    images = load_annotation_file(path, options=ReaderOptions(images_dir=tmp_path / "pics"))
    assert [image.image_path for image in images] == [tmp_path / "pics" / "a.jpg", None]


def test_results_list_is_refused_with_an_explanation_and_read_with_its_instances():
    results = [
        {
            "image_id": 2,
            "category_id": 7,
            "segmentation": {"size": [10, 10], "counts": [0, 100]},
            "score": 0.9,
        }
    ]
    with pytest.raises(
        AnnotationError, match="COCO results file .* read it together with the instances file"
    ):
        load_document(results, Path("results.json"))
    images = read_coco_results(results, coco(ann()), Path("results.json"))
    assert [len(image.shapes) for image in images] == [0, 1]
    (shape,) = images[1].shapes
    # no annotation id in a results file: the annotation is named by its position
    assert shape.where == "annotation 1 (RLE 'person')" and shape.group_id is None
    assert shape.geometry.decoded().shape == (10, 10) and shape.geometry.decoded().all()


def test_unknown_crowd_choice_is_a_value_error():
    with pytest.raises(ValueError, match="coco_crowd"):
        read(coco(), coco_crowd="drop")


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (coco(ann(id=17, category_id=3)), "annotation id 17: category_id 3 is not in categories"),
        (coco(ann(id=17, image_id=9)), "annotation id 17: image_id 9 is not in images"),
        (coco(ann(id=17, image_id=[1])), "annotation id 17: image_id [1] is not in images"),
        (coco(ann(), categories=[]), "annotation id 1: category_id 1 is not in categories"),
        (coco(ann(iscrowd=2)), "annotation id 1: iscrowd must be 0 or 1, not 2"),
        (coco("x"), "annotation 1: must be an object"),
        (
            coco(ann(segmentation=((0, 0, 1),))),
            "annotation id 1 (polygon 'car'): polygon part 1 has an odd number",
        ),
        (coco(ann(segmentation=[[0, 0, 1, 1, 2, "2"]])), "polygon part 1 must be a flat list of numbers"),
        (coco(ann(segmentation=[[0, 0, 1, 1, 2, float("nan")]])), "not a finite number"),
        (coco(ann(segmentation=[1, 2, 3, 4, 5, 6])), "polygon part 1 must be a list"),
        (coco(ann(segmentation="abc")), "segmentation must be a list of polygons or an RLE object, not str"),
        (coco(ann(segmentation={"size": [4, 3]})), "(RLE 'car'): RLE counts must be a string or a list"),
        (coco(ann(segmentation={"counts": [12]})), "RLE size must be [height, width], not None"),
        (coco(ann(segmentation={"size": [3, 4], "counts": [12]})), "RLE size is 3x4 but its image is 4x3"),
        (coco(ann(segmentation={"size": [4, 3], "counts": [5, 2]})), "RLE counts add up to 7 pixels"),
        (coco(ann(segmentation={"size": [4, 3], "counts": "5 2"})), "character ' ' at 1"),
        (
            coco(images=[{"id": 1, "file_name": "a.jpg", "height": 0, "width": 3}]),
            "image id 1: height must be a whole number > 0, not 0",
        ),
        (
            coco(images=[{"id": 1, "file_name": "a.jpg", "width": 3}]),
            "image id 1: height must be a whole number",
        ),
        (
            coco(images=[{"id": 1, "file_name": 5, "height": 1, "width": 3}]),
            "image id 1: file_name must be a string",
        ),
        (
            coco(images=[{"id": 1, "file_name": "..", "height": 1, "width": 3}]),
            "file_name '..' does not name a file",
        ),
        (
            coco(images=[{"id": 1.5, "file_name": "a.jpg", "height": 1, "width": 3}]),
            "image 1: id must be an integer",
        ),
        (
            coco(
                images=[
                    {"id": 1, "file_name": "a.jpg", "height": 1, "width": 1},
                    {"id": 1, "file_name": "b.jpg", "height": 1, "width": 1},
                ]
            ),
            "image id 1: is used by two images",
        ),
        (
            coco(
                images=[
                    {"id": 1, "file_name": "x/a.jpg", "height": 1, "width": 1},
                    {"id": 2, "file_name": "x/a.png", "height": 1, "width": 1},
                ]
            ),
            "image id 2: has the same output name 'x/a' as image id 1",
        ),
        (coco(categories=[{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]), "category 2: id 1 is used twice"),
        (coco(categories=[{"id": 1, "name": None}]), "category 1: name must be a non-empty string"),
        (coco(categories={"1": "car"}), "categories must be a list"),
    ],
)
def test_bad_fields_are_annotation_errors_naming_file_and_annotation(document: dict, message: str):
    with pytest.raises(AnnotationError) as error:
        read(document)
    assert str(error.value).startswith("instances.json: ")
    assert message in str(error.value)
