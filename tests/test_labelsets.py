"""Built-in label sets: `segtool labels --list`, `segtool labels NAME -o FILE`, and --labels NAME."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.labels import LabelMap
from segtool.labelsets import ADE20K_CLASSES, CITYSCAPES_LABELS, label_set

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cityscapes"


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


def test_list_names_every_set_with_its_classes_and_ignored_ids():
    result = run("labels", "--list", "--format", "csv")
    assert result.exit_code == 0 and result.stderr == ""
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert list(rows) == ["cityscapes", "cityscapes-train", "voc", "ade20k"]
    assert (rows["voc"]["classes"], rows["voc"]["ignored"]) == ("21", "255")
    assert (rows["ade20k"]["classes"], rows["ade20k"]["ignored"]) == ("150", "0 255")
    assert all(row["source"] for row in rows.values())


def test_a_written_set_reads_back_as_the_same_label_map(tmp_path):
    for name, suffix in (("cityscapes-train", "csv"), ("voc", "txt"), ("ade20k", "json")):
        path = tmp_path / f"{name}.{suffix}"
        result = run("labels", name, "-o", str(path))
        assert result.exit_code == 0, result.stderr
        assert LabelMap.read(path) == label_set(name).label_map


def test_cityscapes_train_carries_train_ids_categories_and_colours():
    result = run("labels", "cityscapes-train")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0] == {"id": "0", "name": "road", "color": "#804080", "category": "flat"}
    assert rows[18] == {"id": "18", "name": "bicycle", "color": "#770b20", "category": "vehicle"}
    assert rows[-1]["name"] == "__ignore__" and rows[-1]["id"] == "255"


def test_facts_hand_checked():
    assert sum(1 for row in CITYSCAPES_LABELS if 0 <= row[2] < 255) == 19
    assert (ADE20K_CLASSES[0], ADE20K_CLASSES[149], len(set(ADE20K_CLASSES))) == ("wall", "flag", 150)
    assert label_set("voc").label_map.colour_of(15) == (192, 128, 128)  # person in the VOC palette


def test_an_unknown_set_is_one_line():
    result = run("labels", "kitti", "-o", "-")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: no built-in label set 'kitti' (known: cityscapes, cityscapes-train, voc, ade20k)"
    ]


def test_rasterize_with_the_cityscapes_set_gives_every_label_id(tmp_path):
    case = "scene0_000000_000000_gtFine"
    args = ["--labels", "cityscapes", "--convention", "cityscapes", "--jobs", "1"]
    result = run("rasterize", str(FIXTURE / f"{case}_polygons.json"), "-o", str(tmp_path), *args)
    assert result.exit_code == 0, result.stderr
    got = np.asarray(Image.open(tmp_path / f"{case}.png"))
    assert not (got != np.asarray(Image.open(FIXTURE / f"{case}_labelIds.png"))).any()


def test_rasterize_refuses_a_set_whose_id_0_is_a_class(tmp_path):
    result = run("rasterize", str(FIXTURE), "-o", str(tmp_path / "out"), "--labels", "cityscapes-train")
    assert result.exit_code == 1 and "cityscapes-train gives id 0 to 'road'" in result.stderr


@pytest.mark.reference
def test_cityscapes_train_is_cityscapesscripts():
    labels = pytest.importorskip("cityscapesscripts.helpers.labels")
    want = {label.trainId: label.name for label in labels.labels if 0 <= label.trainId < 255}
    assert {label.id: label.name for label in label_set("cityscapes-train").label_map} == want
