"""What boundary metrics add to ``segtool score``: plain scoring against ``--metrics hd95,nsd`` and more.

Workloads:

examples    the bundled examples (``examples/``: 4 label maps of 640x480 with 3 to 10
            classes each), rasterized once into a temporary folder, scored against
            ``examples/predictions``.
benchmark   the score benchmark's generated 1024x2048 label maps (19 classes plus 255,
            boundaries moved a few pixels, stray blobs; see ``bench_score.py``), written
            with segtool's PNG writer.

Variants, each ``score_folders(..., jobs=1)`` timed in CPU time per pair (the
process's, all threads; the examples are scored ``--repeat`` times per round),
median of ``--rounds`` rounds after a warm-up, variants taking turns: ``plain``
(confusion metrics only), ``hd95,nsd``, and ``all`` (hd95, assd, nsd, biou, bf:
the distance metrics read the same boundary distances, Boundary IoU adds two
distance transforms per class for its bands).

Also, on ``--pairs`` benchmark pairs (hard links beyond the distinct ones),
``hd95,nsd`` with ``jobs=2`` against ``jobs=1``: the wall-time speed-up (fastest
round; other jobs on a shared machine slow both down) and the CPU time of the
whole run, all threads (what the second worker costs, whatever the load).

With ``--baseline SRC`` (another checkout's ``src``, e.g. today's main; see
``benchmarks/baseline.py``) its ``score_folders`` runs the same variants in the
same rounds, and the per-class values of every boundary metric on the benchmark
pairs are compared between the two (they must be identical).

Target (issue 14): ``hd95,nsd`` at most 8x plain scoring per pair on the
benchmark label maps, values identical to today's.

Run: ``.venv/bin/python benchmarks/bench_score_boundary.py [--distinct 4] [--pairs 8] [--rounds 5]
[--baseline SRC]`` (the jobs comparison takes half the rounds; about 3 minutes on an idle 2-core machine).
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

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_score import cpu_time, make_pair, take_turns  # noqa: E402  (a sibling script)
from segtool.io.maskio import encode_png, read_mask  # noqa: E402
from segtool.io.memory import keep_freed_memory  # noqa: E402
from segtool.metrics.boundary import BoundaryScorer, boundary_scores  # noqa: E402
from segtool.pipelines.score import score_folders  # noqa: E402

EXAMPLES = HERE.parent / "examples"
VARIANTS = {"plain": (), "hd95,nsd": ("hd95", "nsd"), "all": ("hd95", "assd", "nsd", "biou", "bf")}
TARGET_X_PLAIN = 8.0
EVERY_METRIC = ("hd", "hd95", "hd95_pooled", "assd", "masd", "nsd", "biou", "biou_chessboard", "bf")


def rasterize_examples(out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "segtool",
            "rasterize",
            str(EXAMPLES / "annotations"),
            "-o",
            str(out),
            "--quiet",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def write_benchmark_pairs(root: Path, distinct: int, total: int) -> Path:
    """``total`` pairs under ``root/{gt,pred}``: ``distinct`` generated ones, then hard links to them."""
    for index in range(total):
        for role, array in zip(
            ("gt", "pred"), make_pair(index) if index < distinct else (None, None), strict=True
        ):
            path = root / role / f"image_{index:03d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            if array is None:
                os.link(root / role / f"image_{index % distinct:03d}.png", path)
            else:
                path.write_bytes(encode_png(array))
    return root


def scorer_run(
    pred: Path,
    gt: Path,
    names: tuple[str, ...],
    *,
    labels: Path | None = None,
    jobs: int = 1,
    repeat: int = 1,
    version: tuple[Callable[..., object], type] = (score_folders, BoundaryScorer),
) -> Callable[[], object]:
    score, scorer = version
    metrics = [scorer.from_names(names)] if names else []

    def run() -> None:
        for _ in range(repeat):
            score(pred, gt, labels=labels, image_metrics=metrics, jobs=jobs)

    return run


def report_variants(
    title: str,
    pred: Path,
    gt: Path,
    n_pairs: int,
    rounds: int,
    *,
    labels: Path | None = None,
    repeat: int = 1,
    baseline: tuple[Callable[..., object], type] | None = None,
) -> None:
    versions = {"": (score_folders, BoundaryScorer)}
    if baseline is not None:
        versions["main "] = baseline
    variants = {
        prefix + name: scorer_run(pred, gt, names, labels=labels, repeat=repeat, version=version)
        for prefix, version in versions.items()
        for name, names in VARIANTS.items()
    }
    cpu = {name: statistics.median(values) for name, values in take_turns(variants, rounds, cpu_time).items()}
    print(f"\n{title}: {n_pairs} pairs, CPU time per pair (median of {rounds} rounds), jobs=1")
    print(
        "| variant | ms/pair | x plain (target for hd95,nsd <= 8) | extra ms/pair |"
        + (" today's main (ms/pair) | main x its plain | speed-up |" if baseline else "")
    )
    print("|---|---:|---:|---:|" + ("---:|---:|---:|" if baseline else ""))
    for name in VARIANTS:
        seconds = cpu[name]
        per_pair = seconds / (n_pairs * repeat) * 1000
        extra = (seconds - cpu["plain"]) / (n_pairs * repeat) * 1000
        line = f"| {name} | {per_pair:.1f} | {seconds / cpu['plain']:.1f} | {extra:.1f} |"
        if baseline:
            main_seconds = cpu["main " + name]
            line += (
                f" {main_seconds / (n_pairs * repeat) * 1000:.1f} | {main_seconds / cpu['main plain']:.1f} "
                f"| {main_seconds / seconds:.1f}x |"
            )
        print(line)


def compare_values(pred: Path, gt: Path, baseline_scores: Callable[..., dict]) -> None:
    """Every boundary metric of every class of every pair, here and in the baseline: identical?"""
    differing, compared, largest = 0, 0, 0.0
    for gt_path in sorted(gt.iterdir()):
        truth, guess = read_mask(gt_path), read_mask(pred / gt_path.name)
        classes = sorted(set(np.unique(truth).tolist()) | set(np.unique(guess).tolist()) - {255})
        ours = boundary_scores(truth, guess, classes, EVERY_METRIC, ignore_index=[255])
        theirs = baseline_scores(truth, guess, classes, EVERY_METRIC, ignore_index=[255])
        for name in EVERY_METRIC:
            same = (ours[name] == theirs[name]) | (np.isnan(ours[name]) & np.isnan(theirs[name]))
            differing += int(np.count_nonzero(~same))
            compared += same.size
            if not same.all():
                largest = max(largest, float(np.nanmax(np.abs(ours[name] - theirs[name]))))
    verdict = "identical" if differing == 0 else f"{differing} differ (largest difference {largest:.3g})"
    print(f"\nValues against today's main: {compared} (pair, class, metric) values compared, {verdict}.")


def wall_and_cpu_time(function: Callable[[], object]) -> tuple[float, float]:
    before, start = os.times(), time.perf_counter()
    function()
    elapsed, after = time.perf_counter() - start, os.times()
    return elapsed, sum(after[index] - before[index] for index in range(4))


def report_parallel(pred: Path, gt: Path, n_pairs: int, rounds: int) -> None:
    runs = {f"jobs={jobs}": scorer_run(pred, gt, VARIANTS["hd95,nsd"], jobs=jobs) for jobs in (1, 2)}
    both = take_turns(runs, rounds, wall_and_cpu_time)
    wall = {name: min(pair[0] for pair in pairs) for name, pairs in both.items()}
    cpu = {name: statistics.median(pair[1] for pair in pairs) for name, pairs in both.items()}
    print(f"\nhd95,nsd on {n_pairs} benchmark pairs: wall (fastest of {rounds} rounds) and CPU of the run")
    for name in runs:
        print(
            f"{name}: wall {wall[name] / n_pairs * 1000:.0f} ms/pair, "
            f"CPU {cpu[name] / n_pairs * 1000:.0f} ms/pair"
        )
    print(
        f"wall speed-up {wall['jobs=1'] / wall['jobs=2']:.2f}x; "
        "parallel efficiency (CPU jobs=1 / CPU jobs=2) "
        f"{cpu['jobs=1'] / cpu['jobs=2']:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=4, help="generated 1024x2048 pairs")
    parser.add_argument("--pairs", type=int, default=8, help="benchmark pairs for jobs=1 vs 2 (hard links)")
    parser.add_argument("--repeat", type=int, default=10, help="scorings of the examples per round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument(
        "--baseline", help="src folder of another checkout to measure alongside (today's main)"
    )
    options = parser.parse_args(argv)
    keep_freed_memory()
    baseline = baseline_versions(options.baseline) if options.baseline else None
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        masks = rasterize_examples(root / "examples")
        report_variants(
            "examples",
            EXAMPLES / "predictions",
            masks,
            4,
            options.rounds,
            labels=masks / "labels.txt",
            repeat=options.repeat,
            baseline=baseline and baseline[:2],
        )
        distinct = write_benchmark_pairs(root / "distinct", options.distinct, options.distinct)
        report_variants(
            "benchmark 1024x2048, 19 classes",
            distinct / "pred",
            distinct / "gt",
            options.distinct,
            options.rounds,
            baseline=baseline and baseline[:2],
        )
        if baseline:
            compare_values(distinct / "pred", distinct / "gt", baseline[2])
        linked = write_benchmark_pairs(
            root / "linked", options.distinct, max(options.pairs, options.distinct)
        )
        report_parallel(
            linked / "pred", linked / "gt", max(options.pairs, options.distinct), max(1, options.rounds // 2)
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def baseline_versions(src: str) -> tuple[Callable[..., object], type, Callable[..., dict]]:
    """The baseline checkout's ``score_folders``, ``BoundaryScorer`` and ``boundary_scores``."""
    from baseline import baseline_attribute, load_baseline

    load_baseline(src)
    return (
        baseline_attribute("pipelines.score:score_folders", "scoring:score_folders"),
        baseline_attribute("metrics.boundary:BoundaryScorer"),
        baseline_attribute("metrics.boundary:boundary_scores"),
    )


if __name__ == "__main__":
    main()
