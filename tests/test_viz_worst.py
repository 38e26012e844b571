"""Choosing the worst images from streamed per-image rows, and drawing their report pictures."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from segtool.labels import LabelMap
from segtool.pipelines.score_collector import ScoreCollector
from segtool.reports.pictures import draw_report_pictures
from segtool.viz.errormap import ERROR_COLOURS, FALSE_POSITIVE, TRUE_POSITIVE
from segtool.viz.overlays import NO_PHOTO_GRAY, OUTLINE_DARK, OUTLINE_LIGHT


def rows(image, **dice_by_class):
    """One image's rows; classes named bg (id 0), car (1), road (2)."""
    ids = {"bg": 0, "car": 1, "road": 2}
    return [
        {"image": image, "class_id": ids[name], "class_name": name, "dice": dice, "iou": dice / 2}
        for name, dice in dice_by_class.items()
    ]


def test_overall_ranking_uses_the_mean_over_classes_in_the_mean():
    collector = ScoreCollector(worst=2)
    collector.add(rows("a", bg=0.0, car=0.9, road=0.7))  # background left out: (0.9 + 0.7) / 2 = 0.8
    collector.add(rows("b", bg=1.0, car=0.2))  # 0.2
    collector.add(rows("c", car=0.6, road=math.nan))  # NaN left out: 0.6
    collector.add(rows("d", bg=0.1))  # no class in the mean: never "worst overall"
    assert collector.worst_overall() == [("b", 0.2), ("c", 0.6)]
    with_background = ScoreCollector(worst=1, include_background=True)
    with_background.add(rows("a", bg=0.0, car=0.9, road=0.7))
    with_background.add(rows("b", bg=1.0, car=0.2))
    assert with_background.worst_overall() == [("a", pytest.approx(1.6 / 3))]  # 0.533 < (1.0 + 0.2) / 2


def test_worst_per_class_in_class_id_order_and_ties_by_name():
    collector = ScoreCollector(worst=2)
    for image, score in [("z", 0.5), ("m", 0.5), ("a", 0.5), ("q", 0.9)]:
        collector.add(rows(image, road=score))
    collector.add(rows("k", car=0.1, road=math.nan))
    worst = collector.worst_per_class()
    assert list(worst) == ["car", "road"]
    assert worst["road"] == [("a", 0.5), ("m", 0.5)]  # three ties at 0.5: the first two names
    assert worst["car"] == [("k", 0.1)]
    assert collector.class_id_of("road") == 2


def test_distributions_keep_only_defined_scores_per_metric():
    collector = ScoreCollector(metrics=("dice", "iou"))
    collector.add(rows("a", car=0.8))
    collector.add(rows("b", car=math.nan))
    collector.add([{"image": "c", "class_id": 1, "class_name": "car", "dice": None, "iou": 0.3}])
    assert collector.per_image == {"dice": {"car": [0.8]}, "iou": {"car": [0.4, 0.3]}}


def test_ranking_by_another_metric():
    collector = ScoreCollector(metrics=("dice", "iou"), rank_by="iou", worst=1)
    collector.add(rows("a", car=0.8))
    collector.add(rows("b", car=0.6))
    assert collector.worst_overall() == [("b", 0.3)]


LABELS = LabelMap.from_names(["car"])  # car = 1, VOC colour (128, 0, 0)


def test_report_pictures_without_an_image_are_exact_png():
    truth, guess = np.array([[0, 1, 1, 255]], np.uint8), np.array([[1, 1, 0, 0]], np.uint8)
    pictures = draw_report_pictures(truth, guess, label_map=LABELS, class_id=1, style="all")
    assert [picture.caption for picture in pictures] == [
        "ground truth",
        "prediction",
        "errors: car",
        "largest error: 1 pixel at x 0\u20130, y 0\u20130, shown \u00d745",  # FP and FN do not touch
    ]
    decoded = [np.asarray(Image.open(io.BytesIO(picture.data))) for picture in pictures]
    assert all(picture.data.startswith(b"\x89PNG") for picture in pictures)
    assert [picture.close_up for picture in pictures] == [False, False, False, True]
    # ground truth without a photo, as overlays draw it: full colours; the 1-pixel-tall car is thin, so it
    # keeps its red and the background pixel beside it takes the dark line (docs/overlay.md)
    assert decoded[0].tolist() == [[list(OUTLINE_DARK), [128, 0, 0], [128, 0, 0], [224, 224, 192]]]
    plain = draw_report_pictures(truth, guess, label_map=LABELS, class_id=1, style="all", outline=False)
    gt_plain = np.asarray(Image.open(io.BytesIO(plain[0].data)))
    assert gt_plain.tolist() == [[list(NO_PHOTO_GRAY), [128, 0, 0], [128, 0, 0], [224, 224, 192]]]
    # errors for car: FP, TP, FN, ignored; drawn 2 pixels wide for display (each error spreads one
    # pixel right and down: the FP covers the TP at x 1, the FN the ignored pixel at x 3)
    fp, tp, fn, ignored = (list(ERROR_COLOURS[code]) for code in (FALSE_POSITIVE, TRUE_POSITIVE, 3, 5))
    assert decoded[2].tolist() == [[fp, fp, fn, fn]]
    # the close-up keeps the exact pixels: the TP is there, each pixel a 45 x 45 square (180 // 4)
    assert decoded[3].shape == (45, 180, 3)
    assert decoded[3][::45, ::45].tolist() == [[fp, tp, fn, ignored]]


def test_report_mask_thumbnails_draw_the_outline_at_the_thumbnails_resolution():
    truth = np.zeros((40, 80), np.uint8)
    truth[:, 40:] = 1  # shrunk 4 times to 10 x 20: the boundary between columns 9 and 10
    ground_truth = draw_report_pictures(truth, truth, label_map=LABELS, max_side=20)[0]
    picture = np.asarray(Image.open(io.BytesIO(ground_truth.data)))
    assert picture.shape == (10, 20, 3)
    row = [tuple(pixel) for pixel in picture[5].tolist()]
    assert row[9] == OUTLINE_LIGHT and row[10] == OUTLINE_DARK  # 1 pixel each, not blurred
    assert row[8] == NO_PHOTO_GRAY and row[11] == (128, 0, 0)


def test_report_thumbnails_of_the_errors_style_draw_correct_pixels_as_the_photo():
    photo = np.full((4, 8, 3), (40, 80, 120), np.uint8)  # gray 0.299*40 + 0.587*80 + 0.114*120 = 72.6 -> 73
    truth = np.zeros((4, 8), np.uint8)
    truth[:, :4] = 1
    pictures = draw_report_pictures(truth, truth, image=photo)
    assert len(pictures) == 3  # no error: no close-up
    errors = np.asarray(Image.open(io.BytesIO(pictures[2].data)))
    assert np.abs(errors.astype(int) - 73).max() <= 2  # every pixel the photo's gray (JPEG: nearly)


def test_report_pictures_over_a_photo_are_jpeg_thumbnails():
    photo = np.full((300, 600, 3), (40, 80, 120), np.uint8)
    pictures = draw_report_pictures(
        np.zeros((300, 600), np.uint8), np.ones((300, 600), np.uint8), image=photo, max_side=120
    )
    sizes = [Image.open(io.BytesIO(picture.data)).size for picture in pictures]
    assert sizes == [(120, 60)] * 3 and all(picture.data[:3] == b"\xff\xd8\xff" for picture in pictures)
    # everything is a false positive: a close-up of the whole image would be the thumbnail again, so
    # there is none


def test_report_close_up_over_a_photo_is_exact_png_enlarged():
    photo = np.full((300, 600, 3), (40, 80, 120), np.uint8)  # gray 73 (see below)
    truth = np.zeros((300, 600), np.uint8)
    guess = truth.copy()
    guess[100:103, 200:210] = 1  # 30 false positives
    pictures = draw_report_pictures(truth, guess, image=photo, max_side=120)
    close_up = pictures[3]
    assert close_up.close_up and close_up.data.startswith(b"\x89PNG")
    # a 3 x 10 region padded by 4 and grown to 24 x 24; close-ups beside 120-pixel thumbnails are at
    # most 90 pixels: enlarged 90 // 24 = 3 times
    assert close_up.caption == "largest error: 30 pixels at x 200\u2013209, y 100\u2013102, shown \u00d73"
    pixels = np.asarray(Image.open(io.BytesIO(close_up.data)))
    assert pixels.shape == (72, 72, 3)
    fp = list(ERROR_COLOURS[FALSE_POSITIVE])
    assert (np.all(pixels == fp, axis=2)).sum() == 30 * 9  # exact: 30 pixels of 3 x 3, not thickened
    assert (np.all(pixels == 73, axis=2)).sum() == 72 * 72 - 30 * 9  # the rest: the photo's gray
