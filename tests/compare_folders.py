"""Folders for the compare tests: 12 images of 3 classes, three models (A; B better on every image; C = A)."""

from pathlib import Path

import numpy as np

from segtool.io.maskio import write_mask

LABELS_CSV = "id,name\n0,background\n1,cat\n2,traffic light\n"


def _noisy(rng, truth, flips):
    pred = truth.copy()
    rows, cols = rng.integers(0, truth.shape[0], flips), rng.integers(0, truth.shape[1], flips)
    pred[rows, cols] = rng.integers(0, 3, flips)
    return pred


def write_compare_folders(root: Path, n_images: int = 12) -> Path:
    """gt/, a/ (60 pixels flipped per image), b/ (40% of A's mistakes, no other), c/ (= a/), labels.csv."""
    rng = np.random.default_rng(5)
    for name in ("gt", "a", "b", "c"):
        (root / name).mkdir()
    for index in range(n_images):
        truth = np.zeros((24, 32), np.uint8)
        truth[4:14, 3:20] = 1
        truth[12:22, 15 + index % 5 : 30] = 2
        base = _noisy(rng, truth, 60)
        better = truth.copy()
        keep = (base != truth) & (rng.random(truth.shape) < 0.4)
        better[keep] = base[keep]
        write_mask(root / "gt" / f"{index:02d}.png", truth)
        write_mask(root / "a" / f"{index:02d}.png", base)
        write_mask(root / "b" / f"{index:02d}.png", better)
        write_mask(root / "c" / f"{index:02d}.png", base)
    (root / "labels.csv").write_text(LABELS_CSV)
    return root
