"""`segtool score` through Typer's CliRunner: every format, the output files, every exit code.

stdout and stderr are checked separately; the terminal is 80 columns wide.
"""

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.labels import LabelMap
from segtool.pipelines.score import CLASS_COLUMNS, PER_IMAGE_COLUMNS

ISSUE_COLUMNS = [
    "class_id",
    "class_name",
    "tp",
    "fp",
    "fn",
    "dice",
    "iou",
    "precision",
    "recall",
    "dice_image_mean",
    "dice_image_std",
    "iou_image_mean",
    "iou_image_std",
    "n_images",
]


@pytest.fixture
def folders(tmp_path):
    """The toy folders of test_scoring: cat Dice 0.8, dog 2/3 (dataset), bird absent."""
    masks = {
        "gt": {"a": [[0, 1, 1], [0, 1, 255]], "b": [[0, 0, 0], [0, 0, 0]], "sub/c": [[2, 2, 0], [2, 2, 0]]},
        "pred": {"a": [[0, 1, 0], [2, 1, 1]], "b": [[0, 0, 0], [0, 0, 0]], "sub/c": [[2, 2, 2], [0, 2, 0]]},
    }
    for folder, images in masks.items():
        for name, array in images.items():
            write_mask(tmp_path / folder / f"{name}.png", np.array(array, np.uint8))
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n2,dog\n3,bird\n")
    return tmp_path


def run(*args, env=None):
    runner = CliRunner()
    return runner.invoke(
        app, ["score", *map(str, args)], env={"COLUMNS": "80", **(env or {})}, terminal_width=80
    )


def base(folders, *args):
    return (folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "1", *args)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_table_is_the_default_and_does_not_wrap_at_80_columns(folders):
    result = run(*base(folders))
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Scores per class"
    # The cat row carries all its cells on one line (wider than 80): dataset and per-image scores.
    cat = next(line for line in lines if " cat " in line)
    assert cat.split() == [
        "1",
        "cat",
        "0.8000",
        "0.6667",
        "1.0000",
        "0.6667",
        "0.8000",
        "±",
        "-",  # a std over one image says nothing
        "0.6667",
        "±",
        "-",
        "1",
        "yes",
    ]
    bird = next(line for line in lines if " bird " in line)
    assert bird.split() == ["3", "bird", "-", "-", "-", "-", "-", "-", "0", "no"]  # absent: in no mean
    mean = next(line.split() for line in lines if line.split()[:2] == ["-", "mean"])
    # Dice mean (0.8 + 2/3) / 2, IoU mean (2/3 + 1/2) / 2.
    assert mean[2:4] == ["0.7333", "0.5833"]
    # The rules are printed under the table.
    assert any("background (id 0) left out" in line for line in lines)
    assert any(line.startswith("Ignored ground-truth values: 255 (1 of 18 pixels, 5.6%).") for line in lines)


def test_csv_columns_and_values(folders):
    result = run(*base(folders, "--format", "csv"))
    assert result.exit_code == 0 and result.stderr == ""
    header = result.stdout.splitlines()[0].split(",")
    assert header[: len(ISSUE_COLUMNS)] == ISSUE_COLUMNS and header == list(CLASS_COLUMNS)
    rows = csv_rows(result.stdout)
    # one row per class and nothing else: the means are in the table's mean row and JSON's summary
    assert [row["class_name"] for row in rows] == ["background", "cat", "dog", "bird"]
    cat, bird = rows[1], rows[3]
    assert (cat["tp"], cat["fp"], cat["fn"], cat["dice"]) == ("2", "0", "1", "0.8")
    assert float(cat["iou"]) == 2 / 3  # full precision
    assert bird["dice"] == "" and bird["n_images"] == "0"  # undefined: an empty cell


def test_json_carries_numbers_and_settings(folders):
    result = run(*base(folders, "--format", "json", "--ignore", "255", "--ignore", "254"))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    settings = document["settings"]
    assert settings["ignore_values"] == [254, 255] and settings["missing"] == "error"
    assert set(settings["aggregations"]) == {"dataset", "image"} and settings["label_map"].endswith(
        "labels.csv"
    )
    assert list(document)[:3] == ["settings", "rows", "summary"] and "classes" not in document
    assert [list(row) for row in document["rows"]] == [list(CLASS_COLUMNS)] * 4  # the CSV's columns
    bird = next(row for row in document["rows"] if row["class_name"] == "bird")
    assert bird["dice"] is None and bird["dice_image_mean"] is None
    assert document["summary"]["dice"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert document["images"]["scored"] == 3 and document["images"]["missing_predictions"] == []


def test_markdown(folders):
    result = run(*base(folders, "--format", "markdown"))
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0] == "### Scores per class"
    assert lines[2].startswith("| id | class | Dice dataset | IoU dataset |")
    assert "| 1 | cat | 0.8000 | 0.6667 | 1.0000 | 0.6667 | 0.8000 ± - |" in result.stdout


def test_output_files(folders):
    out, per_image, matrix = folders / "out" / "s.csv", folders / "per_image.csv", folders / "confusion.csv"
    result = run(*base(folders, "-f", "csv", "-o", out, "--per-image", per_image, "--confusion", matrix))
    assert result.exit_code == 0 and result.stdout == ""
    assert [row["class_name"] for row in csv_rows(out.read_text())][-1] == "bird"
    per_image_text = per_image.read_text()
    assert per_image_text.splitlines()[0] == ",".join(PER_IMAGE_COLUMNS)
    rows = csv_rows(per_image_text)
    # a: background, cat, dog; b: background; c: background, dog.
    assert [(row["image"], row["class_name"]) for row in rows] == [
        ("a", "background"),
        ("a", "cat"),
        ("a", "dog"),
        ("b", "background"),
        ("sub/c", "background"),
        ("sub/c", "dog"),
    ]
    assert rows[2]["dice"] == "0.0" and rows[2]["recall"] == ""  # dog only predicted on a
    # Dataset matrix, rows = truth: background (0,0)x8 (0,2)x2 ... counted in test_scoring.
    assert matrix.read_text().splitlines() == [
        "class_id,class_name,0,1,2,3,not_a_class",
        "0,background,8,0,2,0,0",
        "1,cat,1,2,0,0,0",
        "2,dog,1,0,3,0,0",
        "3,bird,0,0,0,0,0",
    ]
    # Re-runs overwrite; they never append.
    run(*base(folders, "-f", "csv", "-o", out, "--per-image", per_image))
    assert per_image.read_text() == per_image_text


def test_missing_prediction_exits_1_and_still_prints_scores(folders):
    write_mask(folders / "gt" / "d.png", np.ones((2, 2), np.uint8))
    result = run(*base(folders, "-f", "json"))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["n_images"] == 3
    assert "1 ground-truth mask without prediction" in result.stderr and ": d" in result.stderr
    assert "--missing empty" in result.stderr


def test_missing_empty_scores_them_and_says_so(folders):
    write_mask(folders / "gt" / "d.png", np.ones((2, 2), np.uint8))
    result = run(*base(folders, "-f", "json", "--missing", "empty"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["n_images"] == 4
    assert "1 ground-truth mask without prediction scored as empty" in result.stderr


def test_fail_under_exits_3(folders):
    # dataset Dice mean 0.733, per-image 0.5875.
    passing = run(*base(folders, "-f", "csv", "--fail-under", "dice=0.7"))
    assert passing.exit_code == 0 and passing.stderr == ""
    failing = run(*base(folders, "-f", "csv", "--fail-under", "dice=0.7", "--fail-under", "image:dice=0.7"))
    assert failing.exit_code == 3
    assert "below --fail-under image:dice>=0.7: the score is 0.5875" in failing.stderr
    assert "dataset:dice" not in failing.stderr and csv_rows(failing.stdout)[-1]["class_name"] == "bird"


def test_failed_files_win_over_thresholds(folders):
    write_mask(folders / "gt" / "d.png", np.ones((2, 2), np.uint8))
    assert run(*base(folders, "--fail-under", "dice=0.99")).exit_code == 1


@pytest.mark.parametrize(
    "option",
    [
        ("--fail-under", "dice"),
        ("--fail-under", "hd95=3"),
        ("--ignore", "x"),
        ("--format", "yaml"),
        ("--missing", "ignore"),
    ],
)
def test_usage_errors_exit_2(folders, option):
    result = run(*base(folders, *option))
    assert result.exit_code == 2 and result.stdout == ""
    assert option[0] in result.stderr


def test_bad_input_is_one_line_without_traceback(folders):
    result = run(folders / "pred", folders / "gt", "--labels", folders / "nope.txt")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "nope.txt" in result.stderr and "Traceback" not in result.stderr
    missing_folder = run(folders / "nothing", folders / "gt")
    assert missing_folder.exit_code == 1 and "predictions not found" in missing_folder.stderr


def test_bad_file_is_named_and_the_rest_is_scored(folders):
    (folders / "pred" / "b.png").write_bytes(b"not a png")
    result = run(*base(folders, "-f", "json"))
    assert result.exit_code == 1
    assert "b.png" in result.stderr and "not a PNG" in result.stderr
    assert json.loads(result.stdout)["summary"]["n_images"] == 2


def test_warnings_go_to_stderr_and_quiet_silences_them(folders):
    write_mask(folders / "pred" / "extra.png", np.zeros((1, 1), np.uint8))
    write_mask(folders / "pred" / "b.png", np.full((2, 3), 9, np.uint8))
    loud = run(*base(folders, "-f", "csv"))
    assert loud.exit_code == 0
    assert "1 prediction without ground truth, not scored: extra" in loud.stderr
    assert "counted as wrong: 9 (6 pixels in 1 image)" in loud.stderr
    assert "extra" not in loud.stdout
    quiet = run(*base(folders, "-f", "csv", "--quiet"))
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout


def test_two_processes_print_the_same_numbers(folders):
    one = run(*base(folders, "-f", "csv"))
    two = run(folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "2", "-f", "csv")
    assert one.exit_code == two.exit_code == 0 and one.stdout == two.stdout


def test_binary_layout_has_no_confusion_matrix(tmp_path):
    LabelMap.from_names(["cat"]).write(tmp_path / "gt")
    write_mask(tmp_path / "gt" / "cat" / "x.png", np.array([[255, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "cat" / "x.png", np.array([[255, 255]], np.uint8))
    result = run(
        tmp_path / "pred", tmp_path / "gt", "-f", "csv", "--confusion", tmp_path / "m.csv", "-j", "1"
    )
    assert result.exit_code == 1 and "binary layout has no confusion matrix" in result.stderr
    cat = csv_rows(result.stdout)[0]
    # cat: tp 1, fp 1 -> Dice 2/3.
    assert (cat["class_name"], cat["tp"], cat["fp"], float(cat["dice"])) == ("cat", "1", "1", 2 / 3)
    assert not (tmp_path / "m.csv").exists()


def test_help_documents_exit_codes_and_threshold_syntax():
    result = CliRunner().invoke(app, ["score", "--help"], env={"COLUMNS": "100"}, terminal_width=100)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for phrase in (
        "Exit codes: 0 success",
        "2 usage error",
        "3 a --fail-under threshold",
        "[dataset:|image:]METRIC=VALUE",
        "image:iou=0.6",
    ):
        assert phrase in text


def test_a_pair_of_single_files_reads_the_label_map_beside_the_ground_truth(folders):
    """As for folders: labels.csv beside gt/a.png names the classes (it gave bare ids)."""
    (folders / "labels.csv").rename(folders / "gt" / "labels.csv")
    result = run(folders / "pred" / "a.png", folders / "gt" / "a.png", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["settings"]["label_map"] == str(folders / "gt" / "labels.csv")
    assert [row["class_name"] for row in document["rows"]][:3] == ["background", "cat", "dog"]
