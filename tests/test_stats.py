"""Class balance and loss weights, hand-counted on tiny masks; the stats command through CliRunner."""

import csv
import io
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.io.maskio import write_mask
from segtool.labels import LabelMap
from segtool.pipelines.stats import (
    class_balance,
    generalised_dice_weights,
    inverse_frequency_weights,
    median_frequency_weights,
)

# Two masks (255 = ignore):
#   one.png  0 0 1      two.png  0 0 0
#            1 255 2             0 1 1
# valid pixels: 5 + 6 = 11; class 0: 2 + 4 = 6, class 1: 2 + 2 = 4, class 2: 1; ignored: 1.
# images containing: 0 -> 2, 1 -> 2, 2 -> 1.
# valid pixels of the masks containing the class: 0 -> 11, 1 -> 11, 2 -> 5 (only one.png).
ONE = np.array([[0, 0, 1], [1, 255, 2]], np.uint8)
TWO = np.array([[0, 0, 0], [0, 1, 1]], np.uint8)


@pytest.fixture
def masks(tmp_path):
    folder = tmp_path / "masks"
    write_mask(folder / "one.png", ONE)
    (folder / "sub").mkdir()
    np.save(folder / "sub" / "two.npy", TWO)
    return folder


def paths(folder):
    return sorted(folder.rglob("*.png")) + sorted(folder.rglob("*.npy"))


def test_counts_shares_and_images(masks):
    balance = class_balance(paths(masks), ignore=[255])
    rows = balance.rows()
    assert [row["class_id"] for row in rows] == [0, 1, 2]
    assert [row["pixels"] for row in rows] == [6, 4, 1]
    assert [row["share"] for row in rows] == pytest.approx([6 / 11, 4 / 11, 1 / 11])
    assert [row["images"] for row in rows] == [2, 2, 1]
    assert (balance.masks, balance.valid_pixels, balance.ignored_pixels) == (2, 11, 1)


def test_weights_on_the_two_masks(masks):
    rows = class_balance(paths(masks), ignore=[255]).rows()
    # inverse frequency N / (K n_c), N = 11, K = 3: 11/18, 11/12, 11/3
    assert [row["weight_inverse_frequency"] for row in rows] == pytest.approx([11 / 18, 11 / 12, 11 / 3])
    # median frequency: f = 6/11, 4/11, 1/5; median 4/11; weights (4/11)/f
    assert [row["weight_median_frequency"] for row in rows] == pytest.approx([4 / 6, 1.0, 20 / 11])
    # generalised Dice: 1/36, 1/16, 1/1 -> over 144ths 4, 9, 144, sum 157
    assert [row["weight_generalised_dice"] for row in rows] == pytest.approx([4 / 157, 9 / 157, 144 / 157])


def test_weight_functions_leave_absent_classes_without_weight():
    pixels = np.array([30, 0, 10])
    assert math.isnan(inverse_frequency_weights(pixels)[1])
    assert inverse_frequency_weights(pixels)[[0, 2]] == pytest.approx([40 / 60, 40 / 20])
    assert math.isnan(median_frequency_weights(pixels, np.array([40, 0, 40]))[1])
    weights = generalised_dice_weights(pixels)
    assert math.isnan(weights[1]) and np.nansum(weights) == pytest.approx(1.0)
    assert np.isnan(generalised_dice_weights(np.zeros(2))).all()


def test_generalised_dice_weights_do_not_underflow_on_huge_counts():
    weights = generalised_dice_weights(np.array([10**12, 2 * 10**12]))
    assert weights == pytest.approx([0.8, 0.2])  # 1 : 1/4, normalised


def test_label_map_adds_absent_classes_and_names(masks):
    label_map = LabelMap.from_names(["car", "road", "zebra"])  # car 1, road 2, zebra 3
    rows = class_balance(paths(masks), label_map=label_map, ignore=[255]).rows()
    assert [(row["class_name"], row["pixels"]) for row in rows] == [
        ("_background_", 6),
        ("car", 4),
        ("road", 1),
        ("zebra", 0),
    ]
    assert math.isnan(rows[3]["weight_median_frequency"]) and rows[3]["share"] == 0.0


def test_without_ignore_255_is_a_class_of_its_own(masks):
    # a 0/255 binary mask must never lose its foreground by accident
    rows = class_balance(paths(masks)).rows()
    assert [(row["class_id"], row["pixels"]) for row in rows] == [(0, 6), (1, 4), (2, 1), (255, 1)]


def test_unreadable_masks_are_listed_and_the_others_counted(masks):
    (masks / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    balance = class_balance(paths(masks), ignore=[255])
    assert len(balance.failures) == 1 and "broken.png" in balance.failures[0].message
    assert balance.masks == 2 and balance.valid_pixels == 11


def test_processes_give_the_same_numbers(masks):
    assert class_balance(paths(masks), jobs=2).rows() == class_balance(paths(masks), jobs=1).rows()


def test_colour_masks_are_read_through_the_label_map(tmp_path):
    from PIL import Image

    label_map = LabelMap.from_names(["car"])  # car = 1, VOC colour (128, 0, 0)
    rgb = np.array([[[0, 0, 0], [128, 0, 0], [128, 0, 0]]], np.uint8)
    Image.fromarray(rgb).save(tmp_path / "colour.png")
    rows = class_balance([tmp_path / "colour.png"], label_map=label_map).rows()
    assert [row["pixels"] for row in rows] == [1, 2]
    failed = class_balance([tmp_path / "colour.png"])
    assert "colour" in failed.failures[0].message and "--labels" in failed.failures[0].message


# -- the command --------------------------------------------------------------------------
def run(*args):
    from segtool.cli import app

    return CliRunner().invoke(app, ["stats", *map(str, args), "-j", "1"], terminal_width=100)


def test_csv_on_stdout_at_full_precision(masks):
    result = run(masks, "--ignore", "255", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["class_id"] for row in rows] == ["0", "1", "2"]
    assert float(rows[2]["share"]) == 1 / 11  # repr precision survives the trip
    assert float(rows[2]["weight_generalised_dice"]) == pytest.approx(144 / 157, rel=1e-15)
    assert "valid pixels" not in result.stdout  # the caption is not data


def test_labels_beside_the_masks_name_the_classes_and_set_the_ignore_value(masks):
    LabelMap.from_names(["car", "road"]).write(masks)  # labels.txt / labels.csv, ignore value 255
    result = run(masks, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["settings", "rows", "summary"]
    assert document["settings"]["ignore_values"] == [255] and document["settings"]["label_map"].endswith(
        "csv"
    )
    assert document["summary"] == {
        "masks": 2,
        "valid_pixels": 11,
        "ignored_pixels": 1,
        "failed_masks": 0,
        "classes_present": 3,
    }
    assert [(row["class_name"], row["pixels"]) for row in document["rows"]] == [
        ("_background_", 6),
        ("car", 4),
        ("road", 1),
    ]


def test_a_single_mask_reads_the_label_map_beside_it(masks):
    """As a folder of masks does: the names of labels.csv beside one.png, not bare ids."""
    LabelMap.from_names(["car", "road"]).write(masks)
    result = run(masks / "one.png", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["settings"]["label_map"] == str(masks / "labels.csv")
    assert [row["class_name"] for row in document["rows"]] == ["_background_", "car", "road"]


def test_table_output_and_absent_classes_as_dashes(masks, tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ncar\nroad\nzebra\n")
    result = run(masks, "--labels", labels)
    assert result.exit_code == 0, result.stderr
    zebra = next(line for line in result.stdout.splitlines() if "zebra" in line)
    assert zebra.split()[-3:] == ["-", "-", "-"]  # no weight for a class without pixels
    assert "2 masks, 11 valid pixels, 1 ignored (values: 255)" in result.stdout


def test_output_file_and_html_report(masks, tmp_path):
    out, page = tmp_path / "out" / "stats.md", tmp_path / "stats.html"
    result = run(masks, "--ignore", "255", "--format", "markdown", "-o", out, "--report", page)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    table_lines = [line for line in out.read_text().splitlines() if line.startswith("| ")]
    assert len(table_lines) == 4  # the header and the three classes
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 4


@pytest.mark.parametrize("output", ["one.png", "labels.csv", "sub/new.npy"])
def test_an_output_in_the_mask_folder_that_is_or_would_be_read_is_refused(masks, output):
    before = {path: path.read_bytes() for path in masks.rglob("*") if path.is_file()}
    for option in ("-o", "--report"):
        result = run(masks, option, masks / output)
        assert result.exit_code == 2 and result.stdout == ""
        assert (
            output.split("/")[-1] in "".join(result.stderr.replace("│", " ").split())
            and "input" in result.stderr
        )
    assert {path: path.read_bytes() for path in masks.rglob("*") if path.is_file()} == before


def test_rows_and_report_both_on_stdout_is_a_usage_error(masks):
    result = run(masks, "-o", "-", "--report", "-")
    assert result.exit_code == 2 and result.stdout == ""
    assert "stdout" in result.stderr


def test_a_bad_mask_is_named_on_stderr_and_exits_1_after_the_rows(masks):
    (masks / "broken.png").write_bytes(b"")
    result = run(masks, "--ignore", "255", "--format", "csv")
    assert result.exit_code == 1
    assert "broken.png" in result.stderr and "empty" in result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 3  # the good masks still counted


def test_255_is_ignored_by_default_as_in_score(masks):
    result = run(masks, "--format", "csv")
    assert [row["class_id"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["0", "1", "2"]
    counted = run(masks, "--ignore", "none", "--format", "csv")
    assert [row["class_id"] for row in csv.DictReader(io.StringIO(counted.stdout))] == ["0", "1", "2", "255"]


def test_binary_0_255_masks_get_a_warning_not_a_silent_background(tmp_path):
    write_mask(tmp_path / "binary.png", np.array([[0, 255, 255]], np.uint8))
    result = run(tmp_path, "--format", "csv")
    assert result.exit_code == 0 and "--ignore none" in result.stderr
    assert "--ignore none" not in run(tmp_path, "--ignore", "255", "--format", "csv").stderr  # asked for


def test_no_masks_is_an_error(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 1 and "no mask files" in result.stderr and result.stdout == ""
