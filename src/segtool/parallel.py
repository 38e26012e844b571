"""Map a function over many work items on several processes, in batches, in order.

Results come back in the order of the items whatever the number of processes,
so anything reduced from them (sums, means, rows written) is identical to a
one-process run. Items are sent to workers in batches so that per-item overhead
(pickling, scheduling) stays small next to the work. The function must be a
module-level function and should return its errors as values rather than raise,
so that one bad file does not stop the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
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


def map_in_order(func: Callable[[Item], Result], items: Sequence[Item] | Iterable[Item], *,
                 jobs: int = 1, batch_size: int | None = None) -> Iterator[Result]:
    """Yield ``func(item)`` for each item, in order, on ``jobs`` processes (1: in this process)."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        yield from map(func, items)
        return
    workers = min(jobs, len(items))
    chunk = batch_size or batch_size_for(len(items), workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(func, items, chunksize=chunk)
