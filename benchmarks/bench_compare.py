"""What ``segtool compare`` costs: comparing two models against scoring one, and the bootstrap alone.

1. Folders: bench_score's generated 1024x2048 label maps with 19 classes plus 255
   (``--writer``: segtool's, whose files decode fastest, or Pillow's): a ground truth,
   model A's prediction (bench_score's) and model B's (A's with a few more wrong blobs).
   Timed on one core, CPU time, median of ``--rounds`` rounds after a warm-up, variants
   taking turns:

   score one     ``score_folders(pred_a, gt)``
   compare two   ``compare_folders(gt, [pred_a, pred_b])`` with 2000 resamples
   compare, 0    the same with ``resamples=0`` (scoring and bookkeeping only)

   Target (issue 18): compare two <= 2.2 x score one.

2. The bootstrap alone, on 500 images x 19 classes of random per-image counts:
   every row compare computes for one model pair (4 confusion metrics, both
   aggregations: intervals, Holm, Wilcoxon) with 2000 resamples; and the dataset
   differences of one metric alone. Median wall time of ``--rounds`` runs.
   Target (issue 18): under a second.

Run: ``.venv/bin/python benchmarks/bench_compare.py [--pairs 96] [--rounds 5]`` (BLAS on one thread).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as bench_score: before NumPy loads BLAS

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench_score import N_CLASSES, cpu_time, make_pair, pillow_png, take_turns
from segtool.io.maskio import encode_png
from segtool.metrics import class_scores
from segtool.metrics.paired import dataset_differences, weight_chunks
from segtool.pipelines.compare import _comparison_rows, _ModelCells, compare_folders
from segtool.pipelines.score import score_folders

BOOTSTRAP_IMAGES, BOOTSTRAP_CLASSES, RESAMPLES = 500, 19, 2000


def write_folders(root: Path, pairs: int, writer: str = "segtool") -> Path:
    """``root/{gt,a,b}``: ``pairs`` distinct images each, PNGs by segtool's writer or Pillow's."""
    encode = encode_png if writer == "segtool" else pillow_png
    rng = np.random.default_rng(0)
    for name in ("gt", "a", "b"):
        (root / name).mkdir(parents=True)
    for index in range(pairs):
        truth, prediction_a = make_pair(index)
        prediction_b = prediction_a.copy()
        for _ in range(4):
            centre = tuple(int(v) for v in rng.uniform((0, 0), prediction_b.shape[::-1]))
            cv2.circle(prediction_b, centre, int(rng.integers(5, 40)), int(rng.integers(0, N_CLASSES)), -1)
        for name, array in (("gt", truth), ("a", prediction_a), ("b", prediction_b)):
            (root / name / f"image_{index:05d}.png").write_bytes(encode(array))
    return root


def random_cells(rng: np.random.Generator) -> _ModelCells:
    shape = (BOOTSTRAP_IMAGES, BOOTSTRAP_CLASSES)
    present = rng.random(shape) < 0.6
    tp, fp, fn = (np.where(present, rng.integers(0, 50_000, shape), 0) for _ in range(3))
    return _ModelCells(tp, fp, fn, class_scores(tp, fp, fn))


def median_wall(function, rounds: int) -> float:
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writer", choices=("segtool", "pillow"), default="segtool")
    options = parser.parse_args(argv)
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = write_folders(Path(folder), options.pairs, options.writer)
        gt, a, b = root / "gt", root / "a", root / "b"
        variants = {
            "score one": lambda: score_folders(a, gt, jobs=1),
            "compare two": lambda: compare_folders(gt, [a, b], jobs=1, resamples=RESAMPLES),
            "compare, 0": lambda: compare_folders(gt, [a, b], jobs=1, resamples=0),
        }
        times = {
            name: statistics.median(values)
            for name, values in take_turns(variants, options.rounds, cpu_time).items()
        }
    print(
        f"{options.pairs} pairs of 1024x2048 maps ({options.writer}-written), 19 classes; CPU seconds, "
        f"median of {options.rounds} rounds"
    )
    for name, seconds in times.items():
        print(f"  {name:12s} {seconds:7.3f} s  {seconds / times['score one']:5.2f} x score one")
    rng = np.random.default_rng(1)
    baseline, model = random_cells(rng), random_cells(rng)
    in_mean = np.arange(BOOTSTRAP_CLASSES) != 0

    def every_row() -> None:
        _comparison_rows(
            ["a", "b"],
            [baseline, model],
            list(range(BOOTSTRAP_CLASSES)),
            [str(i) for i in range(BOOTSTRAP_CLASSES)],
            in_mean,
            confidence=0.95,
            resamples=RESAMPLES,
            seed=0,
        )

    def one_metric() -> None:
        for weights in weight_chunks(BOOTSTRAP_IMAGES, resamples=RESAMPLES, seed=0):
            dataset_differences(baseline.counts, model.counts, weights, metrics=["dice"], in_mean=in_mean)

    print(
        f"bootstrap, {BOOTSTRAP_IMAGES} images x {BOOTSTRAP_CLASSES} classes x {RESAMPLES} resamples (wall)"
    )
    print(f"  every row (4 metrics, both aggregations)  {median_wall(every_row, options.rounds):.3f} s")
    print(f"  dataset Dice differences alone            {median_wall(one_metric, options.rounds):.3f} s")


if __name__ == "__main__":
    main()
