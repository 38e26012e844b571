"""`segtool score --metrics ...` with boundary metrics: values counted by hand, through the CLI.

Two 10x40 images (diagonal sqrt(10^2 + 40^2) = sqrt(1700) = 41.2311), label map
0 background, 1 cat, 2 dog, 3 bird:

* ``shift``: cat is a 4x4 square at rows 2..5, cols 2..5 in the ground truth and
  the same square one column to the right in the prediction. Each boundary is the
  12-pixel ring; from the reference ring to the predicted one, the 4 pixels of
  column 2 are 1 away, the 2 middle pixels of column 5 are 1 away, the other 6
  lie on the predicted ring (0), and the other way round likewise. So HD = 1,
  HD95 = 1 (the 95th percentile of six 0s and six 1s), ASSD = 12 / 24 = 0.5,
  NSD at tolerance 0.5 = 12 / 24 = 0.5. Dog is one ground-truth pixel that the
  prediction misses: one side empty, so the worst value (the diagonal; NSD 0).
* ``stray``: the same cat square, predicted exactly plus one stray pixel at
  (2, 35), 30 columns from the square's right edge. Reference to prediction: 12
  zeros; prediction to reference: 12 zeros and 30. HD95 = max(0, 0 + 0.4 * 30) = 12
  (linear interpolation at 0.95 * 12 = 11.4 of 13 sorted values), ASSD = 30 / 25 = 1.2,
  NSD = 24 / 25 = 0.96 at any tolerance below 30.

Bird is in neither: undefined everywhere.
"""

import csv
import io
import json
import math
import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.labels import LabelMap
from segtool.metrics.boundary import BoundaryScorer, Tolerances, parse_boundary_metric
from segtool.pipelines.score import PER_IMAGE_COLUMNS, score_folders
from segtool.pipelines.thresholds import Threshold

SHAPE = (10, 40)
DIAGONAL = math.sqrt(1700)


def square(mask, value, rows=(2, 6), cols=(2, 6)):
    mask[rows[0] : rows[1], cols[0] : cols[1]] = value
    return mask


def blank():
    return np.zeros(SHAPE, np.uint8)


@pytest.fixture
def folders(tmp_path):
    gt_shift = square(blank(), 1)
    gt_shift[8, 20] = 2
    pred_stray = square(blank(), 1)
    pred_stray[2, 35] = 1
    masks = {
        "gt": {"shift": gt_shift, "stray": square(blank(), 1)},
        "pred": {"shift": square(blank(), 1, cols=(3, 7)), "stray": pred_stray},
    }
    for folder, images in masks.items():
        for name, array in images.items():
            write_mask(tmp_path / folder / f"{name}.png", array)
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n2,dog\n3,bird\n")
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, ["score", *map(str, args)], env={"COLUMNS": "80"}, terminal_width=80)


def base(folders, *args):
    return (folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "1", *args)


def rows_by_name(text):
    return {row["class_name"]: row for row in csv.DictReader(io.StringIO(text))}


# -- values -----------------------------------------------------------------------------------
def test_hand_counted_values_and_empty_rules_in_csv(folders):
    result = run(*base(folders, "-f", "csv", "--metrics", "dice,iou,hd95,assd,nsd", "--nsd-tolerance", "0.5"))
    assert result.exit_code == 0 and result.stderr == ""
    header = result.stdout.splitlines()[0].split(",")
    assert header[-9:] == [
        "hd95_image_mean",
        "hd95_image_std",
        "hd95_n_images",
        "assd_image_mean",
        "assd_image_std",
        "assd_n_images",
        "nsd_image_mean",
        "nsd_image_std",
        "nsd_n_images",
    ]
    rows = rows_by_name(result.stdout)
    cat, dog, bird = rows["cat"], rows["dog"], rows["bird"]
    # cat: hd95 1 and 12 -> mean 6.5, population std 5.5; assd 0.5 and 1.2; nsd 0.5 and 0.96.
    assert float(cat["hd95_image_mean"]) == pytest.approx(6.5) and float(
        cat["hd95_image_std"]
    ) == pytest.approx(5.5)
    assert float(cat["assd_image_mean"]) == pytest.approx(0.85)
    assert float(cat["assd_image_std"]) == pytest.approx(0.35)
    assert float(cat["nsd_image_mean"]) == pytest.approx(0.73) and cat["nsd_n_images"] == "2"
    # dog: missed on one image -> the worst value, counted (never dropped, never 0).
    assert float(dog["hd95_image_mean"]) == pytest.approx(DIAGONAL) and dog["hd95_n_images"] == "1"
    assert float(dog["nsd_image_mean"]) == 0 and dog["nsd_n_images"] == "1"
    # bird: absent from both everywhere -> undefined (empty cells), no image counted.
    assert bird["hd95_image_mean"] == bird["hd95_image_std"] == "" and bird["hd95_n_images"] == "0"
    # The summary (JSON; CSV holds class rows only): macro mean of the per-class image means,
    # background left out, bird undefined.
    as_json = base(folders, "-f", "json", "--metrics", "dice,iou,hd95,assd,nsd", "--nsd-tolerance", "0.5")
    mean = json.loads(run(*as_json).stdout)["summary"]
    assert mean["hd95_image_mean"] == pytest.approx((6.5 + DIAGONAL) / 2)
    assert mean["nsd_image_mean"] == pytest.approx(0.73 / 2)
    # The confusion columns are unchanged: cat tp 12 + 16, fp 4 + 1, fn 4 + 0.
    assert (cat["tp"], cat["fp"], cat["fn"]) == ("28", "5", "4")


def test_per_image_csv_has_one_column_per_metric(folders):
    path = folders / "per_image.csv"
    result = run(*base(folders, "-f", "csv", "--metrics", "hd95,assd,nsd,hd95_pooled", "--per-image", path))
    assert result.exit_code == 0
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == [*PER_IMAGE_COLUMNS, "hd95", "assd", "nsd", "hd95_pooled"]
    rows = {(row["image"], row["class_name"]): row for row in csv.DictReader(io.StringIO(path.read_text()))}
    assert set(rows) == {
        ("shift", "background"),
        ("shift", "cat"),
        ("shift", "dog"),
        ("stray", "background"),
        ("stray", "cat"),
    }
    shift, stray, dog = rows["shift", "cat"], rows["stray", "cat"], rows["shift", "dog"]
    assert (float(shift["hd95"]), float(shift["assd"]), float(shift["nsd"])) == (1.0, 0.5, 1.0)
    # The stray pixel: hd95 12, but pooled with the 24 zeros its distance drops out of the 95th percentile.
    assert float(stray["hd95"]) == pytest.approx(12) and float(stray["hd95_pooled"]) == 0
    assert float(stray["assd"]) == pytest.approx(1.2) and float(stray["nsd"]) == pytest.approx(0.96)
    assert float(dog["hd95"]) == pytest.approx(DIAGONAL) and float(dog["nsd"]) == 0


def test_spacing_scales_distances_and_the_worst_value(folders):
    result = run(
        *base(
            folders, "-f", "csv", "--metrics", "hd,assd", "--spacing", "1,3", "--per-image", folders / "p.csv"
        )
    )
    assert result.exit_code == 0
    shift = next(
        row
        for row in csv.DictReader(io.StringIO((folders / "p.csv").read_text()))
        if row["image"] == "shift" and row["class_name"] == "cat"
    )
    # Pixels 3 wide: column 2's four pixels are now 3 away; the middle two of column 5 stay 1 away
    # (straight up or down to the predicted ring's top or bottom row). Per side 4 * 3 + 2 * 1 = 14,
    # so ASSD = 28 / 24; the worst value is the diagonal in spacing units.
    assert float(shift["hd"]) == 3 and float(shift["assd"]) == pytest.approx(28 / 24)
    dog = rows_by_name(result.stdout)["dog"]
    assert float(dog["hd_image_mean"]) == pytest.approx(math.hypot(10 * 1, 40 * 3))


def test_edge_is_boundary_changes_what_an_edge_cut_mask_scores(tmp_path):
    # cat fills rows 0..4 (ground truth) or 0..5 (prediction) of a 10x10 image, across its full width.
    write_mask(tmp_path / "gt" / "x.png", np.pad(np.ones((5, 10), np.uint8), ((0, 5), (0, 0))))
    write_mask(tmp_path / "pred" / "x.png", np.pad(np.ones((6, 10), np.uint8), ((0, 4), (0, 0))))
    common = (tmp_path / "pred", tmp_path / "gt", "-j", "1", "-f", "csv", "--metrics", "assd")
    default = rows_by_name(run(*common).stdout)["1"]
    edged = rows_by_name(run(*common, "--edge-is-boundary").stdout)["1"]
    # Default: only rows 4 and 5 are boundaries, 1 apart: ASSD 1. With the edge: the reference ring has
    # 26 pixels (8 of them 1 away), the predicted one 28 (10 of them 1 away): 18 / 54.
    assert float(default["assd_image_mean"]) == 1.0
    assert float(edged["assd_image_mean"]) == pytest.approx(18 / 54)


# -- outputs ----------------------------------------------------------------------------------
def test_json_settings_carry_each_convention_and_the_rules(folders):
    result = run(
        *base(
            folders, "-f", "json", "--metrics", "hd95,nsd,bf", "--nsd-tolerance", "0.5", "--bf-tolerance", "3"
        )
    )
    document = json.loads(result.stdout)
    record = document["settings"]["boundary_metrics"]
    tolerances = Tolerances(nsd=0.5, bf=3)
    assert record["metrics"] == [
        {
            "name": name,
            "higher_is_better": name != "hd95",
            "convention": parse_boundary_metric(name).convention(tolerances),
        }
        for name in ("hd95", "nsd", "bf")
    ]
    assert "within 0.5 of the other" in record["metrics"][1]["convention"]
    assert record["tolerances"] == {"nsd": 0.5, "biou_width": None, "bf": 3.0}
    assert record["spacing"] == [1.0, 1.0] and record["edge_is_boundary"] is False
    assert "no dataset aggregation" in record["aggregation"] and "the worst value" in record["empty_rule"]
    bird = next(row for row in document["rows"] if row["class_name"] == "bird")
    assert bird["hd95_image_mean"] is None and bird["hd95_n_images"] == 0  # undefined: null, not NaN
    assert document["summary"]["hd95_image_mean"] == pytest.approx((6.5 + DIAGONAL) / 2)


def test_table_has_one_column_per_metric_and_states_the_conventions(folders):
    result = run(*base(folders, "--metrics", "hd95,nsd"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    cat = next(line for line in lines if " cat " in line)
    assert cat.split()[-6:] == ["6.5000", "±", "5.5000", "0.9800", "±", "0.0200"]
    assert any("lower is better" in line for line in lines[:6])  # the hd95 header
    text = " ".join(lines)
    for name in ("hd95", "nsd"):
        assert f"Convention: {parse_boundary_metric(name).convention()}." in text
    assert "no dataset aggregation" in text
    assert "Lower is better: hd95 (distances). Higher is better: nsd (shares, from 0 to 1)." in text
    assert "one mask empty: the worst value (the image diagonal for distances" in text


def test_without_metrics_nothing_changes(folders):
    plain = run(*base(folders, "-f", "json"))
    document = json.loads(plain.stdout)
    assert "boundary_metrics" not in document["settings"]
    assert not any(column.endswith("_n_images") and column.startswith("hd") for column in document["columns"])
    assert run(*base(folders, "-f", "json", "--metrics", "dice,iou,precision,recall")).stdout == plain.stdout


# -- thresholds -------------------------------------------------------------------------------
def test_fail_over_for_distances_and_fail_under_for_boundary_scores(folders):
    metrics = ("--metrics", "hd95,nsd")
    # Mean row: hd95 (6.5 + 41.23) / 2 = 23.87; nsd (0.98 + 0) / 2 = 0.49.
    assert run(*base(folders, *metrics, "--fail-over", "hd95=30", "--fail-under", "nsd=0.4")).exit_code == 0
    failing = run(*base(folders, *metrics, "--fail-over", "hd95=20", "--fail-under", "image:nsd=0.5"))
    assert failing.exit_code == 3
    assert "above --fail-over image:hd95<=20: the score is 23.8655" in failing.stderr
    assert "below --fail-under image:nsd>=0.5: the score is 0.49" in failing.stderr


def test_threshold_directions():
    assert Threshold.parse("HD95=10", bound="upper") == Threshold("image", "hd95", 10.0, "upper")
    assert Threshold.parse("hd99.5_pooled=4", bound="upper").metric == "hd99.5_pooled"
    assert Threshold.parse("bf=0.7").key == "bf_image_mean"
    upper = Threshold.parse("assd=2", bound="upper")
    assert upper.is_met_by(2.0) and not upper.is_met_by(2.5)
    for text, bound in (
        ("hd95=10", "lower"),
        ("nsd=0.9", "upper"),
        ("dice=0.8", "upper"),
        ("dataset:hd95=10", "upper"),
    ):
        with pytest.raises(ValueError):
            Threshold.parse(text, bound=bound)


# -- usage errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, option, phrase",
    [
        (("--metrics", "dice,hd95,surface"), "--metrics", "unknown metric 'surface'"),
        (("--metrics", ","), "--metrics", "no metric named"),
        (("--metrics", "hd95", "--nsd-tolerance", "1"), "--nsd-tolerance", "no metric in --metrics uses it"),
        (("--spacing", "1,1"), "--spacing", "--metrics names none"),
        (("--metrics", "hd", "--spacing", "1,0"), "--spacing", "two positive numbers"),
        (("--metrics", "biou_chessboard", "--spacing", "1,2"), "", "square pixels"),
        (("--metrics", "biou", "--biou-width", "0"), "", "biou width must be"),
        (("--fail-over", "hd95=3"), "--fail-over", "hd95 is not scored; add it to --metrics"),
        (("--metrics", "hd95", "--fail-under", "hd95=3"), "--fail-under", "lower is better for hd95"),
    ],
)
def test_usage_errors(folders, args, option, phrase):
    result = run(*base(folders, *args))
    assert result.exit_code == 2 and result.stdout == ""
    text = " ".join(result.stderr.replace("│", " ").split())
    assert option in text and phrase in text


def test_unknown_metric_lists_the_valid_names(folders):
    text = " ".join(run(*base(folders, "--metrics", "hd95,iuo")).stderr.replace("│", " ").split())
    for name in ("dice", "iou", "hd95", "hd<p>_pooled", "assd", "masd", "nsd", "biou_chessboard", "bf"):
        assert name in text


# -- layouts, processes, executors ------------------------------------------------------------
def test_jobs_2_writes_the_same_bytes_as_jobs_1(tmp_path):
    rng = np.random.default_rng(5)
    for index in range(10):
        truth = blank()
        for value in (1, 2, 3):
            row, col = rng.integers(0, 7), rng.integers(0, 36)
            truth[row : row + 3, col : col + 4] = value
        guess = np.roll(truth, int(rng.integers(-2, 3)), axis=1)
        guess[rng.random(SHAPE) < 0.02] = 2
        write_mask(tmp_path / "gt" / f"im{index}.png", truth)
        write_mask(tmp_path / "pred" / f"im{index}.png", guess)
    outputs = []
    for jobs in ("1", "2"):
        per_image = tmp_path / f"per_image_{jobs}.csv"
        result = run(
            tmp_path / "pred",
            tmp_path / "gt",
            "-f",
            "csv",
            "-j",
            jobs,
            "--per-image",
            per_image,
            "--metrics",
            "hd95,assd,masd,nsd,biou,bf",
        )
        assert result.exit_code == 0
        outputs.append((result.stdout, per_image.read_bytes()))
    assert outputs[0] == outputs[1]
    assert float(rows_by_name(outputs[0][0])["2"]["hd95_n_images"]) == 10


def test_binary_option_keeps_ignored_pixels_apart_from_the_foreground(tmp_path):
    # 255 is the foreground; value 1 is ignored (--ignore 1) in a far corner. Before binarising,
    # an ignore value of 1 would otherwise swallow the foreground (which becomes 1).
    truth = square(blank(), 255)
    truth[8:, 30:] = 1
    write_mask(tmp_path / "gt" / "x.png", truth)
    write_mask(tmp_path / "pred" / "x.png", square(blank(), 255, cols=(3, 7)))
    result = run(
        tmp_path / "pred",
        tmp_path / "gt",
        "-j",
        "1",
        "-f",
        "csv",
        "--binary",
        "--ignore",
        "1",
        "--metrics",
        "hd,assd",
    )
    foreground = rows_by_name(result.stdout)["foreground"]
    # The squares one pixel apart of the module docstring.
    assert (float(foreground["hd_image_mean"]), float(foreground["assd_image_mean"])) == (1.0, 0.5)


def test_binary_layout_scores_each_label_on_its_own(tmp_path):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    LabelMap.from_names(["cat", "dog"]).write(gt)
    # The labels overlap in the ground truth; dog has no predicted file (an empty mask).
    write_mask(gt / "cat" / "x.png", square(blank(), 255))
    write_mask(gt / "dog" / "x.png", square(blank(), 255, cols=(4, 8)))
    write_mask(pred / "cat" / "x.png", square(blank(), 255, cols=(3, 7)))
    result = run(pred, gt, "-j", "1", "-f", "csv", "--metrics", "hd,assd,nsd")
    assert result.exit_code == 0
    rows = rows_by_name(result.stdout)
    assert (float(rows["cat"]["hd_image_mean"]), float(rows["cat"]["assd_image_mean"])) == (1.0, 0.5)
    assert (
        float(rows["dog"]["hd_image_mean"]) == pytest.approx(DIAGONAL)
        and float(rows["dog"]["nsd_image_mean"]) == 0
    )


def test_dask_executor_gives_the_same_numbers(folders):
    pytest.importorskip("distributed")
    args = ("-f", "csv", "--metrics", "hd95,assd,nsd,biou,bf")
    local = run(*base(folders, *args))
    on_dask = run(
        folders / "pred",
        folders / "gt",
        "--labels",
        folders / "labels.csv",
        "--executor",
        "dask",
        "-j",
        "2",
        *args,
    )
    assert on_dask.exit_code == local.exit_code == 0 and on_dask.stdout == local.stdout


# -- the scorer the CLI builds ----------------------------------------------------------------
def test_boundary_scorer_checks_settings_when_made_and_pickles():
    scorer = BoundaryScorer.from_names(["hd95", "nsd"], spacing=2, tolerances=Tolerances(nsd=1))
    assert scorer.spacing == (2.0, 2.0)
    assert pickle.loads(pickle.dumps(scorer)) == scorer
    for settings in (
        {"spacing": (1, -1)},
        {"tolerances": Tolerances(nsd=float("nan"))},
        {"tolerances": Tolerances(bf=-1)},
        {"tolerances": Tolerances(biou_width=0)},
    ):
        with pytest.raises(ValueError):
            BoundaryScorer.from_names(["hd95"], **settings)
    with pytest.raises(ValueError, match="square pixels"):
        BoundaryScorer.from_names(["biou_chessboard"], spacing=(1, 2))


def test_python_api_settings_record(folders):
    scorer = BoundaryScorer.from_names(["masd"], edge_is_boundary=True)
    result = score_folders(
        folders / "pred", folders / "gt", labels=folders / "labels.csv", image_metrics=[scorer]
    )
    record = result.settings.to_json()["boundary_metrics"]
    assert record["edge_is_boundary"] is True and "make a boundary" in record["boundary"]
    # masd of the stray pixel: (0 + 30 / 13) / 2; of the shift: (0.5 + 0.5) / 2.
    cat = next(row for row in result.classes if row["class_name"] == "cat")
    assert cat["masd_image_mean"] == pytest.approx((15 / 13 + 0.5) / 2)
