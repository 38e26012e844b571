"""One scene written in every format loads to the same geometry and rasterizes to the same mask.

The scene (``annotation_writers.SCENE``): two polygons, a box, a circle and a box
with a square hole. Each format writes what it can express: COCO, Supervisely, Cityscapes and YOLO
have no circles, VIA, Cityscapes and YOLO have no holes; COCO, CVAT and Label Studio express the hole
as a mask (RLE, CVAT mask, brush); LabelMe as a ``_background_`` polygon drawn
over the outer one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image

import annotation_writers as writers
from annotation_writers import HEIGHT, IMAGE, SCENE, WIDTH, box_corners, holed_mask
from segtool.annotations import (
    FORMATS,
    AnnotatedImage,
    Bitmap,
    Ellipse,
    Polygon,
    ReaderOptions,
    Shape,
    detect_format,
    load_annotation_file,
)
from segtool.annotations.registry import parse_document
from segtool.labels import LabelMap

try:
    from segtool.raster import rasterize_image
except ImportError:  # written by another change; the mask half of the test waits for it
    rasterize_image = None

VECTOR, RASTER, BACKGROUND = "vector", "raster", "background"
ALL_VECTOR = {"polygon": VECTOR, "box": VECTOR, "circle": VECTOR}
EXPRESSES = {  # how each format writes each kind of scene shape (None: it cannot)
    "labelme": {**ALL_VECTOR, "holed": BACKGROUND},
    "coco": {**ALL_VECTOR, "circle": None, "holed": RASTER},
    "cvat": {**ALL_VECTOR, "holed": RASTER},
    "labelstudio": {**ALL_VECTOR, "holed": RASTER},
    "via1": {**ALL_VECTOR, "holed": None},
    "via2": {**ALL_VECTOR, "holed": None},
    "supervisely": {**ALL_VECTOR, "circle": None, "holed": VECTOR},
    "yolo": {**ALL_VECTOR, "circle": None, "holed": None},
    "cityscapes": {**ALL_VECTOR, "circle": None, "holed": None},
}
WRITERS = {
    "labelme": (writers.labelme, "scene.json"),
    "coco": (writers.coco, "instances.json"),
    "cvat": (writers.cvat, "annotations.xml"),
    "labelstudio": (writers.labelstudio, "export.json"),
    "via1": (lambda: writers.via(version=1), "via.json"),
    "via2": (lambda: writers.via(version=2), "via.json"),
    "supervisely": (writers.supervisely, "scene.jpg.json"),
    "yolo": (writers.yolo, "scene.txt"),
    "cityscapes": (writers.cityscapes, "scene.json"),
}
EXTRA_FILES = {"yolo": {"data.yaml": writers.yolo_names()}}  # files a format keeps beside its labels
LABELS = LabelMap.from_names(sorted({shape.label for shape in SCENE}))


def format_name(case: str) -> str:
    return case.rstrip("12")


def load_case(case: str, folder: Path) -> AnnotatedImage:
    """Write the scene as ``case`` into ``folder`` and read it back, the format detected from the file."""
    if format_name(case) not in FORMATS:
        pytest.skip(f"the {format_name(case)} reader is not registered")
    write, file_name = WRITERS[case]
    path = folder / file_name
    path.write_text(writers.dump(write()), encoding="utf-8")
    for extra_name, text in EXTRA_FILES.get(case, {}).items():
        (folder / extra_name).write_text(text, encoding="utf-8")
    assert detect_format(parse_document(path.read_bytes(), path), path).name == format_name(case)
    (image,) = load_annotation_file(path, options=ReaderOptions(images_dir=folder / "images"))
    assert (image.height, image.width) == (HEIGHT, WIDTH)
    assert str(image.name) == "scene"
    return image


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder for the annotation file, with the (blank) image in ``images/``: VIA stores no size."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (WIDTH, HEIGHT)).save(tmp_path / "images" / IMAGE)
    return tmp_path


# -- geometry --------------------------------------------------------------------------------
def canonical(geometry) -> tuple:
    """A form of a geometry that does not depend on vertex order, ring order or start vertex."""
    if isinstance(geometry, Polygon):
        return ("rings",) + tuple(
            sorted(tuple(sorted(map(tuple, np.round(ring, 6).tolist()))) for ring in geometry.rings)
        )
    if isinstance(geometry, Ellipse):
        angle = 0.0 if geometry.rx == geometry.ry else round(geometry.angle % 180, 6)
        return ("ellipse",) + tuple(
            round(v, 6) for v in (geometry.cx, geometry.cy, geometry.rx, geometry.ry, angle)
        )
    if isinstance(geometry, Bitmap):
        rows, cols = np.nonzero(geometry.decoded())
        return ("pixels",) + tuple(
            sorted(zip((rows + geometry.top).tolist(), (cols + geometry.left).tolist(), strict=True))
        )
    raise AssertionError(f"unexpected geometry {geometry!r}")


def scene_geometry(kind: str, points, hole=()) -> object:
    """The scene shape as the model geometry a vector format gives."""
    if kind == "polygon":
        return Polygon((np.array(points, dtype=float),))
    if kind == "box":
        return Polygon((np.array(box_corners(points), dtype=float),))
    if kind == "circle":
        cx, cy, r = points
        return Ellipse(float(cx), float(cy), float(r), float(r))
    return Polygon((np.array(box_corners(points), dtype=float), np.array(box_corners(hole), dtype=float)))


def expected_shapes(case: str) -> list[tuple[str, object]]:
    """``(label, geometry)`` of the shapes ``case`` expresses, as the reader should give them."""
    shapes = []
    for shape in SCENE:
        how = EXPRESSES[case][shape.kind]
        if how == VECTOR:
            shapes.append((shape.label, scene_geometry(shape.kind, shape.points, shape.hole)))
        elif how == RASTER:
            shapes.append((shape.label, Bitmap(holed_mask(shape), left=0, top=0)))
        elif how == BACKGROUND:
            shapes.append((shape.label, scene_geometry("box", shape.points)))
            shapes.append(("_background_", scene_geometry("box", shape.hole)))
    return shapes


@pytest.mark.parametrize("case", list(WRITERS))
def test_every_format_loads_the_same_geometry(case, folder):
    image = load_case(case, folder)
    got = Counter((shape.label, canonical(shape.geometry)) for shape in image.shapes)
    want = Counter((label, canonical(geometry)) for label, geometry in expected_shapes(case))
    assert got == want


def test_no_pixel_centre_lies_on_a_scene_polygon_edge():
    # otherwise a 1e-15 rounding (percentages) could move a pixel in or out and the comparison would be luck
    rows, cols = np.mgrid[:HEIGHT, :WIDTH] + 0.5
    for shape in (s for s in SCENE if s.kind == "polygon"):
        vertices = np.array(shape.points)
        for (x0, y0), (x1, y1) in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
            on_line = np.isclose((x1 - x0) * (rows - y0), (y1 - y0) * (cols - x0), atol=1e-9)
            within = (
                (np.minimum(x0, x1) <= cols)
                & (cols <= np.maximum(x0, x1))
                & (np.minimum(y0, y1) <= rows)
                & (rows <= np.maximum(y0, y1))
            )
            assert not (on_line & within).any()


def test_the_holed_shape_is_the_same_pixels_as_vector_and_as_raster():
    # 12 x 12 outer box minus a 4 x 4 hole: 144 - 16 = 128 pixels
    (road,) = [shape for shape in SCENE if shape.kind == "holed"]
    assert holed_mask(road).sum() == 128


# -- masks -----------------------------------------------------------------------------------
def reference_image(case: str) -> AnnotatedImage:
    """The scene shapes ``case`` can express, built directly in the model (holes as interior rings)."""
    shapes = [
        Shape(
            label=shape.label,
            geometry=scene_geometry(shape.kind, shape.points, shape.hole),
            where=f"scene {shape.kind}",
        )
        for shape in SCENE
        if EXPRESSES[case][shape.kind] is not None
    ]
    return AnnotatedImage(
        source=Path("scene"), name=PurePosixPath("scene"), height=HEIGHT, width=WIDTH, shapes=shapes
    )


needs_raster = pytest.mark.skipif(
    rasterize_image is None, reason="segtool.raster.rasterize_image not written yet"
)


@needs_raster
def test_reference_masks_have_the_hand_counted_areas():
    labels = rasterize_image(reference_image("cvat"), LABELS).labels
    # box (22, 3)-(30, 9): 8 x 6 = 48 pixels; holed road: 128 (see above)
    assert (labels == LABELS.id_of("sign")).sum() == 48
    assert (labels == LABELS.id_of("road")).sum() == 128


@needs_raster
@pytest.mark.parametrize("case", list(WRITERS))
def test_every_format_rasterizes_to_the_same_mask(case, folder):
    image = load_case(case, folder)
    got = rasterize_image(image, LABELS).labels
    want = rasterize_image(reference_image(case), LABELS).labels
    np.testing.assert_array_equal(got, want)
