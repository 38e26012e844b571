"""The largest error region of an error map and its close-up, on tiny hand-made category maps."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segtool.viz.errormap import (
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    IGNORED,
    TRUE_NEGATIVE,
    TRUE_POSITIVE,
    WRONG_CLASS,
)
from segtool.viz.regions import ErrorRegion, close_up, close_up_box, largest_error_region

FP, FN, WRONG, TP, IGN = FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_CLASS, TRUE_POSITIVE, IGNORED


def test_the_largest_region_joins_every_kind_of_mistake_through_corners():
    codes = np.array(
        [
            [FP, 0, 0, 0, 0, 0],
            [0, 0, 0, TP, FN, 0],
            [0, 0, FP, 0, 0, WRONG],  # FP touches FN by a corner; WRONG touches FN by a corner
            [IGN, IGN, 0, 0, 0, 0],  # ignored and correct pixels are never part of a region
            [FN, FN, 0, 0, 0, 0],
        ],
        np.uint8,
    )
    # regions: (0,0) alone; (1,4) FN and (2,5) WRONG, touching by a corner: 2 pixels; (2,2) alone (its
    # only error-free neighbour (1,3) is a TP); (4,0) and (4,1): 2 pixels. Of the two regions of
    # 2 pixels, the one met first scanning rows from the top wins.
    assert largest_error_region(codes) == ErrorRegion((1, 4, 3, 6), 2)
    codes[2, 3] = FP  # now (2,2)-(2,3)-(1,4)-(2,5) are one region of 4 pixels
    assert largest_error_region(codes) == ErrorRegion((1, 2, 3, 6), 4)


def test_no_error_no_region():
    assert largest_error_region(np.array([[TP, TRUE_NEGATIVE, IGN]], np.uint8)) is None


def test_region_is_described_by_its_size_and_inclusive_position():
    assert ErrorRegion((3, 10, 5, 20), 1234).describe() == "1,234 pixels at x 10\u201319, y 3\u20134"
    assert ErrorRegion((0, 0, 1, 1), 1).describe() == "1 pixel at x 0\u20130, y 0\u20130"


codes_strategy = arrays(
    np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=st.integers(0, 5)
)


@settings(max_examples=80, deadline=None)
@given(codes_strategy)
def test_the_close_up_box_holds_the_whole_largest_region_inside_the_image(codes):
    region = largest_error_region(codes)
    if region is None:
        assert not ((codes >= FP) & (codes <= WRONG)).any()
        return
    top, left, bottom, right = close_up_box(region, codes.shape)
    r_top, r_left, r_bottom, r_right = region.box
    assert 0 <= top <= r_top and r_bottom <= bottom <= codes.shape[0]
    assert 0 <= left <= r_left and r_right <= right <= codes.shape[1]
    # the region's pixels are all inside: the box's errors count at least as many
    inside = (codes[top:bottom, left:right] >= FP) & (codes[top:bottom, left:right] <= WRONG)
    assert inside.sum() >= region.pixels
    # at least 24 pixels a side where the image allows
    assert bottom - top >= min(24, codes.shape[0]) and right - left >= min(24, codes.shape[1])


def test_close_up_enlarges_by_a_whole_factor_with_square_pixels():
    crop = np.array([[[1, 2, 3], [4, 5, 6]]], np.uint8)  # 1 x 2 RGB
    picture, scale = close_up(crop, max_side=7)  # 7 // 2 = 3
    assert scale == 3.0 and picture.shape == (3, 6, 3)
    assert picture[:, :3].reshape(-1, 3).tolist() == [[1, 2, 3]] * 9
    assert picture[:, 3:].reshape(-1, 3).tolist() == [[4, 5, 6]] * 9


def test_close_up_of_a_box_larger_than_the_side_is_shrunk():
    picture, scale = close_up(np.zeros((50, 100, 3), np.uint8), max_side=40)
    assert picture.shape == (20, 40, 3) and scale == 0.4


def test_of_equal_regions_the_highest_then_leftmost_box_wins():
    # two single pixels: (1, 0) and (0, 5). A 2x2-block labelling meets (1, 0) first; the rule says (0, 5).
    codes = np.zeros((4, 8), np.uint8)
    codes[1, 0] = FN
    codes[0, 5] = FP
    assert largest_error_region(codes) == ErrorRegion((0, 5, 1, 6), 1)
    codes[0, 5] = 0
    codes[1, 6] = WRONG  # same row as (1, 0): the leftmost wins
    assert largest_error_region(codes) == ErrorRegion((1, 0, 2, 1), 1)
