"""A ground-truth mask and its prediction read together, as every scorer and picture reads them.

Conventions
-----------
* Both are read as class ids (:func:`~segtool.io.maskio.read_label_ids`); a
  prediction pixel whose colour is not in the label map becomes
  :func:`unknown_colour_value`, which is never a class (65535 unless the map
  uses it: 65535 is a legal class id).
* A missing prediction (``None``) is an all-background mask of the ground truth's size.
* Nothing is ever resized: masks (and photos drawn under them) of different
  sizes are a :class:`~segtool.errors.SizeMismatchError` naming both files and
  both sizes, width x height.
"""

from __future__ import annotations

import numpy as np

from ..errors import SizeMismatchError
from ..labels import LabelMap
from ..limits import DEFAULT_MAX_PIXELS
from .maskio import read_label_ids
from .storage import Location, LocationLike

__all__ = ["check_same_size", "read_mask_pair", "unknown_colour_value"]


def unknown_colour_value(label_map: LabelMap | None) -> int:
    """The value prediction pixels of a colour not in ``label_map`` get: no class, not the ignore value.

    The largest such value: 65535 unless the map uses it.

    >>> unknown_colour_value(None), unknown_colour_value(LabelMap.from_names(["a"]))
    (65535, 65535)
    >>> from segtool.labels import Label
    >>> unknown_colour_value(LabelMap([Label(0, "_background_", (0, 0, 0)), Label(65535, "far", (9, 9, 9))]))
    65534
    """
    taken = set() if label_map is None else {*label_map.ids, label_map.ignore_value}
    for value in range(65535, -1, -1):
        if value not in taken:
            return value
    raise ValueError("the label map uses every value 0..65535: none is left for unknown colours")


def check_same_size(
    path: LocationLike,
    shape: tuple[int, ...],
    reference: Location | str,
    reference_shape: tuple[int, ...],
    *,
    what: str = "the prediction",
) -> None:
    """Raise a :class:`SizeMismatchError` on ``path`` unless its height and width are the reference's.

    ``reference`` names the other side: a file, or words such as ``"the masks of a/b"``.

    >>> check_same_size("p.png", (2, 3), "g.png", (2, 3))
    >>> check_same_size("p.png", (2, 3), "g.png", (3, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segtool.errors.SizeMismatchError: p.png: the prediction is 3x2 but g.png is 2x3 (width x height); ...
    """
    if tuple(shape[:2]) != tuple(reference_shape[:2]):
        raise SizeMismatchError(
            f"{what} is {shape[1]}x{shape[0]} but {reference} is {reference_shape[1]}x{reference_shape[0]} "
            "(width x height); nothing is resized",
            path=path,
        )


def read_mask_pair(
    gt_path: Location,
    pred_path: Location | None,
    *,
    label_map: LabelMap | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    minus_one: int | None = None,
    copy: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``(truth, guess)``: both masks as class ids, of the same size (see the module docstring).

    ``max_pixels``, ``minus_one`` and ``copy`` are passed to
    :func:`~segtool.io.maskio.read_label_ids`.
    """
    truth = read_label_ids(
        gt_path, label_map=label_map, max_pixels=max_pixels, copy=copy, minus_one=minus_one
    )
    if pred_path is None:
        return truth, np.zeros(truth.shape, np.uint8)
    guess = read_label_ids(
        pred_path,
        label_map=label_map,
        unknown_colour=unknown_colour_value(label_map),
        max_pixels=max_pixels,
        copy=copy,
        minus_one=minus_one,
    )
    check_same_size(pred_path, guess.shape, f"the ground truth {gt_path}", truth.shape)
    return truth, guess
