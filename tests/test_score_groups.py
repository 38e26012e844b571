"""score --groups: categories scored as one class each, from the summed confusion blocks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.metrics.conventions import category_iou
from segtool.pipelines.score import score_folders

GROUPS = {7: "flat", 8: "flat", 26: "vehicle"}


def pairs(tmp_path: Path) -> tuple[Path, Path]:
    """a: gt road road sidewalk car / pred road car road car; b: all car in both."""
    for folder, a, b in (("gt", [7, 7, 8, 26], [26] * 4), ("pred", [7, 26, 7, 26], [26] * 4)):
        (tmp_path / folder).mkdir()
        Image.fromarray(np.array([a], np.uint8)).save(tmp_path / folder / "a.png")
        Image.fromarray(np.array([b], np.uint8)).save(tmp_path / folder / "b.png")
    return tmp_path / "pred", tmp_path / "gt"


def test_hand_computed_categories_in_both_aggregations(tmp_path):
    result = score_folders(*pairs(tmp_path), groups=GROUPS)
    flat, vehicle = result.categories
    # a: flat TP 2 (road->road, sidewalk->road), FN 1 (road->car), FP 0; vehicle TP 1, FP 1. b: vehicle TP 4.
    assert (flat["category"], flat["classes"]) == ("flat", "7 8")
    assert flat["iou_dataset"] == pytest.approx(2 / 3) and flat["dice_dataset"] == pytest.approx(4 / 5)
    assert flat["iou_image_n"] == 1 and flat["iou_image_mean"] == pytest.approx(2 / 3)  # undefined on b
    assert vehicle["iou_dataset"] == pytest.approx(5 / 6)
    assert vehicle["iou_image_mean"] == pytest.approx(0.75) and vehicle["iou_image_std"] == pytest.approx(
        0.25
    )
    by_matrix = category_iou(result.confusion, result.confusion_class_ids, GROUPS)
    assert by_matrix == pytest.approx({"flat": 2 / 3, "vehicle": 5 / 6})


def test_cli_groups_from_a_csv_and_from_a_built_in_set(tmp_path):
    pred, gt = pairs(tmp_path)
    groups = tmp_path / "groups.csv"
    groups.write_text("id,name,category\n7,road,flat\n8,sidewalk,flat\n26,car,vehicle\n")
    result = CliRunner().invoke(
        app, ["score", str(pred), str(gt), "--groups", str(groups), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    categories = json.loads(result.stdout)["categories"]
    assert [row["category"] for row in categories] == ["flat", "vehicle"]
    table = CliRunner().invoke(
        app, ["score", str(pred), str(gt), "--groups", "cityscapes"], terminal_width=120
    )
    assert table.exit_code == 0, table.stderr
    assert "Scores per category" in table.stdout and "vehicle" in table.stdout
    assert "0.8333" in table.stdout  # vehicle IoU, dataset


def test_a_groups_file_without_categories_is_one_line(tmp_path):
    pred, gt = pairs(tmp_path)
    groups = tmp_path / "labels.csv"
    groups.write_text("id,name\n7,road\n")
    result = CliRunner().invoke(app, ["score", str(pred), str(gt), "--groups", str(groups)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {groups}: a groups file is a CSV with columns id and category"


@pytest.mark.reference
def test_category_iou_is_cityscapesscripts(tmp_path):
    evaluation = pytest.importorskip("cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling")
    rng = np.random.default_rng(19)
    ids = [7, 8, 11, 12, 17, 21, 23, 24, 26, 27, 33]
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    matrix = np.zeros((256, 256), np.int64)
    for number in range(5):
        gt = rng.choice(ids, size=(12, 16)).astype(np.uint8)
        pred = np.where(rng.random(gt.shape) < 0.6, gt, rng.choice(ids, size=gt.shape)).astype(np.uint8)
        Image.fromarray(gt).save(tmp_path / "gt" / f"{number}.png")
        Image.fromarray(pred).save(tmp_path / "pred" / f"{number}.png")
        np.add.at(matrix, (gt.ravel(), pred.ravel()), 1)
    result = score_folders(
        tmp_path / "pred", tmp_path / "gt", labels="cityscapes", groups=_cityscapes_groups()
    )
    args = evaluation.args
    args.evalLabels = [label.id for label in evaluation.labels if label.id >= 0 and not label.ignoreInEval]
    for row in result.categories:
        want = evaluation.getIouScoreForCategory(row["category"], matrix, args)
        assert row["iou_dataset"] == pytest.approx(want) or (
            math.isnan(want) and math.isnan(row["iou_dataset"])
        )


def _cityscapes_groups() -> dict[int, str]:
    from segtool.labelsets import read_groups

    return read_groups("cityscapes")
