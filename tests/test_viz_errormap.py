"""Error maps: the category and colour of every pixel on tiny hand-made masks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segtool.viz.errormap import (
    ERROR_COLOURS,
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    IGNORED,
    TRUE_NEGATIVE,
    TRUE_POSITIVE,
    WRONG_CLASS,
    error_categories,
    error_legend,
    error_map,
)

TP, FP, FN = ERROR_COLOURS[TRUE_POSITIVE], ERROR_COLOURS[FALSE_POSITIVE], ERROR_COLOURS[FALSE_NEGATIVE]
WRONG, GRAY, BLACK = ERROR_COLOURS[WRONG_CLASS], ERROR_COLOURS[IGNORED], ERROR_COLOURS[TRUE_NEGATIVE]


def test_colours_are_distinct():
    assert len(set(ERROR_COLOURS.values())) == len(ERROR_COLOURS)


def test_one_class_colours_follow_the_metric_rules():
    truth = np.array([[1, 1, 0, 2], [255, 255, 1, 0]])
    pred = np.array([[1, 0, 1, 2], [1, 0, 255, 0]])
    # class 1: (0,0) both -> TP; (0,1) missed -> FN; (0,2) predicted on background -> FP;
    # (0,3) class 2 on both sides -> TN for class 1; row 1: ignore in the truth -> gray whatever
    # the prediction; (1,2) truth 1 predicted 255 -> FN (prediction values never mask); (1,3) TN.
    picture = error_map(truth, pred, class_id=1)
    assert picture.tolist() == [
        [list(TP), list(FN), list(FP), list(BLACK)],
        [list(GRAY), list(GRAY), list(FN), list(BLACK)],
    ]


def test_all_classes_tell_missed_extra_and_confused_pixels_apart():
    truth = np.array([[0, 0, 1, 1, 2, 255]])
    pred = np.array([[0, 1, 1, 0, 1, 1]])
    # bg/bg TN, bg->1 FP, 1/1 TP, 1->bg FN, 2->1 wrong class, ignore
    assert error_categories(truth, pred).tolist() == [
        [TRUE_NEGATIVE, FALSE_POSITIVE, TRUE_POSITIVE, FALSE_NEGATIVE, WRONG_CLASS, IGNORED]
    ]
    assert error_map(truth, pred).tolist() == [
        [list(BLACK), list(FP), list(TP), list(FN), list(WRONG), list(GRAY)]
    ]


def test_without_a_background_every_disagreement_is_a_wrong_class():
    truth, pred = np.array([[0, 0, 3]]), np.array([[0, 3, 3]])
    assert error_categories(truth, pred, background=None).tolist() == [
        [TRUE_POSITIVE, WRONG_CLASS, TRUE_POSITIVE]
    ]


def test_several_ignore_values_and_none():
    truth, pred = np.array([[254, 255, 1]]), np.array([[1, 1, 1]])
    assert error_categories(truth, pred, class_id=1, ignore=(254, 255)).tolist() == [
        [IGNORED, IGNORED, TRUE_POSITIVE]
    ]
    assert error_categories(truth, pred, class_id=1, ignore=()).tolist() == [
        [FALSE_POSITIVE, FALSE_POSITIVE, TRUE_POSITIVE]
    ]


def test_over_an_image_true_negatives_show_the_image_in_gray():
    truth, pred = np.array([[0, 1]]), np.array([[0, 1]])
    image = np.array([[[200, 100, 0], [0, 0, 0]]], np.uint8)
    picture = error_map(truth, pred, image=image, opacity=0.5)
    # gray of (200, 100, 0) = 0.299*200 + 0.587*100 = 118.5 -> 118 (round half to even)
    assert picture[0, 0].tolist() == [118, 118, 118]
    # TP over black at half opacity: half the TP colour (0, 158, 115) -> (0, 79, 57.5 -> 58)
    assert picture[0, 1].tolist() == [0, 79, 58]


def test_shape_mismatches_are_value_errors():
    with pytest.raises(ValueError, match="same shape"):
        error_map(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="does not match"):
        error_map(np.zeros((2, 2)), np.zeros((2, 2)), image=np.zeros((3, 3, 3), np.uint8))


def test_legend_lists_the_categories_each_kind_can_show():
    assert [name for name, _ in error_legend(class_id=1)] == [
        "true positive",
        "false positive",
        "false negative",
        "ignored",
    ]
    assert "wrong class" in [name for name, _ in error_legend()]
    assert [name for name, _ in error_legend(background=None)] == ["true positive", "wrong class", "ignored"]


masks = arrays(np.uint8, (6, 7), elements=st.sampled_from([0, 1, 2, 255]))


@settings(max_examples=60, deadline=None)
@given(masks, masks, st.sampled_from([0, 1, 2]))
def test_category_counts_are_the_confusion_counts(truth, pred, class_id):
    categories = error_categories(truth, pred, class_id=class_id)
    valid = truth != 255
    assert (categories == TRUE_POSITIVE).sum() == ((truth == class_id) & (pred == class_id) & valid).sum()
    assert (categories == FALSE_POSITIVE).sum() == ((truth != class_id) & (pred == class_id) & valid).sum()
    assert (categories == FALSE_NEGATIVE).sum() == ((truth == class_id) & (pred != class_id) & valid).sum()
    assert (categories == IGNORED).sum() == (~valid).sum()
