"""A label mask drawn over its image.

Conventions
-----------
* ``image`` is an RGB uint8 array ``(H, W, 3)`` (or 2-D gray); ``labels`` is a
  2-D integer array of class ids of the same height and width.
* Every id except the background (0) is painted in its label-map colour,
  blended with the image at ``opacity`` (0 = image only, 1 = colour only). The
  ignore value is painted too, in its own palette colour, so that the user sees
  which pixels are not scored. The background is left as the image unless
  ``include_background`` is set.
* An outline is the *inner* border of each painted class region: the pixels of
  the region that have a pixel of another id within ``outline_width`` steps
  (4-connected, so the border is 1 pixel thick for width 1). The edge of the
  image is not a border. Outlines are drawn at full colour whatever the opacity,
  so ``opacity=0, outline=True`` gives outlines only.
* The legend lists, in id order, the painted ids present in the mask, with
  their names (the id number when there is no label map, or the id is not in
  it).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..labels import LabelMap, name_or_id, voc_colour
from .image import as_rgb
from .legend import LegendEntry, with_legend

BACKGROUND_ID = 0
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


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


def inner_border(labels: np.ndarray, *, width: int = 1) -> np.ndarray:
    """Boolean mask of the pixels with a different id within ``width`` 4-connected steps.

    >>> inner_border(np.array([[1, 1, 2]], np.uint8)).astype(int).tolist()
    [[0, 1, 1]]
    """
    if width < 1:
        raise ValueError(f"outline width must be at least 1, got {width}")
    if labels.dtype not in (np.uint8, np.uint16):
        labels = labels.astype(np.uint16)
    # cv2's default border value for dilate/erode never wins, so the image edge is no border.
    grown = cv2.dilate(labels, _CROSS, iterations=width)
    shrunk = cv2.erode(labels, _CROSS, iterations=width)
    return (grown != labels) | (shrunk != labels)


def overlay(
    image: np.ndarray,
    labels: np.ndarray,
    *,
    label_map: LabelMap | None = None,
    opacity: float = 0.5,
    outline: bool = False,
    outline_width: int = 1,
    legend: bool = True,
    include_background: bool = False,
) -> np.ndarray:
    """Draw ``labels`` over ``image``; return an RGB uint8 array.

    With ``legend`` the result has a legend panel on its right (see
    :mod:`segtool.viz.legend`), so it is wider than the image.

    >>> picture = overlay(np.zeros((1, 2, 3), np.uint8), np.array([[0, 1]], np.uint8),
    ...                   opacity=1.0, legend=False)
    >>> picture.tolist()
    [[[0, 0, 0], [128, 0, 0]]]
    """
    image = as_rgb(image)
    if labels.ndim != 2 or labels.shape != image.shape[:2]:
        raise ValueError(f"labels of shape {labels.shape} do not match an image of shape {image.shape}")
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    if not np.issubdtype(labels.dtype, np.integer) or (
        labels.size and not 0 <= labels.min() <= labels.max() <= 65535
    ):
        raise ValueError("labels must be integers in 0..65535")
    ids = present_ids(labels, include_background=include_background)
    lookup = np.zeros((max(256, int(labels.max(initial=0)) + 1), 3), np.uint8)
    painted_lookup = np.zeros(len(lookup), np.uint8)
    for label_id in ids:
        lookup[label_id] = _colour(label_id, label_map)
        painted_lookup[label_id] = 1
    colours = _lookup_colours(labels, lookup)
    painted = painted_lookup[labels]
    # rounds to nearest like np.rint; computed everywhere, copied where painted
    blended = cv2.addWeighted(image, 1.0 - opacity, colours, opacity, 0.0)
    result = cv2.copyTo(blended, painted, image.copy())
    if outline:
        border = (inner_border(labels, width=outline_width) & painted.view(bool)).view(np.uint8)
        result = cv2.copyTo(colours, border, result)
    if legend:
        result = with_legend(result, legend_entries(ids, label_map))
    return result
