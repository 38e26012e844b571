"""Tables in a terminal of 60 to 200 columns and on a pipe: a number is never cut (issue 17, item 1).

The terminal's width is forced by replacing :func:`segtool.reports.rows.terminal_columns`
(what the table reads when stdout is a terminal); CliRunner's stdout is a pipe otherwise.
"""

import csv
import io
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.reports import rows as rows_module

WIDTHS = (60, 80, 100, 120, 200)
LONG_NAME = "a_rather_long_class_name"


@pytest.fixture
def folders(tmp_path):
    """Two images, three classes, one with a long name; numbers of many digits."""
    gt = {"a": np.zeros((40, 50), np.uint8), "b": np.zeros((40, 50), np.uint8)}
    gt["a"][5:30, 5:40] = 1
    gt["b"][10:35, 20:45] = 2
    gt["b"][0:5, 0:5] = 1
    pred = {name: array.copy() for name, array in gt.items()}
    pred["a"][5:28, 7:40] = 1
    pred["b"][12:35, 18:45] = 2
    for folder, masks in (("gt", gt), ("pred", pred)):
        for name, array in masks.items():
            write_mask(tmp_path / folder / f"{name}.png", array)
    (tmp_path / "labels.csv").write_text(f"id,name\n0,background\n1,{LONG_NAME}\n2,dog\n")
    return tmp_path


def run(monkeypatch, width, *args):
    monkeypatch.setattr(rows_module, "terminal_columns", lambda stream: width)
    return CliRunner().invoke(app, [*map(str, args)], terminal_width=width or 80)


def score_args(folders, *extra):
    return ("score", folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "1", *extra)


def fits(text, width):
    """Every line fits ``width``, but for a single word longer than a line (a path), kept whole."""
    return all(len(line) <= width or " " not in line.strip() for line in text.splitlines())


def table_numbers(text):
    return re.findall(r"(?<![\w.])\d+\.\d{4}(?![\w.])", text)


def csv_numbers(folders, monkeypatch, keys):
    rows = list(csv.DictReader(io.StringIO(run(monkeypatch, None, *score_args(folders, "-f", "csv")).stdout)))
    return {f"{float(row[key]):.4f}" for row in rows for key in keys if row[key]}


@pytest.mark.parametrize("width", WIDTHS)
def test_score_table_fits_the_terminal_and_cuts_no_number(folders, monkeypatch, width):
    result = run(monkeypatch, width, *score_args(folders))
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert fits(result.stdout, width)
    shown = set(table_numbers(result.stdout))
    keys = ("dice", "iou", "precision", "recall", "dice_image_mean", "iou_image_mean")
    assert csv_numbers(folders, monkeypatch, keys) <= shown
    # A long class name is folded onto a second line at most, never cut.
    assert LONG_NAME in result.stdout or {LONG_NAME[:16], LONG_NAME[16:]} <= set(result.stdout.split())


@pytest.mark.parametrize("width", (80, 100))
def test_narrow_first_part_has_class_dice_iou_both_aggregations_and_n(folders, monkeypatch, width):
    result = run(monkeypatch, width, *score_args(folders))
    first_part = result.stdout.split("\n\n")[1]  # after the title
    header = " ".join(first_part.split("─")[0].split())
    for word in ("class", "Dice", "IoU", "dataset", "per image", "mean", "(n)"):
        assert word in header
    assert "± " not in first_part  # the stds moved to a later part
    notes = [line for line in result.stdout.splitlines() if line.startswith(f"At {width} columns")]
    assert len(notes) == 1 and "parts" in notes[0]


def test_wide_terminal_and_pipe_print_one_table(folders, monkeypatch):
    for width in (200, None):
        result = run(monkeypatch, width, *score_args(folders))
        assert result.stdout.count("Precision") == 1 and "columns the table is shown" not in result.stdout
    piped = run(monkeypatch, None, *score_args(folders, "--rules"))
    rules = [line for line in piped.stdout.splitlines() if line.startswith("Per-image aggregation:")]
    assert len(rules) == 1 and len(rules[0]) > 120  # one line into a pipe, not wrapped


def test_notes_are_wrapped_at_spaces_never_cut(folders, monkeypatch):
    wide = run(monkeypatch, None, *score_args(folders, "--rules")).stdout
    narrow = run(monkeypatch, 60, *score_args(folders, "--rules")).stdout
    notes = wide[wide.index("Ignored ground-truth") :].split()
    assert narrow[narrow.index("Ignored ground-truth") :].split() == notes


def test_rules_shows_the_general_rules_default_only_this_runs(folders, monkeypatch):
    default = run(monkeypatch, None, *score_args(folders)).stdout
    every = run(monkeypatch, None, *score_args(folders, "--rules")).stdout
    assert "Dataset aggregation:" not in default and "--rules" in default
    assert "Dataset aggregation:" in every and "Ignored ground-truth values" in default


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_and_boundary_columns_cut_no_number(folders, monkeypatch, width):
    stats = run(monkeypatch, width, "stats", folders / "gt", "--labels", folders / "labels.csv", "-j", "1")
    assert stats.exit_code == 0, stats.output
    assert "…" not in stats.stdout and fits(stats.stdout, width)
    assert "2475" in stats.stdout.split()  # background pixels of both images, whole
    boundary = run(monkeypatch, width, *score_args(folders, "--metrics", "dice,iou,hd95,nsd"))
    assert boundary.exit_code == 0, boundary.output
    assert "…" not in boundary.stdout and fits(boundary.stdout, width)
    assert boundary.stdout.count("hd95") >= 2  # its mean and std columns


def test_rasterize_pixel_table_cuts_no_number(tmp_path, monkeypatch):
    (tmp_path / "a.json").write_text(
        '{"imageHeight": 20, "imageWidth": 30, "shapes": [{"label": "a_rather_long_label_name_for_a_class",'
        ' "points": [[2, 2], [25, 2], [25, 15]], "shape_type": "polygon"}]}'
    )
    result = run(monkeypatch, 60, "rasterize", tmp_path / "a.json", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and fits(result.stdout, 60)


def test_a_decomposed_name_is_shown_composed_in_the_table_and_kept_in_the_csv(folders, monkeypatch):
    """Rich counts e + U+0301 as one cell, but terminals that do not compose draw it in two, one
    column off: the table shows names in NFC (one code point where one exists); data keeps them."""
    (folders / "labels.csv").write_text("id,name\n0,background\n1,cafe\u0301\n2,dog\n")
    table = run(monkeypatch, 120, *score_args(folders))
    assert table.exit_code == 0, table.stderr
    [row] = [line for line in table.stdout.splitlines() if "caf" in line]
    assert "caf\u00e9" in row and "\u0301" not in row
    assert [len(line) for line in table.stdout.splitlines() if re.match(r"\s+[012]\s", line)] == [
        len(row)
    ] * 3
    data = run(monkeypatch, 120, *score_args(folders, "-f", "csv"))
    assert "cafe\u0301" in data.stdout
