"""The one job runner: order, the failure policy, progress, and debug."""

import os
import signal

import pytest

from segtool.errors import MaskError
from segtool.pipelines.executors import LocalExecutor
from segtool.pipelines.jobs import Failure, run_jobs


def _check(value: int) -> int:
    if value == 2:
        raise MaskError("not a mask", path=f"m{value}.png")
    if value == 3:
        raise KeyError("bug")
    return value * 10


@pytest.mark.parametrize("executor", [LocalExecutor(1), LocalExecutor(2), LocalExecutor(2, threads=True)])
def test_failures_are_values_in_item_order_and_the_others_go_on(executor):
    ticks = []
    outcomes = list(
        run_jobs(
            _check,
            [1, 2, 3, 4],
            executor=executor,
            progress=lambda description, total: ticks.append((description, total)) or ticks.append,
            description="Checking",
        )
    )
    assert [item for item, _ in outcomes] == [1, 2, 3, 4]
    assert outcomes[0][1] == 10 and outcomes[3][1] == 40
    assert outcomes[1][1] == Failure("2", "m2.png: not a mask")  # a user error: its one line
    bug = outcomes[2][1]
    assert isinstance(bug, Failure) and bug.message.startswith("3: internal error KeyError: 'bug'")
    assert ticks == [("Checking", 4), 1, 1, 1, 1]


def test_debug_raises_a_bug_but_not_a_user_error():
    assert isinstance(next(iter(run_jobs(_check, [2], executor=LocalExecutor(), debug=True)))[1], Failure)
    with pytest.raises(KeyError):
        list(run_jobs(_check, [3], executor=LocalExecutor(), debug=True))


def _die_on_two(value: int) -> int:
    if value == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    return value * 10


def test_a_killed_worker_process_fails_the_items_left_and_keeps_what_was_done():
    outcomes = list(run_jobs(_die_on_two, [1, 2, 3, 4], executor=LocalExecutor(2), batch_size=1))
    assert [item for item, _ in outcomes] == [1, 2, 3, 4]  # every item has an outcome, in order
    lost = [outcome for _, outcome in outcomes if isinstance(outcome, Failure)]
    assert lost and all("a worker process died" in failure.message for failure in lost)
    assert isinstance(outcomes[1][1], Failure)  # the item that killed its worker never comes back
    assert all(outcome == item * 10 for item, outcome in outcomes if not isinstance(outcome, Failure))
