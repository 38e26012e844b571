"""Painting what shapes cover into a label array, or into one mask that unites them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import cv2
import numpy as np

from .cover import Covers, Patch
from .spans import pixel_counts, topmost, union_mask


def paint_labels(covers: Covers, order: Sequence[int], values: Sequence[int],
                 dtype: np.dtype) -> tuple[np.ndarray, set[int]]:
    """Shape ``k`` painted with ``values[k]``, in ``order`` (later over earlier), on background 0.

    Returns the label array and the shapes that cover at least one pixel. Runs of
    consecutive span shapes are resolved together (:func:`.spans.topmost`) and
    written in one pass; masks are pasted one by one.
    """
    height, width = covers.height, covers.width
    value_of = np.asarray(values, dtype=dtype)
    drawn = set(np.flatnonzero(pixel_counts(covers.spans, covers.n)).tolist())
    labels = None
    for from_makers, group in groupby(order, key=lambda shape: shape in covers.makers):
        group = list(group)
        if from_makers:
            if labels is None:
                labels = np.zeros((height, width), dtype=dtype)
            for shape in group:
                patch = covers.makers[shape]()
                if patch is not None:
                    _paste(labels, patch, value_of[shape])
                    drawn.add(shape)
            continue
        spans = covers.spans if len(group) == covers.n else covers.spans_of(np.array(group))
        if len(spans.shape) == 0:
            continue
        priority = np.zeros(covers.n, dtype=np.int64)
        priority[group] = np.arange(1, len(group) + 1)
        bounds, winner = topmost(spans, priority, height, width)
        lengths = np.diff(bounds)
        value_or_background = np.append(value_of, np.zeros(1, dtype=dtype))  # winner -1: background
        layer = np.repeat(value_or_background[winner], lengths).reshape(height, width)
        if labels is None:
            labels = layer
        else:
            covered = np.repeat((winner >= 0).astype(np.uint8), lengths).reshape(height, width)
            cv2.copyTo(layer, covered, labels)
    if labels is None:
        labels = np.zeros((height, width), dtype=dtype)
    return labels, drawn


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
                region = mask[patch.top:patch.top + rows, patch.left:patch.left + columns]
                cv2.bitwise_or(region, patch.mask, dst=region)
                drawn.add(shape)
    return mask, drawn


def _paste(labels: np.ndarray, patch: Patch, value) -> None:
    rows, columns = patch.mask.shape
    region = labels[patch.top:patch.top + rows, patch.left:patch.left + columns]
    cv2.copyTo(np.full((rows, columns), value, dtype=labels.dtype), patch.mask, region)
