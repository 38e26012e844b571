"""Finding the image an annotation refers to, from a file name, a path or a URL.

Annotation tools name images in many ways: a bare file name, a relative or
absolute path, an ``http(s)://`` or ``s3://`` URL, or Label Studio's
``/data/local-files/?d=<path>``. :func:`reference_path` reduces each to a
path; :func:`find_image` looks for that path, then for its file name alone,
in a list of folders (local, or fsspec URLs: see :mod:`segtool.io.storage`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import parse_qs, unquote, urlsplit

from ..io.storage import Location, RemotePath, as_path, is_url


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
    """The first existing file among ``folder/<path>`` and ``folder/<file name>``, or None.

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
    return next((candidate for candidate in candidates if is_existing_file(candidate)), None)


def is_existing_file(candidate: Location) -> bool:
    """Whether ``candidate`` is a file; a name the system cannot look up (longer than 255 bytes, say)
    names no file."""
    try:
        return candidate.is_file()
    except OSError:
        return False
