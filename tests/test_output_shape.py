"""One output shape for every command (issue 17, item 4; docs/formats.md).

* ``-f json`` is one object whose first keys are ``settings``, ``rows`` and ``summary``; each row has
  exactly the CSV's columns, in the CSV's order, and there are as many rows as CSV rows.
* ``-f csv`` holds rows of one kind only: no mean, total or summary row (every ``class_id`` filled), so
  that pandas keeps integer columns integers.
"""

import csv
import io
import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from annotation_writers import dump, labelme
from segtool.cli import app
from segtool.io.maskio import write_mask

SUMMARY_NAMES = {"mean", "total", "summary", "foreground_mean"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Ground truth, two predictions and one LabelMe file, each a few pixels."""
    root = tmp_path_factory.mktemp("shape")
    truth = [np.array([[0, 1, 1], [0, 2, 2]], np.uint8), np.array([[0, 0, 1], [2, 2, 2]], np.uint8)]
    guesses = {
        "a": [np.array([[0, 1, 0], [0, 2, 2]], np.uint8), np.array([[0, 1, 1], [2, 2, 0]], np.uint8)],
        "b": [np.array([[0, 1, 1], [0, 2, 2]], np.uint8), np.array([[0, 0, 1], [2, 2, 0]], np.uint8)],
    }
    for index, mask in enumerate(truth):
        write_mask(root / "gt" / f"{index}.png", mask)
        for model, masks in guesses.items():
            write_mask(root / model / f"{index}.png", masks[index])
    (root / "ann").mkdir()
    (root / "ann" / "scene.json").write_text(dump(labelme()))
    return root


def invoke(*args):
    result = CliRunner().invoke(app, [str(arg) for arg in args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


COMMANDS = {
    "score": lambda root: ("score", root / "a", root / "gt", "-j", "1"),
    "score --metrics": lambda root: ("score", root / "a", root / "gt", "-j", "1", "--metrics", "hd95"),
    "score --compat": lambda root: ("score", root / "a", root / "gt", "-j", "1", "--compat", "nnunet"),
    "score --compare-conventions": lambda root: ("score", root / "a", root / "gt", "--compare-conventions"),
    "stats": lambda root: ("stats", root / "gt", "-j", "1"),
    "compare": lambda root: ("compare", root / "gt", root / "a", root / "b", "--resamples", "20", "-j", "1"),
    "rasterize": lambda root: ("rasterize", root / "ann", "-o", root / "masks", "-j", "1"),
    "labels --list": lambda root: ("labels", "--list"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_json_is_settings_rows_summary_and_its_rows_are_the_csv_rows(folders, command):
    args = COMMANDS[command](folders)
    document = json.loads(invoke(*args, "--format", "json"))
    assert isinstance(document, dict) and list(document)[:3] == ["settings", "rows", "summary"]
    assert isinstance(document["settings"], dict) and isinstance(document["summary"], dict)
    table = list(csv.reader(io.StringIO(invoke(*args, "--format", "csv"))))
    header, rows = table[0], table[1:]
    assert rows and len(document["rows"]) == len(rows)
    assert all(list(row) == header for row in document["rows"])
    if command not in ("labels --list",):
        assert document["settings"], "settings say what the run used"


@pytest.mark.parametrize("command", [name for name in COMMANDS if name != "labels --list"])
def test_no_csv_has_a_summary_row(folders, command):
    text = invoke(*COMMANDS[command](folders), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row.get("class_name") or row.get("convention") for row in rows}
    assert not names & SUMMARY_NAMES
    assert all(row["class_id"] != "" for row in rows if "class_id" in row)


def test_the_summary_the_csv_leaves_out_is_in_the_json(folders):
    score = json.loads(invoke(*COMMANDS["score"](folders), "--format", "json"))
    assert {"dice", "iou", "pixel_accuracy", "miou", "n_images"} <= set(score["summary"])
    assert "pixel_accuracy" not in score["rows"][0]  # the CSV's columns: a per-class row has none
    stats = json.loads(invoke(*COMMANDS["stats"](folders), "--format", "json"))
    assert stats["summary"]["valid_pixels"] == sum(row["pixels"] for row in stats["rows"]) == 12
    rasterize = json.loads(invoke(*COMMANDS["rasterize"](folders), "--format", "json"))
    assert rasterize["summary"]["pixels"] == sum(row["pixels"] for row in rasterize["rows"])
    assert rasterize["summary"]["files"] == 1 and rasterize["settings"]["convention"] == "centre"
    compare = json.loads(invoke(*COMMANDS["compare"](folders), "--format", "json"))
    assert {row["class_name"] for row in compare["summary"]["means"]} == {"mean"}


@pytest.mark.parametrize("command", ["score", "compare"])
def test_the_table_and_markdown_end_with_the_mean_row(folders, command):
    for output_format in ("table", "markdown"):
        lines = [line for line in invoke(*COMMANDS[command](folders), "-f", output_format).splitlines()]
        cells = [line.replace("|", " ").split() for line in lines]
        assert any(row[:1] == ["mean"] or row[:2] == ["-", "mean"] for row in cells), output_format


@pytest.mark.parametrize("command", sorted({name.split()[0] for name in COMMANDS}))
def test_every_command_that_prints_rows_takes_f_for_format(command):
    options = typer.main.get_command(app).commands[command].params  # type: ignore[attr-defined]
    (format_option,) = [option for option in options if "--format" in option.opts]
    assert "-f" in format_option.opts


def test_labels_list_takes_f_json():
    document = json.loads(invoke("labels", "--list", "-f", "json"))
    assert [row["name"] for row in document["rows"]][:2] == ["cityscapes", "cityscapes-train"]
