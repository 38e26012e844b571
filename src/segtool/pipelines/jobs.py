"""One job runner for every folder pipeline: a worker mapped over items, failures in one shape.

Every folder command (rasterize, score, stats, overlay and the report's
pictures) maps a worker over its items through :func:`run_jobs`, so they share
one policy:

* Results come back in the order of the items, whatever the executor and the
  number of workers (see :mod:`segtool.pipelines.executors`).
* A :class:`~segtool.errors.SegtoolError` raised by the worker fails its item
  only: it becomes a :class:`Failure` with the error's one-line message (which
  names the file), and the other items go on.
* Any other exception is a bug: with ``debug`` it is raised (for the
  traceback); without, it fails its item only, as ``internal error ...``, and
  the run goes on (and so ends with exit 1).
* A worker process that dies (killed by the system, out of memory) takes its
  pool with it: the items not done yet fail, each with one line saying they were
  lost and to run again; what was done stays done.
* ``progress(description, total)`` may return a function called with 1 after
  each item (the command line passes a progress bar).

The worker must be picklable for process and Dask executors (a module-level
function, or a :func:`functools.partial` of one).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import SegtoolError
from .executors import Executor

__all__ = ["Failure", "Progress", "run_jobs"]

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[str, int], Callable[[int], None]]
#: What an item left undone by a dead worker process fails with.
LOST = "not done: a worker process died (killed by the system, out of memory?); run again for this file"


@dataclass(frozen=True)
class Failure:
    """One item that failed: its name and the one-line reason (which names the file)."""

    name: str
    message: str


@dataclass(frozen=True)
class _Guarded(Generic[Item, Result]):
    """The worker with the failure policy applied where it runs (picklable)."""

    worker: Callable[[Item], Result]
    name_of: Callable[[Item], str]
    debug: bool

    def __call__(self, item: Item) -> Result | Failure:
        try:
            return self.worker(item)
        except SegtoolError as exc:
            return Failure(self.name_of(item), str(exc))
        except Exception as exc:  # a bug: say so, and keep going with the other items
            if self.debug:
                raise
            name = self.name_of(item)
            return Failure(
                name,
                f"{name}: internal error {type(exc).__name__}: {exc} "
                "(please report it; --debug shows the traceback)",
            )


def run_jobs(
    worker: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    executor: Executor,
    name_of: Callable[[Item], str] = str,
    progress: Progress | None = None,
    description: str = "Working",
    batch_size: int | None = None,
    debug: bool = False,
) -> Generator[tuple[Item, Result | Failure], None, None]:
    """Yield ``(item, worker(item) or its Failure)`` for each item, in order (see the module docstring).

    ``name_of(item)`` names an item in its failure (it must be picklable too);
    ``batch_size`` is passed to the executor. Closing the iterator early stops
    the work that has not started.

    >>> from segtool.pipelines.executors import LocalExecutor
    >>> def inverse(x):
    ...     return 1 / x
    >>> half, failure = [outcome for _, outcome in run_jobs(inverse, [2, 0], executor=LocalExecutor())]
    >>> half, failure.name
    (0.5, '0')
    >>> print(failure.message)
    0: internal error ZeroDivisionError: division by zero (please report it; --debug shows the traceback)
    """
    advance = progress(description, len(items)) if progress is not None else None
    outcomes = executor.map_in_order(_Guarded(worker, name_of, debug), items, batch_size=batch_size)
    done = 0
    try:
        try:
            for outcome in outcomes:
                if advance is not None:
                    advance(1)
                yield items[done], outcome
                done += 1
        except BrokenExecutor:  # a worker process was killed (the OOM killer, a signal): its pool is gone
            for item in items[done:]:
                name = name_of(item)
                yield item, Failure(name, f"{name}: {LOST}")
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()
