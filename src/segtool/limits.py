"""The pixel limit: how large an image, mask or embedded bitmap segtool agrees to decode or draw.

A file can declare any size in a few bytes (``"imageHeight": 100000``, a PNG
header, a COCO RLE ``size``, a CVAT mask box), and a few kilobytes of zlib can
inflate to gigabytes. So every declared size is checked against ``max_pixels``
*before* anything of that size is allocated or decoded. The default, 2**30
pixels (a 32768 x 32768 image, 1 GiB as 8-bit labels), is far above any
annotated photo and keeps one image's memory bounded; ``--max-pixels`` raises or
lowers it. Decoders that inflate data bound their output to what the declared
size needs (:func:`inflate_at_most`).
"""

from __future__ import annotations

from typing import cast

from zlib_ng import zlib_ng

DEFAULT_MAX_PIXELS = 1 << 30
#: Bytes read at most from one annotation document (JSON, XML). Large public exports stay far
#: below it (LVIS's training annotations are 1.1 GB); anything larger is refused before reading.
MAX_DOCUMENT_BYTES = 4 << 30
#: Bytes read at most from a label map or a Supervisely project's meta.json: 65,536 labels of
#: 1000 characters fit; a label map is refused above it before reading.
MAX_LABEL_MAP_BYTES = 64 << 20
#: Without a label map, ``score`` takes every value it finds as a class and keeps a dense
#: classes x classes confusion matrix; more values than this are no set of classes (instance ids,
#: a photo saved as a 16-bit mask) and 30,000 of them would ask for 7 GiB.
MAX_CLASSES_WITHOUT_LABEL_MAP = 1000
#: The embedded bitmaps of one image (COCO RLE, CVAT masks, Label Studio brushes, ...) are decoded one
#: at a time over their boxes; the boxes may add up to this many times the image's pixels. Real files
#: stay far below (a brush region per object is one image each), and a few kilobytes declaring
#: thousands of image-sized masks would otherwise cost minutes.
BITMAP_COVER_LIMIT = 64

#: The exception zlib-ng raises for data that is not zlib (its type stub calls it an instance).
ZlibError = cast("type[Exception]", zlib_ng.error)


def encoded_size_limit(max_pixels: int) -> int:
    """Bytes read at most from an image or mask file allowed ``max_pixels``: 8 per pixel and 1 MiB.

    Eight bytes hold a pixel of any PNG or TIFF segtool reads (16-bit RGBA) uncompressed,
    and 1 MiB covers headers and metadata; a file of more bytes is refused before reading.

    >>> encoded_size_limit(1000)
    1056576
    """
    return 8 * max_pixels + (1 << 20)


def pixel_limit_problem(what: str, height: int, width: int, max_pixels: int) -> str | None:
    """The message for ``what`` (e.g. "image 'a'") of ``width`` x ``height`` above the limit, else None.

    >>> pixel_limit_problem("PNG", 200, 100, 10_000)
    'PNG is 100x200 (20000 pixels), more than the limit of 10000 pixels (raise it with --max-pixels)'
    """
    pixels = height * width
    if pixels <= max_pixels:
        return None
    return (
        f"{what} is {width}x{height} ({pixels} pixels), more than the limit of {max_pixels} pixels "
        "(raise it with --max-pixels)"
    )


def too_many_classes_problem(count: int, *, over: str = "") -> str | None:
    """The message when ``count`` values found without a label map are too many classes, else None.

    >>> too_many_classes_problem(1000) is None, too_many_classes_problem(1200, over=" in a.png")[:29]
    (True, '1200 distinct values in a.png')
    """
    if count <= MAX_CLASSES_WITHOUT_LABEL_MAP:
        return None
    return (
        f"{count} distinct values{over}, more than {MAX_CLASSES_WITHOUT_LABEL_MAP} classes without a "
        "label map (instance ids, or an image that is not a label mask?): "
        "pass --labels to say which values are classes"
    )


def inflate_at_most(data: bytes, limit: int) -> bytes:
    """zlib-decompress ``data``; a ``ValueError`` if it would give more than ``limit`` bytes (a zip bomb).

    :data:`ZlibError` for data that is not zlib (zlib-ng inflates, as in
    :mod:`segtool.io.maskio`).
    """
    inflater = zlib_ng.decompressobj()
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise ValueError(f"it inflates to more than {limit} bytes")
    if not inflater.eof:
        raise ZlibError("incomplete or truncated stream")
    return out


#: Bytes read at most from a photo (read for its size, or drawn under an overlay or error map).
MAX_IMAGE_BYTES = encoded_size_limit(DEFAULT_MAX_PIXELS)
