"""RGB pictures: read a photo as displayed, shrink it, encode and write it.

Conventions
-----------
* Pictures are ``(height, width, 3)`` uint8 arrays in RGB order (OpenCV's BGR
  never leaks out of this module).
* A photo is read *as displayed*: its EXIF orientation is applied, because
  annotation tools draw on the displayed image and masks follow it. Images
  embedded in annotation files are decoded as stored when the tool that
  embedded them shows them so (LabelMe's ``imageData``:
  ``decode_image(..., exif_orientation=False)``).
* Grayscale photos are repeated over the three channels; photos with more than
  8 bits per sample (16-bit, float) are stretched from their minimum to their
  maximum, so that a CT slice or a 12-bit microscope image is visible at all.
* Written files are replaced atomically (see :mod:`segtool.io.atomic`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal, get_args

import cv2
import numpy as np

from ..errors import InputFileError, OutputError
from ..io.atomic import write_bytes_atomic
from ..io.imagesize import PILLOW_ERRORS
from ..io.reading import open_input
from ..io.storage import Location, LocationLike, as_path
from ..limits import MAX_IMAGE_BYTES

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
PictureFormat = Literal["png", "jpeg"]
PICTURE_FORMATS: tuple[PictureFormat, ...] = get_args(PictureFormat)
_SUFFIX_FORMAT: dict[str, PictureFormat] = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def read_image(path: LocationLike) -> np.ndarray:
    """Read a photo as an RGB uint8 array, as displayed (EXIF orientation applied).

    ``path`` may be an fsspec location (:mod:`segtool.io.storage`). Raises
    :class:`~segtool.errors.InputFileError` naming the file when it cannot be
    read or decoded.
    """
    from PIL import Image

    path = as_path(path)
    try:
        with open_input(path, limit=MAX_IMAGE_BYTES) as source, Image.open(source) as image:
            return _rgb_pixels(image, exif_orientation=True)
    except (*PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        raise InputFileError(_problem(exc), path=path) from None


def decode_image(data: bytes, *, name: str | Path, exif_orientation: bool = True) -> np.ndarray:
    """Decode the bytes of an image file (PNG, JPEG, ...) as :func:`read_image` reads the file.

    ``name`` names the image in messages. ``exif_orientation=False`` keeps the
    image as stored (its EXIF orientation ignored). Raises
    :class:`~segtool.errors.InputFileError` naming ``name`` when it cannot be decoded.
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return _rgb_pixels(image, exif_orientation=exif_orientation)
    except (*PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        raise InputFileError(_problem(exc), path=name) from None


def _problem(exc: Exception) -> str:
    """What Pillow's exception means, in one phrase (its own text for a file it cannot identify
    names a Python object, not the file)."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "not a readable image: not an image in a format Pillow reads"
    return f"not a readable image: {exc}"


def _rgb_pixels(image, *, exif_orientation: bool) -> np.ndarray:
    """The pixels of an opened Pillow image as RGB, EXIF orientation applied if asked."""
    from PIL import ImageOps

    image.load()
    return as_rgb(np.asarray(_stretched(ImageOps.exif_transpose(image) if exif_orientation else image)))


def _stretched(image):
    """8-bit images as they are; deeper ones stretched min..max to 8 bits."""
    from PIL import Image

    if image.mode in ("1", "L", "P", "RGB", "RGBA", "LA", "PA", "CMYK", "YCbCr", "LAB", "HSV"):
        return image.convert("RGB")
    values = np.asarray(image, dtype=np.float64)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8)).convert("RGB")


def as_rgb(picture: np.ndarray) -> np.ndarray:
    """A 2-D gray or (H, W, 3|4) array as a contiguous (H, W, 3) uint8 RGB array.

    >>> as_rgb(np.array([[7]], np.uint8)).tolist()
    [[[7, 7, 7]]]
    """
    if picture.dtype != np.uint8:
        raise ValueError(f"pictures must be uint8, got {picture.dtype}")
    if picture.ndim == 2:
        return np.repeat(picture[:, :, None], 3, axis=2)
    if picture.ndim == 3 and picture.shape[2] in (3, 4):
        return np.ascontiguousarray(picture[:, :, :3])
    raise ValueError(f"pictures must be (H, W) or (H, W, 3), got shape {picture.shape}")


def thumbnail(picture: np.ndarray, *, max_side: int = 320) -> np.ndarray:
    """Shrink ``picture`` so that its longer side is at most ``max_side`` (never enlarge).

    Area averaging is used, so a thin line of error pixels stays visible as a
    fainter line instead of disappearing.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    height, width = picture.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return picture
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


def encode_image(picture: np.ndarray, *, image_format: PictureFormat = "png", quality: int = 90) -> bytes:
    """Encode an RGB picture as PNG or JPEG bytes (``quality`` is JPEG's, 1..100)."""
    if image_format not in PICTURE_FORMATS:
        raise ValueError(f"image_format must be one of {PICTURE_FORMATS}, got {image_format!r}")
    bgr = np.ascontiguousarray(as_rgb(picture)[:, :, ::-1])
    if image_format == "png":
        ok, data = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    else:
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"cannot encode a picture of shape {picture.shape} as {image_format}")
    return data.tobytes()


def format_for_path(path: LocationLike) -> PictureFormat:
    """``png`` or ``jpeg`` from a file name's suffix (a local path or a URL).

    An :class:`OutputError` for any other suffix.
    """
    image_format = _SUFFIX_FORMAT.get(as_path(path).suffix.lower())
    if image_format is None:
        raise OutputError("picture files must end in .png, .jpg or .jpeg", path=path)
    return image_format


def write_image(
    path: LocationLike, picture: np.ndarray, *, quality: int = 90, inside: Location | None = None
) -> None:
    """Write an RGB picture atomically, as PNG or JPEG according to the suffix of ``path``.

    ``inside``: the output folder ``path`` lies in, never left through a link
    (:mod:`segtool.io.atomic`).
    """
    data = encode_image(picture, image_format=format_for_path(path), quality=quality)
    try:
        write_bytes_atomic(path, data, inside=inside)
    except OSError as exc:
        raise OutputError(f"cannot write picture: {exc.strerror or exc}", path=path) from None
