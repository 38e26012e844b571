"""Score throughput on a Dask cluster (1 and 2 worker processes) against the local executor.

Data: bench_score's generated 1024x2048 label maps (19 classes and an ignore
value; predictions with displaced boundaries), written by segtool's own PNG
writer; ``--distinct`` pairs generated, ``--pairs`` in all (hard links beyond).

Variants, same pairs, wall time of ``score_folders`` (pairing, reading,
counting, reducing on the client), fastest of ``--rounds`` rounds after a
warm-up, rounds taking turns between variants:

local 1   ``LocalExecutor(1)``: in this process.
local 2   ``LocalExecutor(2, threads=True)``: two worker threads (``score``'s default on this machine).
dask 1    ``DaskExecutor`` on a ``LocalCluster`` of 1 worker process (1 thread).
dask 2    the same with 2 worker processes.

Reported: pairs per second, and the ratios dask 1 / local 1 and dask 2 / local 2
(what the Dask machinery costs on one machine) and dask 2 / dask 1 (how it
scales). Starting and stopping each cluster is timed apart: it is paid once per
run, not per pair. Every variant must give the same dataset Dice to the last bit.

Run: ``.venv/bin/python benchmarks/bench_distributed.py [--distinct 4] [--pairs 96] [--rounds 3]``
(needs ``pip install 'segtool[distributed]'``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_score import make_pair, write_dataset
from segtool.pipelines.executors import Executor, LocalExecutor, open_executor
from segtool.pipelines.score import score_folders


def score_seconds(folder: Path, executor: Executor) -> tuple[float, list[float]]:
    """Wall time of one scoring run, and the dataset Dice per class (to check that runs agree)."""
    start = time.perf_counter()
    result = score_folders(folder / "pred", folder / "gt", executor=executor)
    return time.perf_counter() - start, [row["dice"] for row in result.classes]


@contextlib.contextmanager
def dask_executor(workers: int):
    """``--executor dask --jobs workers``: a LocalCluster of single-threaded processes.

    Prints its start and stop.
    """
    start = time.perf_counter()
    with open_executor("dask", jobs=workers) as executor:
        started = time.perf_counter() - start
        yield executor
        start = time.perf_counter()
    print(
        f"dask {workers}: cluster started in {started:.1f} s, stopped in {time.perf_counter() - start:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv if argv is not None else [])
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("skipped: dask[distributed] is not installed (pip install 'segtool[distributed]')")
        return
    with (
        tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp,
        dask_executor(1) as one,
        dask_executor(2) as two,
    ):
        folder = write_dataset(Path(tmp), [make_pair(seed) for seed in range(args.distinct)], args.pairs)[
            "segtool"
        ]
        variants: dict[str, Executor] = {
            "local 1": LocalExecutor(1),
            "local 2": LocalExecutor(2, threads=True),
            "dask 1": one,
            "dask 2": two,
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        dice: dict[str, list[float]] = {}
        for round_index in range(args.rounds + 1):  # round 0 warms up (imports in the workers, file cache)
            for name, executor in variants.items():
                seconds, dice[name] = score_seconds(folder, executor)
                if round_index:
                    times[name].append(seconds)
    if any(values != dice["local 1"] for values in dice.values()):
        raise SystemExit("the executors disagree: " + repr(dice))
    best = {name: min(values) for name, values in times.items()}
    print(
        f"\n{args.pairs} pairs of {1024}x{2048} ({args.distinct} distinct), fastest of {args.rounds} rounds; "
        "the same dataset Dice from every variant\n"
    )
    print(f"{'variant':10} {'seconds':>8} {'pairs/s':>8}")
    for name, seconds in best.items():
        print(f"{name:10} {seconds:8.2f} {args.pairs / seconds:8.1f}")
    print(f"\ndask 1 / local 1 throughput: {best['local 1'] / best['dask 1']:.2f}")
    print(f"dask 2 / local 2 throughput: {best['local 2'] / best['dask 2']:.2f}")
    print(f"dask 2 / dask 1 throughput:  {best['dask 1'] / best['dask 2']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
