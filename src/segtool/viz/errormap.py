"""Error maps: where a predicted mask agrees with the ground truth, and where not.

Every pixel falls in one category (:data:`CATEGORY_NAMES`). :data:`ERROR_COLOURS`
(from the Okabe-Ito palette, told apart with the common colour-vision
deficiencies) are the colours of the ``all`` style; the default ``errors``
style paints only the mistakes in them (see the styles below):

=================  ==============  ==============================================
category           colour          pixels
=================  ==============  ==============================================
true negative      black / photo   neither side has the class (all classes: both background)
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

Two styles (``style``):

* ``"errors"`` (the default) shows the mistakes: every correct pixel (true
  positive or negative) is the photo in gray, or without a photo light gray
  (true positive) on white (true negative); false positives, false negatives
  and wrong classes are painted opaque in their colours; ignored pixels are
  blended over the photo at ``opacity`` (opaque without a photo).
* ``"all"`` paints every category: the true negatives show the photo in gray
  (black without one) and the other categories are blended over it at
  ``opacity`` (opaque without a photo).

The photo is shown in gray so that the category colours cannot be confused with
its own colours. Both styles colour each pixel by its own category: a 1-pixel
error is 1 pixel wide. For a picture shown smaller than the masks (a report's
thumbnail), :func:`thicken_errors` spreads the errors over their correct
neighbours first, so that a 1-pixel band stays visible (display only: the
counts are never made from a thickened map). NumPy, and OpenCV's table lookup
and dilation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal, get_args

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
#: The categories that are mistakes (consecutive codes: FALSE_POSITIVE..WRONG_CLASS).
ERROR_CODES = (FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_CLASS)

ErrorStyle = Literal["errors", "all"]
ERROR_STYLES: tuple[ErrorStyle, ...] = get_args(ErrorStyle)
#: The correct pixels of the ``errors`` style without a photo: true positives, true negatives.
CORRECT_CLASS_GRAY = (200, 200, 200)
CORRECT_BACKGROUND_WHITE = (255, 255, 255)

_PALETTE = np.array([ERROR_COLOURS[category] for category in range(len(CATEGORY_NAMES))], np.float32)
_ERRORS_PALETTE = _PALETTE.copy()
_ERRORS_PALETTE[TRUE_NEGATIVE], _ERRORS_PALETTE[TRUE_POSITIVE] = CORRECT_BACKGROUND_WHITE, CORRECT_CLASS_GRAY


def _lut(palette: np.ndarray) -> np.ndarray:
    """``palette`` as a 256-entry table for cv2.LUT (3 to 5 times faster than indexing with the codes)."""
    table = np.zeros((256, 1, 3), np.uint8)
    table[: len(palette), 0] = palette
    return table


_LUTS: dict[str, np.ndarray] = {"all": _lut(_PALETTE), "errors": _lut(_ERRORS_PALETTE)}


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
    categories: np.ndarray,
    *,
    image: np.ndarray | None = None,
    opacity: float = 0.6,
    style: ErrorStyle = "errors",
) -> np.ndarray:
    """Paint category codes as RGB, alone or over ``image`` (RGB uint8 of the same size).

    ``style``: ``"errors"`` or ``"all"``, see the module docstring.

    >>> colour_categories(np.array([[0, 1, 2]], np.uint8)).tolist()
    [[[255, 255, 255], [200, 200, 200], [213, 94, 0]]]
    >>> colour_categories(np.array([[0, 1, 2]], np.uint8), style="all").tolist()
    [[[0, 0, 0], [0, 158, 115], [213, 94, 0]]]
    """
    if style not in ERROR_STYLES:
        raise ValueError(f"style must be one of {ERROR_STYLES}, got {style!r}")
    if image is None:
        return cv2.LUT(
            cv2.cvtColor(categories.astype(np.uint8, copy=False), cv2.COLOR_GRAY2RGB), _LUTS[style]
        )
    if image.shape[:2] != categories.shape:
        raise ValueError(f"image of shape {image.shape} does not match masks of shape {categories.shape}")
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    gray = image.astype(np.float32) if image.ndim == 2 else _gray(image)
    # per category: how much of the gray image is kept, and how much colour is added
    kept_share, added = _blend(style, opacity)
    kept = kept_share[categories] * gray
    picture = np.empty((*categories.shape, 3), np.uint8)
    for channel in range(3):
        values = kept + added[:, channel][categories]
        picture[:, :, channel] = np.rint(values, out=values)
    return picture


def _blend(style: ErrorStyle, opacity: float) -> tuple[np.ndarray, np.ndarray]:
    """Per category code: the share of the gray photo kept, and the colour added over it."""
    kept = np.full(len(_PALETTE), 1.0 - opacity, np.float32)
    added = _PALETTE * np.float32(opacity)
    correct = (TRUE_NEGATIVE,) if style == "all" else (TRUE_NEGATIVE, TRUE_POSITIVE)
    kept[list(correct)], added[list(correct)] = 1.0, 0.0
    if style == "errors":  # mistakes opaque, in full colour
        kept[list(ERROR_CODES)], added[list(ERROR_CODES)] = 0.0, _PALETTE[list(ERROR_CODES)]
    return kept, added


def thicken_errors(categories: np.ndarray, *, width: int) -> np.ndarray:
    """For display only: spread every error pixel over the pixels within a ``width`` x ``width`` square.

    Error pixels keep their own category; a correct or ignored pixel near
    errors takes the highest error code among them (wrong class over false
    negative over false positive). ``width`` 1 or less returns ``categories``.

    >>> thicken_errors(np.array([[1, 1, 2, 1, 1]], np.uint8), width=3).tolist()
    [[1, 2, 2, 2, 1]]
    """
    if width <= 1:
        return categories
    codes = categories.astype(np.uint8, copy=False)
    # OpenCV's bitwise operations on 0/255 masks: about twice as fast as np.where on 2 MP maps
    errors = cv2.inRange(codes, FALSE_POSITIVE, WRONG_CLASS)
    spread = cv2.dilate(cv2.bitwise_and(codes, errors), np.ones((width, width), np.uint8))
    kept = cv2.bitwise_or(errors, cv2.inRange(spread, 0, 0))  # own code: errors, and far from them
    return cv2.bitwise_or(cv2.bitwise_and(codes, kept), cv2.bitwise_and(spread, cv2.bitwise_not(kept)))


def is_error(categories: np.ndarray) -> np.ndarray:
    """True where a pixel is a false positive, a false negative or a wrong class."""
    return (categories >= FALSE_POSITIVE) & (categories <= WRONG_CLASS)


def display_width(shape: tuple[int, ...], *, max_side: int, screen_pixels: int = 2) -> int:
    """The :func:`thicken_errors` width that keeps a 1-pixel error ``screen_pixels`` wide once a
    picture of ``shape`` is shrunk to ``max_side`` (never less than ``screen_pixels``).

    >>> display_width((480, 640), max_side=240), display_width((10, 20), max_side=240)
    (6, 2)
    """
    shrink = max(1.0, max(shape[:2]) / max_side)
    return math.ceil(screen_pixels * shrink)


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
    style: ErrorStyle = "errors",
) -> np.ndarray:
    """The error map of a ground-truth / prediction pair as an RGB uint8 array.

    ``class_id`` selects one class (``None``: all classes); ``ignore`` are the
    ground-truth values not scored; ``image`` (optional) is drawn underneath;
    ``style`` shows the errors only (``"errors"``) or every category (``"all"``).

    >>> error_map(np.array([[1, 0]]), np.array([[1, 1]]), class_id=1).tolist()
    [[[200, 200, 200], [213, 94, 0]]]
    >>> error_map(np.array([[1, 0]]), np.array([[1, 1]]), class_id=1, style="all").tolist()
    [[[0, 158, 115], [213, 94, 0]]]
    """
    categories = error_categories(
        mask_true, mask_pred, class_id=class_id, ignore=ignore, background=background
    )
    return colour_categories(categories, image=image, opacity=opacity, style=style)


def error_legend(
    *,
    class_id: int | None = None,
    background: int | None = 0,
    style: ErrorStyle = "errors",
    photo: bool = False,
) -> list[tuple[str, tuple[int, int, int] | None]]:
    """``(name, colour)`` of the categories an error map of this kind can show, for a legend.

    The colour is None for an entry without a swatch: the correct pixels of the
    ``errors`` style over a ``photo`` (they are the photo).

    >>> [name for name, _ in error_legend(class_id=1)]
    ['true positive', 'true negative', 'false positive', 'false negative', 'ignored']
    >>> error_legend(class_id=1, photo=True)[0]
    ('correct: the photo, in gray', None)
    """
    mistakes: tuple[int, ...]
    if class_id is not None:
        mistakes = (FALSE_POSITIVE, FALSE_NEGATIVE)
    elif background is None:
        mistakes = (WRONG_CLASS,)
    else:
        mistakes = ERROR_CODES
    entries: list[tuple[str, tuple[int, int, int] | None]]
    if style == "all":
        entries = [(CATEGORY_NAMES[TRUE_POSITIVE], ERROR_COLOURS[TRUE_POSITIVE])]
    elif photo:
        entries = [("correct: the photo, in gray", None)]
    else:
        entries = [
            (CATEGORY_NAMES[TRUE_POSITIVE], CORRECT_CLASS_GRAY),
            (CATEGORY_NAMES[TRUE_NEGATIVE], CORRECT_BACKGROUND_WHITE),
        ]
    return entries + [(CATEGORY_NAMES[code], ERROR_COLOURS[code]) for code in (*mistakes, IGNORED)]
