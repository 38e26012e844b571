"""``--executor`` and ``--scheduler``: the options of commands that can run on a Dask cluster."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer

from ..pipelines.executors import Executor, ExecutorName, open_executor

ExecutorOption = Annotated[
    ExecutorName,
    typer.Option(
        "--executor",
        help="local: workers on this machine (threads for score and stats, else processes). "
        "dask: tasks on a Dask cluster (--scheduler, or a local cluster of --jobs worker "
        "processes); needs segtool\\[distributed]. "
        "Results do not depend on it.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Address of a running Dask scheduler (tcp://host:8786) for "
        "--executor dask; its workers need segtool installed.",
    ),
]


@contextlib.contextmanager
def executor_from_options(
    kind: ExecutorName, scheduler: str | None, jobs: int, *, local_threads: bool = False
) -> Iterator[Executor]:
    """The executor the options ask for, open for the ``with`` block (a usage error if they clash).

    ``local_threads``: the local executor runs threads rather than processes.
    """
    if scheduler is not None and kind != "dask":
        raise typer.BadParameter("a scheduler address needs --executor dask", param_hint="--scheduler")
    with open_executor(kind, jobs=jobs, scheduler=scheduler, local_threads=local_threads) as executor:
        yield executor
