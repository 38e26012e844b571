"""The small pictures of one image in a score report: ground truth, prediction and error map."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..labels import LabelMap, name_or_id
from ..viz.errormap import error_map
from ..viz.image import encode_image, thumbnail
from ..viz.overlays import overlay
from .html import Picture

__all__ = ["draw_report_pictures", "thumbnail_picture"]


def draw_report_pictures(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    image: np.ndarray | None = None,
    label_map: LabelMap | None = None,
    ignore: Iterable[int] = (255,),
    class_id: int | None = None,
    max_side: int = 240,
) -> list[Picture]:
    """Thumbnails of two masks of the same size: ground truth, prediction, and the error map.

    With ``image`` (RGB, the masks' size) the masks are drawn over the photo
    (JPEG thumbnails); without, on black (PNG, exact colours). ``class_id``
    selects the error map of one class (``None``: all classes, see
    :mod:`segtool.viz.errormap`).
    """
    backdrop = image if image is not None else np.zeros((*mask_true.shape, 3), np.uint8)
    opacity = 0.5 if image is not None else 1.0
    pictures = [
        ("ground truth", overlay(backdrop, mask_true, label_map=label_map, opacity=opacity, legend=False)),
        ("prediction", overlay(backdrop, mask_pred, label_map=label_map, opacity=opacity, legend=False)),
        (
            "errors" if class_id is None else f"errors: {name_or_id(class_id, label_map)}",
            error_map(mask_true, mask_pred, class_id=class_id, ignore=ignore, image=image),
        ),
    ]
    return [
        thumbnail_picture(caption, picture, over_photo=image is not None, max_side=max_side)
        for caption, picture in pictures
    ]


def thumbnail_picture(caption: str, picture: np.ndarray, *, over_photo: bool, max_side: int = 240) -> Picture:
    """A report :class:`Picture`: a thumbnail, JPEG when drawn over a photo, else PNG (exact colours)."""
    return Picture(
        caption,
        encode_image(
            thumbnail(picture, max_side=max_side), image_format="jpeg" if over_photo else "png", quality=80
        ),
    )
