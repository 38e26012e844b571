"""Confusion matrices of label masks and every score computed from them; boundary metrics.

``confusion_matrix(mask_true, mask_pred, n_classes=...)`` counts one pair in one
vectorised pass; ``metrics_from_matrix`` turns a matrix into per-class Dice, IoU,
precision and recall (NaN where undefined) and a summary. The conventions are
stated in :mod:`segtool.metrics.confusion` and :mod:`segtool.metrics.classwise`.
Boundary metrics (Hausdorff distances, ASSD, NSD, Boundary IoU, boundary F-score)
live in :mod:`segtool.metrics.boundary`, on the boundaries and distances of
:mod:`segtool.metrics.surface`. :mod:`segtool.metrics.registry` says what each metric
is (title, direction, unit, aggregations), :mod:`segtool.metrics.conventions` holds
other tools' scoring rules (``--compat``), :mod:`segtool.metrics.davis` DAVIS's own
boundary F, and :mod:`segtool.metrics.paired` compares two models on the same images.
"""

from .classwise import (
    METRICS,
    DatasetScores,
    ImageCounts,
    RunningStats,
    ScoreAccumulator,
    class_scores,
    counts_from_matrix,
    frequency_weighted_iou,
    macro_mean,
    mean_accuracy,
    metrics_from_matrix,
    pixel_accuracy,
    summary_scores,
)
from .confusion import CellCounts, JointCounts, confusion_matrix, joint_counts, matrix_from_joint, place_joint

__all__ = [
    "METRICS",
    "CellCounts",
    "DatasetScores",
    "ImageCounts",
    "JointCounts",
    "RunningStats",
    "ScoreAccumulator",
    "class_scores",
    "confusion_matrix",
    "counts_from_matrix",
    "frequency_weighted_iou",
    "joint_counts",
    "macro_mean",
    "matrix_from_joint",
    "mean_accuracy",
    "metrics_from_matrix",
    "pixel_accuracy",
    "place_joint",
    "summary_scores",
]
