"""Error maps: the category and colour of every pixel on tiny hand-made masks."""

import cv2
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
    colour_categories,
    display_width,
    error_categories,
    error_legend,
    error_map,
    thicken_errors,
)

TP, FP, FN = ERROR_COLOURS[TRUE_POSITIVE], ERROR_COLOURS[FALSE_POSITIVE], ERROR_COLOURS[FALSE_NEGATIVE]
WRONG, GRAY, BLACK = ERROR_COLOURS[WRONG_CLASS], ERROR_COLOURS[IGNORED], ERROR_COLOURS[TRUE_NEGATIVE]
LIGHT_GRAY, WHITE = (200, 200, 200), (255, 255, 255)


def test_colours_are_distinct():
    assert len(set(ERROR_COLOURS.values())) == len(ERROR_COLOURS)


def test_one_class_colours_follow_the_metric_rules():
    truth = np.array([[1, 1, 0, 2], [255, 255, 1, 0]])
    pred = np.array([[1, 0, 1, 2], [1, 0, 255, 0]])
    # class 1: (0,0) both -> TP; (0,1) missed -> FN; (0,2) predicted on background -> FP;
    # (0,3) class 2 on both sides -> TN for class 1; row 1: ignore in the truth -> gray whatever
    # the prediction; (1,2) truth 1 predicted 255 -> FN (prediction values never mask); (1,3) TN.
    picture = error_map(truth, pred, class_id=1, style="all")
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
    assert error_map(truth, pred, style="all").tolist() == [
        [list(BLACK), list(FP), list(TP), list(FN), list(WRONG), list(GRAY)]
    ]
    # the errors style: correct pixels light gray (class) and white (background), mistakes alike
    assert error_map(truth, pred).tolist() == [
        [list(WHITE), list(FP), list(LIGHT_GRAY), list(FN), list(WRONG), list(GRAY)]
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
    picture = error_map(truth, pred, image=image, opacity=0.5, style="all")
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
    assert error_legend(class_id=1, style="all") == [
        ("true positive", TP),
        ("false positive", FP),
        ("false negative", FN),
        ("ignored", GRAY),
    ]
    assert "wrong class" in [name for name, _ in error_legend()]
    assert [name for name, _ in error_legend(background=None, style="all")] == [
        "true positive",
        "wrong class",
        "ignored",
    ]
    # the errors style names the colours of the correct pixels; over a photo, without a swatch
    assert error_legend(class_id=1)[:2] == [("true positive", LIGHT_GRAY), ("true negative", WHITE)]
    assert error_legend(class_id=1, photo=True) == [
        ("correct: the photo, in gray", None),
        ("false positive", FP),
        ("false negative", FN),
        ("ignored", GRAY),
    ]


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


def test_errors_style_over_a_photo_shows_correct_pixels_as_the_photo_and_mistakes_opaque():
    # TN, TP, FP, FN, wrong class, ignored over a photo of one colour whose gray is 118 (see above)
    truth, pred = np.array([[0, 1, 0, 1, 2, 255]]), np.array([[0, 1, 1, 0, 1, 1]])
    image = np.tile(np.array([200, 100, 0], np.uint8), (1, 6, 1))
    picture = error_map(truth, pred, image=image, opacity=0.5)
    assert picture[0, :2].tolist() == [[118, 118, 118]] * 2  # both correct pixels: the photo in gray
    assert picture[0, 2:5].tolist() == [list(FP), list(FN), list(WRONG)]  # full colour, no photo under them
    # ignored is still blended: 0.5 * 118 + 0.5 * 128 = 123
    assert picture[0, 5].tolist() == [123, 123, 123]
    with pytest.raises(ValueError, match="style"):
        error_map(truth, pred, style="mistakes")


def test_errors_style_keeps_every_correct_pixel_of_a_photo_exactly():
    rng = np.random.default_rng(3)
    truth, pred = rng.integers(0, 3, (9, 11)), rng.integers(0, 3, (9, 11))
    photo = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    categories = error_categories(truth, pred)
    correct = (categories == TRUE_POSITIVE) | (categories == TRUE_NEGATIVE)
    gray = colour_categories(np.zeros_like(categories), image=photo)  # all true negatives: the photo's gray
    assert np.array_equal(colour_categories(categories, image=photo)[correct], gray[correct])


def test_thickening_spreads_errors_over_correct_pixels_and_keeps_their_own_codes():
    codes = np.zeros((5, 7), np.uint8)
    codes[2, 1] = FALSE_POSITIVE
    codes[2, 5] = WRONG_CLASS
    codes[0, :] = TRUE_POSITIVE
    codes[4, 3] = IGNORED
    thick = thicken_errors(codes, width=3)
    # each error grows to its 3 x 3 square; where the squares of two errors would meet, the higher code
    assert thick[1:4, 0:3].tolist() == [[FALSE_POSITIVE] * 3] * 3
    assert thick[1:4, 4:7].tolist() == [[WRONG_CLASS] * 3] * 3
    assert thick[0].tolist() == [TRUE_POSITIVE] * 7  # two rows above: untouched
    assert thick[4, 3] == IGNORED and thick[1:4, 3].tolist() == [TRUE_NEGATIVE] * 3
    assert thicken_errors(codes, width=1) is codes
    # an error pixel is never repainted by a neighbour's code
    codes[2, 2] = FALSE_NEGATIVE
    assert thicken_errors(codes, width=3)[2, 1:3].tolist() == [FALSE_POSITIVE, FALSE_NEGATIVE]


def test_display_width_keeps_a_one_pixel_band_two_screen_pixels_wide():
    # 2048 shrunk to 240: 8.53 mask pixels per screen pixel -> 18 mask pixels for 2 screen pixels
    assert display_width((1024, 2048), max_side=240) == 18
    assert display_width((480, 640), max_side=240) == 6
    assert display_width((1, 6), max_side=240) == 2  # not shrunk: still 2 pixels wide
    # a 1-pixel false-negative column of a 480 x 640 map on white, shrunk to 240 x 180 by area averaging
    codes = np.zeros((480, 640), np.uint8)
    codes[:, 320] = FALSE_NEGATIVE

    def blue_share(categories):  # per screen pixel of a row: how much of it is the blue (red 255 -> 0)
        shrunk = cv2.resize(colour_categories(categories), (240, 180), interpolation=cv2.INTER_AREA)
        return (255 - shrunk[90, :, 0].astype(int)) / 255

    thin = blue_share(codes)
    thick = blue_share(thicken_errors(codes, width=display_width(codes.shape, max_side=240)))
    assert thin.max() < 0.4  # a faint line without thickening
    assert (thick >= 0.5).sum() >= 2  # at least two screen pixels mostly blue
