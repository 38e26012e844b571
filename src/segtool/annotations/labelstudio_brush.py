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


class _BitReader:
    """Reads unsigned big-endian bit fields from a byte string."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
        self.position = 0

    def read(self, width: int) -> int:
        end = self.position + width
        if end > len(self.bits):
            raise ValueError("the data ends in the middle of a record")
        first, last = self.position // 8, (end + 7) // 8
        chunk = int.from_bytes(self.data[first:last], "big")
        value = (chunk >> (last * 8 - end)) & ((1 << width) - 1)
        self.position = end
        return value

    def read_many(self, count: int, width: int) -> np.ndarray:
        end = self.position + count * width
        if end > len(self.bits):
            raise ValueError("the data ends in the middle of a record")
        fields = self.bits[self.position:end].reshape(count, width).astype(np.uint64)
        self.position = end
        return fields @ (np.uint64(1) << np.arange(width - 1, -1, -1, dtype=np.uint64))


def decode_brush_rle(data: Sequence[int], *, expected_count: int | None = None) -> np.ndarray:
    """The values a Label Studio brush RLE encodes, as a 1-D array.

    Raises ``ValueError`` when ``data`` is not a list of bytes, is cut short, or
    (checked before decoding) does not hold ``expected_count`` values.
    """
    try:
        reader = _BitReader(bytes(data))
    except TypeError:
        raise ValueError("it is not a list of byte values") from None
    count = reader.read(32)
    if expected_count is not None and count != expected_count:
        raise ValueError(f"it holds {count} values, {expected_count} were expected")
    word_size = reader.read(5) + 1
    run_bits = [reader.read(4) + 1 for _ in range(4)]
    values = np.zeros(count, dtype=np.uint32)
    done = 0
    while done < count:
        repeat = reader.read(1)
        length = reader.read(run_bits[reader.read(2)]) + 1
        end = done + length
        if end > count:
            raise ValueError(f"a run goes past the {count} values the header announces")
        values[done:end] = reader.read(word_size) if repeat else reader.read_many(length, word_size)
        done = end
    return values


def brush_mask(data: Sequence[int], height: int, width: int) -> np.ndarray:
    """The boolean (height, width) mask of a brush RLE: pixels whose alpha is not 0."""
    values = decode_brush_rle(data, expected_count=height * width * 4)
    return values.reshape(height, width, 4)[:, :, 3] != 0
