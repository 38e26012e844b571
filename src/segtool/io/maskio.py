"""Reading and writing label masks: arrays of class ids, one per pixel.

Reading returns the stored *indices*, never colours:

* grayscale PNG, 8 or 16 bit -> uint8 / uint16 values as stored;
* palette PNG (PASCAL VOC, labelme) -> the palette indices, which are the labels
  (OpenCV, SimpleITK and imageio turn them into colours; we do not);
* RGB(A) PNG -> an (H, W, 3) uint8 colour array, to be mapped to ids through a
  label map's colours with :func:`colours_to_ids`;
* ``.npy`` -> a 2-D integer array (booleans become 0/1). ``-1`` is labelme's
  ignore value (labelme2voc's ``SegmentationClassNpy``): it is read as an ignore
  value, 255 by default, which is what labelme's own PNG of the same labels
  stores there. Values below -1 or above 65535 are an error.

An 8-bit palette PNG stores exactly the bytes a grayscale PNG would; only the
header's colour type and the PLTE/tRNS chunks differ. So it is decoded by telling
OpenCV's fast decoder it is grayscale: the header is rewritten in memory. An 8-bit
file whose rows use no filter (what :func:`encode_png` writes) needs no PNG
decoder at all: it is inflated and viewed as rows, which is faster still.

Every deflate here (inflating, compressing, chunk checksums) uses zlib-ng
(:mod:`zlib_ng.zlib_ng`, a drop-in for :mod:`zlib`): label maps are nearly all
run-length matches, which the stock zlib copies byte by byte and zlib-ng copies
in blocks (inflate about 15x, compress about 6x faster on a 2-Mpixel map). The
stream format is the same (at level 1 with the RLE strategy even the bytes are),
so files written with either library read with the other.

Writing uses a small PNG encoder of our own: no row filter, zlib level 1 with
the run-length strategy. Label maps are piecewise constant, so this is several
times faster to write and to read back than the usual settings, and smaller.
Values above 255 are written as 16-bit grayscale, never wrapped. Every write is
atomic (see :mod:`segtool.io.atomic`).
"""

from __future__ import annotations

import io
import os
import stat
import struct
from pathlib import Path
from tokenize import TokenError

import cv2
import numpy as np
from zlib_ng import zlib_ng

from ..arrays import padded_rows
from ..errors import MaskError
from ..labels import DEFAULT_IGNORE_VALUE
from ..limits import DEFAULT_MAX_PIXELS, ZlibError, encoded_size_limit, pixel_limit_problem
from .atomic import write_bytes_atomic
from .imagesize import PILLOW_ERRORS
from .reading import open_input, read_input
from .storage import Location, LocationLike, as_path

#: labelme's ignore value in its .npy label arrays (its PNGs store 255 there).
LABELME_IGNORE = -1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAY, RGB, PALETTE, GRAY_ALPHA, RGBA = 0, 2, 3, 4, 6
MASK_SUFFIXES = (".png", ".npy")
_COLOUR_TYPE_NAMES = {RGB: "RGB", GRAY_ALPHA: "gray + alpha", RGBA: "RGBA"}


# -- PNG container ------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib_ng.crc32(kind + data))


def _iter_chunks(data: bytes, path: LocationLike | None):
    """Yield (kind, payload, start, end) for each chunk after the signature."""
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise MaskError("PNG is truncated", path=path)
        yield kind, data[offset + 8 : offset + 8 + length], offset, end
        offset = end
        if kind == b"IEND":
            return


class PngHeader:
    """The fields of a PNG's IHDR chunk."""

    __slots__ = ("width", "height", "bit_depth", "colour_type", "interlace")

    def __init__(self, width: int, height: int, bit_depth: int, colour_type: int, interlace: int) -> None:
        self.width, self.height = width, height
        self.bit_depth, self.colour_type, self.interlace = bit_depth, colour_type, interlace


def read_png_header(data: bytes, path: LocationLike | None = None) -> PngHeader:
    """Parse the IHDR of PNG bytes; a :class:`MaskError` if they are not a PNG."""
    if len(data) == 0:
        raise MaskError("file is empty (0 bytes)", path=path)
    if not data.startswith(PNG_SIGNATURE):
        raise MaskError("not a PNG file (bad signature)", path=path)
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise MaskError("PNG is truncated or has no IHDR header", path=path)
    width, height, bit_depth, colour_type, _, _, interlace = struct.unpack_from(">IIBBBBB", data, 16)
    if width == 0 or height == 0:
        raise MaskError(f"PNG declares an empty size {width}x{height}", path=path)
    return PngHeader(width, height, bit_depth, colour_type, interlace)


def _as_grayscale_png(data: bytes, path: LocationLike | None) -> bytes:
    """The same PNG with colour type 0 and without PLTE/tRNS: decoders then return indices."""
    parts = [PNG_SIGNATURE]
    for kind, payload, start, end in _iter_chunks(data, path):
        if kind == b"IHDR":
            payload = payload[:9] + bytes([GRAY]) + payload[10:]
            parts.append(_chunk(kind, payload))
        elif kind in (b"PLTE", b"tRNS"):
            continue
        else:
            parts.append(data[start:end])
    return b"".join(parts)


# -- reading ------------------------------------------------------------------------------
def read_mask(
    path: LocationLike,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    copy: bool = True,
    minus_one: int = DEFAULT_IGNORE_VALUE,
) -> np.ndarray:
    """Read a label mask file (PNG or .npy) as stored: ids, or RGB for colour PNGs.

    ``path`` may be an fsspec URL (see :mod:`segtool.io.storage`). Raises
    :class:`MaskError` naming the file for anything that is not a readable mask.
    ``minus_one``: the value -1 of a ``.npy`` array (labelme's ignore) becomes.
    """
    path = as_path(path)
    if path.suffix.lower() == ".npy":
        return _read_npy(path, max_pixels, minus_one)
    data = read_input(path, limit=encoded_size_limit(max_pixels), error=MaskError)
    return decode_png(data, path=path, max_pixels=max_pixels, copy=copy)


def decode_png(
    data: bytes, *, path: LocationLike | None = None, max_pixels: int = DEFAULT_MAX_PIXELS, copy: bool = True
) -> np.ndarray:
    """Decode PNG bytes to indices (grayscale, palette) or RGB (colour); see the module docstring.

    With ``copy=False`` the result may be a read-only, non-contiguous view of the
    inflated bytes (no copy): for callers that only read it.
    """
    header = read_png_header(data, path)
    too_large = pixel_limit_problem("PNG", header.height, header.width, max_pixels)
    if too_large:
        raise MaskError(too_large, path=path)
    if header.colour_type in _COLOUR_TYPE_NAMES and header.bit_depth != 8:
        raise MaskError(
            f"PNG is {_COLOUR_TYPE_NAMES[header.colour_type]} with {header.bit_depth}-bit channels; "
            "a colour mask must have 8-bit channels (ids belong in a grayscale or palette PNG)",
            path=path,
        )
    array = _inflate_unfiltered(data, header, path)
    if array is not None:
        return array.copy() if copy else array
    if header.colour_type == PALETTE and header.bit_depth == 8:
        array = _cv2_decode(_as_grayscale_png(data, path), path)
    elif header.colour_type == GRAY and header.bit_depth in (8, 16):
        array = _cv2_decode(data, path)
    else:
        array = _pillow_decode(data, path)
    if array.shape[:2] != (header.height, header.width):
        raise MaskError("PNG is truncated or corrupt (decoded size differs from header)", path=path)
    return array


def _inflate_unfiltered(data: bytes, header: PngHeader, path: LocationLike | None) -> np.ndarray | None:
    """8-bit indices whose rows all use filter 0: inflate and drop the filter bytes.

    None when the file is of another kind, uses row filters or is damaged: then a
    full decoder takes over (and reports damage). The first row's filter byte is
    peeked at first, so that filtered files are not inflated twice.
    """
    if header.bit_depth != 8 or header.colour_type not in (GRAY, PALETTE) or header.interlace:
        return None
    stream = b"".join(payload for kind, payload, _, _ in _iter_chunks(data, path) if kind == b"IDAT")
    stride = header.width + 1
    try:
        if zlib_ng.decompressobj().decompress(stream[:1024], 1) != b"\x00":
            return None
        raw = zlib_ng.decompressobj().decompress(
            stream, header.height * stride + 1
        )  # never more than the header says
    except ZlibError:
        return None
    if len(raw) != header.height * stride:
        return None
    rows = np.frombuffer(raw, np.uint8).reshape(header.height, stride)
    if rows[:, 0].any():
        return None
    return rows[:, 1:]


def _cv2_decode(data: bytes, path: LocationLike | None) -> np.ndarray:
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None:
        raise MaskError("PNG is truncated or corrupt", path=path)
    return array


def _pillow_decode(data: bytes, path: LocationLike | None) -> np.ndarray:
    """Low bit depths and colour PNGs: Pillow keeps palette indices and raw gray values."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode in ("P", "L", "I;16", "I;16B", "I"):
                array = np.asarray(image)
            elif image.mode == "1":
                array = np.asarray(image).astype(np.uint8)
            elif image.mode in ("LA", "PA"):  # the alpha channel is no label
                array = np.asarray(image)[..., 0]
            else:
                array = np.asarray(image.convert("RGB"))
    except (*PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        raise MaskError(f"PNG cannot be decoded: {exc}", path=path) from None
    if array.dtype == np.int32:
        array = array.astype(np.uint16)
    return np.ascontiguousarray(array)


#: Files opened only for their header: any size a mask may have under the largest pixel limit.
_HEADER_READ_LIMIT = 1 << 62


def read_mask_shape(path: Location) -> tuple[int, int]:
    """``(height, width)`` of a PNG or ``.npy`` mask from its header, without decoding it."""
    if path.suffix.lower() == ".npy":
        shape, _ = _read_npy_header(path)
        return shape
    with open_input(path, limit=_HEADER_READ_LIMIT, error=MaskError) as handle:
        header = read_png_header(handle.read(33), path)
    return header.height, header.width


def is_colour_png(path: Location | None) -> bool:
    """True for an RGB or RGBA PNG (a colour mask, whose ids come from a label map's colours)."""
    if path is None or path.suffix.lower() != ".png":
        return False
    with open_input(path, limit=_HEADER_READ_LIMIT, error=MaskError) as handle:
        return read_png_header(handle.read(33), path).colour_type in (2, 6)


def _read_npy_header(
    path: Location, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[tuple[int, int], np.dtype]:
    """The checked shape (2-D, not empty) and integer type of a ``.npy`` array, before any data is read."""
    npy = np.lib.format
    try:
        with open_input(path, limit=encoded_size_limit(max_pixels), error=MaskError) as handle:
            version = npy.read_magic(handle)
            read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, _, dtype = read_header(handle)
    except (OSError, ValueError, EOFError, SyntaxError, TokenError, OverflowError) as exc:
        # the header is Python literal text: any syntax, and numbers of any size
        raise MaskError(f"cannot read .npy label array: {exc}", path=path) from None
    except (RecursionError, MemoryError):  # ast.literal_eval of deeply nested text (3000 unary minus signs)
        raise MaskError("cannot read .npy label array: its header is nested too deeply", path=path) from None
    if len(shape) != 2 or not all(type(size) is int and size >= 0 for size in shape):
        raise MaskError(f".npy label array must be 2-D, of whole-number sizes, got shape {shape}", path=path)
    if 0 in shape:
        raise MaskError(f".npy label array is empty ({shape[1]}x{shape[0]})", path=path)
    if dtype.kind != "b" and not np.issubdtype(dtype, np.integer):
        raise MaskError(f".npy label array must hold integers, got {dtype}", path=path)
    return shape, dtype


def _read_npy(path: Location, max_pixels: int, minus_one: int) -> np.ndarray:
    """A 2-D integer array; the header's shape and type are checked before any data is read."""
    shape, _ = _read_npy_header(path, max_pixels)
    too_large = pixel_limit_problem(".npy label array", *shape, max_pixels)
    if too_large:
        raise MaskError(too_large, path=path)
    try:
        with open_input(path, limit=encoded_size_limit(max_pixels), error=MaskError) as handle:
            array = np.load(handle, allow_pickle=False)
    except (OSError, ValueError, EOFError, OverflowError) as exc:
        raise MaskError(f"cannot read .npy label array: {exc}", path=path) from None
    if array.dtype == bool:
        return array.astype(np.uint8)
    if array.size and array.min() == LABELME_IGNORE:
        array = np.where(array == LABELME_IGNORE, minus_one, array)
    if array.size and (array.min() < 0 or array.max() > 65535):
        raise MaskError(".npy label array has values outside -1..65535 (-1: labelme's ignore)", path=path)
    return array.astype(np.uint16 if array.size and array.max() > 255 else np.uint8)


def colours_to_ids(
    rgb: np.ndarray,
    colour_table: dict[tuple[int, int, int], int],
    *,
    path: LocationLike | None = None,
    unknown: int | None = None,
) -> np.ndarray:
    """Map an (H, W, 3) RGB mask to ids; colours not in the table are an error naming them.

    With ``unknown`` (a value that is no id) such colours become that value instead.
    """
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    keys = np.array([(r << 16) | (g << 8) | b for r, g, b in colour_table], dtype=np.uint32)
    values = np.array(list(colour_table.values()), dtype=np.uint16)
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    positions = np.clip(np.searchsorted(keys, packed), 0, max(len(keys) - 1, 0))
    known = keys[positions] == packed if len(keys) else np.zeros(packed.shape, bool)
    ids = values[positions]
    if not known.all():
        if unknown is not None:
            ids = np.where(known, ids, np.uint16(unknown))
        else:
            shown = ", ".join(f"#{int(value):06x}" for value in np.unique(packed[~known])[:5])
            raise MaskError(f"colours not in the label map: {shown}", path=path)
    return ids.astype(np.uint8) if ids.max(initial=0) <= 255 else ids


# -- writing ------------------------------------------------------------------------------
def encode_png(array: np.ndarray, *, palette: bytes | None = None) -> bytes:
    """Encode a 2-D label array as PNG bytes.

    uint8 values (or any values <= 255) -> 8-bit, palette PNG when ``palette``
    (768 bytes of RGB) is given, grayscale otherwise; values above 255 -> 16-bit
    grayscale (a palette cannot hold them). Negative values or values above
    65535 are a ``ValueError``. A uint8 view with a zero column before it (see
    :func:`padded_rows`) is compressed as it lies, without a copy.
    """
    if array.ndim != 2:
        raise ValueError(f"label array must be 2-D, got shape {array.shape}")
    height, width = array.shape
    if array.dtype == bool:
        array = array.view(np.uint8)
    if array.dtype == np.uint8:  # every value fits: nothing to check
        samples, bit_depth = array, 8
    else:
        low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
        if low < 0 or high > 65535:
            raise ValueError(f"label values must lie in 0..65535, got {low}..{high}")
        if high <= 255:
            samples, bit_depth = array.astype(np.uint8), 8
        else:
            samples, bit_depth = array.astype(">u2", copy=False), 16
    colour_type = PALETTE if palette is not None and bit_depth == 8 else GRAY
    rows = padded_rows(samples)
    if rows is None:
        rows = np.zeros((height, 1 + width * samples.itemsize), np.uint8)  # filter byte 0: none
        rows[:, 1:] = np.ascontiguousarray(samples).view(np.uint8).reshape(height, -1)
    compressor = zlib_ng.compressobj(1, zlib_ng.DEFLATED, 15, 9, zlib_ng.Z_RLE)
    pixels = compressor.compress(rows.data) + compressor.flush()
    parts = [
        PNG_SIGNATURE,
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)),
    ]
    if colour_type == PALETTE and palette is not None:
        if len(palette) != 768:
            raise ValueError("palette must be 768 bytes (256 RGB colours)")
        parts.append(_chunk(b"PLTE", palette))
    parts += [_chunk(b"IDAT", pixels), _chunk(b"IEND", b"")]
    return b"".join(parts)


def replace_problem(path: Location) -> str | None:
    """Why the file at ``path`` must not be replaced by a mask; None when there is none, or it is a mask.

    A label mask is a grayscale or palette PNG (what segtool writes); anything
    else in a mask's place (a photo, a JPEG named ``.png``, a FIFO) is kept unless
    the caller chose to overwrite. A symbolic link is replaced, not written
    through, so its target is safe. Objects at URLs are not checked (a request
    per mask would slow every run).
    """
    if not isinstance(path, Path):
        return None
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return None
        if not stat.S_ISREG(mode):
            return "something that is not a file is in its place"
        with open(path, "rb") as handle:
            head = handle.read(33)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        colour_type = read_png_header(head).colour_type
    except MaskError:
        colour_type = None
    if colour_type in (GRAY, PALETTE):
        return None
    kind = "a PNG that is not a label mask" if colour_type is not None else "not a PNG"
    return f"a file that is {kind} (a photo?) is in its place; pass --overwrite to replace it"


def write_mask(
    path: LocationLike, array: np.ndarray, *, palette: bytes | None = None, inside: Location | None = None
) -> None:
    """Write a label array to ``path`` as PNG (see :func:`encode_png`), atomically.

    ``inside``: the output folder ``path`` lies in, never left through a link
    (:mod:`segtool.io.atomic`).
    """
    write_bytes_atomic(path, encode_png(array, palette=palette), inside=inside)


def read_label_ids(
    path: LocationLike,
    *,
    label_map=None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    unknown_colour: int | None = None,
    copy: bool = True,
    minus_one: int | None = None,
) -> np.ndarray:
    """Read a mask file as a 2-D array of class ids, whatever its kind.

    Index masks (grayscale, palette, ``.npy``) are returned as stored, but for
    labelme's -1 in ``.npy`` arrays, which becomes ``minus_one`` (default: the label
    map's ignore value, else 255). A colour
    (RGB) mask is mapped to ids through the colours of ``label_map`` (a
    :class:`~segtool.labels.LabelMap`), and the ignore value's palette colour
    (VOC's cream border) to the ignore value; without a label map it is a
    :class:`MaskError`. Colours not in the label map are an error, or become
    ``unknown_colour`` when it is given. ``copy``: as for :func:`decode_png`.
    """
    if minus_one is None:
        minus_one = label_map.ignore_value if label_map is not None else DEFAULT_IGNORE_VALUE
    array = read_mask(path, max_pixels=max_pixels, copy=copy, minus_one=minus_one)
    if array.ndim == 2:
        return array
    if label_map is None:
        raise MaskError(
            "colour (RGB) mask: give a label map with the colours of its classes (--labels)", path=path
        )
    table = {label.colour: label.id for label in label_map}
    table.setdefault(label_map.colour_of(label_map.ignore_value), label_map.ignore_value)
    return colours_to_ids(array, table, path=path, unknown=unknown_colour)
