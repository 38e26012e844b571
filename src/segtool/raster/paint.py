"""Painting what shapes cover into a label array, or into one mask that unites them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import NamedTuple

import cv2
import numpy as np

from .cover import Covers, Patch
from .spans import topmost, union_mask


class Painting(NamedTuple):
    """A label array, the shapes that cover at least one of its pixels, and its pixels per value."""

    labels: np.ndarray
    drawn: set[int]
    counts: dict[int, int]  # value -> pixels, for the values present, in increasing order


def paint_labels(
    covers: Covers, order: Sequence[int], values: Sequence[int], dtype: np.dtype, *, padded: bool = False
) -> Painting:
    """Shape ``k`` painted with ``values[k]``, in ``order`` (later over earlier), on background 0.

    Runs of consecutive span shapes are resolved together (:func:`.spans.topmost`)
    and written in one pass; masks are pasted one by one. Pixels are counted
    from the pieces written when only spans are painted, else from the result.
    ``padded``: the labels are the view ``[:, 1:]`` of a (height, width + 1) array
    whose column 0 is background.
    """
    height, width = covers.height, covers.width
    lead = 1 if padded else 0
    stride = width + lead
    value_of = np.asarray(values, dtype=dtype)
    drawn = set(
        np.flatnonzero(np.bincount(covers.spans.shape, minlength=covers.n)).tolist()
    )  # runs are not empty
    canvas, counts = None, None
    for from_makers, shapes in groupby(order, key=lambda shape: shape in covers.makers):
        group = list(shapes)
        if from_makers:
            counts = None  # pasted masks are counted on the result
            if canvas is None:
                canvas = np.zeros((height, stride), dtype=dtype)
            for shape in group:
                patch = covers.makers[shape]()
                if patch is not None:
                    _paste(canvas[:, lead:], patch, value_of[shape])
                    drawn.add(shape)
            continue
        spans = covers.spans if len(group) == covers.n else covers.spans_of(np.array(group))
        if len(spans.shape) == 0:
            continue
        priority = np.zeros(covers.n, dtype=np.int64)
        priority[group] = np.arange(1, len(group) + 1)
        bounds, top = topmost(spans, priority, height * stride, stride, lead)
        lengths = np.diff(bounds)
        value_on_top = np.concatenate([np.zeros(1, dtype=dtype), value_of[group]])  # top 0: background
        shown = value_on_top[top]
        layer = np.repeat(shown, lengths).reshape(height, stride)
        if canvas is None:
            canvas = layer
            counts = _piece_counts(shown, lengths, padding=height * lead)
        else:
            covered = np.repeat((top > 0).view(np.uint8), lengths).reshape(height, stride)
            cv2.copyTo(layer, covered, canvas)
            counts = None
    if canvas is None:
        canvas, counts = np.zeros((height, stride), dtype=dtype), {0: height * width}
    labels = canvas[:, lead:]
    if counts is None:
        counts = label_counts(labels)
    return Painting(labels, drawn, counts)


def label_counts(labels: np.ndarray) -> dict[int, int]:
    """Pixels per value of a label array: ``{value: pixels}`` for the values present, in increasing order."""
    if labels.dtype == np.uint8:
        counts = cv2.calcHist([labels], [0], None, [256], [0, 256]).ravel()
    else:
        counts = np.bincount(labels.ravel())
    return {int(value): int(count) for value, count in enumerate(counts) if count}


def _piece_counts(shown: np.ndarray, lengths: np.ndarray, *, padding: int) -> dict[int, int]:
    """Pixels per value of a layer written as ``np.repeat(shown, lengths)``, less ``padding``
    background pixels (the padded column)."""
    pixels = np.bincount(shown, weights=lengths).astype(np.int64)
    pixels[0] -= padding
    present = np.flatnonzero(pixels)
    return dict(zip(present.tolist(), pixels[present].tolist(), strict=True))


def paint_union(covers: Covers, shapes: Sequence[int]) -> tuple[np.ndarray, set[int]]:
    """A uint8 0/1 mask of every pixel one of ``shapes`` covers, and the shapes that cover one."""
    height, width = covers.height, covers.width
    from_spans = np.array([shape for shape in shapes if shape not in covers.makers], dtype=np.int64)
    spans = covers.spans_of(from_spans)
    drawn = set(np.unique(spans.shape).tolist())
    mask = union_mask(spans, height, width) if drawn else np.zeros((height, width), dtype=np.uint8)
    for shape in shapes:
        if shape in covers.makers:
            patch = covers.makers[shape]()
            if patch is not None:
                rows, columns = patch.mask.shape
                region = mask[patch.top : patch.top + rows, patch.left : patch.left + columns]
                cv2.bitwise_or(region, patch.mask, dst=region)
                drawn.add(shape)
    return mask, drawn


def _paste(labels: np.ndarray, patch: Patch, value) -> None:
    rows, columns = patch.mask.shape
    region = labels[patch.top : patch.top + rows, patch.left : patch.left + columns]
    cv2.copyTo(np.full((rows, columns), value, dtype=labels.dtype), patch.mask, region)
