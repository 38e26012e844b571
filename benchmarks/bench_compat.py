"""What --compat and --compare-conventions cost on top of a plain score run.

Same data as bench_score (1024x2048 label maps, 19 classes, segtool-written PNGs, hard links
beyond the distinct pairs). Variants take turns (bench_score.take_turns); CPU time per pair,
median of the rounds. A bundle keeps every (image, class) cell and scores them once at the end;
compare scores them under every bundle; davis adds bf_davis, a per-image boundary metric.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import cv2

from segtool.io.memory import keep_freed_memory
from segtool.metrics.conventions import BUNDLES, compare_conventions
from segtool.pipelines.score import score_folders

_spec = importlib.util.spec_from_file_location("bench_score", Path(__file__).with_name("bench_score.py"))
bench_score = importlib.util.module_from_spec(_spec)
sys.modules["bench_score"] = bench_score
_spec.loader.exec_module(bench_score)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=4, help="distinct generated pairs")
    parser.add_argument("--pairs", type=int, default=48, help="pairs scored (hard links beyond the distinct)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds after one warm-up round")
    options = parser.parse_args(argv)
    cv2.setNumThreads(1)
    keep_freed_memory()
    with tempfile.TemporaryDirectory(prefix="bench-compat-") as tmp:
        pairs = [bench_score.make_pair(seed) for seed in range(options.distinct)]
        folder = bench_score.write_dataset(Path(tmp), pairs, options.pairs)["segtool"]
        pred, gt = folder / "pred", folder / "gt"

        def compare() -> None:
            result = score_folders(pred, gt, keep_cells=True)
            compare_conventions(result.cells.arrays(), result.confusion_class_ids, result.n_images)

        variants = {
            "plain": lambda: score_folders(pred, gt),
            **{
                f"--compat {name}": (lambda name=name: score_folders(pred, gt, compat=name))
                for name in ("mmseg", "monai", "torchmetrics")
            },
            "--compare-conventions": compare,
        }
        n_pairs = dict.fromkeys(variants, options.pairs)
        times = bench_score.per_pair_times(variants, n_pairs, options.rounds)
        davis = bench_score.per_pair_times(
            {"--compat davis (adds bf_davis)": lambda: score_folders(pred, gt, compat="davis")},
            {"--compat davis (adds bf_davis)": options.pairs},
            1,
        )
    base = times["plain"]
    print(
        f"{options.pairs} pairs of {bench_score.WIDTH}x{bench_score.HEIGHT}, "
        f"{bench_score.N_CLASSES} classes; "
        f"CPU ms per pair, median of {options.rounds} rounds; {len(BUNDLES)} bundles.\n"
    )
    print("| variant | ms per pair | vs plain |\n|---|---|---|")
    for name, value in {**times, **davis}.items():
        print(f"| {name} | {value * 1000:.2f} | {value / base:.2f}x |")


if __name__ == "__main__":
    main()
