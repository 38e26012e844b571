"""``point_array`` (every reader's points): its fast path agrees with NumPy's own conversion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segtool.annotations.fields import point_array
from segtool.errors import AnnotationError

SOURCE = Path("shapes.json")
PAIRS = "points must be a list of [x, y] number pairs"
NOT_FINITE = "points contains a coordinate that is not a finite number"


def numpy_conversion(value: list) -> np.ndarray | str:
    """The rule written out with NumPy: a 2-column integer or float array, else the problem."""
    try:
        array = np.asarray(value)
    except (ValueError, OverflowError):
        return PAIRS
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iuf":
        return PAIRS
    array = array.astype(np.float64)
    return array if np.isfinite(array).all() else NOT_FINITE


# What JSON parsing gives, with the awkward numbers near int64's limits and beyond any float.
scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=2)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**400, 1e300, -0.0])
)
item = (
    st.lists(scalar, max_size=3)
    | scalar
    | st.dictionaries(st.text(max_size=1), scalar, max_size=2)
    | st.lists(st.lists(scalar, max_size=2), max_size=2)
)
clean_pair = st.lists(st.floats(-1e4, 1e4) | st.integers(-(10**6), 10**6), min_size=2, max_size=2)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(item, min_size=1, max_size=4)
    | st.lists(clean_pair, min_size=1, max_size=5)
    | st.lists(clean_pair, min_size=1, max_size=3).flatmap(
        lambda pairs: st.tuples(st.just(pairs), st.integers(0, len(pairs) - 1), item).map(
            lambda case: case[0][: case[1]] + [case[2]] + case[0][case[1] + 1 :]
        )
    )
)
def test_same_numbers_or_same_message_as_numpys_conversion(value):
    expected = numpy_conversion(value)
    if isinstance(expected, str):
        with pytest.raises(AnnotationError) as raised:
            point_array(value, source=SOURCE, where="shape 1")
        assert raised.value.message == f"shape 1: {expected}"
    else:
        got = point_array(value, source=SOURCE, where="shape 1")
        assert got.dtype == np.float64 and got.shape == expected.shape
        assert np.array_equal(got, expected) and np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([[1, 2.5], [3, 4]], [[1.0, 2.5], [3.0, 4.0]]),
        ([[True, 2.0]], [[1.0, 2.0]]),  # a boolean among numbers: NumPy makes it 1.0
        ([[2**62, -1]], [[2.0**62, -1.0]]),
        ([[1e300, 0]], [[1e300, 0.0]]),  # far, but a number: the rasterizer refuses it later
    ],
)
def test_accepted_values(value, expected):
    assert point_array(value, source=SOURCE, where="shape 1").tolist() == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([[True, False], [False, True]], PAIRS),  # booleans only
        ([[0, 0], [2**64 + 1, 0]], PAIRS),  # an integer beyond uint64
        ([[0.5, 10**400]], PAIRS),  # an integer beyond any float
        ([[1, 2], [3, 4, 5]], PAIRS),
        ([[1, 2], ["3", 4]], PAIRS),
        ([[1, 2], [None, 4]], PAIRS),
        ([{"x": 1, "y": 2}], PAIRS),
        ([[1, 2], [float("nan"), 4]], NOT_FINITE),
    ],
)
def test_refused_values(value, problem):
    with pytest.raises(AnnotationError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        point_array(value, source=SOURCE, where="shape 1")
