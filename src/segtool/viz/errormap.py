"""Error maps: where a predicted mask agrees with the ground truth, and where not.

Every pixel falls in one category (:data:`CATEGORY_NAMES`), coloured by
:data:`ERROR_COLOURS` (from the Okabe-Ito palette, told apart with the common
colour-vision deficiencies):

=================  ==============  ==============================================
category           colour          pixels
=================  ==============  ==============================================
true negative      black / image   neither side has the class (all classes: both background)
true positive      bluish green    both sides have the class
false positive     vermillion      predicted, not in the ground truth
false negative     blue            in the ground truth, not predicted
wrong class        yellow          all classes only: both foreground, different classes
ignored            neutral gray    the ground truth holds an ignore value
=================  ==============  ==============================================

*One class* (``class_id=c``) follows the metric rules: TP = pred c and gt c,
FP = pred c and gt not c, FN = gt c and pred not c. *All classes*
(``class_id=None``) tells apart the two kinds of mistake a multi-class mask can
make: against the ``background`` id, a pixel is a FP when gt is background and
pred is not, a FN when pred is background and gt is not, and "wrong class" when
both are foreground and differ (it is a FN of one class and a FP of another).
With ``background=None`` every disagreement is "wrong class". Ignore pixels
are decided by the ground truth alone, as in scoring.

Over an image, the true negatives show the image in gray (so the category
colours cannot be confused with the photo's own colours) and the other
categories are blended over it at ``opacity``. NumPy, and OpenCV's table lookup.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

TRUE_NEGATIVE, TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_CLASS, IGNORED = range(6)
CATEGORY_NAMES = (
    "true negative",
    "true positive",
    "false positive",
    "false negative",
    "wrong class",
    "ignored",
)
ERROR_COLOURS: dict[int, tuple[int, int, int]] = {
    TRUE_NEGATIVE: (0, 0, 0),
    TRUE_POSITIVE: (0, 158, 115),
    FALSE_POSITIVE: (213, 94, 0),
    FALSE_NEGATIVE: (0, 114, 178),
    WRONG_CLASS: (240, 228, 66),
    IGNORED: (128, 128, 128),
}
_PALETTE = np.array([ERROR_COLOURS[category] for category in range(len(CATEGORY_NAMES))], np.float32)
# the palette as a 256-entry colour table for cv2.LUT (3 to 5 times faster than indexing with the codes)
_PALETTE_LUT = np.zeros((256, 1, 3), np.uint8)
_PALETTE_LUT[: len(_PALETTE), 0] = _PALETTE


def error_categories(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    class_id: int | None = None,
    ignore: Iterable[int] = (255,),
    background: int | None = 0,
) -> np.ndarray:
    """The category of every pixel (uint8 codes, see the module docstring).

    >>> error_categories(np.array([[1, 1, 0, 255]]), np.array([[1, 0, 1, 1]]), class_id=1).tolist()
    [[1, 3, 2, 5]]
    >>> error_categories(np.array([[2, 0, 2, 1]]), np.array([[2, 1, 0, 2]])).tolist()
    [[1, 2, 3, 4]]
    """
    if mask_true.ndim != 2 or mask_true.shape != mask_pred.shape:
        raise ValueError(
            f"mask_true {mask_true.shape} and mask_pred {mask_pred.shape} must be 2-D, of the same shape"
        )
    categories = np.zeros(mask_true.shape, np.uint8)
    if class_id is not None:
        in_true, in_pred = mask_true == class_id, mask_pred == class_id
        categories[in_true & in_pred] = TRUE_POSITIVE
        categories[in_pred & ~in_true] = FALSE_POSITIVE
        categories[in_true & ~in_pred] = FALSE_NEGATIVE
    else:
        agree = mask_true == mask_pred
        if background is None:
            categories[agree] = TRUE_POSITIVE
            categories[~agree] = WRONG_CLASS
        else:
            true_fg, pred_fg = mask_true != background, mask_pred != background
            categories[agree & true_fg] = TRUE_POSITIVE
            categories[~agree & true_fg & pred_fg] = WRONG_CLASS
            categories[pred_fg & ~true_fg] = FALSE_POSITIVE
            categories[true_fg & ~pred_fg] = FALSE_NEGATIVE
    ignored = np.isin(mask_true, np.fromiter(ignore, np.int64))
    categories[ignored] = IGNORED
    return categories


def colour_categories(
    categories: np.ndarray, *, image: np.ndarray | None = None, opacity: float = 0.6
) -> np.ndarray:
    """Paint category codes as RGB, alone or over ``image`` (RGB uint8 of the same size)."""
    if image is None:
        return cv2.LUT(
            cv2.cvtColor(categories.astype(np.uint8, copy=False), cv2.COLOR_GRAY2RGB), _PALETTE_LUT
        )
    if image.shape[:2] != categories.shape:
        raise ValueError(f"image of shape {image.shape} does not match masks of shape {categories.shape}")
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    gray = image.astype(np.float32) if image.ndim == 2 else _gray(image)
    # per category: how much of the gray image is kept, and how much colour is added
    kept = np.where(categories == TRUE_NEGATIVE, np.float32(1.0), np.float32(1.0 - opacity)) * gray
    added = _PALETTE * np.float32(opacity)
    added[TRUE_NEGATIVE] = 0.0
    picture = np.empty((*categories.shape, 3), np.uint8)
    for channel in range(3):
        values = kept + added[:, channel][categories]
        picture[:, :, channel] = np.rint(values, out=values)
    return picture


def _gray(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB uint8 image (ITU-R BT.601 weights), as float32."""
    red, green, blue = (image[:, :, channel].astype(np.float32) for channel in range(3))
    return red * np.float32(0.299) + green * np.float32(0.587) + blue * np.float32(0.114)


def error_map(
    mask_true: np.ndarray,
    mask_pred: np.ndarray,
    *,
    class_id: int | None = None,
    ignore: Iterable[int] = (255,),
    background: int | None = 0,
    image: np.ndarray | None = None,
    opacity: float = 0.6,
) -> np.ndarray:
    """The error map of a ground-truth / prediction pair as an RGB uint8 array.

    ``class_id`` selects one class (``None``: all classes); ``ignore`` are the
    ground-truth values not scored; ``image`` (optional) is drawn underneath.

    >>> error_map(np.array([[1, 0]]), np.array([[1, 1]]), class_id=1).tolist()
    [[[0, 158, 115], [213, 94, 0]]]
    """
    categories = error_categories(
        mask_true, mask_pred, class_id=class_id, ignore=ignore, background=background
    )
    return colour_categories(categories, image=image, opacity=opacity)


def error_legend(*, class_id: int | None = None, background: int | None = 0) -> list[tuple[str, tuple]]:
    """``(name, colour)`` of the categories an error map of this kind can show, for a legend."""
    shown: tuple[int, ...]
    if class_id is not None:
        shown = (TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE, IGNORED)
    elif background is None:
        shown = (TRUE_POSITIVE, WRONG_CLASS, IGNORED)
    else:
        shown = (TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_CLASS, IGNORED)
    return [(CATEGORY_NAMES[category], ERROR_COLOURS[category]) for category in shown]
