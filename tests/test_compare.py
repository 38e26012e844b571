"""pipelines/compare: compare_folders on small folders; the gate; score's numbers at zero resampling."""

import math

import pytest

from compare_folders import write_compare_folders
from segtool.pipelines.compare import COMPARE_COLUMNS, WorseGate, compare_folders, default_names
from segtool.pipelines.score import score_folders


@pytest.fixture
def folders(tmp_path):
    return write_compare_folders(tmp_path)


def _rows(result, model, metric="dice", aggregation="dataset"):
    return {
        row["class_name"]: row
        for row in result.rows
        if row["model"] == model and row["metric"] == metric and row["aggregation"] == aggregation
    }


def test_identical_predictions_give_exactly_zero_and_no_difference(folders):
    result = compare_folders(
        folders / "gt", [folders / "a", folders / "c"], labels=folders / "labels.csv", resamples=300
    )
    assert result.models == ["a", "c"] and len(result.images) == 12
    for row in result.rows:
        assert set(row) == set(COMPARE_COLUMNS)
        if row["class_id"] == 0 and row["aggregation"] == "dataset":
            continue
        assert row["difference"] == 0.0, row
        assert row["verdict"] == "no difference", row
        assert (row["ci_low"], row["ci_high"]) == (0.0, 0.0), row
    assert _rows(result, "c", aggregation="image")["cat"]["ties"] == 12


def test_a_model_better_on_every_image_wins_everywhere_with_an_interval_above_zero(folders):
    result = compare_folders(
        folders / "gt", [folders / "a", folders / "b"], labels=folders / "labels.csv", resamples=500
    )
    for aggregation in ("dataset", "image"):
        rows = _rows(result, "b", aggregation=aggregation)
        for name in ("cat", "traffic light", "mean"):
            assert rows[name]["difference"] > 0 and rows[name]["adjusted_ci_low"] > 0, rows[name]
            assert rows[name]["verdict"] == "better"
    image_rows = _rows(result, "b", aggregation="image")
    assert (image_rows["cat"]["wins"], image_rows["cat"]["ties"], image_rows["cat"]["losses"]) == (12, 0, 0)
    assert image_rows["mean"]["wins"] == 12
    assert image_rows["cat"]["p_value"] == 2 / 2**12  # exact Wilcoxon, all 12 positive
    assert image_rows["cat"]["p_holm"] == pytest.approx(3 * 2 / 2**12)  # three classes tested


def test_at_zero_resamples_the_dataset_numbers_are_scores_to_the_last_digit(folders):
    result = compare_folders(
        folders / "gt", [folders / "a", folders / "b"], labels=folders / "labels.csv", resamples=0
    )
    for model in ("a", "b"):
        scored = score_folders(folders / model, folders / "gt", labels=folders / "labels.csv")
        for metric in ("dice", "iou", "precision", "recall"):
            rows = _rows(result, "b", metric=metric)
            column = "baseline_score" if model == "a" else "model_score"
            for row in scored.classes:
                assert rows[row["class_name"]][column] == row[metric] or (
                    math.isnan(row[metric]) and math.isnan(rows[row["class_name"]][column])
                )
            assert rows["mean"][column] == scored.summary[metric]
            assert rows["mean"]["verdict"] == "not estimable" and math.isnan(rows["mean"]["ci_low"])


def test_one_image_cannot_be_estimated(folders):
    for name in ("gt", "a", "b"):
        for path in sorted((folders / name).glob("*.png"))[1:]:
            path.unlink()
    result = compare_folders(folders / "gt", [folders / "a", folders / "b"], labels=folders / "labels.csv")
    for row in result.rows:
        if row["difference"] == row["difference"]:  # defined
            assert math.isnan(row["ci_low"]) and row["verdict"] == "not estimable", row


def test_images_missing_from_a_folder_are_left_out_and_listed(folders):
    (folders / "b" / "03.png").unlink()
    (folders / "a" / "07.png").unlink()
    result = compare_folders(
        folders / "gt", [folders / "a", folders / "b"], labels=folders / "labels.csv", resamples=10
    )
    assert len(result.images) == 10 and "03" not in result.images and "07" not in result.images
    assert result.missing == {"a": ["07"], "b": ["03"]} and result.failed
    skipped = compare_folders(
        folders / "gt",
        [folders / "a", folders / "b"],
        labels=folders / "labels.csv",
        resamples=10,
        missing="skip",
    )
    assert not skipped.failed and len(skipped.images) == 10
    empty = compare_folders(
        folders / "gt",
        [folders / "a", folders / "b"],
        labels=folders / "labels.csv",
        resamples=10,
        missing="empty",
    )
    assert len(empty.images) == 12 and not empty.failed


def test_the_same_seed_gives_the_same_intervals(folders):
    runs = [
        compare_folders(
            folders / "gt",
            [folders / "a", folders / "b"],
            labels=folders / "labels.csv",
            resamples=200,
            seed=seed,
        )
        for seed in (3, 3, 4)
    ]
    assert runs[0].rows == runs[1].rows and runs[0].rows != runs[2].rows


def test_worse_gate_is_a_non_inferiority_test(folders):
    result = compare_folders(
        folders / "gt", [folders / "b", folders / "a"], labels=folders / "labels.csv", resamples=300
    )
    assert WorseGate.parse("dice=0.5").failures(result) == []  # A is worse, but by less than 0.5
    (message,) = WorseGate.parse("dice=0.001").failures(result)
    assert message.startswith("a vs b: dataset dice mean: B - A interval [")
    assert len(WorseGate.parse("class:image:iou=0.001").failures(result)) == 3
    identical = compare_folders(
        folders / "gt", [folders / "a", folders / "c"], labels=folders / "labels.csv", resamples=50
    )
    assert WorseGate.parse("dice=0").failures(identical) == [
        (
            "c vs a: dataset dice mean: B - A interval [0, 0] does not show it is at most 0 worse "
            "(95% confidence)"
        )
    ]
    assert WorseGate.parse("dice=0.0001").failures(identical) == []


@pytest.mark.parametrize(
    "text, problem",
    [
        ("dice", "for example dice=0.01"),
        ("foo=1", "unknown metric"),
        ("dice=x", "is not a number"),
        ("dice=-1", "0 or more"),
        ("pixel_accuracy=0.1", "no dataset aggregation of pixel_accuracy"),
        ("dataset:hd95=1", "no dataset aggregation of hd95"),
    ],
)
def test_worse_gate_refuses_bad_values(text, problem):
    with pytest.raises(ValueError, match=problem):
        WorseGate.parse(text)


def test_names_and_bad_arguments(folders):
    assert default_names(["x/pred", "y/pred"]) == ["x/pred", "y/pred"]
    with pytest.raises(ValueError, match="at least two"):
        compare_folders(folders / "gt", [folders / "a"])
    with pytest.raises(ValueError, match="one distinct name"):
        compare_folders(folders / "gt", [folders / "a", folders / "b"], names=["x", "x"])
    with pytest.raises(ValueError, match="confidence"):
        compare_folders(folders / "gt", [folders / "a", folders / "b"], confidence=1.0)
