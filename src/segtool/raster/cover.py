"""The pixels each shape of an image covers, clipped to the image, ready to paint.

Shapes drawn from a formula are held as spans (cheap: a few numbers per row);
the others (bitmaps, and every shape in labelme's convention) as a function
that makes the shape's mask when it is needed, so that at most about one
image's worth of masks is ever held at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..annotations.model import Bitmap
from .spans import SpanBoxes, Spans, span_masks


@dataclass(frozen=True)
class Patch:
    """A shape's mask over its bounding box: uint8 0/1, whose top-left pixel is image pixel (top, left)."""

    top: int
    left: int
    mask: np.ndarray


PatchMaker = Callable[[], "Patch | None"]


class Covers:
    """What each of ``n`` shapes covers: shape ``k`` is in ``spans`` or has a maker in ``makers``."""

    def __init__(self, n: int, height: int, width: int, *, spans: Spans,
                 makers: Mapping[int, PatchMaker]) -> None:
        self.n = n
        self.height, self.width = height, width
        self._spans = spans
        self._boxes = SpanBoxes.of(spans, n)
        self._makers = dict(makers)

    def counts(self) -> np.ndarray:
        """The number of pixels each shape covers (makers are run once more for this)."""
        counts = self._boxes.count.copy()
        for shape, make in self._makers.items():
            patch = make()
            counts[shape] = 0 if patch is None else np.count_nonzero(patch.mask)
        return counts

    def patches(self, order: Sequence[int]) -> Iterator[tuple[int, Patch]]:
        """``(shape, patch)`` for the shapes of ``order`` that cover a pixel, in that order.

        Masks of span shapes are made in batches of at most one image's worth of pixels.
        """
        budget = self.height * self.width
        batch: list[int] = []
        batch_size = 0
        areas = (self._boxes.bottom - self._boxes.top) * (self._boxes.right - self._boxes.left)
        for shape in order:
            make = self._makers.get(shape)
            if make is None and self._boxes.count[shape] == 0:
                continue
            if make is not None or batch_size + areas[shape] > budget:
                yield from self._from_spans(batch)
                batch, batch_size = [], 0
            if make is None:
                batch.append(shape)
                batch_size += int(areas[shape])
            else:
                patch = make()
                if patch is not None:
                    yield shape, patch
        yield from self._from_spans(batch)

    def _from_spans(self, shapes: list[int]) -> Iterator[tuple[int, Patch]]:
        if shapes:
            for shape, top, left, mask in span_masks(self._spans, self._boxes, shapes):
                yield shape, Patch(top, left, mask)


def bitmap_patch(bitmap: Bitmap, height: int, width: int) -> Patch | None:
    """The bitmap placed with its top-left pixel at (top, left), clipped to the image; None if nothing is left."""
    mask = np.asarray(bitmap.mask)
    top, left = max(bitmap.top, 0), max(bitmap.left, 0)
    bottom = min(bitmap.top + mask.shape[0], height)
    right = min(bitmap.left + mask.shape[1], width)
    if top >= bottom or left >= right:
        return None
    crop = mask[top - bitmap.top:bottom - bitmap.top, left - bitmap.left:right - bitmap.left]
    crop = crop.view(np.uint8) if crop.dtype == np.bool_ else (crop != 0).view(np.uint8)
    return Patch(top, left, crop) if crop.any() else None

