"""Words and names (issue 17, items 4 and 5): plurals, JSON value types, mmseg's names."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.pipelines.thresholds import Threshold


@pytest.fixture
def one_pair(tmp_path):
    """One image: class 1 half right; the prediction holds value 7, which is no class."""
    gt = np.array([[0, 1, 1, 0]], np.uint8)
    pred = np.array([[0, 1, 7, 0]], np.uint8)
    write_mask(tmp_path / "gt" / "a.png", gt)
    write_mask(tmp_path / "pred" / "a.png", pred)
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n")
    return tmp_path


def score(folder, *args):
    return CliRunner().invoke(
        app,
        [
            "score",
            str(folder / "pred"),
            str(folder / "gt"),
            "--labels",
            str(folder / "labels.csv"),
            "-j",
            "1",
            *args,
        ],
        terminal_width=200,
    )


def test_one_of_each_is_singular(one_pair):
    result = score(one_pair)
    assert result.exit_code == 0, result.output
    assert "1 image." in result.stdout and "1 images" not in result.stdout
    assert "7 (1 pixel in 1 image)" in result.stderr


def test_json_unknown_value_is_a_number_and_summary_has_mmseg_names(one_pair):
    document = json.loads(score(one_pair, "-f", "json").stdout)
    assert document["unknown_prediction_values"][0]["value"] == 7
    summary = document["summary"]
    assert summary["miou"] == summary["iou"] == pytest.approx(0.5)
    assert summary["mdice"] == summary["dice"] and summary["aacc"] == summary["pixel_accuracy"]
    assert summary["macc"] == summary["mean_accuracy"]
    assert document["settings"]["summary_aliases"]["miou"].startswith("iou, dataset aggregation")


def test_table_names_the_aliases_with_their_aggregation(one_pair):
    note = next(line for line in score(one_pair).stdout.splitlines() if "mIoU" in line)
    assert "Dataset aggregation" in note and "mIoU 0.5000" in note and "aAcc 0.7500" in note


@pytest.mark.parametrize(
    ("text", "metric", "aggregation"),
    [
        ("mIoU=0.5", "iou", "dataset"),
        ("mDice=0.5", "dice", "dataset"),
        ("aAcc=0.9", "pixel_accuracy", "dataset"),
        ("mAcc=0.9", "mean_accuracy", "dataset"),
    ],
)
def test_fail_under_takes_mmseg_names(text, metric, aggregation):
    threshold = Threshold.parse(text)
    assert (threshold.metric, threshold.aggregation) == (metric, aggregation)


def test_mmseg_name_gates_the_run_and_a_distance_names_fail_over(one_pair):
    assert score(one_pair, "--fail-under", "mIoU=0.6").exit_code == 3
    assert score(one_pair, "--fail-under", "mIoU=0.4").exit_code == 0
    wrong = score(one_pair, "--fail-under", "hd95=10", "--metrics", "dice,hd95")
    assert wrong.exit_code == 2 and "--fail-over" in wrong.output
    with pytest.raises(ValueError, match="image:iou"):
        Threshold.parse("image:mIoU=0.5")


def test_csv_without_any_scored_image_is_the_header_only(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.zeros((2, 2), np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.zeros((3, 3), np.uint8))  # a size mismatch: not scored
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n")
    result = score(tmp_path, "-f", "csv")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("class_id,class_name,") and not any(line.startswith(",mean") for line in lines)


def test_rasterize_caption_in_the_singular(tmp_path):
    (tmp_path / "a.json").write_text(
        '{"imageHeight": 4, "imageWidth": 4, "shapes": [{"label": "cat", "points": [[0, 0], [3, 0], [3, 3]],'
        ' "shape_type": "polygon"}]}'
    )
    result = CliRunner().invoke(app, ["rasterize", str(tmp_path / "a.json"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "1 file, 1 image, 1 shape ->" in result.stdout and "1 mask written" in result.stderr
