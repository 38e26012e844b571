"""Images embedded in annotation files (LabelMe's ``imageData``), read only when they are needed.

A reader records *where* a file embeds its image
(:attr:`~segtool.annotations.model.AnnotatedImage.embedded_image`: the keys
leading to its base64 text in the JSON document), never the image itself.
Keeping the base64 text or the decoded pixels in the model would make memory
grow with the number of images a caller holds, while ``rasterize`` parses every
file in its survey pass before it converts any. Whoever needs the pixels
(``rasterize --viz``) calls :func:`read_embedded_image` while it draws that one
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
from ..limits import MAX_DOCUMENT_BYTES
from .model import AnnotatedImage
from .registry import parse_document


def embedded_field(image: AnnotatedImage) -> str:
    """The name of the field that embeds the image, for messages (``imageData``)."""
    return ".".join(_embedded_keys(image))


def _embedded_keys(image: AnnotatedImage) -> tuple[str, ...]:
    if image.embedded_image is None:
        raise ValueError(f"{image.source}: image {str(image.name)!r} has no embedded image")
    return image.embedded_image


def read_embedded_image(image: AnnotatedImage, *, document: bytes | None = None) -> bytes:
    """The bytes of the image file (PNG, JPEG, ...) embedded in ``image.source``.

    ``document`` is the annotation file's content when it is not on disk (stdin);
    otherwise ``image.source`` is read again. Raises an
    :class:`~segtool.errors.AnnotationError` naming the file when it cannot be
    read, or when the field is missing or not base64 text; a ``ValueError`` when
    ``image.embedded_image`` is None.
    """
    keys = _embedded_keys(image)
    field = ".".join(keys)
    if document is None:
        document = read_input(image.source, limit=MAX_DOCUMENT_BYTES, error=AnnotationError)
    value: Any = parse_document(document, image.source)
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise AnnotationError(f"{field} holds no embedded image", path=image.source)
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        raise AnnotationError(f"{field} is not valid base64", path=image.source) from None
