"""Atomic writes and the ordered process and thread maps."""

import os
import random
import threading
import time

import pytest

from segtool.io.atomic import open_atomic, write_bytes_atomic
from segtool.pipelines import parallel
from segtool.pipelines.parallel import batch_size_for, map_in_order


def test_interrupted_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.csv"
    write_bytes_atomic(target, b"old")
    with pytest.raises(KeyboardInterrupt), open_atomic(target, "w") as handle:
        handle.write("half of the new")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.csv"]


def _square(value: int) -> int:
    return value * value


@pytest.mark.parametrize("jobs", [1, 2])
def test_map_in_order_keeps_order(jobs):
    assert list(map_in_order(_square, range(50), jobs=jobs, batch_size=3)) == [v * v for v in range(50)]


class _InFlight:
    """Squares values after a random pause, and records how many items were in flight at most."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.started: list[int] = []

    def __call__(self, value: int) -> int:
        with self.lock:
            self.started.append(value)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(random.uniform(0, 0.002))  # finish out of order
        with self.lock:
            self.running -= 1
        return value * value


def test_thread_map_keeps_order_and_bounds_the_items_in_flight():
    work = _InFlight()
    results = map_in_order(work, range(200), jobs=3, threads=True)
    assert list(results) == [v * v for v in range(200)]
    assert 1 < work.most <= 3  # the threads really ran side by side, three at most
    # Submitted but not yet yielded: never more than THREAD_WINDOW per thread.
    work = _InFlight()
    results = map_in_order(work, range(200), jobs=2, threads=True)
    for taken, _ in enumerate(results, start=1):
        assert len(work.started) <= taken + 2 * parallel.THREAD_WINDOW


def test_thread_map_stops_submitting_when_the_consumer_stops():
    work = _InFlight()
    results = map_in_order(work, range(1000), jobs=2, threads=True)
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    results.close()
    assert len(work.started) <= 3 + 2 * parallel.THREAD_WINDOW


def test_batches_shrink_for_few_items_and_stay_bounded():
    assert batch_size_for(3, 2) == 1
    assert batch_size_for(10_000, 2) == 64
