"""The small pictures of one image in a report: ground truth, prediction, error map and a close-up.

Rules of every error picture in a report (score and compare alike):

* the error map's thumbnail is drawn from its categories thickened for display
  (:func:`segtool.viz.errormap.thicken_errors`, by :func:`~segtool.viz.errormap.display_width`),
  so that a 1-pixel error is at least 2 pixels wide on the page; the legend says
  "errors drawn thicker than they are";
* the close-up shows the largest error region (:mod:`segtool.viz.regions`) with
  its exact pixels, enlarged by a whole factor with nearest-neighbour sampling,
  as PNG (exact colours, also over a photo); its caption gives the region's size
  and position and the factor.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from ..labels import LabelMap, name_or_id
from ..viz.errormap import (
    ErrorStyle,
    colour_categories,
    display_width,
    error_categories,
    error_legend,
    thicken_errors,
)
from ..viz.image import encode_image, thumbnail
from ..viz.overlays import draw_outline, overlay
from ..viz.regions import ErrorRegion, close_up, close_up_box, close_up_scale, largest_error_region
from .html import Legend, Picture

__all__ = [
    "close_up_picture",
    "draw_report_pictures",
    "error_pictures",
    "error_thumbnail",
    "mask_thumbnail",
    "report_error_legend",
    "thumbnail_picture",
]

THICKER_NOTE = "Errors are drawn thicker than they are, so that a 1-pixel mistake shows in a thumbnail."
CLOSE_UP_NOTE = (
    "Beside each error map: its largest error region (8-connected, any mistake) enlarged, "
    "each pixel a square, not thickened."
)


def draw_report_pictures(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    image: np.ndarray | None = None,
    label_map: LabelMap | None = None,
    ignore: Iterable[int] = (255,),
    class_id: int | None = None,
    max_side: int = 240,
    style: ErrorStyle = "errors",
    outline: bool = True,
) -> list[Picture]:
    """Thumbnails of two masks of the same size: ground truth, prediction, the error map and its close-up.

    With ``image`` (RGB, the masks' size) the masks are drawn over the photo
    (JPEG thumbnails); without, as :func:`segtool.viz.overlay` draws without a
    photo (full colours on gray; PNG, exact colours). ``outline``: the
    dark-and-light outline, drawn at the thumbnail's resolution
    (:func:`mask_thumbnail`). ``class_id`` selects the error map of one class
    (``None``: all classes, see :mod:`segtool.viz.errormap`). The close-up is
    left out when there is no error.
    """
    categories = error_categories(mask_true, mask_pred, class_id=class_id, ignore=ignore)
    caption = "errors" if class_id is None else f"errors: {name_or_id(class_id, label_map)}"
    return [
        *(
            mask_thumbnail(name, mask, image=image, label_map=label_map, max_side=max_side, outline=outline)
            for name, mask in (("ground truth", mask_true), ("prediction", mask_pred))
        ),
        *error_pictures(categories, caption, image=image, max_side=max_side, style=style),
    ]


def mask_thumbnail(
    caption: str,
    mask: np.ndarray,
    *,
    image: np.ndarray | None,
    label_map: LabelMap | None,
    max_side: int,
    outline: bool = True,
) -> Picture:
    """A mask over its photo (None: none), shrunk; the outline drawn after shrinking.

    The classes are painted at full size and shrunk by area averaging (a thin
    region stays visible, fainter); the outline is then drawn on the thumbnail
    from the mask sampled at the thumbnail's size (nearest neighbour), so that
    its lines are 1 pixel each on the page instead of blurred away.
    """
    picture = thumbnail(
        overlay(image, mask, label_map=label_map, outline=False, legend=False), max_side=max_side
    )
    if outline:
        small = cv2.resize(
            mask.astype(np.uint16, copy=False), picture.shape[1::-1], interpolation=cv2.INTER_NEAREST
        )
        draw_outline(picture, small, label_map=label_map)
    return thumbnail_picture(caption, picture, over_photo=image is not None, max_side=max_side)


def error_pictures(
    categories: np.ndarray, caption: str, *, image: np.ndarray | None, max_side: int, style: ErrorStyle
) -> list[Picture]:
    """The error map's thumbnail and, when it has errors, the close-up of its largest error region
    (none when the region spans the image: see :func:`close_up_picture`)."""
    thumb = error_thumbnail(categories, caption, image=image, max_side=max_side, style=style)
    region = largest_error_region(categories)
    close = (
        close_up_picture(categories, region, image=image, max_side=max_side, style=style)
        if region is not None
        else None
    )
    return [thumb] if close is None else [thumb, close]


def error_thumbnail(
    categories: np.ndarray, caption: str, *, image: np.ndarray | None, max_side: int, style: ErrorStyle
) -> Picture:
    """The thumbnail of an error map (category codes), its errors thickened for display."""
    thick = thicken_errors(categories, width=display_width(categories.shape, max_side=max_side))
    picture = colour_categories(thick, image=image, style=style)
    return thumbnail_picture(caption, picture, over_photo=image is not None, max_side=max_side)


def close_up_picture(
    categories: np.ndarray,
    region: ErrorRegion,
    *,
    image: np.ndarray | None,
    max_side: int,
    style: ErrorStyle,
    what: str = "largest error",
    described: bool = True,
) -> Picture | None:
    """The box around ``region``, enlarged with exact pixels (PNG), captioned with its size and place.

    The close-up fits in :func:`close_up_side` of ``max_side`` (the thumbnails' side); a box larger
    than that is shrunk instead, its errors thickened as in a thumbnail. None when it would be no
    closer than the thumbnail (the region spans the image). The caption is ``what``, the region's
    size and place (unless not ``described``: the same box shown on another map), and the scale.
    """
    side = close_up_side(max_side)
    top, left, bottom, right = close_up_box(region, categories.shape)
    thumbnail_scale = min(1.0, max_side / max(categories.shape))
    if close_up_scale(max(bottom - top, right - left), max_side=side) <= thumbnail_scale:
        return None
    crop = categories[top:bottom, left:right]
    if max(crop.shape) > side:
        crop = thicken_errors(crop, width=display_width(crop.shape, max_side=side))
    photo = image[top:bottom, left:right] if image is not None else None
    picture, scale = close_up(colour_categories(crop, image=photo, style=style), max_side=side)
    shown = f"\u00d7{scale:g}" if scale >= 1 else f"\u00d7{scale:.2f}"
    caption = f"{what}: {region.describe()}" if described else what
    return Picture(f"{caption}, shown {shown}", encode_image(picture, image_format="png"), close_up=True)


def close_up_side(max_side: int) -> int:
    """The longest side of a close-up beside thumbnails of ``max_side``: three quarters of it (180 for
    240), so that ground truth, prediction, error map and close-up of a 4:3 image fit one line
    beside the legend in a report 1180 pixels wide.

    >>> close_up_side(240)
    180
    """
    return max(1, max_side * 3 // 4)


def thumbnail_picture(caption: str, picture: np.ndarray, *, over_photo: bool, max_side: int = 240) -> Picture:
    """A report :class:`Picture`: a thumbnail, JPEG when drawn over a photo, else PNG (exact colours)."""
    return Picture(
        caption,
        encode_image(
            thumbnail(picture, max_side=max_side), image_format="jpeg" if over_photo else "png", quality=80
        ),
    )


def report_error_legend(*, style: ErrorStyle, photo: bool | None, two_classes: bool = False) -> Legend:
    """The legend of a report's error maps: every category of an all-classes map in ``style``
    (``two_classes``: background and foreground only, so no "wrong class").

    ``photo``: the pictures are over photos (True), without (False), or some of each (None).
    """
    class_id = 1 if two_classes else None
    if photo is None and style == "errors":
        entries = [
            ("correct: the photo in gray; without one:", None),
            *error_legend(class_id=class_id, style=style),
        ]
    else:
        entries = error_legend(class_id=class_id, style=style, photo=bool(photo))
    return Legend("Error map colours", entries, (THICKER_NOTE, CLOSE_UP_NOTE))
