"""COCO RLE decoding, checked against masks worked out by hand and against a tiny encoder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segtool.annotations.rle import counts_from_string, decode_rle


# -- a tiny encoder, for the round trip only -------------------------------------------------
def encode_counts(mask: np.ndarray) -> list[int]:
    """Run lengths of a boolean mask read column by column, starting with a background run."""
    flat = mask.T.ravel().astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(edges).tolist()
    return [0, *runs] if flat.size and flat[0] else runs


def counts_to_string(counts: list[int]) -> str:
    chars = []
    for index, count in enumerate(counts):
        value = count - counts[index - 2] if index > 2 else count
        while True:
            group = value & 0x1F
            value >>= 5
            done = (value == 0 and not group & 0x10) or (value == -1 and group & 0x10)
            chars.append(chr(48 + group + (0 if done else 0x20)))
            if done:
                break
    return "".join(chars)


# -- by hand -----------------------------------------------------------------------------------
def test_known_strings():
    # [0, 6, 1, 3]: the fourth count is stored as 3 - 6 = -3; its five low bits are 29 = 0b11101,
    # sign bit (16) set, so one character, chr(48 + 29) = "M".
    assert counts_from_string("061M") == [0, 6, 1, 3]
    # 1024 = 0 + 0 * 32 + 1 * 1024: groups 0 (more), 0 (more), 1 -> "P", "P", "1" (48 + 0 + 32 = "P")
    assert counts_from_string("0PP1") == [0, 1024]
    assert counts_to_string([0, 6, 1, 3]) == "061M" and counts_to_string([0, 1024]) == "0PP1"


def test_hand_worked_compressed_string_on_a_5_by_10_mask():
    # "23X12": "2" -> 2, "3" -> 3, "X" (88 - 48 = 40 = 32 + 8: group 8, more) then "1" (group 1):
    # 8 + 1 * 32 = 40, "2" -> 2, the fourth count, so 2 + 3 (the count two before) = 5.
    assert counts_from_string("23X12") == [2, 3, 40, 5]
    mask = decode_rle("23X12", 5, 10)
    # column-major, 5 rows: column 0 has 2 background then 3 foreground pixels (rows 2..4);
    # 40 background pixels fill columns 1..8; the last 5 fill column 9.
    expected = np.zeros((5, 10), dtype=bool)
    expected[2:5, 0] = True
    expected[:, 9] = True
    assert np.array_equal(mask, expected)


def test_uncompressed_counts_start_with_background_and_go_down_columns():
    # 10 rows x 5 columns, [0, 20, 30]: no background first, 20 foreground = columns 0 and 1,
    # then 30 background
    mask = decode_rle([0, 20, 30], 10, 5)
    assert mask.shape == (10, 5)
    assert mask[:, :2].all() and not mask[:, 2:].any()
    assert mask.flags.c_contiguous


def test_a_negative_delta_in_a_string():
    # [3, 5, 4, 0]: the fourth count is stored as 0 - 5 = -5, low five bits 27 = 0b11011 (sign set): "K"
    assert counts_from_string("354K") == [3, 5, 4, 0]
    # 3 rows x 4 columns: 3 background (column 0), 5 foreground (column 1 and rows 0..1 of column 2),
    # 4 background (row 2 of column 2 and column 3), then an empty foreground run
    expected = np.zeros((3, 4), dtype=bool)
    expected[:, 1] = True
    expected[0:2, 2] = True
    assert np.array_equal(decode_rle("354K", 3, 4), expected)


@pytest.mark.parametrize(
    ("counts", "height", "width", "message"),
    [
        ("354L", 3, 4, "add up to 13 pixels but its size 3x4 has 12"),
        ([1, 2], 2, 2, "add up to 3 pixels"),
        ("061I", 2, 3, "negative run (-1)"),  # 6 + (-7) = -1: "I" is 73 - 48 = 25 = 0b11001, -7 in five bits
        ("0P", 2, 2, "ends in the middle of a number"),
        ("0 1", 2, 2, "character ' ' at 1"),
        ("0~", 2, 2, "character '~' at 1"),
        ([1, 2.0, 1], 2, 2, "list of whole numbers"),
        ([1, True, 2], 2, 2, "list of whole numbers"),
        (None, 2, 2, "must be a string or a list"),
        ([4], 0, 4, "size must be positive"),
    ],
)
def test_bad_rle_is_a_value_error(counts, height, width, message):
    with pytest.raises(ValueError) as error:
        decode_rle(counts, height, width)
    assert message in str(error.value)


# -- round trip --------------------------------------------------------------------------------
masks = st.tuples(st.integers(1, 12), st.integers(1, 12)).flatmap(
    lambda shape: arrays(np.bool_, shape, elements=st.booleans())
)


@settings(max_examples=200, deadline=None)
@given(mask=masks)
def test_round_trip_uncompressed_and_compressed(mask: np.ndarray):
    counts = encode_counts(mask)
    assert sum(counts) == mask.size
    assert np.array_equal(decode_rle(counts, *mask.shape), mask)
    assert np.array_equal(decode_rle(counts_to_string(counts), *mask.shape), mask)


@given(counts=st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_string_round_trip_of_any_counts(counts: list[int]):
    assert counts_from_string(counts_to_string(counts)) == counts
