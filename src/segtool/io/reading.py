"""Opening input files: regular files only, never more than a stated number of bytes.

One rule for every file segtool reads (annotation documents, masks, photos,
label maps, a Supervisely project's ``meta.json``):

* **Only regular files are read.** A FIFO, a device (``x.json -> /dev/zero``),
  a socket or a folder is refused with one line naming it, before a byte is
  read: a FIFO would block forever and a device never ends. Symbolic links to
  regular files are read (the kind is that of the link's target). The file is
  opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor,
  so a FIFO swapped in between a listing and the read cannot hang the command.
* **The size is checked before reading**, against a bound the caller gives for
  that kind of file (:mod:`segtool.limits`), and reading stops one byte past the
  bound whatever the size said: files under ``/proc`` report a size of 0.

URLs (:class:`~segtool.io.storage.RemotePath`) are objects, never FIFOs or
devices; they are read up to the bound.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Iterator
from typing import IO

from ..errors import InputFileError, SegtoolError
from .storage import Location, RemotePath, as_path

_PIECE = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file of ``stat`` mode ``mode`` is, in words ("a FIFO (named pipe)", "a regular file")."""
    return next((kind for test, kind in _KINDS if test(mode)), "a regular file")


@contextlib.contextmanager
def open_input(
    path: str | os.PathLike[str] | Location, *, limit: int, error: type[SegtoolError] = InputFileError
) -> Iterator[IO[bytes]]:
    """Open an input file for binary reading, under the rule of the module docstring.

    Raises ``error`` (an :class:`~segtool.errors.InputFileError` by default)
    naming the file when it cannot be opened, is not a regular file or holds
    more than ``limit`` bytes. The caller reads at most ``limit`` bytes.
    """
    target = as_path(path)
    try:
        if isinstance(target, RemotePath):
            handle = target.open("rb")
        else:
            handle = os.fdopen(
                os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)), "rb"
            )
    except FileNotFoundError:
        raise error("file not found", path=target) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", path=target) from None
    if isinstance(target, RemotePath):
        with handle:
            yield handle
        return
    with handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"{file_kind(info.st_mode)}, not a regular file: segtool reads only regular files",
                path=target,
            )
        if info.st_size > limit:
            raise error(too_large(info.st_size, limit), path=target)
        yield handle


def read_input(
    path: str | os.PathLike[str] | Location, *, limit: int, error: type[SegtoolError] = InputFileError
) -> bytes:
    """The whole content of an input file, read under the rule of the module docstring."""
    with open_input(path, limit=limit, error=error) as handle:
        try:
            data = _read_at_most(handle, limit)
        except OSError as exc:
            raise error(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if len(data) > limit:
        raise error(too_large(None, limit), path=str(path))
    return data


def _read_at_most(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``handle``: in one read of the size the file states, when true.

    A read asks for memory of the size it is given, so the first read asks for the
    stated size (plus one byte, to see the end); only a file that holds more than it
    states (``/proc``, a file still growing, a URL) is read on, in 1 MiB pieces.
    """
    try:
        stated = min(os.fstat(handle.fileno()).st_size, limit)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        stated = 0
    data = handle.read(stated + 1)
    if len(data) <= stated:
        return data
    parts, total = [data], len(data)
    while total <= limit:
        piece = handle.read(min(_PIECE, limit + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
    return b"".join(parts)


def too_large(size: int | None, limit: int) -> str:
    """The message for a file of ``size`` bytes (None: not known) above ``limit``.

    >>> too_large(3_000_000, 1_048_576)
    'file is 3000000 bytes, more than the limit of 1048576 bytes for this kind of file'
    """
    measured = f"is {size} bytes" if size is not None else "holds more"
    return f"file {measured}, more than the limit of {limit} bytes for this kind of file"
