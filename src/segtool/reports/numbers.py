"""Numbers for people (tables, Markdown, HTML tables and chart labels): one format per column.

Every cell of a column is written in one format, chosen from all of the column's
values by :func:`column_format`:

* fixed ``digits`` decimals (``0.9899``, ``0.5000``);
* when a nonzero value would show as zero at that many decimals, the whole column gets
  more decimals, up to ``digits + EXTRA_DECIMALS`` (``0.000109`` and ``0.5`` at 4 digits:
  ``0.0001`` and ``0.5000``; ``0.00004`` and ``0.5``: ``0.00004`` and ``0.50000``);
* when even that would show a nonzero value as zero, the whole column is in scientific
  notation with ``digits`` significant digits (``1.234e-09``, ``5.000e-01``).

So a column never mixes ``1.09e-04`` with ``0.000``. Integers are written whole, booleans as
``yes``/``no``, and undefined values (None, NaN) as a mark (a dash). Only floats are rounded.
CSV and JSON never come here: they keep full precision (:mod:`segtool.reports.rows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

UNDEFINED_MARK = "-"
#: A column gets at most this many decimals more than asked before it turns scientific.
EXTRA_DECIMALS = 2


def is_undefined(value: Any) -> bool:
    """True for ``None`` and float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class NumberFormat:
    """How one column writes its floats: ``decimals`` fixed decimals, or scientific notation
    with ``decimals`` decimals in the mantissa.

    >>> NumberFormat(3)(0.5), NumberFormat(3)(0.25, signed=True), NumberFormat(2, scientific=True)(1e-9)
    ('0.500', '+0.250', '1.00e-09')
    >>> NumberFormat(3)(None), NumberFormat(3)(7), NumberFormat(3)(True), NumberFormat(3)(None, missing="–")
    ('-', '7', 'yes', '–')
    """

    decimals: int
    scientific: bool = False

    def __call__(self, value: Any, *, signed: bool = False, missing: str = UNDEFINED_MARK) -> str:
        """``value`` in this format; ``signed`` writes ``+`` before positive numbers."""
        if is_undefined(value):
            return missing
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:+d}" if signed else str(value)
        if not isinstance(value, float):
            return str(value)
        sign = "+" if signed else ""
        return f"{value:{sign}.{self.decimals}{'e' if self.scientific else 'f'}}"


def column_format(values: Iterable[Any], digits: int) -> NumberFormat:
    """The one format for a column holding ``values`` (see the module docstring).

    >>> column_format([0.5, 0.000109], 4), column_format([0.5, 0.00004], 4)
    (NumberFormat(decimals=4, scientific=False), NumberFormat(decimals=5, scientific=False))
    >>> column_format([0.5, 1e-9, None, float("nan"), 3], 4)
    NumberFormat(decimals=3, scientific=True)
    """
    smallest = min(
        (abs(value) for value in values if isinstance(value, float) and math.isfinite(value) and value != 0),
        default=None,
    )
    if smallest is None:
        return NumberFormat(digits)
    for decimals in range(digits, digits + EXTRA_DECIMALS + 1):
        if float(f"{smallest:.{decimals}f}") != 0:
            return NumberFormat(decimals)
    return NumberFormat(max(digits - 1, 0), scientific=True)


def format_number(value: Any, digits: int, *, signed: bool = False, missing: str = UNDEFINED_MARK) -> str:
    """One value on its own (a note, a tooltip) by the same rule as a column of one.

    >>> format_number(0.96597, 4), format_number(0.000109, 3), format_number(float("nan"), 4)
    ('0.9660', '0.0001', '-')
    """
    return column_format([value], digits)(value, signed=signed, missing=missing)
