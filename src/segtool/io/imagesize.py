"""The size of a photo from its file header, without decoding the pixels.

Annotation tools draw on the image as it is *displayed*: labelme and most others
apply the EXIF orientation first. So when the EXIF orientation swaps the axes
(values 5 to 8), the size returned here is swapped too, unless the caller asks
for the size as stored (``exif_orientation=False``: LabelMe's embedded images,
which labelme shows as they are stored).
"""

from __future__ import annotations

import contextlib
import io
import struct
from pathlib import Path

from ..errors import InputFileError
from ..limits import MAX_IMAGE_BYTES
from .reading import open_input
from .storage import LocationLike

_EXIF_ORIENTATION = 0x0112
#: What Pillow raises for a damaged or hostile file (its format plugins use all of these).
PILLOW_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)


def image_size(
    source: LocationLike | bytes, *, name: str | Path | None = None, exif_orientation: bool = True
) -> tuple[int, int]:
    """Return ``(height, width)`` of an image file or image bytes, as displayed.

    With ``exif_orientation=False`` the EXIF orientation is ignored: the size as stored.
    """
    from PIL import Image, UnidentifiedImageError

    label = name if name is not None else (source if not isinstance(source, bytes) else None)
    try:
        opened = (
            contextlib.nullcontext(io.BytesIO(source))
            if isinstance(source, bytes)
            else open_input(source, limit=MAX_IMAGE_BYTES)
        )
        with opened as handle, Image.open(handle) as image:
            width, height = image.size
            try:
                orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            except Exception:  # a broken EXIF block does not change the pixel grid
                orientation = 1
    except Image.DecompressionBombError as exc:
        raise InputFileError(f"too large to open safely (a decompression bomb?): {exc}", path=label) from None
    except UnidentifiedImageError:
        raise InputFileError("not an image in a format Pillow reads", path=label) from None
    except PILLOW_ERRORS as exc:
        raise InputFileError(f"not a readable image: {exc}", path=label) from None
    if exif_orientation and orientation in (5, 6, 7, 8):
        width, height = height, width
    return height, width
