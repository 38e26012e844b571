"""stderr holds segtool's own lines only: one line per message, each naming its file.

Libraries segtool calls write to the process's stderr by themselves: libpng (inside
OpenCV) prints ``libpng error: Not enough image data`` for a truncated PNG, and
``libpng warning: iCCP: ...`` for harmless profiles; Pillow's
``DecompressionBombWarning`` is two lines of Python warning. None names a file, and
segtool reports each problem that matters in its own line anyway (``b.png: PNG is
truncated or corrupt``). So while a command runs, file descriptor 2 is a pipe whose
lines are dropped, and segtool writes to a copy of the real stderr. Python warnings
from elsewhere are printed as one ``warning:`` line; Pillow's size warning is left
out, since segtool's own pixel limit (``--max-pixels``) decides what is decoded.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def only_segtool_on_stderr() -> Iterator[None]:
    """Send what libraries write to file descriptor 2 nowhere, and ``sys.stderr`` to the real stderr."""
    try:
        real = os.dup(2)
        reader, writer = os.pipe()
    except OSError:  # no stderr to begin with: nothing to keep apart
        yield
        return
    saved_stream = sys.stderr
    os.dup2(writer, 2)
    os.close(writer)
    threading.Thread(target=_drain, args=(reader,), daemon=True, name="segtool-stderr-drain").start()
    try:
        with (
            open(
                real, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
            ) as stream,
            warnings.catch_warnings(),
        ):
            sys.stderr = stream
            warnings.filterwarnings("ignore", module=r"PIL\.")
            warnings.showwarning = _one_line_warning
            yield
    finally:
        sys.stderr = saved_stream
        os.dup2(real, 2)
        os.close(real)


def _drain(fd: int) -> None:
    """Read the library lines until every writer has closed the pipe, and drop them."""
    with contextlib.suppress(OSError):
        while os.read(fd, 1 << 16):
            pass
    os.close(fd)


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from .common import warn

    warn(f"{category.__name__}: {message}")
