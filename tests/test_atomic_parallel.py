"""Atomic writes and the ordered process map."""

import os

import pytest

from segtool.atomic import open_atomic, write_bytes_atomic
from segtool.parallel import batch_size_for, map_in_order


def test_interrupted_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.csv"
    write_bytes_atomic(target, b"old")
    with pytest.raises(KeyboardInterrupt):
        with open_atomic(target, "w") as handle:
            handle.write("half of the new")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.csv"]


def _square(value: int) -> int:
    return value * value


@pytest.mark.parametrize("jobs", [1, 2])
def test_map_in_order_keeps_order(jobs):
    assert list(map_in_order(_square, range(50), jobs=jobs, batch_size=3)) == [v * v for v in range(50)]


def test_batches_shrink_for_few_items_and_stay_bounded():
    assert batch_size_for(3, 2) == 1
    assert batch_size_for(10_000, 2) == 64
