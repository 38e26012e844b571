"""Map a function over many work items on several processes or threads, in order.

Results come back in the order of the items whatever the number of workers,
so anything reduced from them (sums, means, rows written) is identical to a
one-worker run. Processes get items in batches so that per-item overhead
(pickling, scheduling) stays small next to the work; they suit work that holds
Python's GIL (parsing, geometry). Threads suit work that spends its time in code
that releases the GIL (inflating PNGs, OpenCV, NumPy on whole images): they
start instantly, share memory and exchange nothing, and at most a few items per
thread are in flight. The function should return its errors as values rather
than raise, so that one bad file does not stop the others; for processes it
must be a module-level function (or a partial of one).
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def batch_size_for(n_items: int, jobs: int, *, per_worker: int = 4, largest: int = 64) -> int:
    """Batches small enough to balance the load (``per_worker`` per process), at most ``largest``."""
    return max(1, min(largest, n_items // max(1, jobs * per_worker)))


def map_in_order(
    func: Callable[[Item], Result],
    items: Sequence[Item] | Iterable[Item],
    *,
    jobs: int = 1,
    batch_size: int | None = None,
    threads: bool = False,
) -> Iterator[Result]:
    """Yield ``func(item)`` for each item, in order, on ``jobs`` processes or threads (1: in this thread).

    ``batch_size`` (processes only): items sent to a process at a time.
    """
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        yield from map(func, items)
        return
    workers = min(jobs, len(items))
    if threads:
        yield from _map_on_threads(func, items, workers)
        return
    chunk = batch_size or batch_size_for(len(items), workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(func, items, chunksize=chunk)


#: Items submitted to threads and not yet yielded, per thread.
THREAD_WINDOW = 4


def _map_on_threads(func: Callable[[Item], Result], items: list[Item], workers: int) -> Iterator[Result]:
    """In-order results from a thread pool that never holds more than a few items per thread."""
    remaining = iter(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = deque(
            pool.submit(func, item) for item in itertools.islice(remaining, workers * THREAD_WINDOW)
        )
        try:
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(func, item) for item in itertools.islice(remaining, 1))
                yield result
        finally:
            for future in pending:
                future.cancel()
