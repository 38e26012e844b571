"""The peers run on the pairs of compat_pairs.py: MONAI, torchmetrics, MedPy, cityscapesScripts, DAVIS.

Each function imports its peer when called, so this module imports without them. Used by
tests/fixtures/compat/make_peer_fixtures.py (which writes peers.json) and by the reference
tests (which run the peers again and compare).
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np

from compat_pairs import CLASSES, IGNORE, boundary_cases, cityscapes_pairs

NSD_TOLERANCE = 2.0
PEER_PACKAGES = (
    "numpy",
    "torch",
    "monai",
    "torchmetrics",
    "medpy",
    "cityscapesscripts",
    "opencv-python-headless",
    "scikit-image",
)


def one_hot(mask: np.ndarray, valid: np.ndarray):
    import torch

    planes = np.stack([(mask == c) & valid for c in CLASSES]).astype(np.int64)
    return torch.from_numpy(planes[None])


def as_list(values) -> list:
    return [None if np.isnan(v) else float(v) for v in np.asarray(values, float).ravel()]


#: MONAI's surface metrics as the monai bundle names them, with their arguments (background out).
MONAI_SURFACE = {
    "HausdorffDistanceMetric(percentile=95)": ("HausdorffDistanceMetric", {"percentile": 95}),
    "HausdorffDistanceMetric": ("HausdorffDistanceMetric", {}),
    "SurfaceDistanceMetric(symmetric=True)": ("SurfaceDistanceMetric", {"symmetric": True}),
    "SurfaceDiceMetric": ("SurfaceDiceMetric", {"class_thresholds": [NSD_TOLERANCE] * (len(CLASSES) - 1)}),
}


def run_monai(pairs) -> dict:
    import warnings

    import monai.metrics

    metrics = {
        name: (getattr(monai.metrics, name), {"include_background": True, "ignore_empty": True})
        for name in ("DiceMetric", "MeanIoU")
    }
    metrics.update(
        {
            name: (getattr(monai.metrics, cls), {"include_background": False, **options})
            for name, (cls, options) in MONAI_SURFACE.items()
        }
    )
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MONAI warns about empty masks (inf / nan)
        for name, (metric, options) in metrics.items():
            mean = metric(reduction="mean", **options)
            batch = metric(reduction="mean_batch", **options)
            for _, gt, pred in pairs:
                valid = gt != IGNORE
                for scorer in (mean, batch):
                    scorer(y_pred=one_hot(pred, valid), y=one_hot(gt, valid))
            out[name] = float(mean.aggregate().item())
            out[f"{name}_mean_batch"] = as_list(batch.aggregate())
    return out


def run_torchmetrics(pairs) -> dict:
    from torchmetrics.segmentation import DiceScore, MeanIoU

    metrics = {
        "DiceScore": DiceScore(num_classes=len(CLASSES), include_background=True, average="macro"),
        "DiceScore_none": DiceScore(num_classes=len(CLASSES), include_background=True, average="none"),
        "MeanIoU": MeanIoU(num_classes=len(CLASSES), include_background=True),
        "MeanIoU_per_class": MeanIoU(num_classes=len(CLASSES), include_background=True, per_class=True),
    }
    for _, gt, pred in pairs:
        valid = gt != IGNORE
        for metric in metrics.values():
            metric.update(one_hot(pred, valid), one_hot(gt, valid))
    return {name: as_list(metric.compute()) for name, metric in metrics.items()}


def run_medpy(pairs) -> dict:
    import warnings

    from medpy.metric.binary import dc, jc

    out = {"dc": [], "jc": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dc(empty, empty): 0/0 on NumPy 2
        for _, gt, pred in pairs:
            valid = gt != IGNORE
            out["dc"].append(as_list([dc((pred == c) & valid, (gt == c) & valid) for c in CLASSES]))
            out["jc"].append(as_list([jc((pred == c) & valid, (gt == c) & valid) for c in CLASSES]))
    return out


def run_cityscapes() -> dict:
    import cv2
    from cityscapesscripts.evaluation import evalPixelLevelSemanticLabeling as cs

    with tempfile.TemporaryDirectory() as folder:
        gt_files, pred_files = [], []
        for name, gt, pred in cityscapes_pairs():
            gt_files.append(f"{folder}/{name}_gt.png")
            pred_files.append(f"{folder}/{name}_pred.png")
            cv2.imwrite(gt_files[-1], gt)
            cv2.imwrite(pred_files[-1], pred)
        cs.args.evalInstLevelScore = False
        cs.args.quiet = True
        cs.args.JSONOutput = False
        result = cs.evaluateImgLists(pred_files, gt_files, cs.args)
    return {
        "classScores": {name: (None if np.isnan(v) else v) for name, v in result["classScores"].items()},
        "averageScoreClasses": result["averageScoreClasses"],
        "categoryScores": {
            name: (None if np.isnan(v) else v) for name, v in result["categoryScores"].items()
        },
        "averageScoreCategories": result["averageScoreCategories"],
    }


def run_davis(pairs, metrics_file: Path) -> dict:
    import skimage.morphology  # noqa: F401 (imported before the alias below: numpy.ma breaks under it)

    np.bool = bool  # the module predates NumPy 2
    spec = importlib.util.spec_from_file_location("davis_metrics", metrics_file)
    davis = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(davis)
    out = {"J": [], "F": []}
    out["F_random_cases"] = [
        float(davis.db_eval_boundary(truth, guess, void, bound_th=tolerance))
        for truth, guess, void, tolerance in boundary_cases()
    ]
    for _, gt, pred in pairs:
        void = gt == IGNORE
        out["J"].append(as_list([davis.db_eval_iou(gt == c, pred == c, void) for c in CLASSES]))
        out["F"].append(as_list([davis.db_eval_boundary(gt == c, pred == c, void) for c in CLASSES]))
    return out
