"""`segtool compare` through Typer's CliRunner: formats, 80 columns, names, files, every exit code."""

import base64
import csv
import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from compare_folders import write_compare_folders
from segtool.cli import app
from segtool.pipelines.compare import COMPARE_COLUMNS


@pytest.fixture
def folders(tmp_path):
    return write_compare_folders(tmp_path)


def run(folders, *args, models=("a", "b")):
    command = ["compare", folders / "gt", *(folders / model for model in models)]
    command += ["--labels", folders / "labels.csv", "-j", "1", "--resamples", "300", *args]
    return CliRunner().invoke(app, [str(arg) for arg in command], env={"COLUMNS": "80"}, terminal_width=80)


def test_table_fits_80_columns_with_numbers_whole(folders):
    result = run(folders)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    tables = lines[: next(i for i, line in enumerate(lines) if line.startswith("12 images compared."))]
    assert "Dice, dataset aggregation: B = b, A = a" in tables
    assert "Dice, per-image aggregation: B = b, A = a" in tables
    assert max(len(line) for line in tables) <= 80
    row = next(line for line in lines if line.strip().startswith("traffic light") and "/" in line)
    assert row.split()[-1] == "better" and "12/0/0" in row


def test_csv_and_json_hold_every_metric_and_aggregation(folders):
    result = run(folders, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == COMPARE_COLUMNS
    assert {(row["metric"], row["aggregation"]) for row in rows} == {
        (metric, aggregation)
        for metric in ("dice", "iou", "precision", "recall")
        for aggregation in ("dataset", "image")
    }
    # three classes per metric and aggregation; the means are in the tables and the JSON summary only
    assert len(rows) == 8 * 3 and all(row["class_id"].isdigit() for row in rows)
    document = json.loads(run(folders, "--format", "json").stdout)
    assert list(document)[:3] == ["settings", "rows", "summary"]
    assert document["settings"]["resamples"] == 300 and document["settings"]["seed"] == 0
    assert document["models"][0] == {"name": "a", "predictions": str(folders / "a"), "baseline": True}
    assert document["images"]["compared"] == 12 and len(document["rows"]) == 24
    assert [list(row) for row in document["rows"]] == [list(COMPARE_COLUMNS)] * 24
    means = document["summary"]["means"]
    assert document["summary"]["images_compared"] == 12 and len(means) == 8
    assert {(row["class_id"], row["class_name"]) for row in means} == {(None, "mean")}


def test_markdown_has_both_tables_and_the_rules(folders):
    result = run(folders, "--format", "markdown", "--metric", "iou")
    assert result.exit_code == 0
    assert "### IoU, dataset aggregation: B = b, A = a" in result.stdout
    assert "Holm-Bonferroni" in result.stdout


def test_names_per_image_file_and_three_models(folders):
    per_image = folders / "per_image.csv"
    result = run(
        folders, "--name", "A=baseline", "--name", "C=copy", "--per-image", per_image, models=("a", "b", "c")
    )
    assert result.exit_code == 0, result.stderr
    assert "B = b, A = baseline" in result.stdout and "B = copy, A = baseline" in result.stdout
    rows = list(csv.DictReader(per_image.open()))
    assert {row["model"] for row in rows} == {"baseline", "b", "copy"}
    assert rows[0]["image"] == "00" and "dice" in rows[0]


def test_one_folder_given_twice_is_a_usage_error_unless_named(folders):
    twice = run(folders, models=("a", "a"))
    assert twice.exit_code == 2 and twice.stdout == ""
    assert "is given twice" in twice.stderr and "--name" in twice.stderr and "Traceback" not in twice.stderr
    named = run(folders, "--name", "B=again", "--resamples", "0", models=("a", "a"))
    assert named.exit_code == 0, named.stderr
    assert "B = again, A =" in named.stdout


def test_fail_if_worse_exits_3_naming_the_gate(folders):
    worse = run(folders, "--fail-if-worse", "dice=0.001", models=("b", "a"))
    assert worse.exit_code == 3
    assert worse.stderr.startswith("error: --fail-if-worse: a vs b: dataset dice mean: B - A interval [")
    assert "Dice, dataset aggregation" in worse.stdout
    assert (
        run(folders, "--fail-if-worse", "dice=0.01", "--fail-if-worse", "class:image:dice=0.01").exit_code
        == 0
    )


def test_missing_images_are_listed_and_fail_unless_skipped(folders):
    (folders / "b" / "05.png").unlink()
    failed = run(folders)
    assert failed.exit_code == 1
    assert "1 ground-truth image has no prediction of b and was not compared: 05" in failed.stderr
    assert "Dice, dataset aggregation" in failed.stdout and "11 images compared" in failed.stdout
    skipped = run(folders, "--missing", "skip")
    assert skipped.exit_code == 0 and "warning" in skipped.stderr


@pytest.mark.parametrize(
    "args, problem",
    [
        (("--name", "Z=x"), "no model's letter"),
        (("--name", "A"), "is not KEY=NAME"),
        (("--name", "A=b"), "share a name"),
        (("--fail-if-worse", "dice"), "METRIC=MARGIN"),
        (("--metric", "hd95"), "add it to --metrics"),
        (("--confidence", "1.5"), "--confidence"),
    ],
)
def test_usage_errors_exit_2(folders, args, problem):
    result = run(folders, *args)
    assert result.exit_code == 2 and problem in result.stderr and result.stdout == ""


def test_one_prediction_folder_is_a_usage_error(folders):
    result = run(folders, models=("a",))
    assert result.exit_code == 2 and "at least two" in result.stderr


def test_a_boundary_metric_is_compared_per_image_only(folders):
    result = run(folders, "--metrics", "hd95", "--metric", "hd95", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = [row for row in csv.DictReader(io.StringIO(result.stdout)) if row["metric"] == "hd95"]
    assert {row["aggregation"] for row in rows} == {"image"} and len(rows) == 3
    assert run(folders, "--metrics", "hd95", "--metric", "hd95").exit_code == 0


def test_report_has_the_forest_plots_the_scatter_and_the_worst_images(folders):
    report = folders / "compare.html"
    result = run(folders, "--report", report, models=("b", "a"))
    assert result.exit_code == 0, result.stderr
    html = report.read_text()
    assert "a (B) against b (A)" in html
    assert html.count("B − A per class with intervals") == 4  # aria-label and title, two aggregations
    assert html.count("<circle") == 2 * 4 + 12  # forest dots (3 classes and the mean, twice), 12 images
    assert "images where B loses most (Dice macro mean)" in html
    # six worst images: both error maps, each followed by a close-up of the same place (B's largest error)
    assert html.count("<img") == 4 * 6 and html.count('<figure class="pic close-up">') == 2 * 6
    # one legend, beside the table of the worst images (level with its first row)
    assert html.count('<aside class="legend">') == 1
    beside = html[html.index('<div class="with-legend"><div class="scroll"><table>') :]
    assert beside.index('</table></div><aside class="legend">') < beside.index("</aside></div>")
    assert "drawn thicker than they are" in beside[beside.index("<aside") :]
    first_row = html[html.index("<tbody>") : html.index("</tr>", html.index("<tbody>"))]
    assert "a: largest error:" in first_row and "b: the same place, shown" in first_row
    assert "Holm-Bonferroni" in html and "http" not in html.replace("http://www.w3.org", "")


PHOTO_GRAY = 100  # the photos' colour, (100, 100, 100): its gray is 100


def _report_pictures(path):
    """The RGB pixels of every picture of a report, in order."""
    html = path.read_text(encoding="utf-8")
    return [_decoded(source) for source in re.findall(r'<img src="(data:image/[a-z]+;base64,[^"]+)"', html)]


def _decoded(source):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def _share_of_photo_gray(picture):
    """The share of a picture's pixels that are the photo's gray (give or take JPEG's rounding)."""
    return float((np.abs(picture.astype(int) - PHOTO_GRAY).max(axis=2) <= 8).mean())


@pytest.fixture
def photos(folders):
    (folders / "photos").mkdir()
    for index in range(12):
        Image.new("RGB", (32, 24), (PHOTO_GRAY,) * 3).save(folders / "photos" / f"{index:02d}.png")
    return folders / "photos"


def test_report_error_maps_are_drawn_over_the_photos_with_images(folders, photos):
    report = folders / "compare.html"
    result = run(folders, "--report", report, "--images", photos, models=("b", "a"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    pictures = _report_pictures(report)
    assert len(pictures) == 4 * 6
    # correct pixels are the photo in gray: much of each thumbnail (its mistakes are drawn thicker)
    # and most of each close-up (exact pixels)
    shares = [_share_of_photo_gray(picture) for picture in pictures]
    assert min(shares[0::2]) > 0.1 and min(shares[1::2]) > 0.9
    assert "correct: the photo, in gray" in report.read_text(encoding="utf-8")
    without = folders / "without.html"
    assert run(folders, "--report", without, models=("b", "a")).exit_code == 0
    assert all(_share_of_photo_gray(picture) == 0 for picture in _report_pictures(without))
    assert "correct: the photo, in gray" not in without.read_text(encoding="utf-8")


def test_a_missing_photo_is_one_warning_and_its_maps_are_drawn_without_it(folders, photos):
    report = folders / "compare.html"
    run(folders, "--report", report, "--images", photos, models=("b", "a"))
    first = re.search(r"<tbody><tr><td>([^<]+)</td>", report.read_text(encoding="utf-8")).group(1)
    (photos / f"{first}.png").unlink()
    result = run(folders, "--report", report, "--images", photos, models=("b", "a"))
    assert result.exit_code == 0
    assert (
        result.stderr == f"warning: {first}: drawn without a photo: no image named {first} under {photos}\n"
    )
    pictures = _report_pictures(report)
    # the first row (A's and B's maps and close-ups) without the photo, the others over it
    assert [_share_of_photo_gray(picture) > 0.1 for picture in pictures] == [False] * 4 + [True] * 20
    assert "correct: the photo in gray; without one:" in report.read_text(encoding="utf-8")


def test_an_output_into_the_photo_folder_is_refused(folders, photos):
    result = run(folders, "--images", photos, "-o", photos / "00.png")
    assert result.exit_code == 2 and result.stdout == ""
    assert "is an input of this run" in result.stderr and (photos / "00.png").exists()
