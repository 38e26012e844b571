"""Array layouts shared by the readers, writers and counters: label rows with their PNG filter bytes.

A label image decoded from an unfiltered PNG, or drawn by
``segtool.raster.rasterize_image(..., padded=True)``, is a view into an
``(H, W + 1)`` uint8 buffer whose first column holds each row's filter byte 0.
:func:`padded_rows` recognises such views, so that PNG writing
(:mod:`segtool.io.maskio`) and pair counting (:mod:`segtool.metrics.confusion`)
can use the whole rows without copying them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["padded_rows"]


def padded_rows(array: np.ndarray) -> np.ndarray | None:
    """The (H, W + 1) uint8 array whose columns 1.. are ``array``, if ``array`` is such a view and
    column 0 is all zeros; else None.

    Such an array is a label image's PNG rows, each led by its filter byte 0 (no
    filter): :func:`decode_png` with ``copy=False`` returns these views, and so does
    ``segtool.raster.rasterize_image(..., padded=True)``.
    """
    base = array.base
    if array.dtype != np.uint8 or array.ndim != 2 or array.size == 0 or not isinstance(base, np.ndarray):
        return None
    height, width = array.shape
    if (
        base.dtype != np.uint8
        or base.size != height * (width + 1)
        or not base.flags.c_contiguous
        or array.strides != (width + 1, 1)
        or array.ctypes.data != base.ctypes.data + 1
    ):
        return None
    rows = base.reshape(height, width + 1)
    return None if rows[:, 0].any() else rows
