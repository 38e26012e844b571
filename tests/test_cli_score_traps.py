"""`segtool score` on inputs that look right and are not, and outputs that go where the user points.

Issue 12, items 8 to 14: each test here failed on the code before its fix. stdout and
stderr are checked separately (CliRunner, 80 columns).
"""

import numpy as np
import pytest
import typer.main

from segtool.cli import app
from segtool.maskio import write_mask
from test_cli_score import csv_rows, run


@pytest.fixture
def folders(tmp_path):
    """One image: cat Dice 0.8 (tp 2, fn 1); dog only predicted (Dice 0); bird in no mask."""
    write_mask(tmp_path / "gt" / "a.png", np.array([[0, 1, 1], [0, 1, 255]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1, 0], [2, 1, 1]], np.uint8))
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n2,dog\n3,bird\n")
    return tmp_path


def base(folders, *args):
    return (folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "1", *args)


# -- item 12: classes absent from every image are in no mean; --hide-absent ------------
def test_a_class_absent_from_every_image_is_not_in_the_mean(folders):
    result = run(*base(folders, "--format", "csv"))
    assert result.exit_code == 0, result.stderr
    rows = {row["class_name"]: row for row in csv_rows(result.stdout)}
    assert rows["bird"]["in_mean"] == "false"  # absent from every image: no score to average
    assert rows["cat"]["in_mean"] == "true" and rows["background"]["in_mean"] == "false"


def test_hide_absent_leaves_absent_classes_out_of_the_table_only(folders):
    table = run(*base(folders, "--hide-absent"))
    assert table.exit_code == 0, table.stderr
    assert " bird " not in table.stdout and " cat " in table.stdout
    assert "1 class absent from every image is not shown (--hide-absent): bird" in table.stdout
    markdown = run(*base(folders, "--hide-absent", "--format", "markdown"))
    assert "| bird |" not in markdown.stdout and "| cat |" in markdown.stdout
    csv_out = run(*base(folders, "--hide-absent", "--format", "csv"))
    assert "bird" in [row["class_name"] for row in csv_rows(csv_out.stdout)]


# -- item 14: the CSV mean row is last by default; --no-mean-row -------------------------
def test_csv_mean_row_is_the_last_row_and_no_mean_row_drops_it(folders):
    rows = csv_rows(run(*base(folders, "--format", "csv")).stdout)
    assert rows[-1]["class_name"] == "mean" and rows[-1]["class_id"] == ""
    plain = run(*base(folders, "--format", "csv", "--no-mean-row"))
    assert plain.exit_code == 0, plain.stderr
    rows = csv_rows(plain.stdout)
    assert [row["class_name"] for row in rows] == ["background", "cat", "dog", "bird"]
    assert all(row["class_id"].isdigit() and row["tp"].isdigit() for row in rows)


def test_help_documents_the_mean_row():
    options = {param.opts[0]: param.help for param in typer.main.get_command(app).commands["score"].params}
    assert "mean row" in options["--no-mean-row"]
    assert "last row" in options["--format"]
