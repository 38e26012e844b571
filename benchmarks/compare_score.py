"""`score` before and after a change: two segtool source trees, taking turns on bench_score's data.

Each tree's ``score_folders(..., jobs=1)`` runs in a fresh process (OpenCV on one
thread, freed memory kept, as ``segtool score`` runs), once to warm up and then
twice, keeping the faster CPU time; the trees take turns in rotating order, round
after round, so that the load of a shared machine falls on both. Printed per
writer (segtool's own PNGs, Pillow's): the median CPU ms per pair of each tree
and the after/before ratio of each round, with their median.

Run (the "before" tree is, for example, ``git worktree add /tmp/base main``):
``.venv/bin/python benchmarks/compare_score.py /tmp/base/src src [--rounds 9] [--pairs 48]``.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_score import make_pair, take_turns, write_dataset

#: Runs in the child process, with one tree's ``src`` on PYTHONPATH: prints CPU ms per pair.
CHILD = """
import sys, time, cv2
from segtool.io.memory import keep_freed_memory
from segtool.pipelines.score import score_folders
cv2.setNumThreads(1)
keep_freed_memory()
pred, gt, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
score_folders(pred, gt, jobs=1)
times = []
for _ in range(2):
    start = time.process_time()
    score_folders(pred, gt, jobs=1)
    times.append(time.process_time() - start)
print(min(times) / n * 1e3)
"""


def cpu_ms_per_pair(src: str, folder: Path, pairs: int) -> float:
    """One fresh process scoring ``folder`` with the segtool of ``src``."""
    command = [sys.executable, "-c", CHILD, str(folder / "pred"), str(folder / "gt"), str(pairs)]
    done = subprocess.run(command, env={"PYTHONPATH": src}, capture_output=True, text=True, check=True)
    return float(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="the src folder of the tree before the change")
    parser.add_argument("after", help="the src folder of the tree after the change")
    parser.add_argument("--rounds", type=int, default=9, help="rounds after one warm-up round")
    parser.add_argument("--pairs", type=int, default=48, help="pairs scored (8 distinct, then hard links)")
    options = parser.parse_args(argv)
    trees = {"before": str(Path(options.before).resolve()), "after": str(Path(options.after).resolve())}
    with tempfile.TemporaryDirectory(prefix="compare-score-") as tmp:
        folders = write_dataset(Path(tmp), [make_pair(seed) for seed in range(8)], options.pairs)
        for writer, folder in folders.items():
            variants = {
                name: functools.partial(cpu_ms_per_pair, src, folder, options.pairs)
                for name, src in trees.items()
            }
            times = take_turns(variants, options.rounds, clock=lambda variant: variant())
            ratios = [after / before for before, after in zip(times["before"], times["after"], strict=True)]
            print(
                f"{writer}-written pairs: before {statistics.median(times['before']):.2f} ms/pair, after "
                f"{statistics.median(times['after']):.2f} ms/pair (CPU, median of {options.rounds} rounds); "
                f"after/before per round {', '.join(f'{ratio:.3f}' for ratio in ratios)}; "
                f"median {statistics.median(ratios):.3f}"
            )


if __name__ == "__main__":
    main()
