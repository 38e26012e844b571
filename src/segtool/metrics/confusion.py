"""Confusion counts of one pair of label masks, in one vectorised pass over the pixels.

Conventions
-----------
* ``mask_true`` is the ground truth, ``mask_pred`` the prediction: 2-D arrays of
  the same shape holding non-negative integer labels (0..65535).
* A pixel is *valid* when its ground truth is not an ignore value. Prediction
  values never mask anything: a prediction of 255 on a valid pixel is wrong.
* ``matrix[t, p]`` counts valid pixels whose truth is class ``t`` and whose
  prediction is class ``p``. The matrix has one column more than rows: the last
  column counts valid pixels whose prediction is not a class at all (a value
  outside ``0..n_classes-1``, for example 255). They are false negatives of their
  true class and false positives of none.

How it is fast
--------------
Label masks are piecewise constant, so :func:`joint_counts` works on runs: the
positions where the truth or the prediction changes value from one pixel to the
next are found with two comparisons over the rows (and picked out word by word,
since they are few), and each run of equal (true, predicted) pairs adds its
length to the bin of its code ``true << bits | pred``. The cost is a few
vectorised passes over the pixels plus one step per run, several times less than
a per-pixel histogram. When more than :data:`NOISY_WORD_FRACTION` of the 8-pixel
words hold a change (noise), 8-bit masks fall back to OpenCV's 16-bit histogram
of the packed codes. No loop over classes. Work buffers are reused per thread,
and masks read without a copy from filter-free PNG rows are counted in place.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from ..arrays import padded_rows

#: Above this fraction of 8-pixel words holding a value change, the run-length pass stops paying off.
NOISY_WORD_FRACTION = 1 / 2
#: Work buffers up to this size are kept per thread and reused (fresh pages cost page faults).
_SCRATCH_LIMIT = 64 << 20
#: cv2.calcHist counts in float32, exact up to 2**24: larger images are counted in slices.
_FLOAT32_EXACT = 1 << 24


@dataclass(frozen=True)
class JointCounts:
    """How many pixels have each (true value, predicted value) pair that occurs.

    Three aligned int64 arrays sorted by ``(true, pred)``; pairs that do not occur
    are absent. It is the sparse form of the full joint histogram of the pair.
    """

    true: np.ndarray
    pred: np.ndarray
    count: np.ndarray

    def without_true(self, values: Iterable[int]) -> JointCounts:
        """The counts of the pixels whose true value is not one of ``values`` (ignore values)."""
        dropped = is_one_of(self.true, values)
        if not dropped.any():
            return self
        keep = ~dropped
        return JointCounts(self.true[keep], self.pred[keep], self.count[keep])

    @property
    def total(self) -> int:
        return int(self.count.sum())


def joint_counts(mask_true: np.ndarray, mask_pred: np.ndarray) -> JointCounts:
    """Count every (true value, predicted value) pair of two label masks.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of int or bool
        Ground truth and prediction, values in 0..65535 (see the module docstring).

    Returns
    -------
    JointCounts
        The pairs that occur, sorted, with their pixel counts. Nothing is ignored
        here: ignore values are dropped later (:meth:`JointCounts.without_true`).

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015: the counts ``n_ij`` of pixels of class i predicted as j.

    Examples
    --------
    >>> truth = np.array([[0, 0, 1], [1, 1, 255]], np.uint8)
    >>> guess = np.array([[0, 1, 1], [1, 1, 1]], np.uint8)
    >>> counts = joint_counts(truth, guess)
    >>> [(int(t), int(p), int(n)) for t, p, n in zip(counts.true, counts.pred, counts.count)]
    [(0, 0, 1), (0, 1, 1), (1, 1, 3), (255, 1, 1)]
    """
    mask_true, mask_pred = _checked_pair(mask_true, mask_pred)
    if mask_true.size == 0:
        return JointCounts(*(np.zeros(0, np.int64) for _ in range(3)))
    if mask_true.dtype != mask_pred.dtype:
        mask_true, mask_pred = mask_true.astype(np.uint16), mask_pred.astype(np.uint16)
    bits = 8 * mask_true.itemsize
    true_rows, pred_rows, padding = _rows_without_copy(mask_true, mask_pred)
    changes = _change_positions(true_rows, pred_rows, give_up_when_noisy=bits == 8)
    if changes is None:
        values, counts = _histogram_16bit(_packed_codes_8bit(true_rows, pred_rows))
    else:
        values, counts = _count_runs(true_rows.reshape(-1), pred_rows.reshape(-1), changes, bits)
    if padding:  # the (0, 0) pixels of a leading zero column are not part of the masks
        counts[0] -= padding
        values, counts = values[counts > 0], counts[counts > 0]
    return JointCounts(values >> bits, values & ((1 << bits) - 1), counts)


def value_counts(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of a 2-D label mask and their pixel counts, counted by runs.

    Parameters
    ----------
    mask : (H, W) array_like of int or bool
        A label mask, values in 0..65535.

    Returns
    -------
    values, counts : int64 arrays
        The values present, increasing, and how many pixels hold each.

    References
    ----------
    ``np.unique(mask, return_counts=True)`` gives the same result, more slowly.

    Examples
    --------
    >>> values, counts = value_counts(np.array([[0, 0, 7], [7, 7, 255]], np.uint8))
    >>> values.tolist(), counts.tolist()
    ([0, 7, 255], [2, 3, 1])
    """
    joint = joint_counts(mask, mask)
    return joint.true, joint.count


def is_one_of(array: np.ndarray, values: Iterable[int]) -> np.ndarray:
    """``np.isin(array, values)`` for a handful of values, without its set-up cost on small arrays.

    Parameters
    ----------
    array : array_like of int
        Any shape.
    values : iterable of int
        A few values (each costs one comparison over ``array``).

    Returns
    -------
    bool array
        The shape of ``array``: True where it holds one of ``values``.

    References
    ----------
    :func:`numpy.isin`, whose result this is.

    Examples
    --------
    >>> is_one_of(np.array([0, 255, 3]), [255, 3]).tolist()
    [False, True, True]
    """
    found = np.zeros(np.shape(array), bool)
    for value in values:
        found |= array == value
    return found


def confusion_matrix(
    mask_true: np.ndarray, mask_pred: np.ndarray, *, n_classes: int, ignore: Iterable[int] = (255,)
) -> np.ndarray:
    """The confusion matrix of one pair: ``(n_classes, n_classes + 1)`` int64 counts.

    Parameters
    ----------
    mask_true, mask_pred : (H, W) array_like of int or bool
        Ground truth and prediction.
    n_classes : int
        Classes are ``0..n_classes-1``.
    ignore : iterable of int
        Ground-truth values whose pixels are not counted.

    Returns
    -------
    (n_classes, n_classes + 1) int64 array
        Rows are true classes, columns predicted classes, and the last column
        predictions that are not a class (see the module docstring).

    Raises
    ------
    ValueError
        For a true value that is neither a class nor ignored.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015: the counts ``n_ij`` of pixels of class i predicted as j.

    Examples
    --------
    >>> truth = np.array([[0, 0, 1], [1, 1, 255]], np.uint8)
    >>> guess = np.array([[0, 1, 1], [1, 7, 1]], np.uint8)
    >>> confusion_matrix(truth, guess, n_classes=2)
    array([[1, 1, 0],
           [0, 2, 1]])
    """
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    joint = joint_counts(mask_true, mask_pred).without_true(ignore)
    matrix, unknown_true = matrix_from_joint(joint, np.arange(n_classes))
    if unknown_true.size:
        shown = ", ".join(str(int(value)) for value in unknown_true[:10])
        raise ValueError(
            f"mask_true has values that are neither classes (0..{n_classes - 1}) nor ignore values: {shown}"
        )
    return matrix


@dataclass(frozen=True)
class CellCounts:
    """Joint counts placed in a confusion matrix over some class ids: ``count`` pixels in cell
    ``(row, col)``; ``col`` is K (the last column) for predictions that are no class."""

    row: np.ndarray
    col: np.ndarray
    count: np.ndarray
    n_classes: int
    unknown_true: np.ndarray  # sorted true values that are not classes (their pixels are left out)

    def matrix(self) -> np.ndarray:
        """The dense ``(K, K + 1)`` matrix."""
        matrix = np.zeros((self.n_classes, self.n_classes + 1), np.int64)
        self.add_to(matrix)
        return matrix

    def add_to(self, matrix: np.ndarray) -> None:
        np.add.at(matrix, (self.row, self.col), self.count)


def place_joint(joint: JointCounts, class_ids: np.ndarray) -> CellCounts:
    """Where each joint count falls in a confusion matrix over ``class_ids``.

    Sparse: no ``K x K`` array is made.

    Parameters
    ----------
    joint : JointCounts
        Counts of one pair, or of many summed.
    class_ids : (K,) array_like of int
        Sorted and unique; row and column ``i`` is ``class_ids[i]``.

    Returns
    -------
    CellCounts
        One cell per count; column ``K`` takes predictions that are not in
        ``class_ids``; true values not in it are left out and listed.

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015: the counts ``n_ij`` of pixels of class i predicted as j.
    """
    class_ids = np.asarray(class_ids, dtype=np.int64)
    rows, true_known = positions_in(joint.true, class_ids)
    cols, pred_known = positions_in(joint.pred, class_ids)
    cols = np.where(pred_known, cols, class_ids.size)
    if true_known.all():
        return CellCounts(rows, cols, joint.count, class_ids.size, np.zeros(0, np.int64))
    return CellCounts(
        rows[true_known],
        cols[true_known],
        joint.count[true_known],
        class_ids.size,
        np.unique(joint.true[~true_known]),
    )


def matrix_from_joint(joint: JointCounts, class_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fold joint counts into a confusion matrix over ``class_ids`` (sorted, unique).

    Parameters
    ----------
    joint : JointCounts
        Counts of one pair, or of many summed.
    class_ids : (K,) array_like of int
        Sorted and unique.

    Returns
    -------
    matrix : (K, K + 1) int64 array
        As :func:`place_joint` places the counts.
    unknown_true : int64 array
        The sorted true values that are not in ``class_ids`` (their pixels are left out).

    References
    ----------
    .. [1] J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
       segmentation", CVPR 2015: the counts ``n_ij`` of pixels of class i predicted as j.
    """
    cells = place_joint(joint, class_ids)
    return cells.matrix(), cells.unknown_true


def positions_in(values: np.ndarray, class_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each value in the sorted ``class_ids``, and whether it is there.

    Parameters
    ----------
    values : array_like of int
        Any shape.
    class_ids : (K,) int array
        Sorted and unique.

    Returns
    -------
    index : int64 array
        The position of each value where it is found (an arbitrary valid index elsewhere).
    found : bool array
        Whether each value is in ``class_ids``.

    References
    ----------
    :func:`numpy.searchsorted`, on which it is built.

    Examples
    --------
    >>> [a.tolist() for a in positions_in(np.array([3, 5]), np.array([1, 3]))]
    [[1, 1], [True, False]]
    """
    if class_ids.size == 0:
        return np.zeros(np.shape(values), np.int64), np.zeros(np.shape(values), bool)
    index = np.minimum(np.searchsorted(class_ids, values), class_ids.size - 1)
    return index, class_ids[index] == values


def unknown_values(values: np.ndarray, class_ids: np.ndarray) -> np.ndarray:
    """The sorted distinct ``values`` that are not in the sorted ``class_ids``.

    Parameters
    ----------
    values : array_like of int
        Any shape.
    class_ids : (K,) int array
        Sorted and unique.

    Returns
    -------
    array
        Sorted and unique, of the dtype of ``values``.

    References
    ----------
    :func:`numpy.setdiff1d`, whose result this is, computed more cheaply.

    Examples
    --------
    >>> unknown_values(np.array([7, 1, 7, 9]), np.array([1, 2])).tolist()
    [7, 9]
    """
    _, known = positions_in(values, class_ids)
    return np.unique(values[~known]) if not known.all() else np.zeros(0, np.asarray(values).dtype)


# -- validation ---------------------------------------------------------------------------
def _checked_pair(mask_true: np.ndarray, mask_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask_true, mask_pred = np.asarray(mask_true), np.asarray(mask_pred)
    if mask_true.ndim != 2 or mask_pred.ndim != 2:
        raise ValueError(f"label masks must be 2-D, got shapes {mask_true.shape} and {mask_pred.shape}")
    if mask_true.shape != mask_pred.shape:
        raise ValueError(f"mask_true has shape {mask_true.shape} but mask_pred has {mask_pred.shape}")
    return _as_label_array(mask_true, "mask_true"), _as_label_array(mask_pred, "mask_pred")


def _as_label_array(mask: np.ndarray, name: str) -> np.ndarray:
    """uint8/uint16 as they are; other integer or boolean arrays converted when their values fit."""
    if mask.dtype in (np.uint8, np.uint16):
        return mask
    if mask.dtype == bool:
        return mask.view(np.uint8)
    if not np.issubdtype(mask.dtype, np.integer):
        raise ValueError(f"{name} must hold integer labels, got dtype {mask.dtype}")
    low, high = (int(mask.min()), int(mask.max())) if mask.size else (0, 0)
    if low < 0 or high > 65535:
        raise ValueError(f"{name} has values {low}..{high}; labels must lie in 0..65535")
    return mask.astype(np.uint8 if high <= 255 else np.uint16)


# -- work buffers -------------------------------------------------------------------------
class _Scratch(threading.local):
    """Large work arrays of this thread, allocated once and reused from image to image."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """An uninitialised array; the same memory as the last call with this name when it fits."""
        size = math.prod(shape) * np.dtype(dtype).itemsize
        if size > _SCRATCH_LIMIT:
            return np.empty(shape, dtype)
        buffer = self.buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self.buffers[name] = np.empty(size, np.uint8)
        return buffer[:size].view(dtype).reshape(shape)


_scratch = _Scratch()


# -- the two masks as rows in memory -------------------------------------------------------
def _contiguous(mask: np.ndarray, name: str) -> np.ndarray:
    """``mask`` itself when C-contiguous, else a copy in a work buffer.

    (OpenCV copies strided input slowly.)
    """
    if mask.flags.c_contiguous:
        return mask
    copy = _scratch.array(name, mask.shape, mask.dtype)
    np.copyto(copy, mask)
    return copy


def _rows_without_copy(mask_true: np.ndarray, mask_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Both masks as C-contiguous 2-D arrays, and how many padding (0, 0) pixels that added.

    Masks read with ``copy=False`` from PNGs without row filters are views of their
    PNG rows (:func:`~segtool.arrays.padded_rows`): those rows are counted whole,
    without a copy, and each row's leading zero is a (0, 0) pair taken out after.
    One mask given twice (:func:`value_counts`) comes back as one array twice.
    """
    if mask_pred is mask_true:
        padded = padded_rows(mask_true)
        rows, padding = (
            (padded, mask_true.shape[0]) if padded is not None else (_contiguous(mask_true, "true"), 0)
        )
        return rows, rows, padding
    padded_true, padded_pred = padded_rows(mask_true), padded_rows(mask_pred)
    if padded_true is not None and padded_pred is not None:
        return padded_true, padded_pred, mask_true.shape[0]
    return _contiguous(mask_true, "true"), _contiguous(mask_pred, "pred"), 0


# -- counting -----------------------------------------------------------------------------
def _differs_from_next(true_rows: np.ndarray, pred_rows: np.ndarray) -> np.ndarray:
    """Boolean, flat: pixel ``i + 1`` differs from pixel ``i`` in the truth or in the prediction.

    A bool array, since NumPy finds the nonzeros of those fastest. The masks are
    compared one by one and the answers or-ed: cheaper than packing them first.
    """
    true_flat, pred_flat = true_rows.reshape(-1, 1), pred_rows.reshape(-1, 1)  # 2-D: never taken for scalars
    size = true_flat.shape[0] - 1
    if size < 1:
        return np.zeros(0, bool)
    differs = _scratch.array("differs", (size, 1), np.uint8)
    cv2.compare(true_flat[1:], true_flat[:-1], cv2.CMP_NE, differs)
    if pred_rows is not true_rows:  # one mask counted on its own is compared once
        other = _scratch.array("differs_pred", (size, 1), np.uint8)
        cv2.compare(pred_flat[1:], pred_flat[:-1], cv2.CMP_NE, other)
        cv2.bitwise_or(differs, other, differs)
    return differs.reshape(-1).view(bool)


def _change_positions(
    true_rows: np.ndarray, pred_rows: np.ndarray, *, give_up_when_noisy: bool
) -> np.ndarray | None:
    """Sorted flat positions ``i`` where pixel ``i + 1`` differs from pixel ``i`` in either mask.

    With ``give_up_when_noisy``, None when more than :data:`NOISY_WORD_FRACTION`
    of the 8-pixel words hold a change (a histogram is then cheaper).
    """
    differs = _differs_from_next(true_rows, pred_rows)
    most_words = int(differs.size / 8 * NOISY_WORD_FRACTION) if give_up_when_noisy else None
    return _sparse_flatnonzero(differs, most_words=most_words)


def _count_runs(
    true_flat: np.ndarray, pred_flat: np.ndarray, changes: np.ndarray, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct codes ``true << bits | pred`` and their pixel counts, one step per run."""
    starts = np.empty(changes.size + 1, np.intp)
    starts[0] = 0
    np.add(changes, 1, out=starts[1:])
    lengths = np.diff(starts, append=true_flat.size)
    codes = np.take(true_flat, starts).astype(np.int64)
    codes <<= bits
    codes |= np.take(pred_flat, starts)
    if bits == 8:
        totals = np.bincount(codes, weights=lengths)
        values = np.flatnonzero(totals != 0)  # every run is at least one pixel long
        return values, totals[values].astype(np.int64)
    values, inverse = np.unique(codes, return_inverse=True)
    return values, np.bincount(inverse, weights=lengths, minlength=values.size).astype(np.int64)


def _sparse_flatnonzero(flags: np.ndarray, *, most_words: int | None = None) -> np.ndarray | None:
    """``np.flatnonzero`` of a flat bool array with few nonzeros, in two steps.

    Finding the nonzero 8-byte words first and then the nonzero bytes among only
    those is cheaper than one pass over every byte when the nonzeros are sparse.
    None when more than ``most_words`` words hold a nonzero.
    """
    flag_bytes = flags.view(np.uint8)
    whole = flag_bytes.size // 8 * 8
    words = flag_bytes[:whole].view(np.uint64)
    word_index = np.flatnonzero(words != 0)
    if most_words is not None and word_index.size > most_words:
        return None
    byte_index = np.flatnonzero(words[word_index].view(np.uint8) != 0)
    found = word_index[byte_index >> 3] * 8 + (byte_index & 7)
    if whole == flag_bytes.size:
        return found
    return np.concatenate((found, np.flatnonzero(flag_bytes[whole:]) + whole))


def _packed_codes_8bit(true_rows: np.ndarray, pred_rows: np.ndarray) -> np.ndarray:
    """2-D uint16 codes ``true << 8 | pred``, by interleaving the bytes (little-endian view)."""
    pairs = cv2.merge([pred_rows, true_rows], _scratch.array("codes", (*true_rows.shape, 2), np.uint8))
    codes = pairs.view(np.uint16).reshape(true_rows.shape)
    return codes if np.little_endian else codes.byteswap()


def _histogram_16bit(image_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Full 65536-bin histogram of a 2-D uint16 code image with OpenCV, in exactly countable slices."""
    totals = np.zeros(1 << 16, np.int64)
    rows_per_slice = max(1, _FLOAT32_EXACT // image_codes.shape[1])
    for start in range(0, image_codes.shape[0], rows_per_slice):
        piece = image_codes[start : start + rows_per_slice]
        totals += cv2.calcHist([piece], [0], None, [1 << 16], [0, 1 << 16]).reshape(-1).astype(np.int64)
    values = np.flatnonzero(totals)
    return values, totals[values]
