"""Finding input files in folders and pairing two folders by relative path.

Conventions
-----------
* A root is a folder (searched recursively) or a single file, local or at an
  fsspec URL (see :mod:`segtool.storage`).
* Suffixes are compared case-insensitively (``.PNG`` is a PNG).
* Hidden files and folders (names starting with ``.``) are skipped: they are
  editor and system files, and the temporary files of interrupted atomic writes.
* The *key* of a file is its path relative to its root, with ``/`` separators
  and without its suffix: ``images/a/b.jpg`` and ``masks/a/b.png`` share the key
  ``a/b``. A root that is a single file has its name without suffix as key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputFileError
from .storage import Location, RemotePath, as_path

LABEL_FILE_NAMES = ("labels.csv", "labels.txt")


def find_files(root: str | Path | RemotePath, suffixes: Sequence[str]) -> list[Location]:
    """The files under ``root`` (or ``root`` itself) whose suffix is in ``suffixes``, sorted.

    Raises :class:`InputFileError` when ``root`` does not exist.
    """
    root = as_path(root)
    wanted = {suffix.lower() for suffix in suffixes}
    if root.is_file():
        return [root] if root.suffix.lower() in wanted else []
    if not root.is_dir():
        raise InputFileError("no such file or folder", path=root)
    return sorted(path for path in root.rglob("*")
                  if path.suffix.lower() in wanted and path.is_file()
                  and not any(part.startswith(".") for part in path.relative_to(root).parts))


def file_key(path: Path, root: str | Path) -> str:
    """The key of ``path`` under ``root`` (see the module docstring).

    >>> file_key(Path("masks/a/b.png"), "masks")
    'a/b'
    """
    root = Path(root)
    relative = Path(path.name) if root == path else path.relative_to(root)
    return relative.with_suffix("").as_posix()


@dataclass
class Pairing:
    """Files of two roots matched by key.

    ``pairs`` holds ``(key, left, right)`` in key order; ``only_left`` and
    ``only_right`` the files without a partner; ``ambiguous`` one message per key
    that names several files on one side (``a.png`` and ``a.jpg``), which are
    left out of ``pairs``.
    """

    pairs: list[tuple[str, Path, Path]] = field(default_factory=list)
    only_left: list[Path] = field(default_factory=list)
    only_right: list[Path] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def pair_by_key(left_root: str | Path, right_root: str | Path, *, left_suffixes: Sequence[str],
                right_suffixes: Sequence[str]) -> Pairing:
    """Match the files of two roots by key (relative path without suffix)."""
    pairing = Pairing()
    left = _by_key(left_root, left_suffixes, pairing)
    right = _by_key(right_root, right_suffixes, pairing)
    if Path(left_root).is_file() and Path(right_root).is_file() and left and right:
        # two single files are a pair whatever their names
        (left_path,), (right_path,) = left.values(), right.values()
        pairing.pairs.append((next(iter(right)), left_path, right_path))
        return pairing
    for key in sorted(left.keys() | right.keys()):
        if key in left and key in right:
            pairing.pairs.append((key, left[key], right[key]))
        elif key in left:
            pairing.only_left.append(left[key])
        else:
            pairing.only_right.append(right[key])
    return pairing


def _by_key(root: str | Path, suffixes: Sequence[str], pairing: Pairing) -> dict[str, Path]:
    found: dict[str, list[Path]] = {}
    for path in find_files(root, suffixes):
        found.setdefault(file_key(path, root), []).append(path)
    for key, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(path.name for path in paths)
            pairing.ambiguous.append(f"{Path(root) / key}: several files for one name ({names}); keep one")
    return {key: paths[0] for key, paths in found.items() if len(paths) == 1}


def label_file_in(folder: str | Path | RemotePath) -> Location | None:
    """The label map ``segtool rasterize`` writes beside its masks, if ``folder`` has one.

    ``labels.csv`` (ids, names and colours) is preferred to ``labels.txt``.
    """
    folder = as_path(folder)
    if not folder.is_dir():
        return None
    return next((folder / name for name in LABEL_FILE_NAMES if (folder / name).is_file()), None)
