"""Finding the image an annotation refers to, from a file name, a path or a URL.

Annotation tools name images in many ways: a bare file name, a relative or
absolute path, an ``http(s)://`` or ``s3://`` URL, or Label Studio's
``/data/local-files/?d=<path>``. :func:`reference_path` reduces each to a
path; :func:`find_image` looks for that path, then for its file name alone,
in a list of folders (local, or fsspec URLs: see :mod:`segtool.io.storage`).

An image that is there but is not a regular file (a folder, a FIFO) is found, so that
reading it says what it is rather than "not found"; a regular file elsewhere wins.
:func:`image_file_size` reads the size of the image an annotation refers to, and when
it cannot (a corrupt file, no permission, a FIFO) says so naming the annotation file,
the image's place in it and the image: the one rule for every reader that takes a size
from the image file (Label Studio, VIA, YOLO).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import InputFileError
from ..io.imagesize import image_size
from ..io.storage import Location, RemotePath, as_path, is_url
from .fields import fail


def reference_path(reference: str) -> str:
    """The path part of an image reference: URLs lose scheme, host and query.

    >>> reference_path("https://host/a/b%20c.jpg?token=1"), reference_path("/data/local-files/?d=x/y.png")
    ('/a/b c.jpg', 'x/y.png')
    """
    if is_url(reference) or reference.startswith("/data/"):
        parts = urlsplit(reference)
        local = parse_qs(parts.query).get("d")
        if local:
            return local[0]
        return unquote(parts.path)
    return reference


def file_name(reference: str) -> str:
    """The last component of an image reference, whatever separator it uses."""
    return PureWindowsPath(reference_path(reference)).name


def find_image(reference: str, folders: Iterable[Path | RemotePath | None]) -> Location | None:
    """The first image among ``folder/<path>`` and ``folder/<file name>`` (see :func:`first_found`).

    An absolute path is tried as it is first. Folders that are None are skipped.
    """
    path = reference_path(reference)
    candidates: list[Location] = []
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        candidates.append(Path(path))
    relative = path.replace("\\", "/").lstrip("/")
    for folder in folders:
        if folder is None:
            continue
        folder = as_path(folder)
        if relative and not PureWindowsPath(relative).drive:
            candidates.append(folder / relative)
        candidates.append(folder / file_name(reference))
    return first_found(candidates)


def first_found(candidates: Iterable[Location]) -> Location | None:
    """The first of ``candidates`` that is a regular file (through links); else the first that is there
    as something else (a folder, a FIFO, a device), so that reading it names what it is; else None."""
    other = None
    for candidate in candidates:
        kind = _kind(candidate)
        if kind == "file":
            return candidate
        if kind == "other" and other is None:
            other = candidate
    return other


def _kind(candidate: Location) -> str | None:
    """ "file", "other" (there, not a regular file) or None (not there: a URL is only ever a file)."""
    if isinstance(candidate, RemotePath):
        return "file" if is_existing_file(candidate) else None
    try:
        return "file" if stat.S_ISREG(os.stat(candidate).st_mode) else "other"
    except (OSError, ValueError):  # not there, or a name the system cannot look up (too long, a NUL)
        return None


def is_existing_file(candidate: Location) -> bool:
    """Whether ``candidate`` is a file; a name the system cannot look up (longer than 255 bytes, say)
    names no file."""
    try:
        return candidate.is_file()
    except OSError:
        return False


def image_file_size(image_path: Location, *, source: Location, where: str) -> tuple[int, int]:
    """``(height, width)`` of the image that ``where`` in the annotation file ``source`` refers to.

    An :class:`~segtool.errors.AnnotationError` naming ``source``, ``where`` and the image when
    the image cannot be read (corrupt, no permission, a FIFO or a folder): in a file of many
    images, the reader makes that image fail alone (:meth:`AnnotatedImage.failed`).
    """
    try:
        return image_size(image_path)
    except InputFileError as exc:
        raise fail(source, where, f"cannot read the image size: {exc}") from None
