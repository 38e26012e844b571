"""Label Studio's brush RLE: a bit-packed run-length code of the RGBA pixels of a brush layer.

The ``rle`` value of a ``brushlabels`` region is a list of bytes, read as one
bit stream, most significant bit first:

* header: 32 bits ``count`` (number of values, 4 per pixel), 5 bits
  ``word_size - 1``, then four 4-bit fields ``run_bits[k] - 1``;
* then records until ``count`` values are out: 1 bit ``repeat``, 2 bits ``k``,
  ``run_bits[k]`` bits ``length - 1``; a repeat record is one ``word_size``-bit
  value used ``length`` times, otherwise ``length`` values follow one by one.

The values are the RGBA bytes of the image-sized layer, row by row; a pixel
belongs to the region when its alpha is not 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .rle import RunBox, decode_box

_WINDOW = 8  # bytes read at once: a record's header and one word (at most 1+2+16+32 bits) fit in 64 bits


def decode_brush_rle(data: Sequence[int], *, expected_count: int | None = None) -> np.ndarray:
    """The values a Label Studio brush RLE encodes, as a 1-D uint32 array.

    Raises ``ValueError`` when ``data`` is not a list of bytes, is cut short, or
    (checked before decoding) does not hold ``expected_count`` values.
    """
    values, lengths = brush_runs(data, expected_count=expected_count)
    return np.repeat(values, lengths)


def brush_runs(data: Sequence[int], *, expected_count: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The values of a brush RLE as runs: (value, length) uint32 and int64 arrays, not expanded.

    Their number is bounded by the data's length, whatever count the header declares.
    """
    try:
        raw = bytes(data)
    except TypeError:
        raise ValueError("it is not a list of byte values") from None
    total_bits = len(raw) * 8
    padded = raw + bytes(_WINDOW)
    if total_bits < 32 + 5 + 16:
        raise ValueError("it is shorter than its header")
    header = int.from_bytes(raw[:7], "big") >> (56 - 53)
    count = header >> 21
    word_size = ((header >> 16) & 0x1F) + 1
    run_bits = [((header >> shift) & 0xF) + 1 for shift in (12, 8, 4, 0)]
    if expected_count is not None and count != expected_count:
        raise ValueError(f"it holds {count} values, {expected_count} were expected")
    word_mask = (1 << word_size) - 1
    values: list[int] = []
    lengths: list[int] = []
    position, done = 53, 0

    def window_at(bit: int) -> tuple[int, int]:
        """64 bits starting at the byte holding ``bit``, and how many of them lie at or after it."""
        return int.from_bytes(padded[bit >> 3 : (bit >> 3) + _WINDOW], "big"), 64 - (bit & 7)

    while done < count:
        window, left = window_at(position)
        width = run_bits[(window >> (left - 3)) & 3]
        length = ((window >> (left - 3 - width)) & ((1 << width) - 1)) + 1
        position += 3 + width
        if (window >> (left - 1)) & 1:  # repeat record: one word, used `length` times
            values.append((window >> (left - 3 - width - word_size)) & word_mask)
            lengths.append(length)
            position += word_size
        else:  # literal record: `length` words
            for _ in range(length):
                window, left = window_at(position)
                values.append((window >> (left - word_size)) & word_mask)
                position += word_size
            lengths.extend([1] * length)
        done += length
        if position > total_bits:
            raise ValueError("the data ends in the middle of a record")
    if done != count:
        raise ValueError(f"a run goes past the {count} values the header announces")
    return np.asarray(values, dtype=np.uint32), np.asarray(lengths, dtype=np.int64)


def brush_mask(data: Sequence[int], height: int, width: int) -> np.ndarray:
    """The boolean (height, width) mask of a brush RLE: pixels whose alpha is not 0."""
    return decode_box(brush_pixel_runs(data, height, width), width, RunBox(0, 0, width, height))


def brush_pixel_runs(data: Sequence[int], height: int, width: int) -> np.ndarray:
    """The layer's pixels whose alpha is not 0, as alternating background/foreground runs, row-major
    (the run form of :mod:`.rle`), made from the value runs without expanding them.

    A run of value v over values ``start .. end - 1`` holds the alpha (every 4th value, from the 4th)
    of pixels ``ceil((start - 3) / 4) .. (end - 4) // 4``; those of runs with v != 0 are inside.

    >>> brush_pixel_runs([0, 0, 0, 8, 57, 44, 252, 192, 0, 4, 128], 1, 2).tolist()  # RGBA 0,0,0,0 0,0,0,9
    [1, 1, 0]
    """
    values, lengths = brush_runs(data, expected_count=height * width * 4)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    inside = values != 0
    first, last = -((3 - starts[inside]) // 4), (ends[inside] - 4) // 4  # first = ceil((start - 3) / 4)
    keep = first <= last
    first, last = first[keep], last[keep] + 1
    runs = np.empty(2 * first.size + 1, np.int64)
    runs[0:-1:2] = first - np.concatenate(([0], last[:-1]))  # gaps (0 between touching runs)
    runs[1::2] = last - first
    runs[-1] = height * width - (last[-1] if last.size else 0)
    return runs
