"""Where batches of work run: local processes (the default) or a Dask cluster.

An executor maps a function over work items and yields the results **in the
order of the items**, whatever the number of workers, the batch size, or the
tasks retried; so whatever is reduced from the results (sums of integer
confusion counts, per-image means added in file order, rows written) is
identical, to the last bit, to a one-process run. Processes and Dask get items in
batches, one task per batch, so that per-task overhead stays small.

* :class:`LocalExecutor`: a process or thread pool on this machine (:mod:`segtool.pipelines.parallel`).
  Needs nothing beyond segtool's own dependencies.
* :class:`DaskExecutor`: tasks on a Dask ``distributed`` cluster (``pip install
  'segtool[distributed]'``): an existing one (a scheduler address), or a
  ``LocalCluster`` of worker processes started for the run. The client keeps at
  most ``window`` batches submitted or finished-but-not-yet-yielded, so its
  memory does not grow with the dataset. Tasks are pure (they return results and
  write only outputs that a rerun rewrites identically), so a task that Dask runs
  twice, because its worker died or it raised and was retried, is harmless: the
  client accepts exactly one result per batch.

The mapped function must be picklable (a module-level function or a
:func:`functools.partial` of one) and should return user errors as values, so
that one bad file does not stop the others; on Dask, workers must have segtool
installed.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePath
from typing import Any, Literal, Protocol, TypeVar, get_args

from ..errors import SegtoolError
from ..io.storage import LocationLike, RemotePath, as_path, is_url
from .parallel import default_jobs, map_in_order

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Where the work runs: this machine's processes or threads, or a Dask cluster.
ExecutorName = Literal["local", "dask"]
EXECUTORS: tuple[ExecutorName, ...] = get_args(ExecutorName)


class Executor(Protocol):
    """Runs ``func`` over items in batches and yields the results in item order."""

    @property
    def workers(self) -> int:
        """How many items can run at once (processes, or Dask worker threads)."""

    @property
    def uses_worker_processes(self) -> bool:
        """True when the function runs in other processes than the caller's."""

    def map_in_order(
        self, func: Callable[[Item], Result], items: Sequence[Item], *, batch_size: int | None = None
    ) -> Iterator[Result]:
        """Yield ``func(item)`` for each item, in order. ``batch_size``: items per task (a hint)."""


class LocalExecutor:
    """``jobs`` processes on this machine, or ``jobs`` threads with ``threads=True`` (1: in this thread).

    Threads are for work that releases the GIL most of the time (see :mod:`segtool.pipelines.parallel`).
    """

    def __init__(self, jobs: int = 1, *, threads: bool = False) -> None:
        self.jobs = max(1, jobs)
        self.threads = threads

    @property
    def workers(self) -> int:
        return self.jobs

    @property
    def uses_worker_processes(self) -> bool:
        return self.jobs > 1 and not self.threads

    def map_in_order(
        self, func: Callable[[Item], Result], items: Sequence[Item], *, batch_size: int | None = None
    ) -> Iterator[Result]:
        return map_in_order(func, items, jobs=self.jobs, batch_size=batch_size, threads=self.threads)


#: fsspec file systems held in one process's memory: another process sees its own, empty or stale, copy.
PROCESS_LOCAL_PROTOCOLS = frozenset({"memory"})


def executor_for(executor: Executor, locations: Sequence[LocationLike | None]) -> Executor:
    """``executor``, or threads in its place when one of ``locations`` is process-local (``memory://``).

    Worker processes cannot see this process's ``memory://`` files: they would read nothing (or a
    copy made at fork time) and their writes would vanish with them, while the run counted them
    as written. A :class:`LocalExecutor` of processes becomes one of as many threads (same results);
    another executor (Dask) is a :class:`~segtool.errors.SegtoolError`.
    """
    if not executor.uses_worker_processes:
        return executor
    for location in locations:
        if location is None or not is_url(str(location)):
            continue
        path = as_path(location)
        if isinstance(path, RemotePath) and path.protocol in PROCESS_LOCAL_PROTOCOLS:
            if isinstance(executor, LocalExecutor):
                return LocalExecutor(executor.jobs, threads=True)
            raise SegtoolError(
                f"{path}: {path.protocol}:// is this process's memory, which the workers of "
                "another process cannot see; use the local executor"
            )
    return executor


def _run_batch(func: Callable[[Item], Result], batch: Sequence[Item]) -> list[Result]:
    """One Dask task: ``func`` over a batch of items (module level, so workers can unpickle it)."""
    return [func(item) for item in batch]


class DaskExecutor:
    """Batches of items as tasks on a Dask ``distributed`` client.

    Parameters
    ----------
    client : distributed.Client
        A connected client (see :func:`open_executor`).
    batch_size : int, optional
        Items per task. Default: enough items that each task carries at least the
        caller's hint and each worker gets about ``tasks_per_worker`` tasks, at most
        ``largest_batch`` items.
    window : int, optional
        Batches submitted and not yet yielded, at most (default: 4 per worker, at least 4).
    retries : int
        Times Dask reruns a task that raised (a worker that dies is handled by
        Dask's scheduler, which reruns its tasks elsewhere, whatever this number).
    """

    tasks_per_worker = 8
    largest_batch = 512

    def __init__(
        self, client: Any, *, batch_size: int | None = None, window: int | None = None, retries: int = 2
    ) -> None:
        self.client = client
        self.batch_size = batch_size
        self.window = window
        self.retries = retries

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    @property
    def uses_worker_processes(self) -> bool:
        return True

    def task_size(self, n_items: int, hint: int | None) -> int:
        """Items per task for ``n_items`` items (see the class docstring)."""
        if self.batch_size is not None:
            return max(1, self.batch_size)
        spread = math.ceil(n_items / (self.workers * self.tasks_per_worker))
        return max(1, min(self.largest_batch, max(spread, hint or 1)))

    def map_in_order(
        self, func: Callable[[Item], Result], items: Sequence[Item], *, batch_size: int | None = None
    ) -> Iterator[Result]:
        from distributed import KilledWorker

        size = self.task_size(len(items), batch_size)
        window = self.window or max(4, 4 * self.workers)
        batches = (items[start : start + size] for start in range(0, len(items), size))
        pending: deque[tuple[Sequence[Any], Any]] = deque()
        try:
            for batch in batches:
                pending.append(
                    (batch, self.client.submit(_run_batch, func, batch, pure=False, retries=self.retries))
                )
                if len(pending) >= window:
                    yield from self._accept(*pending.popleft(), KilledWorker)
            while pending:
                yield from self._accept(*pending.popleft(), KilledWorker)
        finally:
            if pending:
                self.client.cancel([future for _, future in pending])

    @staticmethod
    def _accept(batch: Sequence[Any], future: Any, killed_worker: type[Exception]) -> list[Any]:
        """The single result of one batch (released on the cluster once taken)."""
        try:
            return future.result()
        except killed_worker:
            first = _describe(batch[0]) if batch else "?"
            raise SegtoolError(
                f"Dask workers died several times running a batch of {len(batch)} items "
                f"starting with {first}; that input may crash the decoder or exhaust "
                "a worker's memory"
            ) from None
        finally:
            future.release()


def _describe(item: Any) -> str:
    """A work item's name in messages: the first path in it (or in a tuple of it), else its ``name``."""
    for candidate in (item, *(item if isinstance(item, tuple) else ())):
        for value in (candidate, getattr(candidate, "path", None), getattr(candidate, "name", None)):
            if isinstance(value, (str, PurePath, RemotePath)):
                return str(value)
    return repr(item)[:80]


@contextlib.contextmanager
def open_executor(
    kind: ExecutorName = "local",
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    batch_size: int | None = None,
    local_threads: bool = False,
) -> Iterator[Executor]:
    """The executor ``kind`` (``"local"`` or ``"dask"``), ready to use for the ``with`` block.

    ``jobs``: local processes (threads with ``local_threads``), or the worker
    processes of the ``LocalCluster`` started when ``kind="dask"`` and no
    ``scheduler`` address is given (default: all cores). ``scheduler``: the
    address of a running Dask scheduler (``tcp://host:8786``); its workers are
    used as they are. ``batch_size``: items per Dask task (default: see
    :class:`DaskExecutor`).

    Raises
    ------
    SegtoolError
        Dask is not installed, or the scheduler cannot be reached.
    ValueError
        An unknown ``kind``, or a ``scheduler`` with the local executor.
    """
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    jobs = jobs or default_jobs()
    if kind == "local":
        if scheduler is not None:
            raise ValueError("a scheduler address needs the dask executor")
        yield LocalExecutor(jobs, threads=local_threads)
        return
    with _dask_client(scheduler, jobs) as client:
        yield DaskExecutor(client, batch_size=batch_size)


@contextlib.contextmanager
def _dask_client(scheduler: str | None, jobs: int) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SegtoolError("the dask executor needs Dask: pip install 'segtool[distributed]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SegtoolError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    # The scheduler's HTTP endpoint on a free loopback port: Dask's default (8787 on every
    # interface) clashes with any other cluster on the machine.
    with (
        _quiet_logger("distributed"),
        LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """A cluster started for one run keeps its scheduler's notes (a worker restarted...) to itself."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
