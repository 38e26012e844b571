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

from dataclasses import dataclass

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
    return decode_rle_box(rle_runs(counts, height, width), height, RunBox(0, 0, height, width))


def decode_rle_box(runs: np.ndarray, height: int, box: RunBox) -> np.ndarray:
    """The part of a COCO RLE's mask (``height`` rows) inside ``box`` (:func:`runs_box` of its
    columns) as a (rows, columns) boolean array."""
    return np.ascontiguousarray(decode_box(runs, height, box).T)


def rle_runs(counts: object, height: int, width: int) -> np.ndarray:
    """The run lengths of a COCO RLE as int64, checked against its size (a ``ValueError`` if they do
    not cover height x width pixels exactly); nothing of the mask's size is made."""
    if height <= 0 or width <= 0:
        raise ValueError(f"RLE size must be positive, not {height}x{width}")
    runs = np.asarray(counts_from_string(counts) if isinstance(counts, str) else _checked_list(counts))
    return checked_runs(runs, height * width, f"its size {height}x{width}", prefix="RLE counts")


def checked_runs(runs: np.ndarray, pixels: int, area: str, *, prefix: str = "the runs") -> np.ndarray:
    """``runs`` as int64 if they are non-negative and add up to ``pixels`` (of ``area``).

    Else a ``ValueError`` whose message starts with ``prefix``.
    """
    runs = np.asarray(runs, dtype=np.int64) if len(runs) else np.zeros(0, np.int64)
    if runs.size and (runs < 0).any():
        raise ValueError(f"{prefix} contain a negative run ({int(runs.min())})")
    if runs.size and runs.max() > pixels:  # also keeps the sum below from wrapping around
        raise ValueError(f"{prefix} contain a run of {int(runs.max())}, more pixels than {area}")
    total = int(runs.sum()) if runs.size else 0
    if total != pixels:
        raise ValueError(f"{prefix} add up to {total} pixels but {area} has {pixels}")
    return runs


# -- decoding over the bounding box only ------------------------------------------------------
# Runs alternate background and foreground along lines of ``line`` pixels: the columns of a
# COCO RLE (column-major, a line is ``height`` long), the rows of a CVAT mask (row-major).
# The box of the foreground comes from the runs alone, and only the box is decoded: five
# one-pixel RLEs on a 32768 x 32768 image cost five pixels, not five gigabytes.


@dataclass(frozen=True)
class RunBox:
    """The foreground's box in line terms: lines ``first_line ..`` (``lines`` of them), positions
    ``first ..`` along each line (``length`` of them)."""

    first: int
    first_line: int
    length: int
    lines: int


def _foreground(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and (exclusive) end positions of the non-empty foreground runs."""
    ends = np.cumsum(runs)
    starts = ends - runs
    keep = np.zeros(runs.size, bool)
    keep[1::2] = runs[1::2] > 0
    return starts[keep], ends[keep]


def runs_box(runs: np.ndarray, line: int) -> RunBox | None:
    """The box of the foreground of ``runs`` along lines of ``line`` pixels; None when it is empty.

    >>> runs_box(np.array([5, 2, 100]), 4)  # pixels 5 and 6: line 1, positions 1 and 2
    RunBox(first=1, first_line=1, length=2, lines=1)
    """
    starts, ends = _foreground(runs)
    if starts.size == 0:
        return None
    first_lines, last_lines = starts // line, (ends - 1) // line
    one_line = first_lines == last_lines  # a run across a line's end covers both ends of the lines
    first = int(np.where(one_line, starts % line, 0).min())
    last = int(np.where(one_line, (ends - 1) % line, line - 1).max())
    first_line = int(first_lines.min())
    return RunBox(first, first_line, last - first + 1, int(last_lines.max()) - first_line + 1)


def decode_box(runs: np.ndarray, line: int, box: RunBox) -> np.ndarray:
    """The foreground of ``runs`` inside ``box`` as a (box.lines, box.length) boolean array.

    Runs are cut at line ends, so the work is one step per run and per line a run crosses.

    >>> decode_box(np.array([5, 2, 100]), 4, RunBox(1, 1, 2, 1)).astype(int).tolist()
    [[1, 1]]
    """
    starts, ends = _foreground(runs)
    first_lines, last_lines = starts // line, (ends - 1) // line
    pieces = last_lines - first_lines + 1
    run = np.repeat(np.arange(starts.size), pieces)
    piece_line = first_lines[run] + np.arange(run.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    begin = np.where(piece_line == first_lines[run], starts[run] % line, 0)
    end = np.where(piece_line == last_lines[run], (ends[run] - 1) % line, line - 1) + 1
    keep = (end > box.first) & (begin < box.first + box.length)
    offsets = (piece_line[keep] - box.first_line) * box.length - box.first
    edges = np.zeros(box.lines * box.length + 1, np.int8)  # +1 where a piece starts, -1 after it ends
    np.add.at(edges, offsets + np.maximum(begin[keep], box.first), 1)
    np.add.at(edges, offsets + np.minimum(end[keep], box.first + box.length), -1)
    np.cumsum(edges, dtype=np.int8, out=edges)  # in place: one byte per pixel of the box, no more
    return edges[:-1].view(bool).reshape(box.lines, box.length)


def _checked_list(counts: object) -> list[int]:
    if not isinstance(counts, (list, tuple)) or not all(
        isinstance(count, int) and not isinstance(count, bool) for count in counts
    ):
        raise ValueError("RLE counts must be a string or a list of whole numbers")
    return list(counts)
