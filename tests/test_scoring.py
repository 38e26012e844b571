"""Scoring folders: hand-counted toy folders, every input kind, failures, and the labelme fixtures."""

import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from segtool.errors import InputFileError, MaskError
from segtool.io.maskio import read_mask, write_mask
from segtool.labels import LabelMap
from segtool.metrics import confusion_matrix
from segtool.pipelines.score import PER_IMAGE_COLUMNS, score_folders
from segtool.pipelines.thresholds import Threshold, thresholds_not_met

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
VOC = FIXTURES / "labelme" / "semantic_segmentation"

LABELS_CSV = "id,name,color\n0,background,#000000\n1,cat,#ff0000\n2,dog,#00ff00\n3,bird,#0000ff\n"


def write_masks(root: Path, masks: dict) -> None:
    """Write {relative name with suffix: array} as PNG (grayscale) or .npy."""
    for name, array in masks.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".npy":
            np.save(path, np.array(array))
        else:
            write_mask(path, np.array(array, np.uint8))


@pytest.fixture
def toy(tmp_path):
    """Three images counted by hand in test_hand_counted_folder."""
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    write_masks(
        gt,
        {
            "a.png": [[0, 1, 1], [0, 1, 255]],
            "b.png": [[0, 0, 0], [0, 0, 0]],
            "sub/c.png": [[2, 2, 0], [2, 2, 0]],
        },
    )
    write_masks(
        pred,
        {
            "a.png": [[0, 1, 0], [2, 1, 1]],
            "b.png": [[0, 0, 0], [0, 0, 0]],
            "sub/c.npy": [[2, 2, 2], [0, 2, 0]],
        },
    )
    (tmp_path / "labels.csv").write_text(LABELS_CSV)
    return tmp_path


def by_name(result):
    return {row["class_name"]: row for row in result.classes}


def test_hand_counted_folder(toy):
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    rows = by_name(result)
    # Image a (the 255 pixel is ignored; 5 valid): (t0,p0) (t1,p1) (t1,p0) (t0,p2) (t1,p1).
    # Image b (empty image, all background): 6 background hits.
    # Image c (pred from .npy, in a subfolder): (t2,p2) x3, (t0,p2), (t2,p0), (t0,p0).
    # background: tp 1+6+1, fp 1+0+1, fn 1+0+1.
    assert (rows["background"]["tp"], rows["background"]["fp"], rows["background"]["fn"]) == (8, 2, 2)
    # cat: tp 2, fp 0, fn 1 -> Dice 4/5, IoU 2/3.
    assert (rows["cat"]["tp"], rows["cat"]["fp"], rows["cat"]["fn"]) == (2, 0, 1)
    assert rows["cat"]["dice"] == pytest.approx(0.8) and rows["cat"]["iou"] == pytest.approx(2 / 3)
    # dog: tp 3, fp 1 (a) + 1 (c), fn 1 -> Dice 6/9, IoU 3/6, precision 3/5, recall 3/4.
    assert rows["dog"]["dice"] == pytest.approx(2 / 3) and rows["dog"]["iou"] == pytest.approx(0.5)
    assert rows["dog"]["precision"] == pytest.approx(0.6) and rows["dog"]["recall"] == pytest.approx(0.75)
    # dog per image: only predicted on a -> 0 (not undefined, not dropped); c -> 6/8.
    assert rows["dog"]["dice_image_mean"] == pytest.approx(0.375) and rows["dog"]["n_images"] == 2
    assert rows["dog"]["dice_image_std"] == pytest.approx(0.375)
    # bird is in the label map but in no mask: undefined everywhere, counted over 0 images.
    assert math.isnan(rows["bird"]["dice"]) and math.isnan(rows["bird"]["dice_image_mean"])
    assert rows["bird"]["n_images"] == 0
    # background per image: 2/4, 1, 2/4 -> mean 2/3, population std sqrt(1/18); left out of the mean.
    assert rows["background"]["dice_image_mean"] == pytest.approx(2 / 3)
    assert rows["background"]["dice_image_std"] == pytest.approx(math.sqrt(1 / 18))
    assert rows["background"]["in_mean"] is False
    summary = result.summary
    # Macro means over cat and dog (bird undefined, background excluded).
    assert summary["dice"] == pytest.approx((0.8 + 2 / 3) / 2) and summary["n_classes"] == 2
    assert summary["dice_image_mean"] == pytest.approx((0.8 + 0.375) / 2)
    # 13 of 17 valid pixels right; mean recall of cat and dog (2/3, 3/4); fw-IoU (10*8/12 + 3*2/3 + 4*1/2)/17.
    assert summary["pixel_accuracy"] == pytest.approx(13 / 17)
    assert summary["mean_accuracy"] == pytest.approx(17 / 24)
    assert summary["frequency_weighted_iou"] == pytest.approx(32 / 51)
    assert result.n_images == 3 and not result.failed


def test_folder_equals_the_sum_over_its_images(toy):
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    total = sum(
        confusion_matrix(read_mask(toy / "gt" / gt), read_mask(toy / "pred" / pred), n_classes=4)
        for gt, pred in [("a.png", "a.png"), ("b.png", "b.png"), ("sub/c.png", "sub/c.npy")]
    )
    np.testing.assert_array_equal(result.confusion, total)
    assert result.confusion_class_ids == [0, 1, 2, 3]


def test_per_image_rows_are_streamed_in_order(toy):
    batches = []
    score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv", on_image=batches.append)
    assert [batch[0]["image"] for batch in batches] == ["a", "b", "sub/c"]
    # Image a has background, cat and dog (dog only predicted: Dice 0); bird is absent, so no row.
    rows_a = {row["class_name"]: row for row in batches[0]}
    assert set(rows_a) == {"background", "cat", "dog"} and set(rows_a["dog"]) == set(PER_IMAGE_COLUMNS)
    assert rows_a["dog"]["dice"] == 0.0 and math.isnan(rows_a["dog"]["recall"])


def test_jobs_do_not_change_the_result(toy):
    one = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv", jobs=1)
    two = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv", jobs=2)
    assert repr(one.classes) == repr(two.classes) and repr(one.summary) == repr(two.summary)


pair_masks = hnp.arrays(np.uint8, (4, 5), elements=st.sampled_from([0, 1, 2, 7, 255]))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(pair_masks, pair_masks), min_size=1, max_size=4))
def test_folder_counts_are_the_sum_of_image_counts(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for index, (truth, guess) in enumerate(pairs):
            write_mask(root / "gt" / f"{index}.png", truth)
            write_mask(root / "pred" / f"{index}.png", guess)
        truths = np.concatenate([truth.ravel() for truth, _ in pairs])
        if (truths == 255).any() and np.isin(truths, [0, 255]).all():  # 0/255 masks: refused (--binary)
            with pytest.raises(MaskError, match="--binary"):
                score_folders(root / "pred", root / "gt")
            return
        result = score_folders(root / "pred", root / "gt")
    ids = result.confusion_class_ids
    n = max(ids, default=0) + 1
    total = sum(confusion_matrix(truth, guess, n_classes=256) for truth, guess in pairs)
    # Rows of the classes found; predictions of 255 (the ignore value, never a class) in the last column.
    np.testing.assert_array_equal(result.confusion[:, :-1], total[np.ix_(ids, ids)])
    assert result.confusion.sum() == total[:n].sum() and result.n_images == len(pairs)
    for row in result.classes:
        assert row["tp"] + row["fn"] == total[row["class_id"]].sum()


def test_an_empty_ground_truth_folder_is_an_error(tmp_path):
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    with pytest.raises(InputFileError, match="no ground-truth masks"):
        score_folders(tmp_path / "pred", tmp_path / "gt")


def test_without_a_label_map_every_value_found_is_a_class(toy):
    result = score_folders(toy / "pred", toy / "gt")
    # Ids found: 0, 1, 2 (255 is the default ignore value); names are the ids.
    assert [(row["class_id"], row["class_name"]) for row in result.classes] == [(0, "0"), (1, "1"), (2, "2")]
    assert result.settings.ignore_values == (255,)


def test_missing_prediction_fails_or_is_scored_empty(toy):
    write_masks(toy / "gt", {"d.png": [[1, 1], [0, 0]]})
    failing = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    assert failing.missing_predictions == ["d"] and failing.failed and failing.n_images == 3
    empty = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv", missing="empty")
    assert empty.scored_as_empty == ["d"] and not empty.failed and empty.n_images == 4
    # d scored as all background: cat gains 2 false negatives, background 2 hits and 2 false positives.
    assert by_name(empty)["cat"]["fn"] == 1 + 2
    assert (by_name(empty)["background"]["tp"], by_name(empty)["background"]["fp"]) == (8 + 2, 2 + 2)


def test_unpaired_predictions_are_listed_not_scored(toy):
    write_masks(toy / "pred", {"extra.png": [[1]]})
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    assert result.unpaired_predictions == ["extra"] and result.n_images == 3 and not result.failed


def test_size_mismatch_names_both_files_and_sizes(toy):
    write_masks(toy / "pred", {"b.png": np.zeros((2, 4))})
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    (failure,) = result.failures
    assert str(toy / "pred" / "b.png") in failure.message and str(toy / "gt" / "b.png") in failure.message
    assert "4x2" in failure.message and "3x2" in failure.message
    assert result.n_images == 2 and result.failed


def test_ground_truth_values_outside_the_label_map_fail_that_image(toy):
    write_masks(toy / "gt", {"b.png": [[0, 7, 9], [0, 0, 0]]})
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    (failure,) = result.failures
    assert str(toy / "gt" / "b.png") in failure.message and "7, 9" in failure.message
    assert result.n_images == 2


def test_unknown_prediction_values_count_as_wrong_and_are_reported(toy):
    write_masks(toy / "pred", {"b.png": [[0, 7, 7], [0, 0, 255]]})
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    # Three background pixels of b are now predicted 7 or 255: background loses 3 hits to false negatives.
    assert (by_name(result)["background"]["tp"], by_name(result)["background"]["fn"]) == (8 - 3, 2 + 3)
    assert result.unknown_predictions == {"7": {"pixels": 2, "images": 1}, "255": {"pixels": 1, "images": 1}}


def test_duplicate_masks_for_one_image_fail_it(toy):
    write_masks(toy / "gt", {"b.npy": np.zeros((2, 3), np.uint8)})
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    assert [failure.name for failure in result.failures] == ["b"] and "several files" in result.failures[
        0
    ].message


def test_two_files_make_one_pair(toy):
    result = score_folders(toy / "pred" / "a.png", toy / "gt" / "a.png", labels=toy / "labels.csv")
    assert result.n_images == 1 and by_name(result)["cat"]["tp"] == 2


def test_palette_ground_truth_is_read_as_indices(toy):
    label_map = LabelMap.read(toy / "labels.csv")
    plain = score_folders(toy / "pred", toy / "gt", labels=label_map)
    for name in ("a", "b", "sub/c"):
        path = toy / "gt" / f"{name}.png"
        write_mask(path, read_mask(path), palette=label_map.palette())
    assert Image.open(toy / "gt" / "a.png").mode == "P"
    assert repr(score_folders(toy / "pred", toy / "gt", labels=label_map).classes) == repr(plain.classes)


def test_sixteen_bit_labels(tmp_path):
    (tmp_path / "labels.json").write_text(
        '{"labels": [{"id": 0, "name": "bg"}, {"id": 300, "name": "liver"}, {"id": 1000, "name": "tumour"}]}'
    )
    truth = np.array([[300, 300, 1000, 0]], np.uint16)
    guess = np.array([[300, 44, 1000, 1000]], np.uint16)  # 300 -> 44 if wrapped to 8 bits
    write_mask(tmp_path / "gt" / "x.png", truth)
    write_mask(tmp_path / "pred" / "x.png", guess)
    assert read_mask(tmp_path / "gt" / "x.png").dtype == np.uint16
    rows = by_name(score_folders(tmp_path / "pred", tmp_path / "gt", labels=tmp_path / "labels.json"))
    # liver: 1 hit, 1 pixel predicted 44 (no class: a false negative). tumour: 1 hit, 1 false positive.
    assert (rows["liver"]["tp"], rows["liver"]["fn"], rows["liver"]["fp"]) == (1, 1, 0)
    assert (rows["tumour"]["tp"], rows["tumour"]["fp"]) == (1, 1)


def test_rgb_masks_through_the_label_colours(toy):
    colours = {0: (0, 0, 0), 1: (255, 0, 0), 2: (0, 255, 0)}

    def save_rgb(path, ids, extra=None):
        rgb = np.zeros((*np.shape(ids), 3), np.uint8)
        for label_id, colour in colours.items():
            rgb[np.array(ids) == label_id] = colour
        if extra is not None:
            rgb[extra] = (1, 2, 3)  # a colour that is in no label map
        Image.fromarray(rgb).save(path)

    save_rgb(toy / "gt" / "b.png", [[0, 1, 1], [0, 2, 2]])
    save_rgb(toy / "pred" / "b.png", [[0, 1, 0], [0, 2, 2]], extra=(0, 0))
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    rows = by_name(result)
    # b: background (0,0) is predicted an unknown colour (wrong), (1,0) hit; cat 1 hit + 1 miss; dog 2 hits.
    assert result.unknown_predictions == {"colour not in the label map": {"pixels": 1, "images": 1}}
    assert rows["cat"]["tp"] == 2 + 1 and rows["cat"]["fn"] == 1 + 1
    rgb_without_map = score_folders(toy / "pred", toy / "gt")
    assert any("colour (RGB) mask" in failure.message for failure in rgb_without_map.failures)


def test_binary_masks_read_any_nonzero_as_foreground(tmp_path):
    write_masks(tmp_path / "gt", {"x.png": [[0, 255, 255, 255]]})
    write_masks(tmp_path / "pred", {"x.png": [[1, 1, 0, 255]]})
    result = score_folders(tmp_path / "pred", tmp_path / "gt", binary=True)
    rows = by_name(result)
    # 255 is foreground here, not ignore: foreground tp 2 (cols 1, 3), fp 1 (col 0), fn 1 (col 2).
    assert (rows["foreground"]["tp"], rows["foreground"]["fp"], rows["foreground"]["fn"]) == (2, 1, 1)
    assert result.settings.ignore_values == () and rows["background"]["in_mean"] is False


def test_per_label_binary_layout(tmp_path):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    LabelMap.from_names(["cat", "tv/monitor"]).write(gt)  # as rasterize does: labels.txt + labels.csv
    # Labels overlap in the ground truth: pixel 1 is both cat and tv/monitor.
    write_masks(gt, {"cat/img.png": [[255, 255, 0, 0]], "tv_monitor/img.png": [[0, 255, 255, 0]]})
    write_masks(pred, {"cat/img.png": [[255, 0, 0, 255]]})  # no tv_monitor file: an empty mask
    result = score_folders(pred, gt)
    assert result.settings.layout == "binary" and result.confusion is None
    rows = by_name(result)
    # cat: tp 1 (col 0), fn 1 (col 1), fp 1 (col 3). tv/monitor: predicted empty -> fn 2.
    assert (rows["cat"]["tp"], rows["cat"]["fp"], rows["cat"]["fn"]) == (1, 1, 1)
    assert (rows["tv/monitor"]["tp"], rows["tv/monitor"]["fn"]) == (0, 2) and rows["tv/monitor"]["dice"] == 0
    # Labels overlap, so pixels are not one class each: no pixel accuracy.
    assert math.isnan(result.summary["pixel_accuracy"])
    write_masks(gt, {"cat/other.png": [[255, 0, 0, 0]]})
    assert score_folders(pred, gt).missing_predictions == ["other"]


def test_thresholds():
    assert Threshold.parse("dice=0.8") == Threshold("dataset", "dice", 0.8)
    assert Threshold.parse("image:IoU = 0.5").key == "iou_image_mean"
    for bad in ("dice", "image:pixel_accuracy=0.9", "hd95=3", "dice=high"):
        with pytest.raises(ValueError):
            Threshold.parse(bad)


def test_thresholds_not_met(toy):
    result = score_folders(toy / "pred", toy / "gt", labels=toy / "labels.csv")
    # dataset Dice mean is 11/15 (0.733...), per-image mean 0.5875.
    assert thresholds_not_met(result, [Threshold.parse("dice=0.7")]) == []
    (message,) = thresholds_not_met(result, [Threshold.parse("image:dice=0.7")])
    assert "0.5875" in message


class PixelShare:
    """A stand-in per-image metric for the seam: the share of valid pixels predicted as each class."""

    names = ("share",)

    def __call__(self, mask_true, mask_pred, *, class_ids, ignore):
        valid = ~np.isin(mask_true, ignore)
        return {
            "share": np.array(
                [np.count_nonzero((mask_pred == c) & valid) / np.count_nonzero(valid) for c in class_ids]
            )
        }


def test_image_metrics_seam(toy):
    result = score_folders(
        toy / "pred", toy / "gt", labels=toy / "labels.csv", image_metrics=[PixelShare()], jobs=2
    )
    # cat predicted on 2 of the 5 valid pixels of image a, and nowhere else.
    assert by_name(result)["cat"]["share_image_mean"] == pytest.approx(0.4)
    assert "share_image_mean" in result.columns and "share_n_images" in result.columns


# -- real data: labelme's own masks -------------------------------------------------------
needs_fixtures = pytest.mark.skipif(not VOC.is_dir(), reason="../shared/fixtures is absent")


@needs_fixtures
def test_labelme_masks_against_themselves():
    masks = VOC / "data_dataset_voc" / "SegmentationClass"
    result = score_folders(masks, masks, labels=VOC / "labels.txt")
    rows = by_name(result)
    # Pixel counts of the three palette PNGs (np.unique): background 125767 + 93492 + 62022;
    # person (15) 32900 + 34791; 255 (9460 + 909 pixels) is ignored.
    assert rows["_background_"]["tp"] == 281281 and rows["person"]["tp"] == 67691
    assert all(row["dice"] == 1.0 for row in result.classes if row["n_images"])
    assert result.summary["dice"] == 1.0 and result.summary["n_classes"] == 6 and result.n_images == 3


@needs_fixtures
def test_labelme_masks_against_a_changed_copy(tmp_path):
    masks = VOC / "data_dataset_voc" / "SegmentationClass"
    shutil.copytree(masks, tmp_path / "pred")
    pred = tmp_path / "pred" / "2011_000003.png"
    labels = read_mask(pred)
    block = (slice(200, 210), slice(200, 210))
    assert np.all(labels[block] == 15)  # a 10x10 block inside the person
    labels[block] = 0  # 100 person pixels predicted as background
    labels[0, :5] = 200  # 5 pixels predicted as a value that is no class
    truth_top_row = read_mask(masks / "2011_000003.png")[0, :5]
    assert np.all(truth_top_row == 0)
    write_mask(pred, labels, palette=LabelMap.read(VOC / "labels.txt").palette())
    result = score_folders(tmp_path / "pred", masks, labels=VOC / "labels.txt", jobs=2)
    rows = by_name(result)
    # person: tp 67691 - 100, fn 100 -> Dice 2 * 67591 / (2 * 67591 + 100).
    assert (rows["person"]["tp"], rows["person"]["fn"], rows["person"]["fp"]) == (67591, 100, 0)
    assert rows["person"]["dice"] == 2 * 67591 / (2 * 67591 + 100)
    # background: 100 false positives, 5 false negatives (the pixels predicted 200).
    assert (rows["_background_"]["tp"], rows["_background_"]["fp"], rows["_background_"]["fn"]) == (
        281281 - 5,
        100,
        5,
    )
    assert result.unknown_predictions == {"200": {"pixels": 5, "images": 1}}
    # Per image, person has Dice 1 on 2011_000006 and 2*32800/(2*32800+100) on 2011_000003.
    assert rows["person"]["dice_image_mean"] == pytest.approx((1 + 65600 / 65700) / 2)


def test_an_unknown_colour_is_no_class_even_when_65535_is_one(tmp_path):
    """65535 is a legal class id: unknown colours must not be counted as that class."""
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    (tmp_path / "labels.csv").write_text("id,name,color\n0,_background_,#000000\n65535,far,#090909\n")
    far, unknown = (9, 9, 9), (1, 2, 3)
    truth = np.array([[(0, 0, 0), far, far]], np.uint8)
    guess = np.array([[(0, 0, 0), far, unknown]], np.uint8)
    Image.fromarray(truth).save(tmp_path / "gt" / "a.png")
    Image.fromarray(guess).save(tmp_path / "pred" / "a.png")
    result = score_folders(tmp_path / "pred", tmp_path / "gt", labels=tmp_path / "labels.csv")
    row = by_name(result)["far"]
    assert (row["tp"], row["fn"], row["fp"]) == (1, 1, 0)
    assert result.unknown_predictions == {"colour not in the label map": {"pixels": 1, "images": 1}}
