"""Images embedded in annotation files (LabelMe's ``imageData``), read only when they are needed.

A reader records *where* a file embeds its image
(:attr:`~segtool.annotations.model.AnnotatedImage.embedded_image`: the keys
leading to its base64 text in the JSON document), never the image itself.
Keeping the base64 text or the decoded pixels in the model would make memory
grow with the number of images a caller holds, while ``rasterize`` parses every
file in its survey pass before it converts any. Whoever needs the pixels
(``rasterize --viz``; ``overlay`` and ``score --images`` for a LabelMe file found
where the photo would be, see :mod:`segtool.pipelines.photos`) calls
:func:`read_embedded_image` or :func:`read_embedded_bytes` while it draws that one
image: the annotation file is read and parsed again (a few milliseconds, even
for megabytes of base64), and the image is freed when the drawing is done.

Embedded images are used as stored: labelme shows ``imageData`` without
applying an EXIF orientation (it applies an image file's orientation before it
embeds the image, so its own files carry none).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..errors import AnnotationError
from ..io.reading import read_input
from ..io.storage import Location
from ..limits import MAX_DOCUMENT_BYTES
from .model import AnnotatedImage
from .registry import parse_document


def read_embedded_image(image: AnnotatedImage, *, document: bytes | None = None) -> bytes:
    """The bytes of the image file (PNG, JPEG, ...) embedded in ``image.source``.

    ``document`` is the annotation file's content when it is not on disk (stdin);
    otherwise ``image.source`` is read again. Raises as :func:`read_embedded_bytes`;
    a ``ValueError`` when ``image.embedded_image`` is None.
    """
    if image.embedded_image is None:
        raise ValueError(f"{image.source}: image {str(image.name)!r} has no embedded image")
    return read_embedded_bytes(image.source, image.embedded_image, document=document)


def read_embedded_bytes(source: Location, keys: tuple[str, ...], *, document: bytes | None = None) -> bytes:
    """The bytes of the image file embedded in the JSON file ``source`` under ``keys``.

    ``document`` is the file's content when it is not on disk (stdin). Raises an
    :class:`~segtool.errors.AnnotationError` naming the file when it cannot be
    read or parsed, or when the field is missing or not base64 text.
    """
    field = ".".join(keys)
    if document is None:
        document = read_input(source, limit=MAX_DOCUMENT_BYTES, error=AnnotationError)
    value: Any = parse_document(document, source)
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise AnnotationError(f"{field} holds no embedded image", path=source)
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        raise AnnotationError(f"{field} is not valid base64", path=source) from None
