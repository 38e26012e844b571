"""`segtool score --report / --error-maps / --images`: the HTML report and the error-map files, end to end."""

import base64
import io
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.pipelines.score_collector import ScoreCollector
from segtool.viz.errormap import (
    ERROR_COLOURS,
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    IGNORED,
    TRUE_POSITIVE,
    WRONG_CLASS,
)

TP, FP, FN = (list(ERROR_COLOURS[code]) for code in (TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE))
WRONG, GRAY = list(ERROR_COLOURS[WRONG_CLASS]), list(ERROR_COLOURS[IGNORED])
LIGHT_GRAY = [200, 200, 200]  # true positives of the errors style without a photo


def run(*args: str):
    return CliRunner().invoke(app, ["score", *map(str, args)], terminal_width=200)


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


class ReportParser(HTMLParser):
    """Section ids, every <img> source and caption, every link, and the image names listed under each <h3>."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.captions, self.links = [], [], [], []
        self.groups: dict[str, list[str]] = {}
        self._h3 = self._group = None
        self._in_name = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        elif tag == "img":
            self.images.append(attrs["src"])
            self.captions.append(attrs["alt"])
        elif tag == "a" and self._in_name:
            self.links.append(attrs["href"])
        elif tag == "h3":
            self._h3 = ""
        elif tag == "div" and attrs.get("class") == "name":
            self._in_name = True

    def handle_endtag(self, tag):
        if tag == "h3":
            self._group, self._h3 = self._h3, None
            self.groups[self._group] = []
        elif tag == "div":
            self._in_name = False

    def handle_data(self, data):
        if self._h3 is not None:
            self._h3 += data
        elif self._in_name:
            self.groups[self._group].append(data)


def decoded(source: str) -> np.ndarray:
    """The RGB pixels of a data: URI."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def parse(path: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def ranked(tmp_path):
    """Three 1x6 images of class 1 whose Dice for class 1 is 1, 2/3 and 0 (the background is not in the mean).

    a: predicted exactly. b: 4 true pixels, 2 of them predicted: 2TP / (2TP + FN) = 4 / 6.
    c: 4 true pixels, none predicted: 0.
    """
    truth = np.array([[1, 1, 1, 1, 0, 0]], np.uint8)
    predictions = {"a": truth, "b": np.array([[1, 1, 0, 0, 0, 0]], np.uint8), "c": np.zeros((1, 6), np.uint8)}
    for name, prediction in predictions.items():
        write_mask(tmp_path / "gt" / f"{name}.png", truth)
        write_mask(tmp_path / "pred" / f"{name}.png", prediction)
    return tmp_path


def test_report_has_every_section_embedded_pictures_and_the_worst_images_in_order(ranked):
    result = run(
        ranked / "pred",
        ranked / "gt",
        "--report",
        ranked / "out" / "report.html",
        "--report-worst",
        "2",
        "--format",
        "csv",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("class_id,")  # the scores still go to stdout; the report is extra
    report = parse(ranked / "out" / "report.html")
    assert report.sections == ["summary", "settings", "per-class", "distributions", "confusion", "worst"]
    # Worst overall: c (Dice 0), then b (2/3); a (1) is cut by --report-worst 2. Class 1 alike;
    # the background is left out of the mean, so it has no group.
    assert report.groups["Worst images overall (mean Dice over the classes of the mean)"] == ["c", "b"]
    assert report.groups["Worst images: 1"] == ["c", "b"]
    assert not any(title.startswith("Worst images: 0") for title in report.groups)
    # overall: 2 images x 4 pictures (ground truth, prediction, errors, the close-up of the largest
    # error region); per class: the class's error map and its close-up
    c_close_up = "largest error: 4 pixels at x 0–3, y 0–0, shown ×30"
    b_close_up = "largest error: 2 pixels at x 2–3, y 0–0, shown ×30"
    assert report.captions == [
        *("ground truth", "prediction", "errors", c_close_up),
        *("ground truth", "prediction", "errors", b_close_up),
        *("errors: 1", c_close_up, "errors: 1", b_close_up),
    ]
    assert all(source.startswith("data:image/png;base64,") for source in report.images)
    # the error map of c over all classes: 4 false negatives, then 2 true negatives (white), the
    # errors drawn 2 pixels wide (display_width of an unshrunk map): the first true negative is blue
    assert decoded(report.images[2]).tolist() == [[FN] * 5 + [[255, 255, 255]]]
    # the close-up: the whole 1 x 6 map (no room for a margin), exact pixels, each 30 x 30 (180 // 6)
    close_up = decoded(report.images[3])
    assert close_up.shape == (30, 180, 3)
    assert close_up[::30, ::30].tolist() == [[FN] * 4 + [[255, 255, 255]] * 2]
    # names link to the predictions, relative to the report's folder
    assert report.links == ["../pred/c.png", "../pred/b.png"] * 2
    html = (ranked / "out" / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


def test_report_shows_the_legend_beside_the_first_image_and_a_close_up_beside_each_error_map(ranked):
    result = run(ranked / "pred", ranked / "gt", "--report", ranked / "r.html", "--report-worst", "2")
    assert result.exit_code == 0, result.stderr
    html = (ranked / "r.html").read_text()
    worst = html[html.index('<section id="worst">') :]
    # the first image of the first group and the legend share one row, before any other image
    first = worst.index('<div class="with-legend"><div class="entry">')
    assert first < worst.index("<img")
    row = worst[first : worst.index('<div class="entry">', first + 40)]
    assert row.count('<aside class="legend">') == 1 and html.count('<aside class="legend">') == 1
    assert "Errors are drawn thicker than they are" in row
    for name in ("true positive", "true negative", "false positive", "false negative", "wrong class"):
        assert f"{name}</li>" in row
    # c's error map is followed by its close-up, on one line
    assert '<div class="pair"><figure class="pic"><img' in row
    assert row.count('<figure class="pic close-up">') == 1 and "largest error: 4 pixels" in row
    # every entry with an error has one close-up: overall c and b, class 1 c and b
    assert html.count('<figure class="pic close-up">') == 4


def test_report_links_to_the_error_maps_and_draws_over_the_photos_as_jpeg(ranked):
    (ranked / "photos").mkdir()
    for name in "abc":
        Image.new("RGB", (6, 1), (100, 100, 100)).save(ranked / "photos" / f"{name}.jpg")
    result = run(
        ranked / "pred",
        ranked / "gt",
        "--report",
        ranked / "report.html",
        "--report-worst",
        "1",
        "--error-maps",
        ranked / "maps",
        "--images",
        ranked / "photos",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    report = parse(ranked / "report.html")
    assert report.links == ["maps/c.png", "maps/c.png"]
    # thumbnails over photos are JPEG; the close-ups stay PNG (exact pixels)
    assert [source.split(";")[0] for source in report.images] == [
        *("data:image/jpeg", "data:image/jpeg", "data:image/jpeg", "data:image/png"),
        *("data:image/jpeg", "data:image/png"),
    ]
    # the close-up of c: the four missed pixels in full colour, the two correct ones the photo's gray
    assert decoded(report.images[3])[::30, ::30].tolist() == [[FN] * 4 + [[100, 100, 100]] * 2]


def test_error_map_colours_of_a_hand_made_pair(tmp_path):
    # (0,0) gt 0 pred 1: false positive; (0,1) both 1: true positive; (0,2) gt 1 pred 0: false negative;
    # (1,0) both 2: true positive; (1,1) gt 2 pred 1: wrong class; (1,2) gt 255: ignored.
    write_mask(tmp_path / "gt" / "sub" / "a.png", np.array([[0, 1, 1], [2, 2, 255]], np.uint8))
    write_mask(tmp_path / "pred" / "sub" / "a.png", np.array([[1, 1, 0], [2, 1, 0]], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "all", "--error-style", "all")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "all" / "sub" / "a.png")
    assert picture[:2, :3].tolist() == [[FP, TP, FN], [TP, WRONG, GRAY]]
    # the legend to the right shows a swatch of every colour an all-classes map can hold
    legend = {tuple(colour) for colour in picture[:, 3:].reshape(-1, 3).tolist()}
    assert {tuple(colour) for colour in (TP, FP, FN, WRONG, GRAY)} <= legend
    # the default, errors: true positives light gray, the mistakes alike, exact pixels (not thickened)
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "errors")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "errors" / "sub" / "a.png")
    assert picture[:2, :3].tolist() == [[FP, LIGHT_GRAY, FN], [LIGHT_GRAY, WRONG, GRAY]]
    legend = {tuple(colour) for colour in picture[:, 3:].reshape(-1, 3).tolist()}
    assert {tuple(colour) for colour in (LIGHT_GRAY, FP, FN, WRONG, GRAY)} <= legend and tuple(
        TP
    ) not in legend


def test_error_maps_over_a_photo_show_it_in_gray_under_the_colours(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "gt" / "b.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "pred" / "b.png", np.array([[0, 1]], np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (2, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.png")
    result = run(
        tmp_path / "pred",
        tmp_path / "gt",
        "--error-maps",
        tmp_path / "maps",
        "--images",
        tmp_path / "photos",
        "--error-style",
        "all",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    # true negative: the photo's gray (luma of (100, 100, 100) is 100); true positive at opacity 0.6:
    # 0.4 * 100 + 0.6 * (0, 158, 115) = (40, 134.8, 109) -> (40, 135, 109)
    assert pixels(tmp_path / "maps" / "a.png")[0, :2].tolist() == [[100, 100, 100], [40, 135, 109]]
    # b has no photo: drawn on black, and named in a warning
    assert pixels(tmp_path / "maps" / "b.png")[0, :2].tolist() == [[0, 0, 0], TP]
    assert f"warning: b: drawn without a photo: no image named b under {tmp_path / 'photos'}" in result.stderr


def test_errors_style_shows_correct_pixels_as_the_photo(tmp_path):
    # (0,0) TN, (0,1) TP, (0,2) FP: the correct pixels are the photo's gray, the mistake opaque
    write_mask(tmp_path / "gt" / "a.png", np.array([[0, 1, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1, 1]], np.uint8))
    (tmp_path / "photos").mkdir()
    photo = np.array([[[30, 60, 90], [200, 180, 10], [0, 0, 0]]], np.uint8)
    Image.fromarray(photo).save(tmp_path / "photos" / "a.png")
    result = run(
        tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--images", tmp_path / "photos"
    )
    assert result.exit_code == 0, result.stderr
    # luma: 0.299*30 + 0.587*60 + 0.114*90 = 54.45 -> 54; 0.299*200 + 0.587*180 + 0.114*10 = 166.6 -> 167
    assert pixels(tmp_path / "maps" / "a.png")[0, :3].tolist() == [[54] * 3, [167] * 3, FP]


@pytest.mark.parametrize(("style", "correct"), [("errors", LIGHT_GRAY), ("all", TP)])
def test_error_style_is_accepted_by_score_and_compare(ranked, style, correct):
    result = run(ranked / "pred", ranked / "gt", "--error-style", style, "--report", ranked / "r.html")
    assert result.exit_code == 0, result.stderr
    # image a is predicted exactly: its error map is all true positives (4) and true negatives (2)
    report = parse(ranked / "r.html")
    a_map = report.images[report.captions.index("errors", 8)]  # c, b, then a: 4 + 4 pictures before
    assert decoded(a_map)[0, 0].tolist() == correct
    # compare: model "worse" predicts nothing, so it loses to "pred" on a and b; a's error map of "pred"
    for name in "abc":
        write_mask(ranked / "worse" / f"{name}.png", np.zeros((1, 6), np.uint8))
    compared = CliRunner().invoke(
        app,
        [
            "compare",
            *map(str, (ranked / "gt", ranked / "pred", ranked / "worse")),
            "--error-style",
            style,
            "--report",
            str(ranked / "c.html"),
        ],
    )
    assert compared.exit_code == 0, compared.stderr
    report = parse(ranked / "c.html")
    assert decoded(report.images[report.captions.index("pred")])[0, 0].tolist() == correct


@pytest.mark.parametrize("command", ["score", "compare"])
@pytest.mark.parametrize("style", ["mistakes", "ERRORS", ""])
def test_other_error_styles_are_usage_errors(ranked, command, style):
    folders = [ranked / "pred", ranked / "gt"] if command == "score" else [ranked / "gt", ranked / "pred"]
    result = CliRunner().invoke(
        app, [command, *map(str, folders), "--error-style", style], terminal_width=200
    )
    assert result.exit_code == 2 and "--error-style" in result.stderr and result.stdout == ""


def test_binary_flag_maps_foreground_and_background(tmp_path):
    # 0/255 masks: 255 is foreground with --binary. TP, FN, FP, TN.
    write_mask(tmp_path / "gt" / "a.png", np.array([[255, 255, 0, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[255, 0, 255, 0]], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--binary", "--error-maps", tmp_path / "maps")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "maps" / "a.png")
    assert picture[0, :4].tolist() == [LIGHT_GRAY, FN, FP, [255, 255, 255]]
    # a two-class map has no "wrong class" swatch (the legend's text is black on white: no yellow)
    legend = {tuple(colour) for colour in picture[:, 4:].reshape(-1, 3).tolist()}
    assert tuple(WRONG) not in legend and {tuple(LIGHT_GRAY), tuple(FP), tuple(FN)} <= legend


def test_binary_layout_writes_one_map_per_label_with_a_file(tmp_path):
    for side in ("gt", "pred"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "labels.txt").write_text("__ignore__\n_background_\ncar\nroad\n")
    write_mask(tmp_path / "gt" / "car" / "a.png", np.array([[255, 255, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "car" / "a.png", np.array([[0, 255, 255]], np.uint8))
    (tmp_path / "gt" / "road").mkdir()  # a label folder without a file for a: no map for road
    result = run(
        tmp_path / "pred",
        tmp_path / "gt",
        "--error-maps",
        tmp_path / "maps",
        "--report",
        tmp_path / "r.html",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert pixels(tmp_path / "maps" / "car" / "a.png")[0, :3].tolist() == [FN, LIGHT_GRAY, FP]
    assert sorted(
        path.relative_to(tmp_path / "maps").as_posix() for path in (tmp_path / "maps").rglob("*.png")
    ) == ["car/a.png"]
    report = parse(tmp_path / "r.html")
    assert "confusion" not in report.sections  # labels may overlap: no confusion matrix
    # One image, fewer than --report-worst: it is not called "worst".
    assert report.groups["The only image: car"] == ["a"] and report.links[-1] == "maps/car/a.png"


def test_binary_layout_overall_close_up_stands_beside_the_label_with_the_largest_error(tmp_path):
    for side in ("gt", "pred"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "labels.txt").write_text("__ignore__\n_background_\ncar\nroad\n")
    # car: two touching false positives (the larger region); road: one missed pixel
    write_mask(tmp_path / "gt" / "car" / "a.png", np.array([[0, 0, 0, 0, 255, 255]], np.uint8))
    write_mask(tmp_path / "pred" / "car" / "a.png", np.array([[0, 0, 255, 255, 255, 255]], np.uint8))
    write_mask(tmp_path / "gt" / "road" / "a.png", np.array([[255, 255, 0, 0, 0, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "road" / "a.png", np.array([[255, 0, 0, 0, 0, 0]], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--report", tmp_path / "r.html")
    assert result.exit_code == 0, result.stderr
    report = parse(tmp_path / "r.html")
    # overall: car's map, the close-up of car's region right beside it, then road's map
    assert report.captions[:3] == [
        "errors: car",
        "largest error (car): 2 pixels at x 2\u20133, y 0\u20130, shown \u00d730",
        "errors: road",
    ]
    html = (tmp_path / "r.html").read_text()
    legend = html[html.index('<aside class="legend">') : html.index("</aside>")]
    assert "false negative</li>" in legend and "wrong class" not in legend  # two classes: no wrong class


def test_jobs_do_not_change_the_files(tmp_path):
    rng = np.random.default_rng(7)
    for index in range(6):
        write_mask(tmp_path / "gt" / f"{index}.png", rng.integers(0, 4, (12, 16), dtype=np.uint8))
        write_mask(tmp_path / "pred" / f"{index}.png", rng.integers(0, 4, (12, 16), dtype=np.uint8))
    outputs = []
    for jobs in ("1", "2"):
        result = run(
            tmp_path / "pred",
            tmp_path / "gt",
            "--error-maps",
            tmp_path / "maps",
            "--report",
            tmp_path / "r.html",
            "--report-worst",
            "3",
            "--jobs",
            jobs,
        )
        assert result.exit_code == 0, result.stderr
        outputs.append(
            {path.name: path.read_bytes() for path in [*(tmp_path / "maps").iterdir(), tmp_path / "r.html"]}
        )
    assert len(outputs[0]) == 7 and outputs[0] == outputs[1]


@pytest.mark.parametrize("inside", ["gt", "pred", "gt/maps"])
def test_error_maps_inside_a_mask_folder_are_refused(ranked, inside):
    before = sorted(path.read_bytes() for path in ranked.rglob("*.png"))
    result = run(ranked / "pred", ranked / "gt", "--error-maps", ranked / inside, "--jobs", "1")
    assert result.exit_code == 2
    assert "error-map folder must not be the mask folder" in result.stderr
    assert sorted(path.read_bytes() for path in ranked.rglob("*.png")) == before  # nothing overwritten


def test_a_photo_of_another_size_is_a_warning_and_its_map_is_drawn_without_it(tmp_path):
    for name in ("a", "b"):
        write_mask(tmp_path / "gt" / f"{name}.png", np.zeros((2, 2), np.uint8))
        write_mask(tmp_path / "pred" / f"{name}.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (3, 2)).save(tmp_path / "photos" / "a.png")
    Image.new("RGB", (2, 2)).save(tmp_path / "photos" / "b.png")
    result = run(
        tmp_path / "pred",
        tmp_path / "gt",
        "--error-maps",
        tmp_path / "maps",
        "--images",
        tmp_path / "photos",
        "--format",
        "csv",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0 and result.stdout.count("\n") > 1  # both pairs scored
    photo = tmp_path / "photos" / "a.png"
    assert (
        f"warning: a: drawn without a photo: the image {photo} is 3x2 (as displayed) but the mask is 2x2"
        in (result.stderr)
    )
    assert sorted(path.name for path in (tmp_path / "maps").iterdir()) == ["a.png", "b.png"]


def test_two_photos_for_one_name_are_named_and_the_map_is_drawn_without_one(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.array([[1]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[1]], np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (1, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.png")
    Image.new("RGB", (1, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.jpg")
    result = run(
        tmp_path / "pred",
        tmp_path / "gt",
        "--error-maps",
        tmp_path / "maps",
        "--images",
        tmp_path / "photos",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert "several images for one name; keep one" in result.stderr and "a.jpg" in result.stderr
    assert pixels(tmp_path / "maps" / "a.png")[0, 0].tolist() == LIGHT_GRAY  # no photo was chosen


def test_error_maps_into_the_photo_folder_are_refused(ranked):
    (ranked / "photos").mkdir()
    result = run(
        ranked / "pred", ranked / "gt", "--error-maps", ranked / "photos", "--images", ranked / "photos"
    )
    assert result.exit_code == 2 and "must not be the input folder" in result.stderr


# -- boundary metrics in the report ----------------------------------------------------------------
class TableParser(HTMLParser):
    """The cells of every table row (a <br> in a header becomes a newline).

    Also the text of each entry's scores.
    """

    def __init__(self):
        super().__init__()
        self.rows, self.entry_scores = [], []
        self._cell = self._scores = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += "\n"
        elif tag == "div" and dict(attrs).get("class") == "scores":
            self._scores = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "div" and self._scores is not None:
            self.entry_scores.append(self._scores)
            self._scores = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._scores is not None:
            self._scores += data


@pytest.fixture
def boundary_folders(tmp_path):
    """Two 10x40 images (diagonal sqrt(10^2 + 40^2) = sqrt(1700) = 41.231); classes 0 background,
    1 cat, 2 dog, 3 bird. Cat is the 4x4 square at rows 2..5, cols 2..5 in both ground truths.

    shift: the predicted square is one column to the right. Each boundary is the square's 12-pixel
    ring; from one ring to the other six pixels are 1 away and six lie on it (0), both ways:
    HD95 = 1; every distance is within NSD's default tolerance 2: NSD = 1. Cat's Dice: TP 12, FP 4,
    FN 4 -> 24 / 32 = 0.75. Dog is one ground-truth pixel the prediction misses: one side empty ->
    HD95 = the diagonal, 41.231, and NSD 0.
    stray: the square predicted exactly, plus one stray pixel at (2, 35), 30 columns from the
    square. Prediction to reference: twelve 0s and 30; the 95th percentile of 13 sorted values sits
    at 0.95 * 12 = 11.4, so 0.4 * 30 = 12 (the other direction is all 0): HD95 = 12.
    NSD = 24 / 25 = 0.96. Cat's Dice: TP 16, FP 1 -> 32 / 33 = 0.970.
    Cat over the two images: HD95 mean (1 + 12) / 2 = 6.5, population std 5.5, n 2; NSD mean 0.98, std 0.02.
    Bird is in neither mask anywhere: undefined.
    """
    gt_shift = np.zeros((10, 40), np.uint8)
    gt_shift[2:6, 2:6] = 1
    gt_shift[8, 20] = 2
    gt_stray = np.zeros((10, 40), np.uint8)
    gt_stray[2:6, 2:6] = 1
    pred_shift = np.zeros((10, 40), np.uint8)
    pred_shift[2:6, 3:7] = 1
    pred_stray = gt_stray.copy()
    pred_stray[2, 35] = 1
    for folder, name, array in (
        ("gt", "shift", gt_shift),
        ("gt", "stray", gt_stray),
        ("pred", "shift", pred_shift),
        ("pred", "stray", pred_stray),
    ):
        write_mask(tmp_path / folder / f"{name}.png", array)
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n2,dog\n3,bird\n")
    return tmp_path


def boundary_report(folders, *options):
    result = run(
        folders / "pred",
        folders / "gt",
        "--labels",
        folders / "labels.csv",
        "--report",
        folders / "r.html",
        "--format",
        "csv",
        "--jobs",
        "1",
        *options,
    )
    assert result.exit_code == 0, result.stderr
    html = (folders / "r.html").read_text(encoding="utf-8")
    tables = TableParser()
    tables.feed(html)
    header, *rows = tables.rows
    return html, header, {row[0]: row for row in rows}, tables.entry_scores


def test_report_tables_hand_counted_boundary_metrics_with_direction_and_dashes(boundary_folders):
    html, header, rows, entry_scores = boundary_report(boundary_folders, "--metrics", "dice,hd95,nsd")
    hd95, nsd = "HD95 per image\nlower is better, pixels", "NSD per image\nhigher is better"
    # after Dice's and IoU's 4 columns each: mean, std and images of each boundary metric, in --metrics order
    assert header[10:] == [hd95, "\u00b1 std", "images", nsd, "\u00b1 std", "images"]
    assert rows["cat"][10:] == ["6.500", "5.500", "2", "0.980", "0.020", "2"]
    # dog, missed on one image: the diagonal, counted (never 0, never dropped); NSD 0; no std over one image
    assert rows["dog"][10:] == ["41.231", "\u2013", "1", "0.000", "\u2013", "1"]
    # bird, in no mask: undefined -> a dash, over 0 images
    assert rows["bird"][10:] == ["\u2013", "\u2013", "0", "\u2013", "\u2013", "0"]
    page = parse(boundary_folders / "r.html")
    text = html.replace("&#x27;", "'")
    # summary: the macro mean of the class means, background left out, bird undefined: (6.5 + 41.231) / 2
    assert (
        f"mean HD95, per image (lower is better, pixels)</dt><dd>{(6.5 + math.sqrt(1700)) / 2:.4f}<" in text
    )
    assert "mean NSD, per image (higher is better)</dt><dd>0.4900<" in text  # (0.98 + 0) / 2
    # each convention as score prints it, the unit and the directions, in the rules
    assert "Convention: hd95: max of the two directed 95th percentiles of boundary distances" in text
    assert "Convention: nsd: share of both boundaries within 2 of the other (surface Dice)." in text
    assert "here 1 x 1, so in pixels" in text
    assert "Lower is better: hd95 (distances). Higher is better: nsd (shares, from 0 to 1)." in text
    # a distribution per boundary metric, titled with its direction
    assert {"HD95 (lower is better, pixels)", "NSD (higher is better)"} <= set(page.groups)
    assert text.count("<svg") == 2 + 2 + 2 + 1  # Dice and IoU bars and distributions, HD95, NSD, the heat map
    # worst images of cat: ranked by Dice (shift 0.75 before stray 0.970, although stray's HD95 is worse),
    # each shown with its own HD95 and NSD; the page says the ranking is Dice's
    assert page.groups["All 2 images: cat, worst first"] == ["shift", "stray"]  # fewer than --report-worst
    cat_entries = [scores for scores in entry_scores if "HD95" in scores]
    assert cat_entries[:2] == [
        "Dice 0.750 \u00b7 HD95 1.000 \u00b7 NSD 1.000",
        "Dice 0.970 \u00b7 HD95 12.000 \u00b7 NSD 0.960",
    ]
    assert (
        "Ranked by Dice only; HD95 and NSD are shown beside each image of a class but do not rank them."
        in text
    )


def test_report_boundary_distances_follow_the_spacing_and_its_unit(boundary_folders):
    # pixels 0.5 high and wide: every distance halves. Cat: HD95 0.5 and 6 -> mean 3.25, std 2.75.
    _, header, rows, _ = boundary_report(boundary_folders, "--metrics", "hd95", "--spacing", "0.5")
    assert header[10] == "HD95 per image\nlower is better, spacing units"
    assert rows["cat"][10:] == ["3.250", "2.750", "2"]


def test_report_without_boundary_metrics_says_nothing_about_them(boundary_folders):
    html, header, _, entry_scores = boundary_report(boundary_folders)
    assert len(header) == 10 and "better" not in html and "Convention:" not in html
    assert all(" \u00b7 " not in scores for scores in entry_scores)  # the worst images show their Dice only


def test_collector_keeps_the_boundary_values_of_the_worst_images_only():
    collector = ScoreCollector(metrics=("dice", "hd95"), rank_by="dice", worst=1)
    for image, dice, hd95 in (("a", 0.5, 3.0), ("b", 0.2, None), ("c", 0.9, 40.0)):
        collector.add([{"image": image, "class_id": 1, "class_name": "car", "dice": dice, "hd95": hd95}])
    # b (Dice 0.2) pushed a out and c never came in: only b's values are kept, its undefined HD95 as NaN
    assert collector.worst_per_class()["car"] == [("b", 0.2)]
    assert collector.scores_of("car", "a") == {} and collector.scores_of("car", "c") == {}
    kept = collector.scores_of("car", "b")
    assert kept["dice"] == 0.2 and math.isnan(kept["hd95"])
    assert collector.per_image["hd95"]["car"] == [3.0, 40.0]  # the distributions keep every defined value


def test_report_with_boundary_metrics_when_no_pair_could_be_scored(tmp_path):
    # The only pair has masks of different sizes: nothing is scored, yet the report and the
    # hd95 columns exist (undefined, over 0 images) and the failure is one line, not a traceback.
    (tmp_path / "gt").mkdir(), (tmp_path / "pred").mkdir()
    write_mask(tmp_path / "gt" / "a.png", np.zeros((8, 8), np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.zeros((8, 9), np.uint8))
    (tmp_path / "gt" / "labels.txt").write_text("_background_\nthing\n")
    report = tmp_path / "r.html"
    result = run(
        tmp_path / "pred", tmp_path / "gt", "--metrics", "hd95", "--report", report, "--format", "csv"
    )
    assert result.exit_code == 1 and not isinstance(
        result.exception, Exception
    )  # a failed pair, no traceback
    header, *rows = result.stdout.splitlines()
    assert header.endswith("hd95_image_mean,hd95_image_std,hd95_n_images")
    assert rows[1].startswith("1,thing,") and rows[1].endswith(",,0")
    assert "HD95" in report.read_text()


def test_report_from_the_result_alone(boundary_folders):
    from segtool.pipelines.score import score_folders
    from segtool.reports.score_html import build_score_report

    folders = boundary_folders
    result = score_folders(folders / "pred", folders / "gt", labels=folders / "labels.csv", report_worst=1)
    report = build_score_report(result)
    assert "Worst images: cat" in report.html and report.warnings == []
    # the collector ranked cat's images by Dice and kept the one worst (shift: 0.75 < stray: 0.970)
    assert result.collector.worst_per_class()["cat"] == [("shift", 0.75)]
    with pytest.raises(ValueError, match="report_worst"):
        build_score_report(score_folders(folders / "pred", folders / "gt", labels=folders / "labels.csv"))
    for worst in (0, -1):  # was an IndexError from the collector's heap, after every pair was read
        with pytest.raises(ValueError, match="report_worst must be at least 1"):
            score_folders(folders / "pred", folders / "gt", report_worst=worst)


def test_pictures_of_tiny_masks_are_shown_enlarged_with_square_pixels(tmp_path):
    """A 1x1 or 1x8 mask's thumbnails were shown 1 pixel tall: an empty card for a perfect image."""
    for folder, one, row in (("gt", 1, [1, 0, 2, 1]), ("pred", 2, [1, 1, 2, 0])):
        write_mask(tmp_path / folder / "a.png", np.array([[one]], np.uint8))
        write_mask(tmp_path / folder / "b.png", np.array([row], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--report", tmp_path / "r.html")
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "r.html").read_text()
    shown = {
        (alt, width, height)
        for width, height, alt in re.findall(
            r'<img src="data:image/png;base64,[^"]*" width="(\d+)" height="(\d+)" '
            r'class="enlarged" alt="([^"]*)"',
            html,
        )
    }
    assert ("ground truth", "64", "64") in shown and ("ground truth", "64", "16") in shown
    assert "figure.pic img.enlarged{image-rendering:pixelated}" in html
