"""The COCO fixture (../shared/fixtures/coco, from datumaro's tests) through the rasterizer.

instances_val.json: a 5 wide x 10 tall image with a polygon that is the 1x2-pixel box
(0,0)-(1,2) and a crowd region given as uncompressed RLE (column-major counts
[0, 20, 30]: the first 20 pixels, i.e. columns 0 and 1 entirely).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from segtool.annotations import Bitmap, Polygon, load_annotation_file
from segtool.labels import LabelMap
from segtool.raster import geometry_mask, rasterize_image

FIXTURE = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "coco" / "instances_val.json"
pytestmark = pytest.mark.skipif(not FIXTURE.is_file(), reason="../shared/fixtures is absent")


@pytest.fixture
def image():
    (image,) = load_annotation_file(FIXTURE)
    return image


def test_one_by_two_box_is_two_pixels(image):
    (box,) = [shape for shape in image.shapes if isinstance(shape.geometry, Polygon)]
    mask = geometry_mask(box.geometry, image.height, image.width)
    # Centres (0.5, 0.5) and (0.5, 1.5) only; Pillow and cv2.fillPoly make 6 pixels of it.
    assert [tuple(p) for p in np.argwhere(mask).tolist()] == [(0, 0), (1, 0)]
    assert geometry_mask(box.geometry, image.height, image.width, convention="labelme").sum() == 6


def test_crowd_rle_covers_the_first_two_columns(image):
    (crowd,) = [shape for shape in image.shapes if isinstance(shape.geometry, Bitmap)]
    expected = np.zeros((10, 5), dtype=bool)
    expected[:, :2] = True
    assert np.array_equal(geometry_mask(crowd.geometry, image.height, image.width), expected)


def test_overlap_order_on_the_fixture(image):
    label_map = LabelMap.from_names(["a", "b", "c"])
    box, crowd = image.shapes  # file order: the polygon, then the crowd region over it
    crowd_value, box_value = label_map.id_of(crowd.label), label_map.id_of(box.label)
    in_file_order = rasterize_image(image, label_map).labels
    assert (in_file_order[:, :2] == crowd_value).all() and not in_file_order[:, 2:].any()
    by_area = rasterize_image(image, label_map, order="area").labels  # 20 pixels, then 2
    assert (by_area[:2, 0] == box_value).all() and (by_area == crowd_value).sum() == 18
