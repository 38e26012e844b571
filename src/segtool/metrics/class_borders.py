"""The boundaries of every class of a label map at once, as pixel coordinates.

The rule is :mod:`segtool.metrics.surface`'s, applied to all classes in one
pass over the image instead of one pass per class: a pixel of class ``c`` is on
the boundary of ``c`` when a 4-neighbour is a *known* pixel of another class.
Known means inside the image and ``valid`` (its ground truth is not ignored);
with ``edge_is_boundary=True`` unknown neighbours (beyond the image edge, or
not valid) count as outside too. Pixels that are not valid belong to no class.

Each class's boundary pixels come out in row-major order, as
``np.nonzero(boundary_of_c)`` gives them, so that sums over them round exactly
as a per-class computation would.
"""

from __future__ import annotations

import numpy as np

from .distance_transform import Spacing
from .nearest import group_rows_for, nearest_squared_distances


class ClassBorders:
    """Boundary pixels of every class of one label map (see the module docstring).

    Parameters
    ----------
    labels : (H, W) integer array
        The label map.
    valid : (H, W) bool array or None
        Pixels whose ground truth is known; None when all are.
    edge_is_boundary : bool
        Let unknown neighbours make a boundary.
    """

    def __init__(self, labels: np.ndarray, valid: np.ndarray | None, *, edge_is_boundary: bool) -> None:
        self.shape: tuple[int, int] = labels.shape
        flat = np.flatnonzero(_border_mask(labels, valid, edge_is_boundary=edge_is_boundary))
        classes = labels.reshape(-1)[flat]
        order = np.argsort(classes, kind="stable")  # stable: row-major within each class
        self._flat, self._classes = flat[order], classes[order].astype(np.int64)

    def span(self, class_id: int) -> slice:
        """Where the boundary pixels of ``class_id`` lie in the class-major order of this map."""
        start, stop = np.searchsorted(self._classes, [class_id, class_id + 1])
        return slice(int(start), int(stop))

    def squared_distances_to(self, other: ClassBorders, *, spacing: Spacing) -> np.ndarray:
        """For each boundary pixel here, class-major, the squared distance to the nearest boundary pixel of
        its class in ``other`` (inf when ``other`` has none of that class); one search for all classes.
        """
        height, width = self.shape
        # Each class's pixels in its own group of rows (see segtool.metrics.nearest).
        group_rows = group_rows_for(height)
        return nearest_squared_distances(
            *self._stacked_rows_cols(group_rows),
            *other._stacked_rows_cols(group_rows),
            width=width,
            spacing=spacing,
            group_rows=group_rows,
        )

    def _stacked_rows_cols(self, group_rows: int) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.divmod(self._flat, self.shape[1])
        return self._classes * group_rows + rows, cols


def _border_mask(labels: np.ndarray, valid: np.ndarray | None, *, edge_is_boundary: bool) -> np.ndarray:
    """True at the pixels on the boundary of their own class."""
    height, width = labels.shape
    across = labels[:, 1:] != labels[:, :-1]  # pixel and its right neighbour differ
    down = labels[1:] != labels[:-1]  # pixel and the one below differ
    if valid is not None:
        if edge_is_boundary:  # a known pixel next to an unknown one is on a boundary
            across |= valid[:, 1:] != valid[:, :-1]
            down |= valid[1:] != valid[:-1]
        else:  # only two known pixels of different classes make one
            across &= valid[:, 1:]
            across &= valid[:, :-1]
            down &= valid[1:]
            down &= valid[:-1]
    border = np.zeros((height, width), bool)
    border[:, 1:] |= across
    border[:, :-1] |= across
    border[1:] |= down
    border[:-1] |= down
    if edge_is_boundary:
        border[[0, -1]] = True
        border[:, [0, -1]] = True
    if valid is not None:
        border &= valid
    return border
