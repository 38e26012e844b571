"""Scores from counts: hand-counted values, undefined cases, both aggregations, properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from segtool.metrics import (
    ImageCounts,
    RunningStats,
    ScoreAccumulator,
    class_scores,
    classwise,
    confusion_matrix,
    counts_from_matrix,
    joint_counts,
    metrics_from_matrix,
)


def test_hand_counted_scores():
    # Class a: tp 3, fp 1, fn 1 -> Dice 6/8, IoU 3/5, precision 3/4, recall 3/4.
    # Class b: only predicted (4 false positives) -> Dice 0, IoU 0, precision 0, recall undefined.
    # Class c: absent from both -> everything undefined, never 0 or 1.
    scores = class_scores(np.array([3, 0, 0]), np.array([1, 4, 0]), np.array([1, 0, 0]))
    assert scores["dice"][0] == 0.75 and scores["iou"][0] == 0.6
    assert scores["precision"][0] == 0.75 and scores["recall"][0] == 0.75
    assert scores["dice"][1] == 0 and scores["iou"][1] == 0 and scores["precision"][1] == 0
    assert math.isnan(scores["recall"][1])
    assert all(math.isnan(scores[metric][2]) for metric in ("dice", "iou", "precision", "recall"))


def test_counts_from_square_and_extended_matrices():
    square = np.array([[5, 1], [2, 3]])
    # tp = diagonal; fp = column sum - tp; fn = row sum - tp.
    assert [values.tolist() for values in counts_from_matrix(square)] == [[5, 3], [2, 1], [1, 2]]
    extended = np.array([[5, 1, 4], [2, 3, 0]])
    # The last column (no class predicted) adds 4 false negatives to class 0 and no false positive.
    assert [values.tolist() for values in counts_from_matrix(extended)] == [[5, 3], [2, 1], [5, 2]]
    with pytest.raises(ValueError, match="shape"):
        counts_from_matrix(np.zeros((2, 4)))


def test_metrics_from_matrix_summary():
    matrix = np.array([[50, 0, 0], [5, 10, 5], [0, 0, 30]])
    result = metrics_from_matrix(matrix)
    # Class 1: tp 10, fp 0, fn 10 -> Dice 20/30; class 2: tp 30, fp 5, fn 0 -> Dice 60/65.
    assert result["dice"][1] == pytest.approx(2 / 3) and result["dice"][2] == pytest.approx(60 / 65)
    summary = result["summary"]
    # The background (row 0) is left out of the macro mean by default.
    assert summary["dice"] == pytest.approx((2 / 3 + 60 / 65) / 2) and summary["dice_n_classes"] == 2
    # Pixel accuracy: 90 correct of 100; mean accuracy over classes 1, 2: (10/20 + 30/30) / 2.
    assert summary["pixel_accuracy"] == 0.9 and summary["mean_accuracy"] == 0.75
    # fw-IoU: 50/100 * 50/55 + 20/100 * 10/20 + 30/100 * 30/35 (all classes, background included).
    assert summary["frequency_weighted_iou"] == pytest.approx(0.5 * 50 / 55 + 0.2 * 0.5 + 0.3 * 30 / 35)
    with_background = metrics_from_matrix(matrix, include_background=True)["summary"]
    # Background Dice: tp 50, fp 5, fn 0 -> 100/105.
    assert with_background["dice"] == pytest.approx((100 / 105 + 2 / 3 + 60 / 65) / 3)


def test_running_stats_skip_undefined_values():
    stats = RunningStats(3)
    for values in ([0.5, np.nan, 1.0], [1.0, np.nan, 0.0], [0.0, 0.25, np.nan]):
        stats.add(np.arange(3), np.array(values))
    # Class 0: 0.5, 1.0, 0.0 -> mean 0.5, population std sqrt(1/6); class 1: one value; class 2: 1.0, 0.0.
    np.testing.assert_allclose(stats.mean, [0.5, 0.25, 0.5])
    np.testing.assert_allclose(stats.std, [math.sqrt(1 / 6), 0.0, 0.5])
    assert stats.count.tolist() == [3, 1, 2]
    assert math.isnan(RunningStats(1).mean[0]) and math.isnan(RunningStats(1).std[0])


def image(name, truth, guess, ignore=(255,)):
    joint = joint_counts(np.array(truth, np.uint8), np.array(guess, np.uint8)).without_true(ignore)
    ids = np.union1d(joint.true, joint.pred[~np.isin(joint.pred, ignore)])
    return ImageCounts.from_joint(name, joint, ids)


def test_dataset_and_image_aggregations_differ_as_counted():
    # Image a: class 1 has tp 1, fn 3 (Dice 2/5); image b: class 1 has tp 4 (Dice 1).
    accumulator = ScoreAccumulator()
    accumulator.add(image("a", [[1, 1, 1, 1, 0]], [[1, 0, 0, 0, 0]]))
    accumulator.add(image("b", [[1, 1, 1, 1, 0]], [[1, 1, 1, 1, 0]]))
    result = accumulator.result()
    assert result.class_ids.tolist() == [0, 1]
    # dataset: tp 5, fp 0, fn 3 -> 10/13. image: mean of 2/5 and 1 = 0.7, std 0.3, over 2 images.
    assert result.dataset["dice"][1] == pytest.approx(10 / 13)
    assert result.image_mean["dice"][1] == pytest.approx(0.7)
    assert result.image_std["dice"][1] == pytest.approx(0.3)
    assert result.image_count["dice"][1] == 2


def test_class_set_grows_and_the_matrix_follows():
    accumulator = ScoreAccumulator()
    accumulator.add(image("a", [[0, 2]], [[0, 2]]))
    accumulator.add(image("b", [[0, 5, 1]], [[1, 5, 255]]))
    result = accumulator.result()
    assert result.class_ids.tolist() == [0, 1, 2, 5]
    # Rows/columns 0, 1, 2, 5, then "no class": image a gives (0,0) and (2,2);
    # image b gives (0,1), (5,5) and (1, no class) since 255 is an ignore value, not a class.
    expected = np.zeros((4, 5), int)
    expected[0, 0] = expected[2, 2] = expected[0, 1] = expected[3, 3] = expected[1, 4] = 1
    np.testing.assert_array_equal(result.matrix, expected)
    assert result.unknown_predictions == {"255": {"pixels": 1, "images": 1}}
    # Class 2 appears only in image a: its image mean is over 1 image.
    assert result.image_count["dice"].tolist() == [2, 1, 1, 1]


def test_empty_image_and_absent_class():
    # An all-background pair: class 0 is perfect, a class of the label map that never occurs is undefined.
    accumulator = ScoreAccumulator([0, 1, 2])
    accumulator.add(image("empty", [[0, 0], [0, 0]], [[0, 0], [0, 0]]))
    result = accumulator.result()
    assert result.dataset["dice"][0] == 1.0
    assert math.isnan(result.dataset["dice"][1]) and result.image_count["dice"][1] == 0
    # Nothing to average once the background is left out: the mean is undefined, not 0.
    assert math.isnan(result.summary["dice"]) and result.summary["dice_n_classes"] == 0


masks = hnp.arrays(np.uint8, (5, 6), elements=st.integers(0, 3))


@settings(max_examples=80, deadline=None)
@given(masks, masks)
def test_per_image_properties(truth, guess):
    scores = class_scores(*counts_from_matrix(confusion_matrix(truth, guess, n_classes=4)))
    dice, iou = scores["dice"], scores["iou"]
    defined = ~np.isnan(dice)
    np.testing.assert_allclose(dice[defined], 2 * iou[defined] / (1 + iou[defined]))
    assert np.array_equal(defined, ~np.isnan(iou))
    for values in scores.values():
        assert np.all((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 1))
    swapped = class_scores(*counts_from_matrix(confusion_matrix(guess, truth, n_classes=4)))
    np.testing.assert_array_equal(swapped["precision"], scores["recall"])
    np.testing.assert_array_equal(swapped["recall"], scores["precision"])


@settings(max_examples=40, deadline=None)
@given(masks)
def test_identical_masks_score_one_for_present_classes(truth):
    scores = metrics_from_matrix(confusion_matrix(truth, truth, n_classes=4))
    present = np.isin(np.arange(4), truth)
    for metric in ("dice", "iou", "precision", "recall"):
        assert np.all(scores[metric][present] == 1.0)
        assert np.all(np.isnan(scores[metric][~present]))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(masks, masks), min_size=1, max_size=12), st.sampled_from([1, 3, 64]))
def test_batched_sums_equal_direct_sums_and_statistics(pairs, batch):
    # Images are summed BATCH_IMAGES at a time; whatever the batch, counts are exact and the
    # per-image means and population stds equal NumPy's over the defined per-image values.
    images = [image(str(index), truth, guess) for index, (truth, guess) in enumerate(pairs)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classwise, "BATCH_IMAGES", batch)
        accumulator = ScoreAccumulator([0, 1, 2, 3])
        for counts in images:
            accumulator.add(counts)
        result = accumulator.result()
    for name in ("tp", "fp", "fn"):
        expected = np.zeros(4, np.int64)
        for counts in images:
            expected[counts.class_ids] += getattr(counts, name)
        np.testing.assert_array_equal(getattr(result, name), expected)
    for metric in ("dice", "iou", "precision", "recall"):
        per_image = np.full((len(images), 4), np.nan)
        for row, counts in enumerate(images):
            per_image[row, counts.class_ids] = counts.scores[metric]
        defined = ~np.isnan(per_image)
        np.testing.assert_array_equal(result.image_count[metric], defined.sum(axis=0))
        seen = defined.any(axis=0)
        np.testing.assert_allclose(
            result.image_mean[metric][seen], np.nanmean(per_image[:, seen], axis=0), rtol=1e-12, atol=1e-15
        )
        np.testing.assert_allclose(
            result.image_std[metric][seen], np.nanstd(per_image[:, seen], axis=0), rtol=1e-9, atol=1e-12
        )
        assert np.all(np.isnan(result.image_mean[metric][~seen]))


def test_equal_values_keep_their_exact_mean_and_a_zero_std():
    # Precision 7 / (7 + 3) = 0.7 on three images: 0.7 exactly, std exactly 0, in one batch or three.
    images = [
        ImageCounts(str(index), np.array([1]), np.array([7]), np.array([3]), np.array([0]), valid_pixels=10)
        for index in range(3)
    ]
    for batch in (1, 64):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(classwise, "BATCH_IMAGES", batch)
            accumulator = ScoreAccumulator()
            for counts in images:
                accumulator.add(counts)
            result = accumulator.result()
        assert result.image_mean["precision"][0] == 0.7
        assert result.image_std["precision"][0] == 0.0
