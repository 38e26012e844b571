"""The boundary search (all classes at once, distances from boundary pixels) against the whole-image way.

The whole-image way is written out here as the rule reads: per class, mask the
label maps, pad them with one ring of unknown pixels, erode, and measure with a
distance transform over the whole image. Values must be equal, not close.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segtool.metrics.boundary import Tolerances, boundary_scores, evaluate, parse_boundary_metric
from segtool.metrics.distance_transform import DistanceField
from segtool.metrics.nearest import nearest_squared_distances
from segtool.metrics.surface import BoundaryDistances

DISTANCE_METRICS = ["hd", "hd95", "hd95_pooled", "hd50", "assd", "masd", "nsd", "bf"]
CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def whole_image_borders(mask, known, edge_is_boundary):
    """Inner border of ``mask`` over the whole image padded by one unknown ring (the rule, spelled out)."""
    padded_mask = np.pad(mask, 1)
    unknown = ~np.pad(known, 1)
    solid = padded_mask if edge_is_boundary else padded_mask | unknown
    inside = cv2.erode(solid.view(np.uint8), CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=1).view(bool)
    return padded_mask & ~inside


def whole_image_scores(truth, guess, classes, *, ignore, edge_is_boundary, spacing):
    known = ~np.isin(truth, ignore)
    scores = {name: [] for name in DISTANCE_METRICS}
    for class_id in classes:
        true_mask, pred_mask = (truth == class_id) & known, (guess == class_id) & known
        rule = edge_is_boundary
        true_border = whole_image_borders(true_mask, known, rule)
        pred_border = whole_image_borders(pred_mask, known, rule)
        if not rule and (
            (true_mask.any() and not true_border.any()) or (pred_mask.any() and not pred_border.any())
        ):
            rule = True  # the pair-level fallback: both take the edge rule
            true_border = whole_image_borders(true_mask, known, rule)
            pred_border = whole_image_borders(pred_mask, known, rule)
        to_pred = DistanceField(pred_border, spacing=spacing).squared_at(true_border)
        to_true = DistanceField(true_border, spacing=spacing).squared_at(pred_border)
        pair = BoundaryDistances(
            np.sqrt(to_pred),
            np.sqrt(to_true),
            spacing=spacing,
            image_shape=truth.shape,
            true_empty=not true_mask.any(),
            pred_empty=not pred_mask.any(),
            edge_is_boundary=rule,
        )
        resolved = Tolerances().resolve(pair)
        for name in DISTANCE_METRICS:
            scores[name].append(evaluate(pair, parse_boundary_metric(name), resolved))
    return scores


def blocky_labels(rng, shape, classes):
    """Piecewise-constant label maps: rectangles of random classes, many touching the image edge."""
    labels = np.full(shape, rng.integers(0, classes), np.uint8)
    for _ in range(rng.integers(1, 8)):
        top, left = rng.integers(-3, shape[0]), rng.integers(-3, shape[1])
        height, width = rng.integers(1, 12, size=2)
        labels[max(top, 0) : max(top + height, 0), max(left, 0) : max(left + width, 0)] = rng.integers(
            0, classes
        )
    return labels


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    edge_is_boundary=st.booleans(),
    with_ignore=st.booleans(),
    square_pixels=st.booleans(),
)
def test_search_gives_the_whole_image_values(seed, shape, edge_is_boundary, with_ignore, square_pixels):
    rng = np.random.default_rng(seed)
    truth, guess = blocky_labels(rng, shape, 4), blocky_labels(rng, shape, 4)
    ignore = []
    if with_ignore:
        truth[rng.random(shape) < 0.1] = 255
        ignore = [255]
    spacing = (1.0, 1.0) if square_pixels else (0.5, 1.5)
    ours = boundary_scores(
        truth,
        guess,
        [0, 1, 2, 3],
        DISTANCE_METRICS,
        ignore_index=ignore,
        edge_is_boundary=edge_is_boundary,
        spacing=spacing,
    )
    expected = whole_image_scores(
        truth, guess, [0, 1, 2, 3], ignore=ignore, edge_is_boundary=edge_is_boundary, spacing=spacing
    )
    for name in DISTANCE_METRICS:
        if square_pixels:
            np.testing.assert_array_equal(ours[name], expected[name], err_msg=name)
        else:  # the squares of the two pixel sides round differently in the last bit
            np.testing.assert_allclose(ours[name], expected[name], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("edge_is_boundary", [False, True])
def test_search_on_a_larger_map_with_far_stray_blobs(edge_is_boundary):
    """Far queries (blobs hundreds of pixels from their class) go through the band search."""
    rng = np.random.default_rng(7)
    truth = np.zeros((300, 420), np.uint8)
    truth[:100] = 1
    truth[150:260, 30:200] = 2
    truth[40:90, 380:] = 3  # touches the right edge
    guess = np.roll(truth, (2, -3), axis=(0, 1))
    guess[280:295, 400:415] = 2  # a stray blob far from class 2
    guess[5:12, 5:9] = 3  # and one far from class 3
    truth[rng.random(truth.shape) < 0.01] = 255
    ours = boundary_scores(
        truth, guess, [0, 1, 2, 3], DISTANCE_METRICS, ignore_index=[255], edge_is_boundary=edge_is_boundary
    )
    expected = whole_image_scores(
        truth, guess, [0, 1, 2, 3], ignore=[255], edge_is_boundary=edge_is_boundary, spacing=(1.0, 1.0)
    )
    for name in DISTANCE_METRICS:
        np.testing.assert_array_equal(ours[name], expected[name], err_msg=name)


def test_a_class_filling_every_known_pixel_takes_the_edge_rule():
    truth = np.full((6, 7), 4, np.uint8)
    guess = truth.copy()
    guess[:, 6] = 1  # the prediction misses the last column
    ours = boundary_scores(truth, guess, [4], ["hd", "assd"])
    assert ours["hd"][0] == 1.0  # not the image width: both masks take the edge rule


def brute_force(query, features, step):
    """Squared distances in whole pixels, then times the squared pixel side (one rounding, as a DT)."""
    if not features.any():
        return np.full(int(query.sum()), np.inf)
    rows, cols = np.nonzero(query)
    feature_rows, feature_cols = np.nonzero(features)
    dy, dx = rows[:, None] - feature_rows, cols[:, None] - feature_cols
    return (dy * dy + dx * dx).min(axis=1) * (step * step)


@settings(max_examples=80, deadline=None)
@given(
    features=arrays(bool, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=st.booleans()),
    density=st.sampled_from([0.002, 0.02, 0.3]),
    seed=st.integers(0, 2**32 - 1),
    step=st.sampled_from([1.0, 0.7, 3.0]),
)
def test_nearest_search_is_exact(features, density, seed, step):
    rng = np.random.default_rng(seed)
    features = features & (rng.random(features.shape) < density)
    query = rng.random(features.shape) < 0.3
    found = nearest_squared_distances(
        *np.nonzero(query), *np.nonzero(features), width=features.shape[1], spacing=(step, step)
    )
    np.testing.assert_array_equal(found, brute_force(query, features, step))
    # The same as the distance transform's answer, bit for bit.
    np.testing.assert_array_equal(found, DistanceField(features, spacing=(step, step)).squared_at(query))


def test_nearest_search_one_far_feature():
    # A 700-row gap: the band search finds it; the answer is the exact integer square.
    found = nearest_squared_distances(
        np.array([0, 699]), np.array([0, 0]), np.array([699]), np.array([999]), width=1000, spacing=(1.0, 1.0)
    )
    assert found.tolist() == [699**2 + 999**2, 999**2]


def test_the_search_in_small_pieces_gives_the_same_answers(monkeypatch):
    """Memory is bounded by searching the queries in pieces; the pieces change no answer."""
    import segtool.metrics.nearest as nearest

    rng = np.random.default_rng(3)
    features = rng.random((120, 90)) < 0.003
    query = rng.random((120, 90)) < 0.2
    whole = nearest_squared_distances(*np.nonzero(query), *np.nonzero(features), width=90, spacing=(1.0, 1.0))
    monkeypatch.setattr(nearest, "_CHUNK_ELEMENTS", 50)
    pieces = nearest_squared_distances(
        *np.nonzero(query), *np.nonzero(features), width=90, spacing=(1.0, 1.0)
    )
    np.testing.assert_array_equal(pieces, whole)
    np.testing.assert_array_equal(pieces, brute_force(query, features, 1.0))
