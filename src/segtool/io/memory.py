"""Keep freed memory in the process for reuse instead of handing it back to the system.

Scoring allocates and frees a few multi-megabyte buffers per image (the inflated
PNG rows, above all). By default glibc returns such blocks to the kernel after each
image, so the next image touches fresh pages, and every fresh page costs a page
fault; on a virtual machine under memory pressure that was a third of the run
time. Raising glibc's trim and mmap thresholds keeps the blocks in the heap, so the
same pages serve image after image; the heap stays at its peak size.

The setting is process-wide, so library functions never make it in the caller's
process: the command line does, and worker processes do for themselves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Free memory at the top of the heap up to this size stays in the process.
TRIM_THRESHOLD = 512 << 20
#: Blocks up to this size (glibc's maximum) come from the heap rather than their own mapping.
MMAP_THRESHOLD = 32 << 20

_done = False


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse; False where that is not possible (not glibc)."""
    global _done
    if _done:
        return True
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    _done = bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    )
    return _done


def keep_freed_memory_in_workers() -> None:
    """:func:`keep_freed_memory`, but only in a worker process (never in the caller's)."""
    if not _done and multiprocessing.parent_process() is not None:
        keep_freed_memory()
