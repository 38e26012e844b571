"""Atomic file output: a crash or Ctrl-C leaves the old file or the new one, never half of one.

Data is written to a temporary file in the destination's own folder (so the final
rename never crosses file systems) and moved over the destination with
:func:`os.replace`. A URL (``s3://...``, see :mod:`segtool.io.storage`) is written in
one put once the data is complete: object stores store it whole or not at all.

:func:`open_output` opens a file a user named (``-o``, ``--per-image``...) the way
they mean it: a name of one of this process's open files (``/dev/stdout``,
``/dev/fd/N``, a link through ``/proc/self/fd/N``) writes to that open file; a
FIFO, a device or another file that is not a regular file is written in place,
never replaced; a symbolic link is written through to its target, atomically there.

A file written under an output folder it was named into (``inside=OUT``) never
leaves that folder through a symbolic link: a link to a folder anywhere between
OUT and the file is an :class:`~segtool.errors.OutputError`, checked before any
folder is created (OUT itself may be a link: the user named it). A link in the
file's own place is replaced, not written through.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from .storage import Location, LocationLike, RemotePath, as_path, spooled_upload

#: Names of this process's open file descriptors (``/proc/<pid>/fd/N`` once folders are resolved).
_DESCRIPTOR_NAME = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/(?P<pid>\d+)/fd)/(?P<fd>\d+)$")
_STANDARD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
#: Links followed at most when looking for a descriptor's name (Linux's own limit).
_MAX_LINKS = 40


def write_bytes_atomic(path: LocationLike, data: bytes, *, inside: Location | None = None) -> None:
    """Write ``data`` to ``path`` atomically, creating parent folders (below ``inside``: see above)."""
    target = as_path(path)
    if isinstance(target, RemotePath):
        target.put(data)
        return
    with open_atomic(target, "wb", inside=inside) as handle:
        handle.write(data)


@contextlib.contextmanager
def open_atomic(
    path: LocationLike, mode: str = "w", *, inside: Location | None = None, **kwargs
) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed
    and ``path`` is left as it was. ``inside``: the output folder ``path`` was
    named into; see the module docstring.
    """
    target = as_path(path)
    if isinstance(target, RemotePath):
        with spooled_upload(target, mode, **kwargs) as handle:
            yield handle
        return
    fd, tmp_name = _temporary_beside(target, inside)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        _move_into_place(tmp_name, target)
    except BaseException:
        _remove(tmp_name)
        raise


def write_files_atomic(
    files: Mapping[LocationLike, bytes], *, what: str = "", inside: Location | None = None
) -> None:
    """Write every one of ``files`` (path -> data) or none of them: one output made of several files.

    Each is written to its temporary file first; only when all are written and closed are
    they renamed into place, and a rename takes no room on the disk. So a full disk, a
    read-only folder or Ctrl-C leaves the old files as they were, all of them; Ctrl-C
    during the renames waits until they are all done. An
    :class:`~segtool.errors.OutputError` names the file that could not be written
    (``cannot write <what>: No space left on device``). URLs are put one after the other
    (an object store keeps each whole, not the set).
    """
    written: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            target = as_path(path)
            if isinstance(target, RemotePath):
                target.put(data)
                continue
            with _as_output_error(target, what):
                fd, tmp_name = _temporary_beside(target, inside)
                written.append((tmp_name, target))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
        with _ctrl_c_deferred():  # never one file renamed and not the other
            for tmp_name, target in written:
                with _as_output_error(target, what):
                    _move_into_place(tmp_name, target)
    except BaseException:
        for tmp_name, _ in written:
            _remove(tmp_name)
        raise


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) arriving in the block takes effect when it ends.

    Python runs signal handlers in the main thread, whichever thread the system hands the
    signal to, so the block swaps the main thread's handler for one that notes the signal,
    then calls the old one. Elsewhere than the main thread nothing is deferred (Ctrl-C is
    raised in the main thread, which is not in the block).
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    received: list[Any] = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(signal.SIGINT, received[0])
        elif received and previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)


def _temporary_beside(target: Path, inside: LocationLike | None) -> tuple[int, str]:
    """A new temporary file in ``target``'s folder (made if need be): its descriptor and name."""
    if inside is not None:
        check_no_linked_folder(target, as_path(inside))
    target.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)


def _move_into_place(tmp_name: str, target: Path) -> None:
    os.chmod(tmp_name, 0o644)
    os.replace(tmp_name, target)


def _remove(tmp_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp_name)


@contextlib.contextmanager
def open_output(path: LocationLike, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a named output as its user means it; regular files and URLs go through :func:`open_atomic`.

    * A name of an open file of this process (``/dev/stdout``, ``/dev/stderr``,
      ``/dev/fd/N``, ``/proc/self/fd/N``, or a link through one): the data goes to
      that open file (a duplicate of its descriptor), where and how the shell or
      caller opened it (``>`` or ``>>``, a pipe, a terminal).
    * An existing file that is neither a regular file nor a folder (a FIFO, a
      device, process substitution's pipe, a socket): opened and written in place,
      never replaced by a regular file.
    * A symbolic link: written through to its final target (created when the link
      dangles), atomically there; the link stays.

    An :class:`~segtool.errors.OutputError` when a descriptor or a file of the first
    two kinds cannot be opened.
    """
    target = as_path(path)
    if isinstance(target, RemotePath):
        with open_atomic(target, mode, **kwargs) as handle:
            yield handle
        return
    descriptor = _descriptor_named(target)
    if descriptor is not None:
        for stream in (sys.stdout, sys.stderr):  # what this process printed comes first
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        with _opened_in_place(path, lambda: os.fdopen(os.dup(descriptor), mode, **kwargs)) as handle:
            yield handle
        return
    if _is_special_file(target):
        with _opened_in_place(path, lambda: open(target, mode, **kwargs)) as handle:
            yield handle
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise OutputError("is a folder; name a file", path=path)
    with _as_output_error(path), open_atomic(target, mode, **kwargs) as handle:
        yield handle


@contextlib.contextmanager
def _opened_in_place(path, opener) -> Iterator[IO]:
    try:
        handle = opener()
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from None
    with _as_output_error(path), handle:
        yield handle


@contextlib.contextmanager
def _as_output_error(path, what: str = "") -> Iterator[None]:
    """An ``OSError`` while a named output is made, written or closed (a full disk, a read-only
    folder, a path under a file) becomes one :class:`OutputError` line naming it (issue 16, B16):
    ``cannot write: <reason>``, or ``cannot write <what>: <reason>``."""
    try:
        yield
    except OSError as exc:
        raise OutputError(
            f"cannot write{' ' + what if what else ''}: {exc.strerror or exc}", path=path
        ) from None


def _descriptor_named(path: Path) -> int | None:
    """The descriptor of this process that ``path`` names, directly or through links; else None."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        folder = os.path.realpath(os.path.dirname(current))
        current = os.path.join(folder, os.path.basename(current))
        if current in _STANDARD_NAMES:
            return _STANDARD_NAMES[current]
        match = _DESCRIPTOR_NAME.match(current)
        if match and (match["pid"] is None or int(match["pid"]) == os.getpid()):
            return int(match["fd"])
        try:
            link = os.readlink(current)
        except OSError:  # not a link: a name like any other
            return None
        current = os.path.join(folder, link)
    return None


def _is_special_file(path: Path) -> bool:
    """True for an existing file that is neither a regular file nor a folder (FIFO, device, socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def is_written_output(path: Location) -> bool:
    """True when ``path`` is a regular file, not reached through a link: what an atomic write leaves.

    A resumed run (``--skip-existing``) counts such a file as done. A folder, a FIFO or a
    link in an output's place is no output of an earlier run: it is to be written (and
    the write says why it cannot be).
    """
    if isinstance(path, RemotePath):
        return path.is_file()
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def check_no_linked_folder(target: Location, root: Location) -> None:
    """An :class:`OutputError` when a folder between ``root`` and ``target`` is a symbolic link.

    ``target`` is ``root / relative``; the folders of ``relative`` that exist are
    checked with ``lstat`` (those that do not yet exist will be made as plain folders).
    """
    if isinstance(target, RemotePath) or isinstance(root, RemotePath):
        return  # object stores have no links
    folder = root
    for part in target.relative_to(root).parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise OutputError(
                f"{folder} is a symbolic link, and segtool never writes through a link "
                f"inside its output folder {root}",
                path=target,
            )
