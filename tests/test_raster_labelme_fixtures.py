"""labelme's own masks (../shared/fixtures/labelme), reproduced by ``convention="labelme"``.

The reference PNGs were made by labelme's scripts (labelme2voc, labelme_json_to_dataset)
from the JSON beside them. The fixtures README lists the pixels that depend on the
Pillow version: one in 2011_000006 (it appears in both copies of that file) and
eight in apc2016_obj3. Every other pixel must match. The centre rule is compared
with the same shapes: it differs from labelme's only along outlines, and its pixel
counts are much closer to the polygons' areas.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from segtool.annotations import load_annotation_file
from segtool.io.maskio import read_mask
from segtool.labels import LabelMap
from segtool.raster import geometry_mask, rasterize_image

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "labelme"
PILLOW_DEPENDENT_PIXELS = {"2011_000006": 1, "apc2016_obj3": 8}


def cases() -> list[tuple[Path, Path, Path]]:
    """(annotation JSON, reference mask, labels file) for every reference mask."""
    found = []
    for dataset in ("semantic_segmentation", "instance_segmentation", "video_annotation"):
        for annotation in sorted((FIXTURES / dataset / "data_annotated").glob("*.json")):
            (reference,) = (FIXTURES / dataset / "data_dataset_voc").glob(
                f"SegmentationClass*/{annotation.stem}.png"
            )
            found.append((annotation, reference, FIXTURES / dataset / "labels.txt"))
    tutorial = FIXTURES / "tutorial"
    found.append(
        (
            tutorial / "apc2016_obj3.json",
            tutorial / "apc2016_obj3" / "label.png",
            tutorial / "apc2016_obj3" / "label_names.txt",
        )
    )
    return found


pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent")
CASES = cases() if FIXTURES.is_dir() else []
IDS = [f"{annotation.parent.parent.name}/{annotation.stem}" for annotation, _, _ in CASES]


@pytest.mark.parametrize("annotation, reference, labels_file", CASES, ids=IDS)
def test_labelme_convention_reproduces_labelmes_masks(annotation, reference, labels_file):
    (image,) = load_annotation_file(annotation)
    labels = rasterize_image(image, LabelMap.read(labels_file), convention="labelme").labels
    expected = read_mask(reference)
    assert labels.shape == expected.shape
    differing = int(np.count_nonzero(labels != expected))
    assert differing <= PILLOW_DEPENDENT_PIXELS.get(annotation.stem, 0)


def distance_to_outline(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Distance from each (x, y) point to the closed ring's nearest edge."""
    start, end = ring, np.roll(ring, -1, axis=0)
    edge = end - start
    length2 = np.maximum((edge**2).sum(axis=1), 1e-300)
    t = np.clip(((points[:, None, :] - start[None]) * edge[None]).sum(axis=2) / length2[None], 0, 1)
    nearest = start[None] + t[..., None] * edge[None]
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


@pytest.mark.parametrize("annotation", [case[0] for case in CASES], ids=IDS)
def test_centre_rule_differs_from_labelme_only_along_outlines(annotation):
    (image,) = load_annotation_file(annotation)
    centre_error = labelme_error = 0.0
    for shape in image.shapes:
        (ring,) = shape.geometry.rings
        centre = geometry_mask(shape.geometry, image.height, image.width)
        labelme = geometry_mask(shape.geometry, image.height, image.width, convention="labelme")
        rows, columns = np.nonzero(centre != labelme)
        # Pillow rounds vertices to whole pixels and fills whatever the outline touches:
        # each differing pixel's centre lies within 1.5 pixels of the outline.
        assert distance_to_outline(np.column_stack([columns + 0.5, rows + 0.5]), ring).max(initial=0) <= 1.5
        x, y = ring[:, 0], ring[:, 1]
        if x.min() >= 0 and y.min() >= 0 and x.max() <= image.width and y.max() <= image.height:
            area = abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1))) / 2
            centre_error += abs(int(centre.sum()) - area)
            labelme_error += abs(int(labelme.sum()) - area)
    assert centre_error < labelme_error / 3


def labelme_shape_mask(entry: dict, height: int, width: int) -> np.ndarray:
    """What labelme's ``shape_to_mask`` (and ``shapes_to_label`` for masks) makes of one JSON shape,
    from the raw JSON fields: Pillow calls on an image-sized canvas, lines 10 wide, points of radius 5."""
    canvas = Image.new("L", (width, height))
    draw = ImageDraw.Draw(canvas)
    points = [tuple(point) for point in entry["points"]]
    kind = entry.get("shape_type") or "polygon"
    if kind == "circle":
        (cx, cy), (px, py) = points
        radius = math.sqrt((cx - px) ** 2 + (cy - py) ** 2)
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=1, fill=1)
    elif kind == "rectangle":
        draw.rectangle(points, outline=1, fill=1)
    elif kind in ("line", "linestrip"):
        draw.line(points, fill=1, width=10)
    elif kind == "point":
        ((cx, cy),) = points
        draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], outline=1, fill=1)
    elif kind == "mask":
        mask = np.zeros((height, width), dtype=bool)
        (left, top), (right, bottom) = np.asarray(points).astype(int)
        mask[top : bottom + 1, left : right + 1] = (
            np.asarray(Image.open(io.BytesIO(base64.b64decode(entry["mask"])))) != 0
        )
        return mask
    else:
        draw.polygon(points, outline=1, fill=1)
    return np.asarray(canvas) != 0


def test_labelme_convention_draws_every_shape_type_as_labelme_does():
    path = FIXTURES / "primitives" / "primitives.json"
    document = json.loads(path.read_text())
    (image,) = load_annotation_file(path)
    kinds = [entry["shape_type"] for entry in document["shapes"]]
    assert sorted(set(kinds)) == ["circle", "line", "linestrip", "mask", "point", "polygon", "rectangle"]
    assert len(image.shapes) == len(document["shapes"])
    for entry, shape in zip(document["shapes"], image.shapes, strict=True):
        expected = labelme_shape_mask(entry, image.height, image.width)
        drawn = geometry_mask(shape.geometry, image.height, image.width, convention="labelme")
        assert expected.any() and np.array_equal(drawn, expected), shape.where
