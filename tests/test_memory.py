"""The allocator setting is made in worker processes and by the CLI, never behind a library caller's back."""

import multiprocessing
import platform

import pytest

from segtool.io import memory

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")


def _worker_state(_):
    memory.keep_freed_memory_in_workers()
    return memory._done


@glibc_only
def test_only_worker_processes_change_the_setting(monkeypatch):
    monkeypatch.setattr(memory, "_done", False)
    memory.keep_freed_memory_in_workers()  # the main process: left alone
    assert memory._done is False
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_worker_state, [0]) == [True]


@glibc_only
def test_setting_is_made_once(monkeypatch):
    monkeypatch.setattr(memory, "_done", False)
    assert memory.keep_freed_memory() is True and memory._done is True
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: pytest.fail("mallopt called twice"))
    assert memory.keep_freed_memory() is True
