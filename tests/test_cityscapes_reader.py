"""Cityscapes polygon files: the reader's rules, and json2labelImg's own masks reproduced exactly.

The fixture (tests/fixtures/cityscapes, see its PROVENANCE.txt) holds polygon JSON files and the
labelIds and trainIds masks cityscapesScripts' json2labelImg made of them; ``--convention cityscapes``
must give them with 0 pixels off. ``make reference`` does the same on new files with the peer itself.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.annotations import load_annotation_file
from segtool.cli import app
from segtool.errors import AnnotationError
from segtool.labelsets import CITYSCAPES_LABELS

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cityscapes"
CASES = sorted(path.name.removesuffix("_polygons.json") for path in FIXTURE.glob("*_polygons.json"))


def rasterize(*args: str):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], terminal_width=200)


def write(path: Path, objects: list, height: int = 10, width: int = 20) -> Path:
    path.write_text(json.dumps({"imgHeight": height, "imgWidth": width, "objects": objects}))
    return path


def test_the_fixture_is_there():
    assert len(CASES) == 4


def test_json2labelimg_rules_group_deleted_license_plate(tmp_path):
    square = [[2, 2], [8, 2], [8, 8], [2, 8]]
    objects = [
        {"label": "cargroup", "polygon": square},
        {"label": "polegroup", "polygon": square},
        {"label": "road", "polygon": square, "deleted": 1},
        {"label": "license plate", "polygon": square},
    ]
    (image,) = load_annotation_file(write(tmp_path / "a_gtFine_polygons.json", objects))
    assert [shape.label for shape in image.shapes] == ["car", "polegroup"]
    assert str(image.name) == "a_gtFine"
    assert ("car", 26) in image.declared_ids and ("polegroup", 18) in image.declared_ids


def test_other_labels_declare_no_ids(tmp_path):
    (image,) = load_annotation_file(
        write(tmp_path / "a.json", [{"label": "crater", "polygon": [[0, 0], [4, 0], [0, 4]]}])
    )
    assert image.declared_ids == () and image.shapes[0].label == "crater"


def test_a_bad_polygon_names_the_object(tmp_path):
    path = write(tmp_path / "a.json", [{"label": "car", "polygon": "0,0"}])
    with pytest.raises(AnnotationError, match=r"object 1 \('car'\): polygon must be a list"):
        load_annotation_file(path)


@pytest.mark.parametrize("case", CASES)
def test_convention_cityscapes_gives_json2labelimg_labelids_exactly(case, tmp_path):
    result = rasterize(
        str(FIXTURE / f"{case}_polygons.json"), "-o", str(tmp_path), "--convention", "cityscapes"
    )
    assert result.exit_code == 0, result.stderr
    got = np.asarray(Image.open(tmp_path / f"{case}.png"))
    want = np.asarray(Image.open(FIXTURE / f"{case}_labelIds.png"))
    assert got.shape == want.shape and int((got != want).sum()) == 0


@pytest.mark.parametrize("case", CASES)
def test_the_train_id_column_turns_the_label_ids_into_json2labelimg_train_ids(case, tmp_path):
    # json2labelImg's trainIds masks are its labelIds masks mapped through the table's trainId column
    # (unlabeled pixels 255): so the table carries the trainIds json2labelImg uses.
    result = rasterize(
        str(FIXTURE / f"{case}_polygons.json"), "-o", str(tmp_path), "--convention", "cityscapes"
    )
    assert result.exit_code == 0, result.stderr
    to_train = np.full(256, 255, np.uint8)
    for _, label_id, train_id, *_ in CITYSCAPES_LABELS:
        if label_id >= 0:
            to_train[label_id] = train_id
    got = to_train[np.asarray(Image.open(tmp_path / f"{case}.png"))]
    assert int((got != np.asarray(Image.open(FIXTURE / f"{case}_trainIds.png"))).sum()) == 0


def test_the_centre_rule_differs_from_json2labelimg_only_along_outlines(tmp_path):
    case = CASES[0]
    result = rasterize(str(FIXTURE / f"{case}_polygons.json"), "-o", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    got = np.asarray(Image.open(tmp_path / f"{case}.png"))
    want = np.asarray(Image.open(FIXTURE / f"{case}_labelIds.png"))
    assert 0 < (got != want).mean() < 0.2


@pytest.mark.reference
def test_convention_cityscapes_matches_json2labelimg_on_new_scenes(tmp_path):
    json2label = pytest.importorskip("cityscapesscripts.preparation.json2labelImg")
    rng = random.Random(19)
    names = ["road", "car", "cargroup", "person", "sky", "polegroup", "bicycle", "license plate"]
    for number in range(20):
        width, height = rng.randint(20, 120), rng.randint(20, 120)
        objects = [
            {
                "label": rng.choice(names),
                "polygon": [
                    [rng.uniform(-10, width + 10), rng.uniform(-10, height + 10)]
                    for _ in range(rng.randint(3, 10))
                ],
                **({"deleted": 1} if rng.random() < 0.1 else {}),
            }
            for _ in range(rng.randint(1, 15))
        ]
        path = write(tmp_path / f"s{number}_gtFine_polygons.json", objects, height, width)
        json2label.json2labelImg(str(path), str(tmp_path / f"s{number}_ref.png"), "ids")
    result = rasterize(
        str(tmp_path), "-o", str(tmp_path / "out"), "--convention", "cityscapes", "--exclude", "*_ref*"
    )
    assert result.exit_code == 0, result.stderr
    for number in range(20):
        got = np.asarray(Image.open(tmp_path / "out" / f"s{number}_gtFine.png"))
        want = np.asarray(Image.open(tmp_path / f"s{number}_ref.png"))
        assert int((got != want).sum()) == 0, number
