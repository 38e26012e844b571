"""The pixels each shape of an image covers, clipped to the image.

Shapes drawn from a formula are held as spans (a few numbers per row); the
others (bitmaps, and every shape in labelme's convention) as a function that
makes the shape's mask over its bounding box when it is painted, so that at
most about one image's worth of masks exists at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..annotations.model import Bitmap
from .spans import Spans, pixel_counts


@dataclass(frozen=True)
class Patch:
    """A shape's mask over its bounding box: uint8 0/1, whose top-left pixel is image pixel (top, left)."""

    top: int
    left: int
    mask: np.ndarray


PatchMaker = Callable[[], "Patch | None"]


class Covers:
    """What each of ``n`` shapes covers: shape ``k`` has runs in ``spans`` or a maker in ``makers``."""

    def __init__(
        self, n: int, height: int, width: int, *, spans: Spans, makers: Mapping[int, PatchMaker]
    ) -> None:
        self.n = n
        self.height, self.width = height, width
        self.spans = spans
        self.makers = dict(makers)

    def counts(self) -> np.ndarray:
        """The number of pixels each shape covers (makers are run for this)."""
        counts = pixel_counts(self.spans, self.n)
        for shape, make in self.makers.items():
            patch = make()
            counts[shape] = 0 if patch is None else np.count_nonzero(patch.mask)
        return counts

    def spans_of(self, shapes: np.ndarray) -> Spans:
        """The runs of the given shapes only."""
        keep = np.isin(self.spans.shape, shapes)
        return Spans(*(getattr(self.spans, name)[keep] for name in ("shape", "row", "start", "end")))


def bitmap_patch(bitmap: Bitmap, height: int, width: int) -> Patch | None:
    """The bitmap placed with its top-left pixel at (top, left), clipped to the image.

    None if nothing is left.
    """
    top, left = max(bitmap.top, 0), max(bitmap.left, 0)
    bottom = min(bitmap.top + bitmap.size[0], height)
    right = min(bitmap.left + bitmap.size[1], width)
    if top >= bottom or left >= right:
        return None
    mask = bitmap.decoded()
    crop = mask[top - bitmap.top : bottom - bitmap.top, left - bitmap.left : right - bitmap.left]
    crop = crop.view(np.uint8) if crop.dtype == np.bool_ else (crop != 0).view(np.uint8)
    return Patch(top, left, crop) if crop.any() else None
