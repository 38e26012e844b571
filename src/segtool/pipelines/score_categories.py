"""Per-category scores of a score run (``score --groups``), from each image's joint counts.

The rules are :mod:`segtool.metrics.categories`'. Dataset numbers come from the counts summed
over the images (equal to summing the confusion matrix first); per-image numbers are the mean
and population standard deviation over the images where the category is defined.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..metrics.categories import category_counts
from ..metrics.classwise import RunningStats, class_scores
from ..metrics.confusion import JointCounts

CATEGORY_METRICS = ("dice", "iou")
CATEGORY_COLUMNS = (
    "category",
    "classes",
    *(f"{metric}_dataset" for metric in CATEGORY_METRICS),
    *(f"{metric}_image_{part}" for metric in CATEGORY_METRICS for part in ("mean", "std", "n")),
)


class CategoryTally:
    """Counts of each category summed over images, and the running per-image scores."""

    def __init__(self, categories: Mapping[int, str]) -> None:
        self.categories = dict(categories)
        self.names = list(dict.fromkeys(self.categories.values()))
        size = len(self.names)
        self.tp, self.fp, self.fn = (np.zeros(size, np.int64) for _ in range(3))
        self.per_image = {metric: RunningStats(size) for metric in CATEGORY_METRICS}

    def add(self, joint: JointCounts) -> None:
        """Count one image in (its joint counts over the valid pixels)."""
        tp, fp, fn = category_counts(joint, self.categories, self.names)
        self.tp += tp
        self.fp += fp
        self.fn += fn
        scores = class_scores(tp, fp, fn)
        positions = np.arange(len(self.names))
        for metric in CATEGORY_METRICS:
            self.per_image[metric].add(positions, scores[metric])

    def rows(self) -> list[dict[str, Any]]:
        """One row per category (:data:`CATEGORY_COLUMNS`), in the order categories first appear."""
        dataset = class_scores(self.tp, self.fp, self.fn)
        rows = []
        for position, name in enumerate(self.names):
            row: dict[str, Any] = {
                "category": name,
                "classes": " ".join(str(i) for i, group in sorted(self.categories.items()) if group == name),
            }
            for metric in CATEGORY_METRICS:
                stats = self.per_image[metric]
                row[f"{metric}_dataset"] = float(dataset[metric][position])
                row[f"{metric}_image_mean"] = float(stats.mean[position])
                row[f"{metric}_image_std"] = float(stats.std[position])
                row[f"{metric}_image_n"] = int(stats.count[position])
            rows.append(row)
        return rows
