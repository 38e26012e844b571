"""`segtool score --report / --error-maps / --images`: the HTML report and the error-map files, end to end."""

import base64
import io
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.maskio import write_mask
from segtool.viz.errormap import ERROR_COLOURS, FALSE_NEGATIVE, FALSE_POSITIVE, IGNORED, TRUE_POSITIVE, WRONG_CLASS

TP, FP, FN = (list(ERROR_COLOURS[code]) for code in (TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE))
WRONG, GRAY = list(ERROR_COLOURS[WRONG_CLASS]), list(ERROR_COLOURS[IGNORED])


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
    result = run(ranked / "pred", ranked / "gt", "--report", ranked / "out" / "report.html", "--report-worst", "2",
                 "--format", "csv", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("class_id,")  # the scores still go to stdout; the report is extra
    report = parse(ranked / "out" / "report.html")
    assert report.sections == ["summary", "settings", "per-class", "distributions", "confusion", "worst"]
    # Worst overall: c (Dice 0), then b (2/3); a (1) is cut by --report-worst 2. Class 1 alike;
    # the background is left out of the mean, so it has no group.
    assert report.groups["Worst images overall (mean Dice over the classes of the mean)"] == ["c", "b"]
    assert report.groups["Worst images: 1"] == ["c", "b"]
    assert not any(title.startswith("Worst images: 0") for title in report.groups)
    # overall: 2 images x 3 pictures (ground truth, prediction, errors); per class: the class's error map
    assert report.captions == ["ground truth", "prediction", "errors"] * 2 + ["errors: 1"] * 2
    assert all(source.startswith("data:image/png;base64,") for source in report.images)
    decoded = Image.open(io.BytesIO(base64.b64decode(report.images[2].split(",", 1)[1])))
    # the error map of c over all classes: 4 false negatives, then 2 true negatives (black)
    assert np.asarray(decoded.convert("RGB")).tolist() == [[FN] * 4 + [[0, 0, 0]] * 2]
    # names link to the predictions, relative to the report's folder
    assert report.links == ["../pred/c.png", "../pred/b.png"] * 2
    html = (ranked / "out" / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


def test_report_links_to_the_error_maps_and_draws_over_the_photos_as_jpeg(ranked):
    (ranked / "photos").mkdir()
    for name in "abc":
        Image.new("RGB", (6, 1), (100, 100, 100)).save(ranked / "photos" / f"{name}.jpg")
    result = run(ranked / "pred", ranked / "gt", "--report", ranked / "report.html", "--report-worst", "1",
                 "--error-maps", ranked / "maps", "--images", ranked / "photos", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    report = parse(ranked / "report.html")
    assert report.links == ["maps/c.png", "maps/c.png"]
    assert len(report.images) == 4 and all(source.startswith("data:image/jpeg;base64,") for source in report.images)


def test_error_map_colours_of_a_hand_made_pair(tmp_path):
    # (0,0) gt 0 pred 1: false positive; (0,1) both 1: true positive; (0,2) gt 1 pred 0: false negative;
    # (1,0) both 2: true positive; (1,1) gt 2 pred 1: wrong class; (1,2) gt 255: ignored.
    write_mask(tmp_path / "gt" / "sub" / "a.png", np.array([[0, 1, 1], [2, 2, 255]], np.uint8))
    write_mask(tmp_path / "pred" / "sub" / "a.png", np.array([[1, 1, 0], [2, 1, 0]], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "maps" / "sub" / "a.png")
    assert picture[:2, :3].tolist() == [[FP, TP, FN], [TP, WRONG, GRAY]]
    # the legend to the right shows a swatch of every colour an all-classes map can hold
    legend = {tuple(colour) for colour in picture[:, 3:].reshape(-1, 3).tolist()}
    assert {tuple(colour) for colour in (TP, FP, FN, WRONG, GRAY)} <= legend


def test_error_maps_over_a_photo_show_it_in_gray_under_the_colours(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "gt" / "b.png", np.array([[0, 1]], np.uint8))
    write_mask(tmp_path / "pred" / "b.png", np.array([[0, 1]], np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (2, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.png")
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--images",
                 tmp_path / "photos", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    # true negative: the photo's gray (luma of (100, 100, 100) is 100); true positive at opacity 0.6:
    # 0.4 * 100 + 0.6 * (0, 158, 115) = (40, 134.8, 109) -> (40, 135, 109)
    assert pixels(tmp_path / "maps" / "a.png")[0, :2].tolist() == [[100, 100, 100], [40, 135, 109]]
    # b has no photo: drawn on black, and named in a warning
    assert pixels(tmp_path / "maps" / "b.png")[0, :2].tolist() == [[0, 0, 0], TP]
    assert "1 ground-truth masks have no image" in result.stderr and ": b" in result.stderr


def test_binary_flag_maps_foreground_and_background(tmp_path):
    # 0/255 masks: 255 is foreground with --binary. TP, FN, FP, TN.
    write_mask(tmp_path / "gt" / "a.png", np.array([[255, 255, 0, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[255, 0, 255, 0]], np.uint8))
    result = run(tmp_path / "pred", tmp_path / "gt", "--binary", "--error-maps", tmp_path / "maps", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "maps" / "a.png")
    assert picture[0, :4].tolist() == [TP, FN, FP, [0, 0, 0]]
    # a two-class map has no "wrong class" swatch (the legend's text is black on white: no yellow)
    legend = {tuple(colour) for colour in picture[:, 4:].reshape(-1, 3).tolist()}
    assert tuple(WRONG) not in legend and {tuple(TP), tuple(FP), tuple(FN)} <= legend


def test_binary_layout_writes_one_map_per_label_with_a_file(tmp_path):
    for side in ("gt", "pred"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "labels.txt").write_text("__ignore__\n_background_\ncar\nroad\n")
    write_mask(tmp_path / "gt" / "car" / "a.png", np.array([[255, 255, 0]], np.uint8))
    write_mask(tmp_path / "pred" / "car" / "a.png", np.array([[0, 255, 255]], np.uint8))
    (tmp_path / "gt" / "road").mkdir()  # a label folder without a file for a: no map for road
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--report",
                 tmp_path / "r.html", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert pixels(tmp_path / "maps" / "car" / "a.png")[0, :3].tolist() == [FN, TP, FP]
    assert sorted(path.relative_to(tmp_path / "maps").as_posix() for path in (tmp_path / "maps").rglob("*.png")) \
        == ["car/a.png"]
    report = parse(tmp_path / "r.html")
    assert "confusion" not in report.sections  # labels may overlap: no confusion matrix
    assert report.groups["Worst images: car"] == ["a"] and report.links[-1] == "maps/car/a.png"


def test_jobs_do_not_change_the_files(tmp_path):
    rng = np.random.default_rng(7)
    for index in range(6):
        write_mask(tmp_path / "gt" / f"{index}.png", rng.integers(0, 4, (12, 16), dtype=np.uint8))
        write_mask(tmp_path / "pred" / f"{index}.png", rng.integers(0, 4, (12, 16), dtype=np.uint8))
    outputs = []
    for jobs in ("1", "2"):
        result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--report",
                     tmp_path / "r.html", "--report-worst", "3", "--jobs", jobs)
        assert result.exit_code == 0, result.stderr
        outputs.append({path.name: path.read_bytes() for path in [*(tmp_path / "maps").iterdir(), tmp_path / "r.html"]})
    assert len(outputs[0]) == 7 and outputs[0] == outputs[1]


@pytest.mark.parametrize("inside", ["gt", "pred", "gt/maps"])
def test_error_maps_inside_a_mask_folder_are_refused(ranked, inside):
    before = sorted(path.read_bytes() for path in ranked.rglob("*.png"))
    result = run(ranked / "pred", ranked / "gt", "--error-maps", ranked / inside, "--jobs", "1")
    assert result.exit_code == 1
    assert "error-map folder must not be the mask folder" in result.stderr
    assert sorted(path.read_bytes() for path in ranked.rglob("*.png")) == before  # nothing overwritten


def test_a_photo_of_another_size_fails_its_pair_only(tmp_path):
    for name in ("a", "b"):
        write_mask(tmp_path / "gt" / f"{name}.png", np.zeros((2, 2), np.uint8))
        write_mask(tmp_path / "pred" / f"{name}.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (3, 2)).save(tmp_path / "photos" / "a.png")
    Image.new("RGB", (2, 2)).save(tmp_path / "photos" / "b.png")
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--images",
                 tmp_path / "photos", "--format", "csv", "--jobs", "1")
    assert result.exit_code == 1
    assert "a.png" in result.stderr and "3x2" in result.stderr and "nothing is resized" in result.stderr
    assert [path.name for path in (tmp_path / "maps").iterdir()] == ["b.png"]


def test_two_photos_for_one_name_are_named_and_the_map_is_drawn_without_one(tmp_path):
    write_mask(tmp_path / "gt" / "a.png", np.array([[1]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[1]], np.uint8))
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (1, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.png")
    Image.new("RGB", (1, 1), (100, 100, 100)).save(tmp_path / "photos" / "a.jpg")
    result = run(tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "--images",
                 tmp_path / "photos", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert "several files for one name" in result.stderr and "a.jpg" in result.stderr
    assert pixels(tmp_path / "maps" / "a.png")[0, 0].tolist() == TP  # on black: no photo was chosen


def test_error_maps_into_the_photo_folder_are_refused(ranked):
    (ranked / "photos").mkdir()
    result = run(ranked / "pred", ranked / "gt", "--error-maps", ranked / "photos", "--images", ranked / "photos")
    assert result.exit_code == 1 and "must not be the input folder" in result.stderr
