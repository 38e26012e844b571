"""Atomic file output: a crash or Ctrl-C leaves the old file or the new one, never half of one.

Data is written to a temporary file in the destination's own folder (so the final
rename never crosses file systems) and moved over the destination with
:func:`os.replace`. A URL (``s3://...``, see :mod:`segtool.io.storage`) is written in
one put once the data is complete: object stores store it whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO

from .storage import RemotePath, as_path, spooled_upload


def write_bytes_atomic(path: str | os.PathLike[str] | RemotePath, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating parent folders."""
    target = as_path(path)
    if isinstance(target, RemotePath):
        target.put(data)
        return
    with open_atomic(target, "wb") as handle:
        handle.write(data)


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str] | RemotePath, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed
    and ``path`` is left as it was.
    """
    target = as_path(path)
    if isinstance(target, RemotePath):
        with spooled_upload(target, mode, **kwargs) as handle:
            yield handle
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
