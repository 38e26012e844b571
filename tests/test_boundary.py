"""Boundary metrics on tiny masks whose answers are counted by hand, plus properties (Hypothesis)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segtool.metrics.boundary import (
    BoundaryScorer,
    Tolerances,
    boundary_f_score,
    boundary_iou,
    boundary_metrics,
    boundary_scores,
    hausdorff_distance,
    hd95,
    normalized_surface_distance,
    parse_boundary_metric,
)
from segtool.metrics.distance_transform import DistanceField, squared_edt
from segtool.metrics.surface import SurfacePair

ALL = ["hd", "hd95", "hd95_pooled", "assd", "masd", "nsd", "biou", "biou_chessboard", "bf"]
OVERLAP_SCORES = ["nsd", "biou", "biou_chessboard", "bf"]
DISTANCES = ["hd", "hd95", "hd95_pooled", "assd", "masd"]


def square(shape, top, left, size):
    mask = np.zeros(shape, dtype=bool)
    mask[top : top + size, left : left + size] = True
    return mask


def disc(shape, centre, radius):
    rows, cols = np.indices(shape)
    return (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius**2


# --- hand-counted cases ------------------------------------------------------------------------


def test_two_squares_one_pixel_apart():
    # 4x4 squares at columns 2..5 and 7..10, rows 2..5: one empty column (6) between them.
    # Each boundary is the square's 12 outer pixels. From the left square, the pixels of
    # column c are 7 - c from the right square's left column: rows 2 and 5 give 5, 4, 3, 2,
    # rows 3 and 4 give 5 and 2 -> {5: 4, 4: 2, 3: 2, 2: 4}; by symmetry the same backwards.
    left, right = square((8, 14), 2, 2, 4), square((8, 14), 2, 7, 4)
    values = boundary_metrics(left, right, ALL, tolerances=Tolerances(nsd=2, bf=3, biou_width=1))
    assert values["hd"] == 5
    # 95th percentile of [2,2,2,2,3,3,4,4,5,5,5,5] at rank 0.95 * 11 = 10.45: between two 5s.
    assert values["hd95"] == values["hd95_pooled"] == 5
    assert values["assd"] == values["masd"] == pytest.approx(42 / 12)
    assert values["nsd"] == pytest.approx(8 / 24)  # the four 2s of each side
    assert values["bf"] == pytest.approx(0.5)  # 6 of 12 within 3 on each side
    assert values["biou"] == values["biou_chessboard"] == 0  # the masks do not overlap


def test_square_against_itself_shifted_by_one_column():
    # Rows 2..5, columns 2..5 against columns 3..6. Left square's boundary: rows 2 and 5 at
    # columns 3..5 lie on the other's boundary (0), column 2 and rows 3-4 of column 5 are 1
    # away -> six 0s and six 1s, and the same the other way round.
    a, b = square((8, 10), 2, 2, 4), square((8, 10), 2, 3, 4)
    values = boundary_metrics(a, b, ["hd", "hd50", "assd", "nsd"], tolerances=Tolerances(nsd=0.5))
    assert values == {"hd": 1, "hd50": 0.5, "assd": 0.5, "nsd": 0.5}
    # rank 0.5 * 11 = 5.5 lies halfway between the last 0 and the first 1: hd50 = 0.5.


def test_boundary_iou_of_shifted_squares_counted_by_hand():
    # 6x6 squares at rows 2..7, columns 2..7 and 3..8.
    a, b = square((12, 12), 2, 2, 6), square((12, 12), 2, 3, 6)
    # width 1: the bands are the 20-pixel boundaries; they share rows 2 and 7 at columns 3..7
    # (10 pixels): 10 / (20 + 20 - 10).
    assert boundary_iou(a, b, width=1) == pytest.approx(10 / 30)
    # width 2: each band is the square minus its 2x2 centre (32 pixels). The overlap, columns
    # 3..7 (30 pixels), loses both centres' pixels in it (rows 4-5, columns 4..6: 6 pixels):
    # 24 / (32 + 32 - 24) = 0.6. The chessboard band is the same here.
    assert boundary_iou(a, b, width=2) == pytest.approx(0.6)
    assert boundary_iou(a, b, width=2, band="chessboard") == pytest.approx(0.6)


def test_disc_against_shifted_disc_has_hd_equal_to_the_shift():
    # Every boundary pixel p of the disc has the partner p + v on the shifted boundary, so no
    # distance exceeds |v| = 5; the pixel of the disc furthest against v is |v| from every pixel
    # of the shifted disc. Hence HD = 5 exactly, and NSD at 5 is 1.
    a = disc((60, 60), (28, 28), 12)
    b = disc((60, 60), (31, 32), 12)
    assert hausdorff_distance(a, b) == pytest.approx(5.0)
    assert hd95(a, b) <= 5.0
    assert normalized_surface_distance(a, b, tolerance=5) == 1.0
    assert normalized_surface_distance(a, b, tolerance=0.5) < 1.0


def test_stray_blob_far_away_separates_the_hd95_conventions():
    # Reference: 4x4 square at rows 2..5, columns 2..5 (12 boundary pixels). Prediction: the
    # same square plus one stray pixel at (2, 35), 30 pixels from the square's corner (2, 5).
    truth = square((10, 40), 2, 2, 4)
    pred = truth.copy()
    pred[2, 35] = True
    values = boundary_metrics(truth, pred, ALL, tolerances=Tolerances(nsd=1, bf=3))
    assert values["hd"] == 30
    # pred -> truth: twelve 0s and one 30; rank 0.95 * 12 = 11.4 -> 0.4 * 30 = 12.
    assert values["hd95"] == pytest.approx(12.0)
    # pooled: 24 zeros and one 30; rank 0.95 * 24 = 22.8 falls between two zeros.
    assert values["hd95_pooled"] == 0
    assert values["assd"] == pytest.approx(30 / 25)
    assert values["masd"] == pytest.approx((0 + 30 / 13) / 2)
    assert values["nsd"] == pytest.approx(24 / 25)
    assert values["bf"] == pytest.approx(2 * (12 / 13) / (12 / 13 + 1))
    # Default width on a 10x40 image: round(0.02 * 41.2) = 1 -> the bands are the boundaries.
    assert values["biou"] == pytest.approx(12 / 13)


def test_one_empty_side_scores_the_worst_value_and_both_empty_is_undefined():
    truth = square((10, 40), 2, 2, 4)
    empty = np.zeros_like(truth)
    diagonal = math.hypot(10, 40)
    for pair in ((truth, empty), (empty, truth)):
        values = boundary_metrics(*pair, ALL)
        for name in DISTANCES:
            assert values[name] == pytest.approx(diagonal)
        for name in OVERLAP_SCORES:
            assert values[name] == 0
    assert all(math.isnan(value) for value in boundary_metrics(empty, empty, ALL).values())
    # The worst distance is the diagonal in spacing units: 10 rows of 2 and 40 columns of 0.5.
    assert hausdorff_distance(truth, empty, spacing=(2, 0.5)) == pytest.approx(math.hypot(20, 20))


def test_boundary_f_score_reports_precision_and_recall():
    truth = square((10, 40), 2, 2, 4)
    pred = truth.copy()
    pred[2, 35] = True
    result = boundary_f_score(truth, pred, tolerance=3)
    assert (result.precision, result.recall) == (pytest.approx(12 / 13), 1.0)
    missed = boundary_f_score(truth, np.zeros_like(truth))
    assert missed.f == 0 and missed.recall == 0 and math.isnan(missed.precision)


def test_image_edge_makes_a_boundary_only_when_asked():
    # Reference: rows 0..4 of a 10x10 image; prediction: rows 0..5.
    truth = np.zeros((10, 10), bool)
    truth[:5] = True
    pred = np.zeros((10, 10), bool)
    pred[:6] = True
    # Default: the boundaries are rows 4 and 5 only, all 1 apart -> nothing within 0.5.
    assert normalized_surface_distance(truth, pred, tolerance=0.5) == 0
    # Edge rule: the boundaries add row 0 and the side columns, which coincide. Truth (26
    # pixels) -> pred: 18 zeros (row 0, the sides of rows 1..3, the two ends of row 4) and 8
    # ones (row 4 inside); pred (28 pixels) -> truth: 18 zeros (row 0, the sides of rows 1..4)
    # and 10 ones (row 5). Within 0.5: 36 of 54.
    assert normalized_surface_distance(truth, pred, tolerance=0.5, edge_is_boundary=True) == pytest.approx(
        36 / 54
    )
    assert hausdorff_distance(truth, pred) == hausdorff_distance(truth, pred, edge_is_boundary=True) == 1


def test_a_mask_filling_the_image_takes_the_edge_as_boundary():
    full = np.ones((6, 6), bool)
    assert hausdorff_distance(full, full) == 0
    # Without a boundary the full mask could not be compared; both masks switch to the edge
    # rule, and one missing column is then 1 pixel away, not the image width.
    missing_column = full.copy()
    missing_column[:, 5] = False
    assert hausdorff_distance(full, missing_column) == 1
    pair = SurfacePair(full, missing_column)
    assert pair.edge_is_boundary and pair.true_border.sum() == 20


def test_anisotropic_spacing_scales_distances_per_axis():
    a = square((10, 10), 3, 3, 4)
    right = square((10, 10), 3, 4, 4)
    down = square((10, 10), 4, 3, 4)
    assert hausdorff_distance(a, right, spacing=(2.0, 0.5)) == pytest.approx(0.5)
    assert hausdorff_distance(a, down, spacing=(2.0, 0.5)) == pytest.approx(2.0)
    # Diagonal shift by (1, 1) with pixels 2 high and 0.5 wide: sqrt(4 + 0.25).
    diagonal = square((10, 10), 4, 4, 4)
    assert hausdorff_distance(a, diagonal, spacing=(2.0, 0.5)) == pytest.approx(math.sqrt(4.25))


def test_default_tolerances_follow_the_reference_roundings():
    pair = SurfacePair(square((100, 200), 10, 10, 5), square((100, 200), 10, 10, 5))
    resolved = Tolerances().resolve(pair)
    # diagonal sqrt(100^2 + 200^2) = 223.6: Boundary IoU round(4.47) = 4, DAVIS ceil(1.79) = 2.
    assert (resolved.nsd, resolved.biou_width, resolved.bf) == (2.0, 4, 2)


def test_parse_boundary_metric_names():
    assert parse_boundary_metric("hd").percentile == 100
    assert parse_boundary_metric("HD99.5").percentile == 99.5
    assert parse_boundary_metric("hd95_pooled").pooling == "pooled"
    assert parse_boundary_metric("bf").higher_is_better and not parse_boundary_metric("assd").higher_is_better
    assert "pooled" in parse_boundary_metric("hd95_pooled").convention()
    assert "within 1.5 of" in parse_boundary_metric("nsd").convention(Tolerances(nsd=1.5))
    for bad in ("hd0", "hd101", "hausdorff", "nsd2", ""):
        with pytest.raises(ValueError):
            parse_boundary_metric(bad)


def test_invalid_inputs_raise_value_errors():
    a = square((8, 8), 2, 2, 3)
    with pytest.raises(ValueError, match="one shape"):
        hausdorff_distance(a, a[:, :7])
    with pytest.raises(ValueError, match="spacing"):
        hausdorff_distance(a, a, spacing=(1, 0))
    with pytest.raises(ValueError, match="pooling"):
        hausdorff_distance(a, a, pooling="mean")
    with pytest.raises(ValueError, match="square pixels"):
        boundary_iou(a, a, band="chessboard", spacing=(1, 2))
    with pytest.raises(ValueError, match="biou width"):
        boundary_iou(a, a, width=0)  # an empty band has no IoU
    with pytest.raises(ValueError, match="nsd tolerance"):
        normalized_surface_distance(a, a, tolerance=-1)


# --- label maps --------------------------------------------------------------------------------


def test_boundary_scores_per_class_with_absent_and_false_positive_classes():
    truth = np.zeros((10, 40), np.uint8)
    truth[2:6, 2:6] = 1
    pred = truth.copy()
    pred[2, 35] = 1  # the stray pixel of test_stray_blob_far_away_separates_the_hd95_conventions
    pred[8, 20] = 2  # class 2 only in the prediction
    scores = boundary_scores(truth, pred, [1, 2, 3], ["hd", "hd95", "nsd"], tolerances=Tolerances(nsd=1))
    np.testing.assert_allclose(scores["hd"][:2], [30, math.hypot(10, 40)])
    np.testing.assert_allclose(scores["hd95"][:2], [12, math.hypot(10, 40)])
    np.testing.assert_allclose(scores["nsd"][:2], [24 / 25, 0])
    assert all(math.isnan(scores[name][2]) for name in scores)  # class 3 is in neither map


def prediction_into_ignored_rows() -> tuple[np.ndarray, np.ndarray]:
    """Class 1 fills rows 0..4; rows 5..9 are ignored (255). The prediction runs on to row 7."""
    truth = np.zeros((10, 10), np.uint8)
    truth[:5] = 1
    truth[5:] = 255
    pred = np.zeros((10, 10), np.uint8)
    pred[:8] = 1
    return truth, pred


def test_boundary_scores_ignore_prediction_inside_ignored_pixels():
    truth, pred = prediction_into_ignored_rows()
    # Without ignoring, row 4 vs row 7: HD 3. Ignoring 255, the prediction is cut to rows 0..4.
    assert boundary_scores(truth, pred, [1], ["hd"])["hd"][0] == 3
    assert boundary_scores(truth, pred, [1], ["hd"], ignore_index=[255])["hd"][0] == 0


def test_label_and_mask_entry_points_agree():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 3, (20, 24)).astype(np.uint8)
    pred = rng.integers(0, 3, (20, 24)).astype(np.uint8)
    scores = boundary_scores(truth, pred, [0, 1, 2], ALL)
    for index, class_id in enumerate([0, 1, 2]):
        single = boundary_metrics(truth == class_id, pred == class_id, ALL)
        for name in ALL:
            assert scores[name][index] == pytest.approx(single[name])


def test_boundary_scorer_is_boundary_scores_with_settings_bound():
    truth, pred = prediction_into_ignored_rows()
    scorer = pickle.loads(
        pickle.dumps(BoundaryScorer.from_names(["HD", "nsd"], tolerances=Tolerances(nsd=1)))
    )
    assert scorer.names == ("hd", "nsd")
    # As in test_boundary_scores_ignore_prediction_inside_ignored_pixels: HD 0 once 255 is ignored.
    scores = scorer(truth, pred, class_ids=np.array([1, 2]), ignore=(255,))
    np.testing.assert_array_equal(scores["hd"], [0, np.nan])
    with pytest.raises(ValueError, match="unknown boundary metric"):
        BoundaryScorer.from_names(["dice"])


# --- distance transforms -----------------------------------------------------------------------


def brute_force_squared(features, spacing):
    rows, cols = np.indices(features.shape)
    feature_rows, feature_cols = np.nonzero(features)
    if feature_rows.size == 0:
        return np.full(features.shape, np.inf)
    dy = (rows[..., None] - feature_rows) * spacing[0]
    dx = (cols[..., None] - feature_cols) * spacing[1]
    return (dy * dy + dx * dx).min(axis=-1)


@given(
    features=arrays(bool, st.tuples(st.integers(1, 9), st.integers(1, 12))),
    spacing=st.tuples(st.sampled_from([0.25, 0.5, 1.0, 1.5, 3.0]), st.sampled_from([0.25, 1.0, 2.0, 0.7])),
)
def test_numpy_edt_is_exact_for_any_spacing(features, spacing):
    expected = brute_force_squared(features, spacing)
    np.testing.assert_allclose(squared_edt(features, spacing=spacing), expected, rtol=1e-12)


@given(
    features=arrays(bool, st.tuples(st.integers(1, 9), st.integers(1, 12))),
    step=st.sampled_from([0.5, 1.0, 3.0]),
)
def test_opencv_edt_is_exact_for_square_pixels(features, step):
    field = DistanceField(features, spacing=(step, step))
    everywhere = np.ones(features.shape, bool)
    np.testing.assert_allclose(
        field.squared_at(everywhere), brute_force_squared(features, (step, step)).ravel()
    )


def test_opencv_edt_is_exact_for_long_distances():
    # One feature pixel in a corner of a 600x900 image: the far corner is sqrt(599^2 + 899^2) away.
    features = np.zeros((600, 900), bool)
    features[0, 0] = True
    far = np.zeros_like(features)
    far[599, 899] = True
    assert DistanceField(features, spacing=(1.0, 1.0)).squared_at(far)[0] == 599**2 + 899**2


# --- properties --------------------------------------------------------------------------------

small_masks = arrays(bool, (9, 11))


@settings(max_examples=60, deadline=None)
@given(a=small_masks, b=small_masks)
def test_every_metric_is_symmetric(a, b):
    forward = boundary_metrics(a, b, ALL)
    backward = boundary_metrics(b, a, ALL)
    for name in ALL:
        assert forward[name] == pytest.approx(backward[name], nan_ok=True), name


@settings(max_examples=60, deadline=None)
@given(a=small_masks, b=small_masks, edge=st.booleans())
def test_values_stay_in_range(a, b, edge):
    values = boundary_metrics(a, b, ALL, edge_is_boundary=edge)
    if not a.any() and not b.any():
        return
    diagonal = math.hypot(*a.shape)
    assert 0 <= values["hd95"] <= values["hd"] <= diagonal + 1e-9
    assert 0 <= values["hd95_pooled"] <= values["hd"] + 1e-9
    assert values["assd"] <= values["hd"] + 1e-9 and values["masd"] <= values["hd"] + 1e-9
    for name in OVERLAP_SCORES:
        assert 0 <= values[name] <= 1


@settings(max_examples=60, deadline=None)
@given(a=small_masks.filter(np.any), edge=st.booleans())
def test_identical_masks_score_perfectly(a, edge):
    values = boundary_metrics(a, a.copy(), ALL, edge_is_boundary=edge)
    assert values["hd"] == values["hd95"] == values["assd"] == values["masd"] == 0
    assert values["nsd"] == values["biou"] == values["biou_chessboard"] == values["bf"] == 1


@settings(max_examples=40, deadline=None)
@given(a=small_masks, b=small_masks, shift=st.tuples(st.integers(0, 6), st.integers(0, 6)))
def test_translating_both_masks_changes_nothing(a, b, shift):
    # Pad both masks into a 20x22 canvas (no contact with its edge) at two offsets.
    def place(mask, offset):
        canvas = np.zeros((20, 22), bool)
        canvas[1 + offset[0] : 10 + offset[0], 1 + offset[1] : 12 + offset[1]] = mask
        return canvas

    before = boundary_metrics(place(a, (0, 0)), place(b, (0, 0)), ALL)
    after = boundary_metrics(place(a, shift), place(b, shift), ALL)
    for name in ALL:
        assert after[name] == pytest.approx(before[name], nan_ok=True), name


@settings(max_examples=40, deadline=None)
@given(a=small_masks.filter(np.any), shift=st.tuples(st.integers(-4, 4), st.integers(-4, 4)))
def test_translating_one_mask_by_v_gives_hd_equal_to_the_length_of_v(a, shift):
    canvas = np.zeros((20, 22), bool)
    canvas[5:14, 5:16] = a
    moved = np.roll(canvas, shift, axis=(0, 1))
    assert hausdorff_distance(canvas, moved) == pytest.approx(math.hypot(*shift))
