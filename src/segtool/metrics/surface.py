"""Boundaries of two masks and the distances between them, computed once and shared.

Conventions (the boundary metrics in :mod:`segtool.metrics.boundary` all use them):

- **Boundary** of a mask: its inner border, the mask pixels with at least one
  4-neighbour (up, down, left, right) that is a known pixel outside the mask.
- **Unknown pixels**: pixels beyond the image edge and pixels whose ground
  truth is ignored (``valid`` is False). They belong to no mask and, by
  default, do not make a boundary: a mask cut by the image edge has no
  boundary along that edge, as the object goes on beyond it. With
  ``edge_is_boundary=True`` they count as outside, which is what MedPy, MONAI
  and the Boundary IoU reference code do (they pad with zeros).
- When a non-empty mask has no boundary under the default rule (it covers
  every known pixel around it, e.g. the whole image), both masks of the pair
  take the ``edge_is_boundary=True`` rule, so that every non-empty mask has a
  boundary and the two boundaries are comparable: a full-image reference
  against a prediction missing one column gives HD 1, not the image width.
- **Distances** are exact Euclidean between pixel centres, in spacing units.
  The distances between two boundaries are found from the boundary pixels'
  coordinates (:mod:`segtool.metrics.nearest`), not from distance transforms:
  the cost follows the boundaries' length, not the image's area.
- **Work area**: the bounding box of the union of the two masks, grown by one
  pixel on every side. No tolerance margin is needed: every quantity is a
  distance to a boundary pixel, and every boundary pixel lies in the box.
"""

from __future__ import annotations

import math
from functools import cached_property

import cv2
import numpy as np

from .distance_transform import DistanceField, Spacing, normalise_spacing
from .nearest import nearest_squared_distances

_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def image_diagonal(shape: tuple[int, int], spacing: Spacing) -> float:
    """Length of the image diagonal in spacing units: the worst distance two masks can be apart.

    Parameters
    ----------
    shape : (H, W)
        The image's shape in pixels.
    spacing : (sy, sx)
        Pixel height and width.

    Returns
    -------
    float
        The value distance metrics take when one mask is empty.

    References
    ----------
    The one-empty-mask rule that uses it: ``docs/boundary-metrics.md``.

    Examples
    --------
    >>> image_diagonal((3, 4), (1.0, 1.0))
    5.0
    """
    return math.hypot(shape[0] * spacing[0], shape[1] * spacing[1])


def inner_border(mask: np.ndarray, unknown: np.ndarray | None, *, edge_is_boundary: bool) -> np.ndarray:
    """The boundary pixels of ``mask``: mask pixels with a 4-neighbour outside it.

    Parameters
    ----------
    mask : (H, W) bool array
        Its outermost ring holds no mask pixel (the caller pads it).
    unknown : (H, W) bool array or None
        Pixels whose ground truth is not known (beyond the image edge, ignored);
        None when every pixel is known.
    edge_is_boundary : bool
        Let unknown pixels count as outside, so that they make a boundary.

    Returns
    -------
    (H, W) bool array
        The inner border (see the module docstring).

    References
    ----------
    .. [1] L. Maier-Hein et al., "Metrics reloaded: recommendations for image analysis
       validation", Nature Methods 21, 2024.
    """
    return _border_against(_solid(mask, unknown, edge_is_boundary=edge_is_boundary), mask)


def _solid(mask: np.ndarray, unknown: np.ndarray | None, *, edge_is_boundary: bool) -> np.ndarray:
    """``mask`` as uint8, plus the unknown pixels unless they count as outside.

    The pixels that are not solid are the "outside" a boundary pixel touches.
    """
    if unknown is None or edge_is_boundary:
        return mask.view(np.uint8)
    return mask.view(np.uint8) | unknown.view(np.uint8)


def _border_against(solid: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mask pixels with a 4-neighbour that is not ``solid``."""
    kept = cv2.erode(solid, _CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=1)
    return mask & ~kept.view(bool)


def _bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(row0, row1, col0, col1), half-open, of the True pixels; None when there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


class BoundaryDistances:
    """The distances between two boundaries, both ways: what the distance metrics read.

    Parameters
    ----------
    true_to_pred, pred_to_true : float64 arrays
        For each reference boundary pixel, row-major, the distance to the nearest
        predicted boundary pixel; the other way round.
    spacing : (sy, sx)
        Pixel height and width.
    image_shape : (H, W)
        The image's shape, for its diagonal.
    true_empty, pred_empty : bool
        Whether each mask has no pixel.
    edge_is_boundary : bool
        The boundary rule the boundaries were found with.
    """

    def __init__(
        self,
        true_to_pred: np.ndarray,
        pred_to_true: np.ndarray,
        *,
        spacing: Spacing,
        image_shape: tuple[int, int],
        true_empty: bool,
        pred_empty: bool,
        edge_is_boundary: bool,
    ) -> None:
        self.true_to_pred, self.pred_to_true = true_to_pred, pred_to_true
        self.spacing, self.image_shape = spacing, image_shape
        self.diagonal = image_diagonal(image_shape, spacing)
        self.true_empty, self.pred_empty, self.edge_is_boundary = true_empty, pred_empty, edge_is_boundary


class SurfacePair(BoundaryDistances):
    """The boundaries of a reference mask and a predicted mask, and their distances.

    The distances from each reference boundary pixel to the predicted boundary
    (:attr:`true_to_pred`) and the other way round (:attr:`pred_to_true`) are
    found from the boundary pixels; the distance fields of the boundary bands
    used by Boundary IoU are computed when first asked for, once each.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) bool arrays
        Reference and prediction.
    spacing : float or (sy, sx), optional
        Pixel height and width; distances and tolerances are in this unit.
    edge_is_boundary : bool
        Count unknown pixels (beyond the image edge, or not ``valid``) as
        outside the masks; by default they make no boundary.
    valid : (H, W) bool array, optional
        Pixels whose ground truth is known. Pixels outside it are removed from
        both masks and are unknown.
    distances : (true_to_pred, pred_to_true), optional
        The distances between the two boundaries when already known (found for
        all classes of a label map at once, under the same rule); else found here.

    Attributes
    ----------
    true_empty, pred_empty : bool
        Whether each mask has no pixel.
    true_border, pred_border : bool arrays
        The boundaries, in the work area.
    edge_is_boundary : bool
        The rule in effect: True when asked, or when the fallback applied.
    diagonal : float
        The image diagonal in spacing units.
    """

    def __init__(
        self,
        mask_true: np.ndarray,
        mask_pred: np.ndarray,
        *,
        spacing: float | tuple[float, float] | None = None,
        edge_is_boundary: bool = False,
        valid: np.ndarray | None = None,
        distances: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        mask_true, mask_pred, valid = _check_masks(mask_true, mask_pred, valid)
        box = _bounding_box(mask_true | mask_pred)
        true_empty = box is None or not mask_true[box[0] : box[1], box[2] : box[3]].any()
        pred_empty = box is None or not mask_pred[box[0] : box[1], box[2] : box[3]].any()
        if box is None:
            box = (0, 0, 0, 0)
        self._box = (box[0] - 1, box[1] + 1, box[2] - 1, box[3] + 1)
        self.image_shape: tuple[int, int] = mask_true.shape
        self.true = self._crop(mask_true)
        self.pred = self._crop(mask_pred)
        self.unknown = self._unknown_pixels(valid)
        self._find_borders(edge_is_boundary, true_empty, pred_empty)
        spacing = normalise_spacing(spacing)
        if distances is None:
            true_pixels, pred_pixels = np.nonzero(self.true_border), np.nonzero(self.pred_border)
            width = self.true.shape[1]
            distances = (
                np.sqrt(nearest_squared_distances(*true_pixels, *pred_pixels, width=width, spacing=spacing)),
                np.sqrt(nearest_squared_distances(*pred_pixels, *true_pixels, width=width, spacing=spacing)),
            )
        super().__init__(
            *distances,
            spacing=spacing,
            image_shape=mask_true.shape,
            true_empty=true_empty,
            pred_empty=pred_empty,
            edge_is_boundary=self.edge_is_boundary,
        )

    def _crop(self, array: np.ndarray | None) -> np.ndarray:
        """The work area of ``array`` (all True when None), False where it reaches beyond the image."""
        row0, row1, col0, col1 = self._box
        height, width = self.image_shape
        out = np.zeros((row1 - row0, col1 - col0), dtype=bool)
        inside_rows, inside_cols = (
            slice(max(row0, 0), min(row1, height)),
            slice(max(col0, 0), min(col1, width)),
        )
        target = (
            slice(inside_rows.start - row0, inside_rows.stop - row0),
            slice(inside_cols.start - col0, inside_cols.stop - col0),
        )
        out[target] = True if array is None else array[inside_rows, inside_cols]
        return out

    def _unknown_pixels(self, valid: np.ndarray | None) -> np.ndarray | None:
        """Unknown pixels of the work area, or None when all of them are known."""
        row0, row1, col0, col1 = self._box
        height, width = self.image_shape
        beyond_edge = row0 < 0 or col0 < 0 or row1 > height or col1 > width
        if valid is None and not beyond_edge:
            return None
        return ~self._crop(valid)

    def _find_borders(self, edge_is_boundary: bool, true_empty: bool, pred_empty: bool) -> None:
        """Set the boundaries, switching both masks to the edge rule when one has none otherwise."""
        self.edge_is_boundary = edge_is_boundary
        self.true_border = inner_border(self.true, self.unknown, edge_is_boundary=edge_is_boundary)
        self.pred_border = inner_border(self.pred, self.unknown, edge_is_boundary=edge_is_boundary)
        lacks_border = (not true_empty and not self.true_border.any()) or (
            not pred_empty and not self.pred_border.any()
        )
        if lacks_border and not edge_is_boundary:
            self._find_borders(True, true_empty, pred_empty)

    @cached_property
    def distance_to_true(self) -> DistanceField:
        """Distance from every work-area pixel to the reference boundary."""
        return DistanceField(self.true_border, spacing=self.spacing)

    @cached_property
    def distance_to_pred(self) -> DistanceField:
        """Distance from every work-area pixel to the predicted boundary."""
        return DistanceField(self.pred_border, spacing=self.spacing)

    def bands(self, width: float) -> tuple[np.ndarray, np.ndarray]:
        """Pixels of each mask closer than ``width`` to its own boundary (reference band, predicted band).

        The boundary pixels themselves are at distance 0, so along a straight
        edge the band is ``width`` pixels wide (in spacing units).
        """
        return (
            _band(self.true, self.distance_to_true, width),
            _band(self.pred, self.distance_to_pred, width),
        )

    def chessboard_bands(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixels of each mask within chessboard distance ``width`` of a pixel outside it.

        This is the band of the Boundary IoU reference code (``width`` erosions
        with a 3x3 square). "Outside" follows the same rule as the boundary.
        """
        return self._chessboard_band(self.true, width), self._chessboard_band(self.pred, width)

    def _chessboard_band(self, mask: np.ndarray, width: int) -> np.ndarray:
        solid = _solid(mask, self.unknown, edge_is_boundary=self.edge_is_boundary)
        distance = cv2.distanceTransform(solid, cv2.DIST_C, 3)
        return mask & (distance <= width)


def _band(mask: np.ndarray, field: DistanceField, width: float) -> np.ndarray:
    band = np.zeros_like(mask)
    # A relative slack of 1e-9 keeps a distance equal to the width out of the band despite rounding.
    band[mask] = field.squared_at(mask) < width * width * (1 - 1e-9)
    return band


def _check_masks(
    mask_true: np.ndarray, mask_pred: np.ndarray, valid: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate shapes; return boolean masks with unknown pixels removed, and ``valid`` as bool."""
    mask_true = np.asarray(mask_true)
    mask_pred = np.asarray(mask_pred)
    if mask_true.ndim != 2 or mask_true.shape != mask_pred.shape:
        raise ValueError(
            f"masks must be 2-D arrays of one shape, "
            f"got {mask_true.shape} (true) and {mask_pred.shape} (pred)"
        )
    mask_true = mask_true.astype(bool, copy=False)
    mask_pred = mask_pred.astype(bool, copy=False)
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        if valid.shape != mask_true.shape:
            raise ValueError(f"valid must have the masks' shape {mask_true.shape}, got {valid.shape}")
        mask_true = mask_true & valid
        mask_pred = mask_pred & valid
    return mask_true, mask_pred, valid
