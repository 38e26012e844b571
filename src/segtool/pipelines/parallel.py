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

Ctrl-C belongs to the process that started the workers. A terminal sends SIGINT to
every process of its group; worker processes ignore it, so none dies mid-file (which
left a temporary file) or while idle (a traceback on stderr, and a broken pool). When
the caller stops (Ctrl-C there, or it closes the iterator), the work not started is
cancelled and each worker finishes the item at hand, not the rest of its batch.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

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
    stop = multiprocessing.get_context().Event()
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(stop,)) as pool:
        try:
            yield from pool.map(functools.partial(_unless_stopped, func), items, chunksize=chunk)
        finally:
            stop.set()  # before the pool's exit waits for the batches at hand


#: In a worker process: set when the run that started it stopped (see :func:`map_in_order`).
_stopped: Any = None


def _start_worker(stop: Any) -> None:
    """A worker process ignores Ctrl-C (its starter handles it) and learns when the run stops."""
    global _stopped
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stopped = stop


def _unless_stopped(func: Callable[[Item], Result], item: Item) -> Result:
    """``func(item)``, or None once the run stopped: nobody reads that result any more."""
    if _stopped is not None and _stopped.is_set():
        return None  # type: ignore[return-value]
    return func(item)


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
