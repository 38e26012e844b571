"""`segtool score --compat PEER`, the rule options and --compare-conventions, through Typer's CliRunner.

The toy folders of test_cli_score: image a (cat tp 2 fp 1 fn 0, dog fp 1; one pixel ignored), b
(background only), c (dog tp 3 fp 1 fn 1). Class 3 (bird) is declared and absent everywhere.
"""

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import test_cli_score
from segtool.cli import app
from segtool.io.maskio import write_mask

folders = test_cli_score.folders  # the same toy folders (a pytest fixture)


def run(folders, *args):
    command = ["score", str(folders / "pred"), str(folders / "gt"), "--labels", str(folders / "labels.csv")]
    return CliRunner().invoke(app, [*command, *args], env={"COLUMNS": "80"}, terminal_width=80)


def test_mmseg_table_in_its_column_names_and_percent(folders):
    result = run(folders, "--compat", "mmseg")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    header = next(line for line in result.stdout.splitlines() if "IoU" in line)
    assert header.split() == ["id", "class", "IoU", "Acc", "Dice", "Fscore", "Precision", "Recall"]
    # dog, dataset: tp 3, fp 2, fn 1 -> IoU 3/6 = 50.00 %; background in every mean
    assert any(line.split()[:3] == ["2", "dog", "50.00"] for line in result.stdout.splitlines())
    assert "mIoU" in result.stdout and len(header) <= 80


def test_mmseg_csv_has_class_rows_then_its_summary_row(folders):
    result = run(folders, "--compat", "mmseg", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:8] == [
        "class_id",
        "class_name",
        "IoU",
        "Acc",
        "Dice",
        "Fscore",
        "Precision",
        "Recall",
    ]
    # one row per class (as every CSV); the summary is the table's note and JSON's summary
    assert [row["class_name"] for row in rows] == ["background", "cat", "dog", "bird"]
    assert list(rows[0]) == ["class_id", "class_name", "IoU", "Acc", "Dice", "Fscore", "Precision", "Recall"]
    document = json.loads(run(folders, "--compat", "mmseg", "-f", "json").stdout)
    assert document["summary"]["mIoU"] == pytest.approx(
        round((8 / 12 + 2 / 3 + 3 / 6) / 3 * 100, 2)  # background 8/12, cat 2/3, dog 3/6
    )


def test_nnunet_json_records_the_bundle_and_its_foreground_mean(folders):
    result = run(folders, "--compat", "nnunet", "-f", "json")
    document = json.loads(result.stdout)
    assert document["settings"]["compat"]["name"] == "nnunet"
    assert document["settings"]["compat"]["rules"]["no_value"] == {"*": "nan"}
    assert "compute_metrics_on_folder" in document["settings"]["compat"]["sources"]["aggregation"]
    # bird is declared and never present: nnU-Net's np.mean over labels makes foreground_mean NaN
    # the rows and summary are the bundle's (what its CSV and table hold), segtool's own beside them
    assert list(document)[:3] == ["settings", "rows", "summary"]
    assert document["convention"] == {"name": "nnunet", "summary_name": "foreground_mean"}
    assert document["summary"]["Dice"] is None
    cat = next(row for row in document["rows"] if row["class_name"] == "cat")
    assert cat["Dice"] == pytest.approx(0.8)  # image a only: 2 * 2 / (4 + 1)
    assert list(cat) == document["columns"] == ["class_id", "class_name", "Dice", "IoU"]
    assert document["segtool"]["summary"]["dice"] is not None and len(document["segtool"]["rows"]) == 4


def test_a_rule_option_overrides_the_bundle(folders):
    plain = json.loads(run(folders, "--compat", "monai", "-f", "json").stdout)
    scored = json.loads(run(folders, "--compat", "monai", "--empty-truth", "scored", "-f", "json").stdout)
    assert scored["settings"]["compat"]["name"] == "monai (modified)"
    # with ignore_empty, dog's false positive on image a vanishes; scored, it counts 0
    dog = [
        next(row["Dice"] for row in document["rows"] if row["class_name"] == "dog")
        for document in (plain, scored)
    ]
    assert dog == [pytest.approx(6 / 8), pytest.approx((0 + 6 / 8) / 2)]


def test_rule_options_without_a_bundle(folders):
    result = run(folders, "--aggregation", "image", "--aggregation", "iou=cells", "-f", "json")
    document = json.loads(result.stdout)
    assert document["settings"]["compat"]["name"] == "custom"
    assert document["settings"]["compat"]["rules"]["aggregation"] == {"*": "image", "iou": "cells"}
    # background out; image a: cat 0.8, dog 0 -> 0.4; image c: dog 0.75; image b: nothing defined
    assert document["summary"]["dice"] == pytest.approx((0.4 + 0.75) / 2)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--absent", "maybe"), ("--aggregation", "iou=median"), ("--no-value", "jaccard=zero")],
)
def test_a_bad_rule_is_a_usage_error(folders, option, value):
    result = run(folders, option, value)
    assert result.exit_code == 2
    assert value.split("=")[-1 if "median" in value or "maybe" in value else 0] in result.stderr
    assert result.stdout == ""


def test_davis_adds_its_boundary_f(folders):
    document = json.loads(run(folders, "--compat", "davis", "-f", "json").stdout)
    assert "bf_davis" in document["settings"]["image_metrics"]
    assert set(document["summary"]) == {"J-Mean", "F-Mean", "J&F-Mean"}


def test_compare_conventions_lines_name_the_rule(folders):
    result = run(folders, "--compare-conventions")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert any(line.split()[:1] == ["monai"] for line in lines)
    assert any(line.startswith("monai dice:") and "empty_truth scored -> undefined" in line for line in lines)
    assert any(line.startswith("nnunet dice:") and "becomes undefined" in line for line in lines)
    rows = list(csv.DictReader(io.StringIO(run(folders, "--compare-conventions", "-f", "csv").stdout)))
    assert [row["convention"] for row in rows] == [
        "segtool",
        "nnunet",
        "mmseg",
        "cityscapes",
        "monai",
        "torchmetrics",
        "medpy",
        "davis",
    ]


def test_compare_conventions_json_holds_the_settings_and_every_row(folders):
    result = run(folders, "--compare-conventions", "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert list(document) == ["settings", "rows", "summary", "differences"]
    assert document["settings"]["label_map"] is not None and len(document["rows"]) == 8
    assert document["summary"] == {"images": 3} and document["rows"][0]["peer"]
    assert all({"convention", "rule", "before", "after"} <= set(line) for line in document["differences"])


def test_medpy_and_monai_set_edge_is_boundary_only_for_boundary_metrics(folders):
    plain = run(folders, "--compat", "medpy", "-f", "json")
    assert plain.exit_code == 0, plain.stderr
    assert "boundary_metrics" not in json.loads(plain.stdout)["settings"]
    document = json.loads(run(folders, "--compat", "monai", "--metrics", "hd95,nsd", "-f", "json").stdout)
    assert document["settings"]["boundary_metrics"]["edge_is_boundary"] is True
    assert {"HausdorffDistanceMetric(percentile=95)", "SurfaceDiceMetric"} <= set(document["summary"])


def test_no_image_scored_gives_undefined_numbers_not_a_traceback(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.zeros((2, 2), np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.zeros((2, 3), np.uint8))  # wrong size: the one pair fails
    command = ["score", str(tmp_path / "pred"), str(tmp_path / "gt"), "--compat", "davis", "-f", "json"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1 and "nothing is resized" in result.stderr
    assert json.loads(result.stdout)["summary"] == {
        "J-Mean": None,
        "F-Mean": None,
        "J&F-Mean": None,
    }


def test_missing_skip_leaves_a_case_out_as_nnunet_does(folders):
    (folders / "pred" / "b.png").unlink()  # b (background only) has no prediction
    result = run(folders, "--compat", "nnunet", "--missing", "skip", "-f", "json")
    assert result.exit_code == 0
    assert "left out of every number (--missing skip): b" in result.stderr
    document = json.loads(result.stdout)
    assert document["images"]["scored"] == 2 and document["images"]["skipped_without_prediction"] == ["b"]
    assert (
        document["settings"]["missing_rule"] == "a missing prediction is left out of every number, and listed"
    )
    assert run(folders, "--compat", "nnunet").exit_code == 1  # the default still fails on it


def test_monai_shows_its_surface_columns_only_when_metrics_scores_them(folders):
    """Without --metrics, no HD95/HD/ASSD/NSD column stays empty in any format: they are left out, as
    the bundle says (its surface metrics come with --metrics); with --metrics hd95, HD95 alone."""
    rows = list(csv.DictReader(io.StringIO(run(folders, "--compat", "monai", "-f", "csv").stdout)))
    assert list(rows[0]) == ["class_id", "class_name", "Dice", "IoU"]
    document = json.loads(run(folders, "--compat", "monai", "-f", "json").stdout)
    assert document["columns"] == ["class_id", "class_name", "Dice", "IoU"]
    assert set(document["rows"][0]) == {"class_id", "class_name", "Dice", "IoU"}
    header = next(line for line in run(folders, "--compat", "monai").stdout.splitlines() if "Dice" in line)
    assert header.split() == ["id", "class", "Dice", "IoU"]
    scored = run(folders, "--compat", "monai", "--metrics", "hd95", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(scored)))
    assert list(rows[0]) == ["class_id", "class_name", "Dice", "IoU", "HD95"]
    assert rows[1]["HD95"] != ""  # cat, scored (background is out of MONAI's surface metrics)


@pytest.mark.parametrize(
    "values, options, hint",
    [
        # 0/255 binary masks are no Cityscapes labelIds: --binary, not --labels/--ignore
        ((0, 255), ["--compat", "cityscapes"], "0/255 binary masks are not Cityscapes labelIds"),
        ((0, 255), ["--compat", "cityscapes"], "give --binary"),
        # trainIds (0 road ... 18 bicycle, 255 ignore) read as labelIds
        ((0, 7, 18, 255), ["--compat", "cityscapes"], "for trainIds give --labels cityscapes-train"),
        (
            (0, 7, 18, 255),
            ["--labels", "cityscapes"],
            "labelIds (0 to 33), which --labels cityscapes reads: for trainIds",
        ),
        (
            (0, 7, 18, 255),
            ["--compat", "cityscapes"],
            "labelIds (0 to 33), which --compat cityscapes reads: for trainIds",
        ),
    ],
)
def test_cityscapes_refusal_hints_fit_what_the_masks_are(tmp_path, values, options, hint):
    mask = np.array([values], np.uint8)
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", mask)
    command = ["score", str(tmp_path / "pred"), str(tmp_path / "gt"), *options]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "a.png: ground-truth values not in the label map and not ignored: 255" in line
    assert hint in line and "check --labels and --ignore" not in line


def test_a_user_label_map_keeps_its_hint_and_0_255_masks_get_binary(tmp_path):
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.array([[0, 255]], np.uint8))
    (tmp_path / "labels.txt").write_text("__ignore__\n_background_\nroad\n")
    command = [
        "score",
        str(tmp_path / "pred"),
        str(tmp_path / "gt"),
        "--labels",
        str(tmp_path / "labels.txt"),
    ]
    result = CliRunner().invoke(app, [*command, "--ignore", "7"])
    assert result.exit_code == 1
    assert "(0/255 binary masks? give --binary; else check --labels and --ignore)" in result.stderr


def test_0_1_masks_under_the_cityscapes_table_are_told_to_use_binary_not_ignore_none(tmp_path):
    """0 and 1 are Cityscapes void labelIds (unlabeled, ego vehicle): every pixel is ignored. The
    refusal names the table's option and --binary, not '--ignore none to score 255'."""
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.array([[0, 1], [1, 1]], np.uint8))
    command = ["score", str(tmp_path / "pred"), str(tmp_path / "gt"), "--compat", "cityscapes"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "holds only values that --compat cityscapes ignores, void Cityscapes labelIds" in line
    assert "4 of 4 pixels ignored" in line and "give --binary" in line and "255" not in line


def test_one_image_left_out_by_missing_skip_is_one_mask_in_both_messages(folders):
    (folders / "pred" / "b.png").unlink()
    result = run(folders, "--missing", "skip")
    assert result.exit_code == 0
    assert "1 ground-truth mask has no prediction and was left out of every number" in result.stderr
    assert "1 ground-truth mask without prediction was left out (--missing skip)." in result.stdout
