"""Checking the fields of a parsed annotation document, for every reader.

Each check returns the value in the form the model wants or raises an
:class:`~segtool.errors.AnnotationError` whose message names the file and the
place (``where``, e.g. "shape 3 (polygon 'car')") and says what is wrong, so that
a malformed file never surfaces as a ``KeyError`` or ``TypeError``.
Booleans are not numbers here, although Python says they are.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np

from ..errors import AnnotationError
from ..io.storage import Location
from ..limits import pixel_limit_problem

_INT64_LIMIT = 2.0**63  # numbers from here on leave point_array's fast path


def fail(source: Location, where: str, problem: str) -> AnnotationError:
    """The error to raise for ``problem`` at ``where`` (an empty ``where`` means the whole file)."""
    return AnnotationError(f"{where}: {problem}" if where else problem, path=source)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def finite_number(value: Any, *, source: Location, where: str, field: str) -> float:
    """``value`` as a float; an error unless it is a finite JSON number."""
    if not is_number(value) or not math.isfinite(value):
        raise fail(source, where, f"{field} must be a finite number, not {_show(value)}")
    return float(value)


def positive_int(value: Any, *, source: Location, where: str, field: str) -> int:
    """``value`` as an int; an error unless it is a whole number > 0 (``640.0`` is accepted)."""
    if not is_number(value) or not math.isfinite(value) or value != int(value) or value <= 0:
        raise fail(source, where, f"{field} must be a whole number > 0, not {_show(value)}")
    return int(value)


def check_pixels(
    height: int, width: int, max_pixels: int, *, source: Location, where: str, what: str
) -> None:
    """An error unless ``what`` (a bitmap about to be decoded) of ``height`` x ``width`` is in the limit."""
    too_large = pixel_limit_problem(what, height, width, max_pixels)
    if too_large:
        raise fail(source, where, too_large)


def point_array(value: Any, *, source: Location, where: str, field: str = "points") -> np.ndarray:
    """A list of ``[x, y]`` number pairs as an (N, 2) float64 array of finite values (N may be 0)."""
    if not isinstance(value, list):
        raise fail(source, where, f"{field} must be a list of [x, y] pairs, not {_show(value)}")
    if not value:
        return np.empty((0, 2), dtype=np.float64)
    array = _plain_number_pairs(value)
    if array is not None:
        return array
    try:
        array = np.asarray(value)
    except ValueError:  # ragged: pairs of different lengths
        array = None
    if array is None or array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iuf":
        raise fail(source, where, f"{field} must be a list of [x, y] number pairs")
    return _finite(array.astype(np.float64), source=source, where=where, field=field)


def _plain_number_pairs(value: list) -> np.ndarray | None:
    """The usual case, quickly: pairs of finite JSON numbers as an (N, 2) float64 array; else None.

    None hands ``value`` to the general path of :func:`point_array`, which decides
    and names the problem; so this accepts only what that path accepts (all-boolean
    pairs, integers beyond int64 and non-finite numbers go there), with the same values.
    """
    try:
        xs, ys = zip(*value, strict=True)  # a ValueError unless every item is a pair
        sum(xs), sum(ys)  # a TypeError for strings, None, lists: only numbers add up
        if type(xs[0]) is bool:
            return None
        array = np.fromiter(chain.from_iterable(value), np.float64, 2 * len(value))
    except (TypeError, ValueError, OverflowError):  # overflow: an integer beyond any float
        return None
    if not (array.min() > -_INT64_LIMIT and array.max() < _INT64_LIMIT):  # NaN fails both
        return None
    return array.reshape(-1, 2)


def flat_point_array(value: Any, *, source: Location, where: str, field: str) -> np.ndarray:
    """A flat list ``[x1, y1, x2, y2, ...]`` (COCO polygons) as an (N, 2) float64 array."""
    if not isinstance(value, list):
        raise fail(source, where, f"{field} must be a list [x1, y1, x2, y2, ...], not {_show(value)}")
    try:
        array = np.asarray(value) if value else np.empty(0, dtype=np.float64)
    except ValueError:  # ragged: nested lists of different lengths
        array = None
    if array is None or array.ndim != 1 or (array.size and array.dtype.kind not in "iuf"):
        raise fail(source, where, f"{field} must be a flat list of numbers [x1, y1, x2, y2, ...]")
    if array.size % 2:
        raise fail(source, where, f"{field} has an odd number of coordinates ({array.size})")
    return _finite(array.astype(np.float64).reshape(-1, 2), source=source, where=where, field=field)


def _finite(array: np.ndarray, *, source: Location, where: str, field: str) -> np.ndarray:
    if not np.isfinite(array).all():
        raise fail(source, where, f"{field} contains a coordinate that is not a finite number")
    return array


def _show(value: Any, limit: int = 40) -> str:
    """A short description of a bad value for a message."""
    text = repr(value)
    if len(text) > limit:
        text = f"a {type(value).__name__}"
    return text
