"""What boundary metrics add to ``segtool score``: plain scoring against ``--metrics hd95,nsd`` and more.

Workloads:

examples    the bundled examples (``examples/``: 4 label maps of 640x480 with 3 to 10
            classes each), rasterized once into a temporary folder, scored against
            ``examples/predictions``.
benchmark   the score benchmark's generated 1024x2048 label maps (19 classes plus 255,
            boundaries moved a few pixels, stray blobs; see ``bench_score.py``), written
            with segtool's PNG writer.

Variants, each ``score_folders(..., jobs=1)`` timed in CPU time per pair, median of
``--rounds`` rounds after a warm-up, variants taking turns: ``plain`` (confusion
metrics only), ``hd95,nsd``, and ``all`` (hd95, assd, nsd, biou, bf: every metric
reads the same two distance transforms per class). Also the wall time of
``hd95,nsd`` with ``jobs=2`` against ``jobs=1`` (fastest round).

Run: ``.venv/bin/python benchmarks/bench_score_boundary.py [--distinct 4] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_score import make_pair  # noqa: E402  (a sibling script, not a package)

from segtool.maskio import encode_png  # noqa: E402
from segtool.memory import keep_freed_memory  # noqa: E402
from segtool.metrics.boundary import BoundaryScorer  # noqa: E402
from segtool.scoring import score_folders  # noqa: E402

EXAMPLES = HERE.parent / "examples"
VARIANTS = {"plain": (), "hd95,nsd": ("hd95", "nsd"), "all": ("hd95", "assd", "nsd", "biou", "bf")}


def rasterize_examples(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "segtool", "rasterize", str(EXAMPLES / "annotations"), "-o", str(out),
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return out


def write_benchmark_pairs(root: Path, distinct: int) -> Path:
    for index in range(distinct):
        for role, array in zip(("gt", "pred"), make_pair(index)):
            path = root / role / f"image_{index:03d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encode_png(array))
    return root


def scorer_run(pred: Path, gt: Path, names: tuple[str, ...], *, labels: Path | None = None,
               jobs: int = 1) -> Callable[[], object]:
    metrics = [BoundaryScorer.from_names(names)] if names else []
    return lambda: score_folders(pred, gt, labels=labels, image_metrics=metrics, jobs=jobs)


def cpu_time(function: Callable[[], object]) -> float:
    """CPU time of this process and of any worker processes it waited for."""
    before = os.times()
    function()
    after = os.times()
    return sum(after[index] - before[index] for index in range(4))


def wall_time(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def timed(variants: dict[str, Callable[[], object]], rounds: int, clock: Callable, pick: Callable) -> dict:
    """``pick`` over rounds of each variant's time; round 0 warms up; variants take turns in rotating order."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_index in range(rounds + 1):
        for name in names[round_index % len(names):] + names[: round_index % len(names)]:
            elapsed = clock(variants[name])
            if round_index:
                times[name].append(elapsed)
    return {name: pick(values) for name, values in times.items()}


def report(title: str, pred: Path, gt: Path, n_pairs: int, rounds: int, labels: Path | None = None) -> None:
    variants = {name: scorer_run(pred, gt, names, labels=labels) for name, names in VARIANTS.items()}
    cpu = timed(variants, rounds, cpu_time, statistics.median)
    print(f"\n{title}: {n_pairs} pairs, CPU time per pair (median of {rounds} rounds), jobs=1")
    print(f"{'variant':<10} {'ms/pair':>10} {'x plain':>8} {'extra ms/pair':>14}")
    for name, seconds in cpu.items():
        per_pair = seconds / n_pairs * 1000
        extra = (seconds - cpu["plain"]) / n_pairs * 1000
        print(f"{name:<10} {per_pair:>10.1f} {seconds / cpu['plain']:>8.1f} {extra:>14.1f}")
    parallel = timed({"jobs=1": scorer_run(pred, gt, VARIANTS["hd95,nsd"], labels=labels),
                      "jobs=2": scorer_run(pred, gt, VARIANTS["hd95,nsd"], labels=labels, jobs=2)},
                     rounds, wall_time, min)
    print(f"hd95,nsd wall time, fastest round: jobs=1 {parallel['jobs=1']:.2f} s, jobs=2 "
          f"{parallel['jobs=2']:.2f} s ({parallel['jobs=1'] / parallel['jobs=2']:.2f}x)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=4, help="generated 1024x2048 pairs")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds after one warm-up round")
    options = parser.parse_args(argv)
    keep_freed_memory()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        masks = rasterize_examples(root / "examples")
        report("examples", EXAMPLES / "predictions", masks, 4, options.rounds, labels=masks / "labels.txt")
        data = write_benchmark_pairs(root / "benchmark", options.distinct)
        report("benchmark 1024x2048, 19 classes", data / "pred", data / "gt", options.distinct, options.rounds)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
