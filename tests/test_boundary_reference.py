"""Boundary metrics against the reference implementations, on the same masks.

Optional test group: install the packages in benchmarks/requirements-reference.txt
(MedPy, MONAI with torch, deepmind's surface-distance, SciPy). Each test names the
reference it reproduces and skips when that package is absent. Two references are not
packaged (the Boundary IoU API and the DAVIS toolkit); their recipes are restated here
from their documentation and checked against segtool's matching conventions.

MedPy and MONAI erode with a zero border, so the image edge is a boundary for them:
the comparisons pass ``edge_is_boundary=True``.
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest

from segtool.metrics.boundary import Tolerances, boundary_metrics
from segtool.metrics.distance_transform import squared_edt
from segtool.metrics.surface import SurfacePair

pytestmark = pytest.mark.reference


def blob_pairs(count, shape=(64, 80), seed=0):
    """Pairs of masks made of a few discs and rectangles; some touch the image edge."""
    rng = np.random.default_rng(seed)

    def blob():
        mask = np.zeros(shape, np.uint8)
        for _ in range(rng.integers(1, 4)):
            centre = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
            if rng.random() < 0.5:
                cv2.circle(mask, centre, int(rng.integers(2, 15)), 1, -1)
            else:
                size = rng.integers(2, 20, 2)
                cv2.rectangle(mask, centre, (centre[0] + int(size[0]), centre[1] + int(size[1])), 1, -1)
        return mask.astype(bool)

    return [(blob(), blob()) for _ in range(count)]


SPACINGS = [(1.0, 1.0), (0.7, 0.7), (2.0, 0.5)]


@pytest.mark.parametrize("spacing", SPACINGS)
def test_medpy_hd_hd95_and_assd(spacing):
    """MedPy 0.5: ``hd`` is our hd, ``hd95`` our hd95_pooled, ``assd`` our assd (pooled mean)."""
    binary = pytest.importorskip("medpy.metric.binary")
    for truth, pred in blob_pairs(25):
        ours = boundary_metrics(
            truth, pred, ["hd", "hd95_pooled", "assd"], spacing=spacing, edge_is_boundary=True
        )
        theirs = {
            "hd": binary.hd(pred, truth, voxelspacing=spacing),
            "hd95_pooled": binary.hd95(pred, truth, voxelspacing=spacing),
            "assd": binary.assd(pred, truth, voxelspacing=spacing),
        }
        for name, value in theirs.items():
            assert ours[name] == pytest.approx(value, rel=1e-9), name


@pytest.mark.parametrize("spacing", SPACINGS)
def test_medpy_directed_asd_gives_masd(spacing):
    """MedPy's directed ``asd`` in both directions, averaged, is our masd (MedPy 0.4's assd)."""
    binary = pytest.importorskip("medpy.metric.binary")
    for truth, pred in blob_pairs(10, seed=1):
        ours = boundary_metrics(truth, pred, ["masd"], spacing=spacing, edge_is_boundary=True)["masd"]
        directed = (
            binary.asd(pred, truth, voxelspacing=spacing),
            binary.asd(truth, pred, voxelspacing=spacing),
        )
        assert ours == pytest.approx(np.mean(directed), rel=1e-9)


@pytest.mark.parametrize("spacing", SPACINGS)
def test_monai_hausdorff_average_distance_and_surface_dice(spacing):
    """MONAI: compute_hausdorff_distance (percentile=None / 95) is our hd / hd95,
    compute_average_surface_distance(symmetric=True) our assd, compute_surface_dice our nsd."""
    torch = pytest.importorskip("torch")
    metrics = pytest.importorskip("monai.metrics")

    def one_hot(mask):
        return torch.from_numpy(mask[None, None].astype(np.float32))

    for truth, pred in blob_pairs(20, seed=2):
        if not truth.any() or not pred.any():
            continue  # MONAI returns inf or nan there; segtool's empty rules are tested elsewhere
        ours = boundary_metrics(
            truth,
            pred,
            ["hd", "hd95", "assd", "nsd"],
            spacing=spacing,
            edge_is_boundary=True,
            tolerances=Tolerances(nsd=2.0),
        )
        y_pred, y = one_hot(pred), one_hot(truth)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = {
                "hd": metrics.compute_hausdorff_distance(y_pred, y, include_background=True, spacing=spacing),
                "hd95": metrics.compute_hausdorff_distance(
                    y_pred, y, include_background=True, percentile=95, spacing=spacing
                ),
                "assd": metrics.compute_average_surface_distance(
                    y_pred, y, include_background=True, symmetric=True, spacing=spacing
                ),
                "nsd": metrics.compute_surface_dice(
                    y_pred, y, [2.0], include_background=True, spacing=spacing
                ),
            }
        for name, value in theirs.items():
            # MONAI works in float32.
            assert ours[name] == pytest.approx(value.item(), rel=1e-5, abs=1e-5), name


def test_surface_distance_hausdorff_of_translated_shapes():
    """deepmind's surface-distance puts contours on pixel edges, not pixel centres, so its
    percentiles and NSD differ from the pixel-centre conventions; its HD agrees for a mask
    and a translated copy, where both are exactly the length of the shift."""
    surface_distance = pytest.importorskip("surface_distance")
    for truth, _ in blob_pairs(10, shape=(40, 50), seed=3):
        canvas = np.zeros((60, 70), bool)
        canvas[10:50, 10:60] = truth
        if not canvas.any():
            continue
        moved = np.roll(canvas, (3, -4), axis=(0, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # its scipy.ndimage.filters imports
            distances = surface_distance.compute_surface_distances(canvas, moved, (1.0, 1.0))
        theirs = surface_distance.compute_robust_hausdorff(distances, 100)
        assert boundary_metrics(canvas, moved, ["hd"])["hd"] == pytest.approx(theirs) == pytest.approx(5.0)


@pytest.mark.parametrize("spacing", [(1.0, 1.0), (2.0, 0.5), (0.3, 1.7)])
def test_scipy_distance_transform_edt(spacing):
    """scipy.ndimage.distance_transform_edt with ``sampling`` equals segtool's NumPy EDT."""
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(4)
    for density in (0.0005, 0.01, 0.3):
        features = rng.random((90, 130)) < density
        if not features.any():
            continue
        expected = ndimage.distance_transform_edt(~features, sampling=spacing) ** 2
        np.testing.assert_allclose(squared_edt(features, spacing=spacing), expected, rtol=1e-12)


def boundary_iou_api_band(mask, width):
    """The Boundary IoU API's mask_to_boundary, restated: pad with one ring of zeros, erode
    ``width`` times with a 3x3 square, remove the padding, keep the mask minus its erosion."""
    padded = cv2.copyMakeBorder(mask.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    eroded = cv2.erode(padded, np.ones((3, 3), np.uint8), iterations=width)[1:-1, 1:-1]
    return mask & ~eroded.astype(bool)


def test_boundary_iou_api_recipe():
    """Cheng et al.'s reference code (boundary-iou-api, not packaged) is biou_chessboard with the
    image edge as boundary, and the default width int(round(0.02 * diagonal)) = 2 for 64x80."""
    for truth, pred in blob_pairs(25, seed=5):
        if not truth.any() and not pred.any():
            continue
        band_true, band_pred = boundary_iou_api_band(truth, 2), boundary_iou_api_band(pred, 2)
        expected = (band_true & band_pred).sum() / (band_true | band_pred).sum()
        ours = boundary_metrics(truth, pred, ["biou_chessboard"], edge_is_boundary=True)["biou_chessboard"]
        assert ours == pytest.approx(expected)


def test_davis_disk_dilation_matching():
    """DAVIS's f_boundary matches a boundary pixel when the other boundary, dilated by a disk of
    radius ceil(0.008 * diagonal) (skimage's disk: offsets with dy^2 + dx^2 <= r^2), covers it.
    The same matching on segtool's boundaries gives segtool's bf (DAVIS's own boundary map,
    seg2bmap, marks pixels half a pixel off and is not reproduced)."""
    for truth, pred in blob_pairs(25, shape=(120, 160), seed=6):
        if not truth.any() or not pred.any():
            continue
        pair = SurfacePair(truth, pred)
        radius = int(np.ceil(0.008 * np.hypot(120, 160)))  # 2
        offsets = np.arange(-radius, radius + 1)
        disk = (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius**2).astype(np.uint8)
        grown_true = cv2.dilate(pair.true_border.astype(np.uint8), disk).astype(bool)
        grown_pred = cv2.dilate(pair.pred_border.astype(np.uint8), disk).astype(bool)
        precision = (pair.pred_border & grown_true).sum() / pair.pred_border.sum()
        recall = (pair.true_border & grown_pred).sum() / pair.true_border.sum()
        expected = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        assert boundary_metrics(truth, pred, ["bf"])["bf"] == pytest.approx(expected)
