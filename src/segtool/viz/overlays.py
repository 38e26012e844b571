"""A label mask drawn over its image, with a dark-and-light outline on every boundary.

Conventions
-----------
* ``image`` is an RGB uint8 array ``(H, W, 3)`` (or 2-D gray), or None when
  there is no photo: the classes are then painted at full colour (as in the
  legend) on plain gray :data:`NO_PHOTO_GRAY`. ``labels`` is a 2-D integer
  array of class ids of the same height and width.
* Every id except the background (0) is painted in its label-map colour,
  blended with the image at ``opacity`` (0 = image only, 1 = colour only). The
  ignore value is painted too, in its own palette colour, so that the user sees
  which pixels are not scored. The background is left as the image unless
  ``include_background`` is set.
* The outline (on by default) makes every class visible over any photo, even a
  class colour over a photo of the same colour. Wherever two 4-neighbouring
  pixels hold different ids, the pixel of the larger id is drawn
  :data:`OUTLINE_DARK` and the pixel of the smaller id :data:`OUTLINE_LIGHT`:
  a dark line and a light line side by side, ``outline_width`` pixels each, at
  the picture's resolution. Around a region on the background the dark line is
  therefore just inside the region and the light line just outside; between
  two classes the dark line lies on the side of the larger id. The image edge
  is no boundary.
* Thin parts are never hidden by their own outline. A painted pixel that no
  square of its own id, ``2 outline_width + 1`` pixels on a side, covers (a
  line or point drawn 1 or 2 pixels wide, the tip of a sharp corner) is drawn
  in its class colour at full strength, whatever the opacity, and both lines
  go around it on the outside: dark on the ``outline_width`` pixels next to it,
  light on the ``outline_width`` pixels beyond (where no other dark line lies).
  A 1-pixel line thus shows as colour between dark and light lines, a point as
  a coloured pixel in a dark ring in a light ring.
* The legend lists, in id order, the painted ids present in the mask, with
  their names (the id number when there is no label map, or the id is not in
  it); without a photo a last entry, :data:`NO_PHOTO_ENTRY` on the gray, says so.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..labels import LabelMap, name_or_id, voc_colour
from .image import as_rgb
from .legend import LegendEntry, with_legend

BACKGROUND_ID = 0
#: The drawing's backdrop when there is no photo: a plain gray that is no VOC colour (those grays are
#: 0, 64, 128 and 192), on which the class colours and both outline colours stand out.
NO_PHOTO_GRAY = (160, 160, 160)
#: The legend's last entry, on that gray, when a picture is drawn without its photo.
NO_PHOTO_ENTRY = "(no photo)"
#: The two lines of the outline: near-black on the larger id's side, white on the smaller id's.
OUTLINE_DARK = (16, 16, 16)
OUTLINE_LIGHT = (255, 255, 255)
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
_SQUARE = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))


def present_ids(labels: np.ndarray, *, include_background: bool = False) -> list[int]:
    """The ids found in ``labels``, ascending; without 0 unless ``include_background``."""
    ids = np.flatnonzero(np.bincount(labels.ravel()))
    return [int(label_id) for label_id in ids if include_background or label_id != BACKGROUND_ID]


def legend_entries(ids: list[int], label_map: LabelMap | None = None) -> list[LegendEntry]:
    """``(name, colour)`` for each id, as the overlay paints it."""
    return [(name_or_id(label_id, label_map), _colour(label_id, label_map)) for label_id in ids]


def _colour(label_id: int, label_map: LabelMap | None) -> tuple[int, int, int]:
    return voc_colour(label_id) if label_map is None else label_map.colour_of(label_id)


def _lookup_colours(labels: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """``lookup[labels]`` as an (H, W, 3) uint8 array; OpenCV's table lookup for 8-bit labels."""
    if labels.dtype == np.uint8:
        return cv2.LUT(cv2.merge([labels, labels, labels]), lookup[:256].reshape(256, 1, 3))
    return np.take(lookup, labels, axis=0)


def no_photo(height: int, width: int) -> np.ndarray:
    """The backdrop of a drawing without a photo: ``(height, width, 3)`` of :data:`NO_PHOTO_GRAY`."""
    return np.full((height, width, 3), NO_PHOTO_GRAY, np.uint8)


def _steps(width: int, shape: tuple[int, ...]) -> int:
    """``width`` 4-connected steps, capped at ``height + width`` of ``shape``: no step beyond reaches
    a further pixel, so the drawing is the same (and OpenCV, asked for a million, builds a
    kernel of (2 x 10**6 + 1)**2 cells and fails)."""
    return min(width, shape[0] + shape[1])


def outline_sides(labels: np.ndarray, *, width: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks ``(dark, light)`` of the double outline (see the module docstring).

    ``dark``: pixels with a smaller id within ``width`` 4-connected steps;
    ``light``: the other pixels with a larger id within ``width`` steps.

    >>> dark, light = outline_sides(np.array([[0, 0, 3, 3]], np.uint8))
    >>> dark.astype(int).tolist(), light.astype(int).tolist()
    ([[0, 0, 1, 0]], [[0, 1, 0, 0]])
    """
    if width < 1:
        raise ValueError(f"outline width must be at least 1, got {width}")
    width = _steps(width, labels.shape)
    if labels.dtype not in (np.uint8, np.uint16):
        labels = labels.astype(np.uint16)
    # cv2's default border value for dilate/erode never wins, so the image edge is no boundary.
    dark = cv2.erode(labels, _CROSS, iterations=width) < labels
    light = (cv2.dilate(labels, _CROSS, iterations=width) > labels) & ~dark
    return dark, light


def thin_parts(labels: np.ndarray, *, width: int = 1) -> np.ndarray:
    """Boolean mask of the pixels that no ``(2 width + 1)``-pixel square of their own id covers.

    These are the parts of a region too thin for the outline to be drawn inside
    them: lines and points 1 or 2 pixels wide, the tips of sharp corners.

    >>> labels = np.zeros((5, 7), np.uint8)
    >>> labels[1:4, 1:4] = 1  # a 3x3 square
    >>> labels[1:4, 5] = 2  # a 1-pixel line
    >>> (thin_parts(labels) & (labels > 0)).astype(int)[1:4].tolist()
    [[0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1, 0]]
    """
    width = _steps(width, labels.shape)
    if labels.dtype not in (np.uint8, np.uint16):
        labels = labels.astype(np.uint16)
    # centres of squares of one id; the squares around them cover only that id
    centres = (cv2.erode(labels, _SQUARE, iterations=width) == labels) & (
        cv2.dilate(labels, _SQUARE, iterations=width) == labels
    )
    return ~cv2.dilate(centres.view(np.uint8), _SQUARE, iterations=width).view(bool)


def overlay(
    image: np.ndarray | None,
    labels: np.ndarray,
    *,
    label_map: LabelMap | None = None,
    opacity: float = 0.5,
    outline: bool = True,
    outline_width: int = 1,
    legend: bool = True,
    include_background: bool = False,
) -> np.ndarray:
    """Draw ``labels`` over ``image``; return an RGB uint8 array.

    Without a photo (``image=None``) the classes are painted at full colour
    (``opacity`` ignored) on :data:`NO_PHOTO_GRAY`.

    ``outline``: the dark-and-light lines on every boundary, ``outline_width``
    pixels each (see the module docstring). With ``legend`` the result has a
    legend panel on its right (see :mod:`segtool.viz.legend`), so it is wider
    than the image.

    >>> picture = overlay(np.zeros((1, 2, 3), np.uint8), np.array([[0, 1]], np.uint8),
    ...                   opacity=1.0, outline=False, legend=False)
    >>> picture.tolist()
    [[[0, 0, 0], [128, 0, 0]]]
    >>> overlay(None, np.array([[0, 0, 1, 1, 1]], np.uint8), legend=False).tolist()
    [[[160, 160, 160], [255, 255, 255], [16, 16, 16], [128, 0, 0], [128, 0, 0]]]
    """
    if labels.ndim != 2:
        raise ValueError(f"labels must be a 2-D array, got shape {labels.shape}")
    without_photo = image is None
    if image is None:  # nothing to blend with: the classes in full colour, as in the legend
        image, opacity = no_photo(*labels.shape), 1.0
    image = as_rgb(image)
    if labels.shape != image.shape[:2]:
        raise ValueError(f"labels of shape {labels.shape} do not match an image of shape {image.shape}")
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    ids = present_ids(_checked_labels(labels), include_background=include_background)
    colours, painted = _class_colours(labels, ids, label_map)
    # rounds to nearest like np.rint; computed everywhere, copied where painted
    blended = cv2.addWeighted(image, 1.0 - opacity, colours, opacity, 0.0)
    result = cv2.copyTo(blended, painted.view(np.uint8), image.copy())
    if outline:
        _draw_outline(result, labels, colours, painted, width=outline_width)
    if legend:
        entries = legend_entries(ids, label_map) + (
            [(NO_PHOTO_ENTRY, NO_PHOTO_GRAY)] if without_photo else []
        )
        result = with_legend(result, entries)
    return result


def draw_outline(
    picture: np.ndarray,
    labels: np.ndarray,
    *,
    label_map: LabelMap | None = None,
    width: int = 1,
    include_background: bool = False,
) -> np.ndarray:
    """Draw the dark-and-light outline of ``labels`` into ``picture`` (RGB uint8, same size), in place.

    What :func:`overlay` draws with ``outline=True``, for a picture already
    painted, for instance a thumbnail (``labels`` then at the thumbnail's size):
    the lines are 1 pixel each at the picture's own resolution. ``picture`` must
    be C-contiguous (a ValueError otherwise). Returns ``picture``.
    """
    if labels.ndim != 2 or labels.shape != picture.shape[:2]:
        raise ValueError(f"labels of shape {labels.shape} do not match a picture of shape {picture.shape}")
    if picture.dtype != np.uint8 or picture.ndim != 3 or not picture.flags.c_contiguous:
        raise ValueError("the picture must be a C-contiguous (H, W, 3) uint8 array (it is drawn into)")
    ids = present_ids(_checked_labels(labels), include_background=include_background)
    colours, painted = _class_colours(labels, ids, label_map)
    _draw_outline(picture, labels, colours, painted, width=width)
    return picture


def _checked_labels(labels: np.ndarray) -> np.ndarray:
    """``labels`` when they are integers in 0..65535; else a ValueError."""
    if not np.issubdtype(labels.dtype, np.integer) or (
        labels.size and not 0 <= labels.min() <= labels.max() <= 65535
    ):
        raise ValueError("labels must be integers in 0..65535")
    return labels


def _class_colours(
    labels: np.ndarray, ids: list[int], label_map: LabelMap | None
) -> tuple[np.ndarray, np.ndarray]:
    """The colour of every pixel's class (H, W, 3), and where it is painted (its id is in ``ids``)."""
    lookup = np.zeros((max(256, int(labels.max(initial=0)) + 1), 3), np.uint8)
    painted_lookup = np.zeros(len(lookup), bool)
    for label_id in ids:
        lookup[label_id] = _colour(label_id, label_map)
        painted_lookup[label_id] = True
    return _lookup_colours(labels, lookup), painted_lookup[labels]


def _draw_outline(
    picture: np.ndarray, labels: np.ndarray, colours: np.ndarray, painted: np.ndarray, *, width: int
) -> None:
    """Draw the double outline into ``picture`` in place (see the module docstring)."""
    width = _steps(width, labels.shape)
    dark, light = outline_sides(labels, width=width)
    thin = thin_parts(labels, width=width) & painted
    frame = cv2.dilate(thin.view(np.uint8), _CROSS, iterations=width).view(bool) & ~thin
    halo = (
        cv2.dilate(thin.view(np.uint8), _CROSS, iterations=_steps(2 * width, labels.shape)).view(bool)
        & ~thin
        & ~frame
    )
    pixels, colour_of = picture.reshape(-1, 3), colours.reshape(-1, 3)
    # indices of the few outline pixels: much faster than boolean indexing of the whole picture
    pixels[np.flatnonzero(light | halo)] = OUTLINE_LIGHT
    pixels[np.flatnonzero((dark & ~thin) | frame)] = OUTLINE_DARK
    at = np.flatnonzero(thin)
    pixels[at] = colour_of[at]
