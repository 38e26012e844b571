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
    pictures = draw_report_pictures(truth, guess, label_map=LABELS, class_id=1)
    assert [picture.caption for picture in pictures] == ["ground truth", "prediction", "errors: car"]
    decoded = [np.asarray(Image.open(io.BytesIO(picture.data))) for picture in pictures]
    assert all(picture.data.startswith(b"\x89PNG") for picture in pictures)
    # ground truth on black: background black, car red, ignore in its cream palette colour
    assert decoded[0].tolist() == [[[0, 0, 0], [128, 0, 0], [128, 0, 0], [224, 224, 192]]]
    # errors for car: FP, TP, FN, ignored
    fp, tp = ERROR_COLOURS[FALSE_POSITIVE], ERROR_COLOURS[TRUE_POSITIVE]
    assert decoded[2][0, :2].tolist() == [list(fp), list(tp)]


def test_report_pictures_over_a_photo_are_jpeg_thumbnails():
    photo = np.full((300, 600, 3), (40, 80, 120), np.uint8)
    pictures = draw_report_pictures(
        np.zeros((300, 600), np.uint8), np.ones((300, 600), np.uint8), image=photo, max_side=120
    )
    sizes = [Image.open(io.BytesIO(picture.data)).size for picture in pictures]
    assert sizes == [(120, 60)] * 3 and all(picture.data[:3] == b"\xff\xd8\xff" for picture in pictures)
