"""YOLO segmentation labels: the Ultralytics layout, class names, image sizes, and bad lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.annotations import Polygon, ReaderOptions, load_annotation_file
from segtool.annotations.yolo_names import read_names_yaml
from segtool.cli import app
from segtool.errors import AnnotationError

SQUARE = "0 0.25 0.2 0.75 0.2 0.75 0.8 0.25 0.8"  # on a 20 x 10 image: (5, 2)-(15, 8), 60 pixels


def dataset(root: Path, labels: dict[str, str], *, names: str | None = "names: [car, person]\n") -> Path:
    """An Ultralytics dataset: ``labels/<rel>.txt`` with a 20 x 10 ``images/<rel>.jpg`` each."""
    for rel, text in labels.items():
        label = root / "labels" / f"{rel}.txt"
        label.parent.mkdir(parents=True, exist_ok=True)
        label.write_text(text)
        image = root / "images" / f"{rel}.jpg"
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(image)
    if names is not None:
        (root / "data.yaml").write_text(names)
    return root


def rasterize(*args: str):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], terminal_width=200)


def test_a_polygon_and_a_box_in_image_pixels(tmp_path):
    root = dataset(tmp_path, {"train/a": f"{SQUARE}\n\n1 0.5 0.5 0.2 0.4\n"})
    (image,) = load_annotation_file(root / "labels" / "train" / "a.txt", Path("labels/train/a.txt"))
    assert (image.height, image.width, str(image.name)) == (10, 20, "train/a")
    assert [shape.label for shape in image.shapes] == ["car", "person"]
    assert image.shapes[0].where == "line 1 (class 0, 'car')"
    square, box = (shape.geometry for shape in image.shapes)
    assert isinstance(square, Polygon) and isinstance(box, Polygon)
    np.testing.assert_allclose(square.rings[0], [[5, 2], [15, 2], [15, 8], [5, 8]])
    np.testing.assert_allclose(box.rings[0], [[8, 3], [12, 3], [12, 7], [8, 7]])  # centre (10, 5), 4 x 4
    assert image.declared_ids == (("car", 1), ("person", 2))  # class k is id k + 1: 0 stays background


@pytest.mark.parametrize(
    "text",
    [
        "names: ['car', \"person\"]  # two\n",
        "path: ../x\nnames:\n  - car\n  - person  # a comment\ntrain: images/train\n",
        "names:\n  0: car\n  1: person\n",
        "names: {0: car, 1: 'person'}\n",
    ],
)
def test_names_as_a_list_or_a_mapping(text):
    assert read_names_yaml(text, "data.yaml") == {0: "car", 1: "person"}


def test_classes_txt_names_the_classes_without_a_data_yaml(tmp_path):
    root = dataset(tmp_path, {"a": SQUARE}, names=None)
    (root / "labels" / "classes.txt").write_text("lorry\n")
    (image,) = load_annotation_file(root / "labels" / "a.txt")
    assert image.shapes[0].label == "lorry"


def test_without_names_a_class_is_its_index(tmp_path):
    root = dataset(tmp_path, {"a": SQUARE}, names=None)
    (image,) = load_annotation_file(root / "labels" / "a.txt")
    assert image.shapes[0].label == "0" and image.declared_ids == ()


def test_images_option_finds_images_elsewhere(tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.txt").write_text(SQUARE)
    Image.new("RGB", (40, 30)).save(tmp_path / "a.PNG")
    options = ReaderOptions(images_dir=tmp_path)
    (image,) = load_annotation_file(tmp_path / "labels" / "a.txt", options=options)
    assert (image.height, image.width) == (30, 40)


def test_the_cli_mirrors_the_split_folders_and_passes_other_text_files_by(tmp_path):
    root = dataset(tmp_path / "ds", {"train/a": SQUARE, "val/b": ""})
    (root / "labels" / "README.txt").write_text("labels made by hand\n")
    (root / "notes.txt").write_text("1 2 3\n")  # numbers, but not below labels/: not looked at
    result = rasterize(str(root), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert "README.txt: not a YOLO label file" in result.stderr
    car = np.asarray(Image.open(tmp_path / "out" / "train" / "a.png"))
    assert car.sum() == 60 and (car[2:8, 5:15] == 1).all()
    assert not np.asarray(Image.open(tmp_path / "out" / "val" / "b.png")).any()
    assert (tmp_path / "out" / "labels.txt").read_text().splitlines()[1:] == ["_background_", "car", "person"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{SQUARE}\n0 0.1 0.1 0.2 0.2 0.3\n", "line 2: has an odd number of coordinates (5)"),
        (f"{SQUARE}\n0 0.1 0.1 1.2 0.2 0.3 0.3\n", "line 2: coordinate 1.2 is outside 0..1"),
        ("1 0.1 0.1 0.2 0.2 0.3 0.1\n5 0.1 0.1 0.2 0.2 0.3 0.1\n", "line 2: class 5 has no name in"),
        (f"{SQUARE}\n0 0.1 zero 0.2\n", "line 2: is not a class index followed by numbers"),
        ("0 0.5 0.5\n", "line 1: has 2 coordinates: a polygon needs 3 points"),
    ],
)
def test_a_bad_line_is_one_line_naming_file_and_line_and_the_other_files_are_done(tmp_path, text, problem):
    root = dataset(tmp_path / "ds", {"a": SQUARE, "b": text})
    result = rasterize(str(root), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    failures = [line for line in result.stderr.splitlines() if problem in line]
    assert len(failures) == 1 and str(root / "labels" / "b.txt") in failures[0]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "a.png").is_file() and not (tmp_path / "out" / "b.png").exists()


def test_a_missing_image_names_the_label_file(tmp_path):
    root = dataset(tmp_path, {"a": SQUARE})
    (root / "images" / "a.jpg").unlink()
    with pytest.raises(AnnotationError, match=r"a\.txt: no image found for this label file"):
        load_annotation_file(root / "labels" / "a.txt")
