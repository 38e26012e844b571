"""The DAVIS boundary F-measure exactly as the DAVIS 2017 evaluation computes it (``bf_davis``).

segtool's own ``bf`` (:mod:`segtool.metrics.boundary`) matches boundaries the
same way but draws them differently. ``bf_davis`` follows DAVIS rule by rule:

* Boundary map (DAVIS ``_seg2bmap``): a pixel is on the boundary when it differs
  from its right, lower or lower-right neighbour; on the last row only the right
  neighbour is compared, on the last column only the lower one, and the corner
  pixel never is. So the map sits half a pixel towards the origin, and the image
  edge makes no boundary.
* Void pixels (segtool's ignored ground truth) are set to background in both
  masks first, so an object touching them gets a boundary there.
* Tolerance ``ceil(0.008 * diagonal)`` pixels, or a given number of pixels;
  a boundary pixel is matched when the other boundary has a pixel within a disk
  of that radius (``x^2 + y^2 <= r^2``, skimage's ``disk``), as ``cv2.dilate`` does.
* P = matched predicted / predicted boundary pixels, R likewise for the
  reference; predicted boundary empty: P = 1, R = 0; reference empty: P = 0,
  R = 1; both empty: F = 1; F = 2PR / (P + R), 0 when P + R = 0.

As the boundary metric ``bf_davis`` (:func:`segtool.metrics.boundary.boundary_scores`)
there is one departure, so that means follow segtool's rule: a class absent from both
masks (nothing to score) is NaN; ``--compat davis`` (``absent=one``) turns it into
DAVIS's 1. A class present but without boundary on both sides (it fills the image in
both) keeps DAVIS's F = 1.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: DAVIS's default bound_th: the tolerance as a share of the image diagonal.
DAVIS_TOLERANCE_RATIO = 0.008
NAME = "bf_davis"


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """DAVIS's boundary map of a binary mask (see the module docstring).

    Parameters
    ----------
    mask : (H, W) array_like of bool
        The mask.

    Returns
    -------
    (H, W) bool array
        Pixels that differ from their right, lower or lower-right neighbour.

    References
    ----------
    .. [1] F. Perazzi, J. Pont-Tuset, B. McWilliams, L. Van Gool, M. Gross and
       A. Sorkine-Hornung, "A benchmark dataset and evaluation methodology for video
       object segmentation", CVPR 2016; davis2017-evaluation ``davis2017/metrics.py``.

    Examples
    --------
    >>> seg2bmap(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], bool)).astype(int).tolist()
    [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    """
    seg = np.asarray(mask, bool)
    east = np.zeros_like(seg)
    south = np.zeros_like(seg)
    south_east = np.zeros_like(seg)
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    south_east[:-1, :-1] = seg[1:, 1:]
    boundary = (seg ^ east) | (seg ^ south) | (seg ^ south_east)
    boundary[-1, :] = seg[-1, :] ^ east[-1, :]
    boundary[:, -1] = seg[:, -1] ^ south[:, -1]
    boundary[-1, -1] = False
    return boundary


def davis_tolerance(shape: tuple[int, ...]) -> int:
    """``ceil(0.008 * diagonal)`` in pixels, DAVIS's default.

    Parameters
    ----------
    shape : tuple of int
        The image's shape; its first two entries are the height and width.

    Returns
    -------
    int
        The matching radius in pixels.

    References
    ----------
    .. [1] F. Perazzi, J. Pont-Tuset, B. McWilliams, L. Van Gool, M. Gross and
       A. Sorkine-Hornung, "A benchmark dataset and evaluation methodology for video
       object segmentation", CVPR 2016; davis2017-evaluation ``davis2017/metrics.py``.

    Examples
    --------
    >>> davis_tolerance((480, 854))
    8
    """
    return math.ceil(DAVIS_TOLERANCE_RATIO * math.hypot(shape[0], shape[1]))


def _disk(radius: float) -> np.ndarray:
    """skimage.morphology.disk(radius): offsets ``-r, -r + 1, ...`` up to ``r`` where ``x^2 + y^2 <= r^2``.

    For a whole radius that is the usual disk; for another (a ``tolerance`` such as 2.5) the
    offsets are half-integers and the kernel has an even size, as skimage builds it.
    """
    offsets = np.arange(-radius, radius + 1)
    return (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius**2).astype(np.uint8)


def davis_boundary_f(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    void: np.ndarray | None = None,
    tolerance: float | None = None,
) -> float:
    """DAVIS's boundary F-measure of two binary masks (``db_eval_boundary``).

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of bool
        Reference and predicted masks.
    void : (H, W) array_like of bool, optional
        Pixels set to background in both masks first (DAVIS's void pixels).
    tolerance : float, optional
        Matching radius in pixels; default ``ceil(0.008 * diagonal)``. A value
        below 1 is a share of the diagonal, as DAVIS's ``bound_th``.

    Returns
    -------
    float
        F in [0, 1]; 1 when neither mask has a boundary.

    References
    ----------
    Perazzi et al., "A Benchmark Dataset and Evaluation Methodology for Video
    Object Segmentation", CVPR 2016 (the F measure); davis2017-evaluation
    ``davis2017/metrics.py`` ``f_measure``.

    Examples
    --------
    >>> square = np.zeros((20, 20), bool); square[5:15, 5:15] = True
    >>> davis_boundary_f(square, square), davis_boundary_f(square, np.zeros_like(square))
    (1.0, 0.0)
    """
    mask_true = np.asarray(mask_true, bool)
    mask_pred = np.asarray(mask_pred, bool)
    if mask_true.ndim != 2 or mask_true.shape != mask_pred.shape:
        raise ValueError(
            f"masks must be 2-D arrays of one shape, not {mask_true.shape} and {mask_pred.shape}"
        )
    if void is not None:
        keep = ~np.asarray(void, bool)
        mask_true, mask_pred = mask_true & keep, mask_pred & keep
    radius: float
    if tolerance is None:
        radius = davis_tolerance(mask_true.shape)
    elif tolerance < 1:
        radius = math.ceil(tolerance * math.hypot(*mask_true.shape))
    else:
        radius = tolerance
    # Both boundaries lie within one pixel above/left of the masks' bounding box (and inside it): the
    # crop, one pixel wider on each side, has the same boundaries and the same matches as the image.
    crop = _around(mask_true | mask_pred)
    true_boundary = seg2bmap(mask_true[crop])
    pred_boundary = seg2bmap(mask_pred[crop])
    n_true = int(np.count_nonzero(true_boundary))
    n_pred = int(np.count_nonzero(pred_boundary))
    if n_true == 0 or n_pred == 0:
        precision = 1.0 if n_pred == 0 else 0.0
        recall = 1.0 if n_true == 0 else 0.0
    else:
        disk = _disk(radius)
        near_true = cv2.dilate(true_boundary.view(np.uint8), disk).view(bool)
        near_pred = cv2.dilate(pred_boundary.view(np.uint8), disk).view(bool)
        precision = np.count_nonzero(pred_boundary & near_true) / n_pred
        recall = np.count_nonzero(true_boundary & near_pred) / n_true
    return 0.0 if precision + recall == 0 else float(2 * precision * recall / (precision + recall))


def _around(mask: np.ndarray) -> tuple[slice, slice]:
    """The bounding box of ``mask`` grown by one pixel on each side, within the image (all if empty)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return slice(None), slice(None)
    return slice(max(rows[0] - 1, 0), rows[-1] + 2), slice(max(cols[0] - 1, 0), cols[-1] + 2)
