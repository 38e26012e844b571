"""Boundary metrics: segtool against MONAI, MedPy and deepmind's surface-distance on the same pairs.

Run: ``python benchmarks/bench_boundary.py`` (or ``python benchmarks/run.py boundary``) after
``pip install -r benchmarks/requirements-reference.txt``; tools that are not installed are left out.

Each tool computes HD95, ASSD and NSD (tolerance 2 pixels) the way its users call it: MONAI one
function per metric, MedPy one per metric (it has no NSD), surface-distance one distance
computation then its reductions, segtool one ``boundary_metrics`` / ``boundary_scores`` call.
segtool runs with ``edge_is_boundary=True`` so that its boundaries are MedPy's and MONAI's, and
the table shows the largest HD95 difference from segtool's value in the same convention (MONAI:
``hd95``, the larger directed percentile; MedPy: ``hd95_pooled``). surface-distance puts contours
on pixel edges, so its values differ by convention and are not compared. Times are medians per
pair, in one run, with the ratio to segtool: CPU time of the process (all its threads; steady when
other jobs share the machine) and wall time (which then varies a lot).
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

import cv2
import numpy as np

from segtool.metrics.boundary import Tolerances, boundary_metrics, boundary_scores

NSD_TOLERANCE = 2.0
CLASSES = 19
METRICS = ["hd95", "assd", "nsd"]
# The segtool metric that computes the same HD95 as each peer.
SAME_HD95 = {"MONAI": "hd95", "MedPy": "hd95_pooled"}


# --- workloads ---------------------------------------------------------------------------------


def object_pairs(count: int, shape=(512, 512), seed=0) -> list[tuple[np.ndarray, np.ndarray]]:
    """One organ-like object per image; the prediction is shifted, eroded or dilated a little and
    has a small false-positive blob somewhere else."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        truth = np.zeros(shape, np.uint8)
        centre = (int(rng.integers(150, shape[1] - 150)), int(rng.integers(150, shape[0] - 150)))
        axes = (int(rng.integers(40, 120)), int(rng.integers(40, 120)))
        cv2.ellipse(truth, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        shift = rng.integers(-4, 5, 2)
        pred = np.roll(truth, tuple(shift), axis=(0, 1))
        size = int(rng.integers(1, 4))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * size + 1, 2 * size + 1))
        pred = cv2.dilate(pred, kernel) if rng.random() < 0.5 else cv2.erode(pred, kernel)
        blob = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
        cv2.circle(pred, blob, int(rng.integers(2, 8)), 1, -1)
        pairs.append((truth.astype(bool), pred.astype(bool)))
    return pairs


def _voronoi_labels(shape, seeds, classes) -> np.ndarray:
    small = (shape[0] // 4, shape[1] // 4)
    rows, cols = np.indices(small, dtype=np.float32)
    nearest = np.full(small, np.inf, np.float32)
    labels = np.zeros(small, np.uint8)
    for (row, col), class_id in zip(seeds / 4, classes, strict=True):
        squared = (rows - row) ** 2 + (cols - col) ** 2
        closer = squared < nearest
        nearest[closer] = squared[closer]
        labels[closer] = class_id
    return cv2.resize(labels, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)


def label_map_pairs(
    count: int, shape=(1024, 2048), classes=19, seed=0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Street-scene-sized label maps: 60 regions of 19 classes; the prediction moves every region's
    seed by a few pixels and adds ten blobs of random classes."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        seeds = rng.uniform((0, 0), shape, (60, 2))
        region_classes = rng.integers(0, classes, 60).astype(np.uint8)
        truth = _voronoi_labels(shape, seeds, region_classes)
        pred = _voronoi_labels(shape, seeds + rng.normal(0, 6, seeds.shape), region_classes)
        for _ in range(10):
            centre = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
            cv2.circle(pred, centre, int(rng.integers(3, 30)), int(rng.integers(0, classes)), -1)
        pairs.append((truth, pred))
    return pairs


# --- tools: each returns {metric: value} for a binary pair ----------------------------------------


def segtool_pair(truth, pred):
    return boundary_metrics(
        truth,
        pred,
        [*METRICS, "hd95_pooled"],
        edge_is_boundary=True,
        tolerances=Tolerances(nsd=NSD_TOLERANCE),
    )


def monai_pair(truth, pred):
    import torch
    from monai.metrics import (
        compute_average_surface_distance,
        compute_hausdorff_distance,
        compute_surface_dice,
    )

    y_pred = torch.from_numpy(pred[None, None].astype(np.float32))
    y = torch.from_numpy(truth[None, None].astype(np.float32))
    return {
        "hd95": compute_hausdorff_distance(y_pred, y, include_background=True, percentile=95).item(),
        "assd": compute_average_surface_distance(y_pred, y, include_background=True, symmetric=True).item(),
        "nsd": compute_surface_dice(y_pred, y, [NSD_TOLERANCE], include_background=True).item(),
    }


def medpy_pair(truth, pred):
    from medpy.metric import binary

    return {"hd95": binary.hd95(pred, truth), "assd": binary.assd(pred, truth)}


def surface_distance_pair(truth, pred):
    import surface_distance

    distances = surface_distance.compute_surface_distances(truth, pred, (1.0, 1.0))
    return {
        "hd95": surface_distance.compute_robust_hausdorff(distances, 95),
        "assd": float(np.mean(surface_distance.compute_average_surface_distance(distances))),
        "nsd": surface_distance.compute_surface_dice_at_tolerance(distances, NSD_TOLERANCE),
    }


def per_class(pair_function: Callable) -> Callable:
    """A label-map version of a binary tool: loop over the classes present on both sides."""

    def run(truth, pred):
        values = {}
        for class_id in range(CLASSES):
            mask_true, mask_pred = truth == class_id, pred == class_id
            if mask_true.any() and mask_pred.any():
                values[class_id] = pair_function(mask_true, mask_pred)
        return values

    return run


def segtool_labels(truth, pred):
    names = [*METRICS, "hd95_pooled"]
    scores = boundary_scores(
        truth, pred, range(CLASSES), names, edge_is_boundary=True, tolerances=Tolerances(nsd=NSD_TOLERANCE)
    )
    return {
        class_id: {name: scores[name][class_id] for name in names}
        for class_id in range(CLASSES)
        if (truth == class_id).any() and (pred == class_id).any()
    }


def monai_labels(truth, pred):
    """MONAI's usual call: one-hot tensors with every class as a channel, one call per metric."""
    import torch
    from monai.metrics import (
        compute_average_surface_distance,
        compute_hausdorff_distance,
        compute_surface_dice,
    )

    def one_hot(labels):
        return torch.from_numpy((labels[None] == np.arange(CLASSES)[:, None, None])[None].astype(np.float32))

    y_pred, y = one_hot(pred), one_hot(truth)
    hd95 = compute_hausdorff_distance(y_pred, y, include_background=True, percentile=95)[0]
    assd = compute_average_surface_distance(y_pred, y, include_background=True, symmetric=True)[0]
    nsd = compute_surface_dice(y_pred, y, [NSD_TOLERANCE] * CLASSES, include_background=True)[0]
    return {
        class_id: {"hd95": hd95[class_id].item(), "assd": assd[class_id].item(), "nsd": nsd[class_id].item()}
        for class_id in range(CLASSES)
        if (truth == class_id).any() and (pred == class_id).any()
    }


def available_tools(label_maps: bool) -> dict[str, Callable]:
    tools: dict[str, Callable] = {"segtool": segtool_labels if label_maps else segtool_pair}
    candidates = {
        "MONAI": ("monai", monai_labels if label_maps else monai_pair),
        "MedPy": ("medpy", per_class(medpy_pair) if label_maps else medpy_pair),
        "surface-distance": (
            "surface_distance",
            per_class(surface_distance_pair) if label_maps else surface_distance_pair,
        ),
    }
    for name, (module, function) in candidates.items():
        try:
            __import__(module)
        except ImportError:
            continue
        tools[name] = function
    return tools


# --- measuring ---------------------------------------------------------------------------------


def _largest_hd95_gap(ours, theirs, segtool_name: str, label_maps: bool) -> float:
    if not label_maps:
        ours, theirs = {0: ours}, {0: theirs}
    return max(abs(ours[key][segtool_name] - theirs[key]["hd95"]) for key in ours)


def measure(title: str, pairs, label_maps: bool) -> None:
    tools = available_tools(label_maps)
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    wall: dict[str, list[float]] = {name: [] for name in tools}
    gaps: dict[str, float] = {name: 0.0 for name in SAME_HD95 if name in tools}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for function in tools.values():
            function(*pairs[0])  # warm-up: imports, caches, thread pools
        for truth, pred in pairs:
            results = {}
            for name, function in tools.items():
                cpu_start, wall_start = time.process_time(), time.perf_counter()
                results[name] = function(truth, pred)
                cpu[name].append(time.process_time() - cpu_start)
                wall[name].append(time.perf_counter() - wall_start)
            for name in gaps:
                gap = _largest_hd95_gap(results["segtool"], results[name], SAME_HD95[name], label_maps)
                gaps[name] = max(gaps[name], gap)
    base_cpu, base_wall = statistics.median(cpu["segtool"]), statistics.median(wall["segtool"])
    print(f"\n### {title} ({len(pairs)} pairs)\n")
    print(
        "| tool | CPU ms per pair | CPU / segtool's | wall ms per pair | wall / segtool's "
        "| largest HD95 difference, same convention (px) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in tools:
        median_cpu, median_wall = statistics.median(cpu[name]), statistics.median(wall[name])
        gap = f"{gaps[name]:.2g}" if name in gaps else "-"
        print(
            f"| {name} | {median_cpu * 1000:.1f} | {median_cpu / base_cpu:.1f}x "
            f"| {median_wall * 1000:.1f} | {median_wall / base_wall:.1f}x | {gap} |"
        )


def main() -> None:
    print(f"HD95 + ASSD + NSD (tolerance {NSD_TOLERANCE:g} px; MedPy has no NSD).")
    measure("one object, 512x512", object_pairs(12), label_maps=False)
    measure(f"label maps, 1024x2048, {CLASSES} classes", label_map_pairs(2), label_maps=True)


if __name__ == "__main__":
    main()
