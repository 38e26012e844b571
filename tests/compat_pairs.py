"""Generated (ground truth, prediction) pairs that exercise every rule of the --compat bundles.

Plain NumPy only (the fixture maker imports it in a venv without segtool). Classes
0..5 (0 background, 5 declared but absent everywhere), 255 ignored. Each pair
names the rule it is there for.
"""

from __future__ import annotations

import numpy as np

CLASSES = (0, 1, 2, 3, 4, 5)
IGNORE = 255
#: Our ids as Cityscapes labelIds (road, sidewalk, building, person, car, bicycle); ignore -> 0 (unlabeled).
CITYSCAPES_IDS = {0: 7, 1: 8, 2: 11, 3: 24, 4: 26, 5: 33, IGNORE: 0}
#: A Cityscapes void id (static) predicted on valid pixels in one pair: a false negative of the true class.
CITYSCAPES_VOID_PREDICTION = 4


def _square(shape, top, left, size, value, base=None):
    out = np.zeros(shape, np.uint8) if base is None else base.copy()
    out[top : top + size, left : left + size] = value
    return out


def make_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, ground truth, prediction), uint8, deterministic."""
    rng = np.random.default_rng(15)
    pairs = []
    # touching classes, prediction shifted by one pixel
    gt = np.zeros((40, 56), np.uint8)
    gt[5:25, 5:20], gt[5:25, 20:35], gt[25:35, 10:45] = 1, 2, 4
    pairs.append(("touching", gt, np.roll(gt, 1, axis=1)))
    # class 3 predicted where the ground truth has none (FP on an empty class)
    gt = _square((32, 32), 4, 4, 10, 1)
    pairs.append(("fp_only_class", gt, _square((32, 32), 18, 18, 6, 3, base=gt)))
    # every ground-truth pixel ignored; the prediction has classes
    pairs.append(("all_ignore", np.full((24, 30), IGNORE, np.uint8), _square((24, 30), 2, 2, 9, 2)))
    # the prediction is all background
    gt = _square((36, 36), 3, 3, 12, 1)
    gt[20:30, 20:32] = 4
    pairs.append(("empty_prediction", gt, np.zeros_like(gt)))
    # ignore bands along the class changes and a frame; a prediction under the ignore is not scored
    gt = np.zeros((48, 48), np.uint8)
    gt[8:40, 8:24], gt[8:40, 24:40] = 2, 4
    pred = np.roll(gt, 2, axis=0)
    gt[:, 22:26] = IGNORE
    gt[:3], gt[:, :3] = IGNORE, IGNORE
    pred[0:2, 0:2] = 3
    pairs.append(("ignore_bands", gt, pred))
    # a far stray predicted pixel of class 1
    gt = _square((64, 64), 5, 5, 8, 1)
    pred = gt.copy()
    pred[60, 61] = 1
    pairs.append(("far_stray_pixel", gt, pred))
    # class 2 in both but never overlapping (TP = 0: mmseg's F-score is undefined)
    gt = _square((30, 40), 2, 2, 8, 2)
    pairs.append(("no_overlap", gt, _square((30, 40), 18, 25, 8, 2)))
    # background only in both
    pairs.append(("background_only", np.zeros((20, 20), np.uint8), np.zeros((20, 20), np.uint8)))
    # noise: every class, 10% of predictions changed
    gt = rng.integers(0, 5, (28, 33)).astype(np.uint8)
    pred = gt.copy()
    flip = rng.random(gt.shape) < 0.1
    pred[flip] = rng.integers(0, 5, int(flip.sum()))
    gt[rng.random(gt.shape) < 0.05] = IGNORE
    pairs.append(("noisy", gt, pred))
    return pairs


def as_cityscapes(mask: np.ndarray) -> np.ndarray:
    """Our ids as Cityscapes labelIds."""
    out = np.zeros_like(mask)
    for ours, theirs in CITYSCAPES_IDS.items():
        out[mask == ours] = theirs
    return out


def cityscapes_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """:func:`make_pairs` as labelIds, plus a void id predicted on valid pixels of the noisy pair."""
    pairs = []
    for name, gt, pred in make_pairs():
        gt, pred = as_cityscapes(gt), as_cityscapes(pred)
        if name == "noisy":
            pred[:4, :4] = CITYSCAPES_VOID_PREDICTION
        pairs.append((name, gt, pred))
    return pairs


#: Tolerances of the random boundary cases: DAVIS's default share of the diagonal, another share,
#: and whole and fractional pixel counts.
BOUNDARY_TOLERANCES = (0.008, 0.05, 2.0, 2.5, 3.0, 1.7)


def boundary_cases(count: int = 120, seed: int = 3):
    """(truth, prediction, void or None, tolerance): random rectangles, some at the image edge."""
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(count):
        height, width = (int(v) for v in rng.integers(5, 60, 2))
        masks = [np.zeros((height, width), bool), np.zeros((height, width), bool)]
        for mask in masks:
            for _ in range(int(rng.integers(0, 3))):
                top, left = int(rng.integers(0, height)), int(rng.integers(0, width))
                tall, wide = (int(v) for v in rng.integers(1, 15, 2))
                mask[top : top + tall, left : left + wide] = True
        void = rng.random((height, width)) < 0.02 if index % 3 == 0 else None
        cases.append((masks[0], masks[1], void, BOUNDARY_TOLERANCES[index % len(BOUNDARY_TOLERANCES)]))
    return cases
