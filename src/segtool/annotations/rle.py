"""COCO run-length encoded masks (RLE) to boolean arrays.

Conventions of the format
-------------------------
* ``size`` is ``[height, width]``; the mask is read in **column-major** order:
  down the first column, then down the second, and so on.
* ``counts`` are run lengths that alternate between background and foreground,
  **starting with background** (so a mask whose first pixel is set starts with 0).
  They add up to height x width.
* *Uncompressed* RLE stores ``counts`` as a list of integers.
* *Compressed* RLE stores them as a string. Each count is first replaced, from
  the fourth count on (index 3), by its difference from the count two places
  before it (these differences may be negative). Each value is then written in
  5-bit groups, least significant first, one character per group: the character
  is ``48 + group``, plus 32 when more groups follow. The last group's bit 16 is
  the sign: when it is set, the value is negative (the bits above are all ones).
  For example ``[0, 6, 1, 3]`` is ``"061M"``: 3 - 6 = -3, whose low five bits are
  29 (bit 16 set, so negative, and nothing more), and ``chr(48 + 29) == "M"``.

Errors are :class:`ValueError` with a message a reader can put after the
annotation's name.
"""

from __future__ import annotations

import numpy as np

_OFFSET = 48  # "0"
_MORE = 0x20
_SIGN = 0x10
_GROUP = 0x1F
_LONGEST = (
    65  # bits: no count of an image within the pixel limit needs more (and bigger ones cost quadratic time)
)


def counts_from_string(text: str) -> list[int]:
    """The run lengths a compressed RLE string stands for (see the module docstring).

    >>> counts_from_string("061M"), counts_from_string("0PP1")
    ([0, 6, 1, 3], [0, 1024])
    """
    counts: list[int] = []
    value = shift = 0
    for position, char in enumerate(text):
        group = ord(char) - _OFFSET
        if not 0 <= group <= _MORE | _GROUP:
            raise ValueError(f"RLE counts string has a character {char!r} at {position} outside '0'..'o'")
        value |= (group & _GROUP) << shift
        shift += 5
        if group & _MORE:
            if shift >= _LONGEST:
                raise ValueError(
                    f"RLE counts string has a number longer than {_LONGEST // 5} characters at {position}"
                )
            continue
        if group & _SIGN:
            value -= 1 << shift
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
        value = shift = 0
    if shift:
        raise ValueError("RLE counts string ends in the middle of a number")
    return counts


def decode_rle(counts: object, height: int, width: int) -> np.ndarray:
    """The (height, width) boolean mask of an RLE, from compressed or uncompressed ``counts``.

    ``counts`` is a compressed string or a list of whole numbers as a file holds
    it; anything else is a ``ValueError``.

    >>> decode_rle([1, 2, 3], 2, 3).astype(int)
    array([[0, 1, 0],
           [1, 0, 0]])
    """
    if height <= 0 or width <= 0:
        raise ValueError(f"RLE size must be positive, not {height}x{width}")
    runs = np.asarray(counts_from_string(counts) if isinstance(counts, str) else _checked_list(counts))
    if runs.size and (runs < 0).any():
        raise ValueError(f"RLE counts contain a negative run ({int(runs.min())})")
    if runs.size and runs.max() > height * width:  # also keeps the sum below from wrapping around
        raise ValueError(
            f"RLE counts contain a run of {int(runs.max())}, longer than the {height}x{width} mask"
        )
    total = int(runs.sum()) if runs.size else 0
    if total != height * width:
        raise ValueError(
            f"RLE counts add up to {total} pixels but its size {height}x{width} has {height * width}"
        )
    values = np.zeros(runs.size, dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, runs.astype(np.int64))
    return np.ascontiguousarray(flat.reshape(width, height).T)


def _checked_list(counts: object) -> list[int]:
    if not isinstance(counts, (list, tuple)) or not all(
        isinstance(count, int) and not isinstance(count, bool) for count in counts
    ):
        raise ValueError("RLE counts must be a string or a list of whole numbers")
    return list(counts)
