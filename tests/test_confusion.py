"""Confusion counts of one pair: hand-counted cases, every dtype path, and a brute-force property."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from segtool.io.maskio import decode_png, encode_png
from segtool.metrics import confusion
from segtool.metrics.confusion import confusion_matrix, joint_counts, matrix_from_joint


def brute_force_pairs(mask_true, mask_pred):
    """Every (true, pred) pair and its count, the slow obvious way."""
    pairs = {}
    for t, p in zip(np.ravel(mask_true).tolist(), np.ravel(mask_pred).tolist(), strict=True):
        pairs[(t, p)] = pairs.get((t, p), 0) + 1
    return sorted((t, p, n) for (t, p), n in pairs.items())


def as_triples(joint):
    return list(zip(joint.true.tolist(), joint.pred.tolist(), joint.count.tolist(), strict=True))


def test_hand_counted_matrix_with_ignore_and_unknown_prediction():
    truth = np.array([[0, 0, 1, 1], [0, 2, 2, 255], [255, 2, 2, 1]], np.uint8)
    guess = np.array([[0, 1, 1, 1], [0, 2, 0, 2], [2, 2, 255, 1]], np.uint8)
    # Valid pixels: the 10 whose truth is not 255 (the two 255s in truth drop out).
    # truth 0 at (0,0),(0,1),(1,0): predicted 0, 1, 0      -> row 0: [2, 1, 0 | 0]
    # truth 1 at (0,2),(0,3),(2,3): predicted 1, 1, 1      -> row 1: [0, 3, 0 | 0]
    # truth 2 at (1,1),(1,2),(2,1),(2,2): 2, 0, 2, 255     -> row 2: [1, 0, 2 | 1]
    # 255 is no class: its pixel lands in the last column, a false negative of class 2.
    expected = np.array([[2, 1, 0, 0], [0, 3, 0, 0], [1, 0, 2, 1]])
    np.testing.assert_array_equal(confusion_matrix(truth, guess, n_classes=3), expected)


def test_prediction_of_the_ignore_value_is_wrong_not_ignored():
    truth = np.array([[1, 1]], np.uint8)
    guess = np.array([[1, 255]], np.uint8)
    # One hit, one pixel predicted 255: it is counted (last column), not dropped.
    np.testing.assert_array_equal(confusion_matrix(truth, guess, n_classes=2), [[0, 0, 0], [0, 1, 1]])


def test_several_ignore_values_and_none():
    truth = np.array([[0, 3, 4, 1]], np.uint8)
    guess = np.array([[0, 0, 0, 1]], np.uint8)
    # Ignoring 3 and 4 leaves (0,0) and (1,1).
    np.testing.assert_array_equal(
        confusion_matrix(truth, guess, n_classes=2, ignore=(3, 4)), [[1, 0, 0], [0, 1, 0]]
    )
    with pytest.raises(ValueError, match="neither classes .* nor ignore values: 3, 4"):
        confusion_matrix(truth, guess, n_classes=2, ignore=())


def test_sixteen_bit_labels_are_not_wrapped():
    truth = np.array([[300, 300, 44]], np.uint16)
    guess = np.array([[300, 44, 44]], np.uint16)
    # 300 would read as 44 if wrapped to 8 bits: then every pixel would be a hit.
    matrix = confusion_matrix(truth, guess, n_classes=301, ignore=())
    assert matrix[300, 300] == 1 and matrix[300, 44] == 1 and matrix[44, 44] == 1
    assert matrix.sum() == 3


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="shape"):
        joint_counts(np.zeros((2, 2), np.uint8), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="2-D"):
        joint_counts(np.zeros(4, np.uint8), np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="integer"):
        joint_counts(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match="0..65535"):
        joint_counts(np.full((1, 1), -1, np.int32), np.zeros((1, 1), np.uint8))
    with pytest.raises(ValueError, match="at least 1"):
        confusion_matrix(np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.uint8), n_classes=0)


def test_other_integer_and_boolean_inputs():
    truth = np.array([[True, False]])
    guess = np.array([[1, 1]], np.int64)
    # (1,1) once and (0,1) once.
    assert as_triples(joint_counts(truth, guess)) == [(0, 1, 1), (1, 1, 1)]


def test_empty_and_single_pixel_masks():
    assert as_triples(joint_counts(np.zeros((0, 5), np.uint8), np.zeros((0, 5), np.uint8))) == []
    assert as_triples(joint_counts(np.full((1, 1), 7, np.uint8), np.full((1, 1), 9, np.uint8))) == [(7, 9, 1)]


def test_noisy_masks_take_the_histogram_path_and_agree(monkeypatch):
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    guess = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    called = []
    real = confusion._histogram_16bit
    monkeypatch.setattr(confusion, "_histogram_16bit", lambda codes: called.append(1) or real(codes))
    # Counting in slices of 3 rows' worth exercises the float32-exactness split.
    monkeypatch.setattr(confusion, "_FLOAT32_EXACT", 150)
    assert as_triples(joint_counts(truth, guess)) == brute_force_pairs(truth, guess)
    assert called


def test_matrix_from_joint_on_sparse_class_ids():
    truth = np.array([[10, 10, 20, 7]], np.uint16)
    guess = np.array([[10, 20, 20, 10]], np.uint16)
    matrix, unknown_true = matrix_from_joint(joint_counts(truth, guess), np.array([10, 20]))
    # Rows/columns are ids 10 and 20; the true 7 is not a class and is returned, not counted.
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0]])
    assert unknown_true.tolist() == [7]


def _runs_to_rows(runs, width):
    """Concatenate (value, length) runs and cut them into rows of ``width``."""
    flat = np.repeat(np.array([value for value, _ in runs], np.uint16), [length for _, length in runs])
    return flat[: flat.size // width * width].reshape(-1, width)


piecewise = st.builds(
    _runs_to_rows,
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 40)), min_size=1, max_size=30),
    st.integers(1, 17),
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.uint8, np.uint16]), runs=st.booleans())
def test_joint_counts_equal_brute_force(data, dtype, runs):
    high = 255 if dtype == np.uint8 else 65535
    if runs:  # long runs: the run-length path
        truth = data.draw(piecewise).astype(np.int64) % (high + 1)
        guess = truth.copy()
        flips = data.draw(hnp.arrays(bool, truth.shape))
        guess[flips] = data.draw(st.integers(0, high))
        truth, guess = truth.astype(dtype), guess.astype(dtype)
    else:  # anything, including noise: the histogram path for 8 bits
        shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=12))
        values = st.integers(0, min(high, 20)) | st.integers(0, high)
        truth = data.draw(hnp.arrays(dtype, shape, elements=values))
        guess = data.draw(hnp.arrays(dtype, shape, elements=values))
    assert as_triples(joint_counts(truth, guess)) == brute_force_pairs(truth, guess)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.uint8, (6, 7), elements=st.sampled_from([0, 1, 2, 255])),
    hnp.arrays(np.uint8, (6, 7), elements=st.sampled_from([0, 1, 2, 9, 255])),
)
def test_matrix_rows_count_every_valid_pixel_once(truth, guess):
    matrix = confusion_matrix(truth, guess, n_classes=3)
    np.testing.assert_array_equal(matrix.sum(axis=1), [np.count_nonzero(truth == c) for c in range(3)])
    assert matrix.sum() == np.count_nonzero(truth != 255)


def test_views_of_filter_free_png_rows_count_like_copies():

    rng = np.random.default_rng(9)
    truth = np.repeat(rng.integers(0, 4, (6, 3), dtype=np.uint8), 5, axis=1)
    guess = truth.copy()
    guess[2, 4:9] = 7
    zeros = np.zeros((6, 15), np.uint8)
    for a, b in ((truth, guess), (zeros, zeros), (truth, zeros)):
        # copy=False gives views whose row buffers start with the PNG filter byte (0): those extra
        # (0, 0) pixels, one per row, must not be counted.
        view_a, view_b = decode_png(encode_png(a), copy=False), decode_png(encode_png(b), copy=False)
        assert not view_a.flags.c_contiguous
        assert as_triples(joint_counts(view_a, view_b)) == brute_force_pairs(a, b)
        assert as_triples(joint_counts(view_a, b)) == brute_force_pairs(a, b)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.uint8, st.integers(0, 90), elements=st.sampled_from([0, 0, 0, 0, 1, 255])))
def test_sparse_flatnonzero_equals_numpy(flag_bytes):
    # Sizes 0..90 cover whole 8-byte words, a partial last word and no word at all; flags are
    # 0/1 or 0/255 bytes (cv2.compare writes 255), viewed as bool as the counting code does.
    flags = flag_bytes.view(bool)
    np.testing.assert_array_equal(confusion._sparse_flatnonzero(flags), np.flatnonzero(flag_bytes))


@settings(max_examples=60, deadline=None)
@given(
    truth_rows=piecewise, noise=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=40)
)
def test_run_length_counts_equal_a_bincount_of_pair_codes(truth_rows, noise):
    truth = (truth_rows % 256).astype(np.uint8)
    guess = np.roll(truth, 1, axis=1)  # boundaries moved by one pixel, as predictions do
    for position, value in noise if guess.size else ():  # a few isolated wrong pixels
        guess.flat[position % guess.size] = value
    # Reference: one bin per code true * 256 + pred over every pixel, in sorted code order.
    totals = np.bincount(truth.ravel().astype(np.int64) * 256 + guess.ravel(), minlength=1 << 16)
    codes = np.flatnonzero(totals)
    expected = list(zip((codes >> 8).tolist(), (codes & 255).tolist(), totals[codes].tolist(), strict=True))
    assert as_triples(joint_counts(truth, guess)) == expected


def test_value_counts_equal_a_bincount():
    rng = np.random.default_rng(3)
    mask = np.repeat(rng.integers(0, 5, (30, 8), dtype=np.uint8), 7, axis=1)  # runs of 7 equal pixels
    mask[4, 10] = 255
    expected = np.bincount(mask.ravel())
    # As an array, and as a view of its filter-free PNG rows (each led by a 0 that is not counted).
    for counted in (mask, decode_png(encode_png(mask), copy=False)):
        values, counts = confusion.value_counts(counted)
        assert values.tolist() == np.flatnonzero(expected).tolist()
        assert counts.tolist() == expected[expected > 0].tolist()
