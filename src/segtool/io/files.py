"""Input files: found in folders by key (relative path without suffix), the label map beside them,
and where a picture folder may go without mixing with them.

Conventions
-----------
* A root is a folder (searched recursively) or a single file, local or at an
  fsspec URL (see :mod:`segtool.io.storage`).
* Suffixes are compared case-insensitively (``.PNG`` is a PNG).
* Hidden files and folders (names starting with ``.``) are skipped: they are
  editor and system files, and the temporary files of interrupted atomic writes.
* The *key* of a file is its path relative to its root, with ``/`` separators
  and without its suffix: ``images/a/b.jpg`` and ``masks/a/b.png`` share the key
  ``a/b``. A root that is a single file has its name without suffix as key.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import InputFileError, LabelMapError, OutputPlacementError
from ..labels import LABEL_FILE_NAMES
from .reading import file_kind
from .storage import Location, LocationLike, RemotePath, as_path, relative_path

#: labelme2voc.py writes OUT/class_names.txt beside OUT/SegmentationClass (PNG), SegmentationClassNpy...
LABELME2VOC_NAMES = "class_names.txt"
LABELME2VOC_MASK_FOLDER = "SegmentationClass"


def find_files(root: LocationLike, suffixes: Sequence[str] | None) -> list[Location]:
    """The files under ``root`` (or ``root`` itself) whose suffix is in ``suffixes`` (None: any), sorted.

    Raises :class:`InputFileError` when ``root`` does not exist.
    """
    return sorted(path for _, path in _keyed_files(as_path(root), suffixes))


def file_key(path: Location, root: LocationLike) -> str:
    """The key of ``path`` under ``root`` (see the module docstring).

    >>> file_key(Path("masks/a/b.png"), "masks")
    'a/b'
    """
    root = as_path(root)
    relative = PurePosixPath(path.name) if root == path else relative_path(path, root)
    return relative.with_suffix("").as_posix()


def is_named_file(path: Location) -> bool:
    """True when ``path`` exists and is not a folder: a file named on the command line.

    A FIFO or a device named as an input is such a file, so that reading it gives
    its one-line error (:mod:`segtool.io.reading`) rather than "no such file".
    """
    if isinstance(path, RemotePath):
        return path.is_file()
    return path.exists() and not path.is_dir()


def _keyed_files(root: Location, suffixes: Sequence[str] | None) -> list[tuple[str, Location]]:
    """``(key, path)`` of each file :func:`find_files` finds, in no particular order."""
    wanted = None if suffixes is None else {suffix.lower() for suffix in suffixes}
    if is_named_file(root):
        return [(file_key(root, root), root)] if _is_wanted(root.suffix, wanted) else []
    if not root.is_dir():
        raise InputFileError("no such file or folder", path=root)
    if isinstance(root, Path):
        try:
            return list(_walk_local(root, "", wanted))
        except OSError as exc:
            raise InputFileError(f"cannot list the folder: {exc.strerror or exc}", path=root) from None
    return [
        (file_key(path, root), path)
        for path in root.rglob("*")
        if _is_wanted(path.suffix, wanted)
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]


def _is_wanted(suffix: str, wanted: set[str] | None) -> bool:
    return wanted is None or suffix.lower() in wanted


def _walk_local(folder: Path, prefix: str, wanted: set[str] | None) -> Iterator[tuple[str, Path]]:
    """Files of a local folder tree with their keys, by ``os.scandir``: a stat per file spared.

    Like ``Path.rglob``: symbolic links to folders are not followed, links to files
    count, and subfolders that cannot be listed are skipped.
    """
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(PermissionError):
                    yield from _walk_local(folder / entry.name, f"{prefix}{entry.name}/", wanted)
                continue
            stem, suffix = os.path.splitext(entry.name)
            if _is_wanted(suffix, wanted) and entry.is_file():
                yield f"{prefix}{stem}", folder / entry.name


@dataclass
class KeyedFiles:
    """The files of one root by key: ``unique`` (one file per key) and ``ambiguous`` (several).

    ``ambiguous`` maps a key to its files (``a.png`` and ``a.npy``); such keys
    are not in ``unique``, so that nothing is paired with the wrong file.
    """

    unique: dict[str, Location] = field(default_factory=dict)
    ambiguous: dict[str, list[Location]] = field(default_factory=dict)

    def problems(self) -> list[tuple[str, str]]:
        """``(key, message)`` for each ambiguous key, the message naming its files."""
        return [
            (key, f"{', '.join(str(path) for path in paths)}: several files for one name; keep one")
            for key, paths in self.ambiguous.items()
        ]


def files_by_key(root: LocationLike, suffixes: Sequence[str]) -> KeyedFiles:
    """The files under ``root`` whose suffix is in ``suffixes``, by key, in key order.

    Raises :class:`InputFileError` when ``root`` does not exist.
    """
    found: dict[str, list[Location]] = {}
    for key, path in _keyed_files(as_path(root), suffixes):
        found.setdefault(key, []).append(path)
    keyed = KeyedFiles()
    for key in sorted(found):
        paths = sorted(found[key])
        if len(paths) == 1:
            keyed.unique[key] = paths[0]
        else:
            keyed.ambiguous[key] = paths
    return keyed


def label_file_in(folder: LocationLike) -> Location | None:
    """The label map ``segtool rasterize`` writes beside its masks, if ``folder`` has one.

    ``labels.csv`` (ids, names and colours) is preferred to ``labels.txt``. Such a
    file must be a regular file (see :func:`found_label_file`).
    """
    folder = as_path(folder)
    if not folder.is_dir():
        return None
    return next((folder / name for name in LABEL_FILE_NAMES if found_label_file(folder / name)), None)


def found_label_file(path: Location) -> bool:
    """True when the label map segtool looks for at ``path`` (by its name, unasked) is there.

    A label map found this way is read only from a regular file: a symbolic link
    there (to ``/proc/self/environ``, to a private key) would turn another file's
    lines into class names and messages, so it is a :class:`LabelMapError`, as is
    a FIFO or a device. A map given with ``--labels`` is read wherever it points.
    """
    if isinstance(path, RemotePath):
        return path.is_file()
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(mode):
        raise LabelMapError(
            "a label map segtool finds by its name must be a regular file, not a symbolic link; "
            "pass it with --labels to use it",
            path=path,
        )
    if not stat.S_ISREG(mode):
        raise LabelMapError(
            f"{file_kind(mode)}, not a regular file: segtool reads only regular files", path=path
        )
    return True


def label_file_for_masks(masks: str | Path | RemotePath) -> Location | None:
    """The label map that describes the masks in the folder ``masks`` (or the one mask file
    ``masks``: then its folder's), if one lies where a tool writes it.

    In order: :func:`label_file_in` (segtool's ``labels.csv``, ``labels.txt``);
    labelme2voc's ``class_names.txt`` (one name per line, line order = id, from
    ``_background_`` = 0) in the folder, or in its parent when the folder is one of
    labelme2voc's ``SegmentationClass*`` folders.
    """
    folder = as_path(masks)
    if is_named_file(folder):
        folder = folder.parent
    found = label_file_in(folder)
    if found is not None:
        return found
    places = [folder, folder.parent] if folder.name.startswith(LABELME2VOC_MASK_FOLDER) else [folder]
    return next(
        (place / LABELME2VOC_NAMES for place in places if (place / LABELME2VOC_NAMES).is_file()), None
    )


def check_picture_folder(
    folder: LocationLike,
    mask_folders: Sequence[LocationLike],
    *,
    what: str,
    input_folders: Sequence[LocationLike | None] = (),
) -> None:
    """An :class:`~segtool.errors.OutputPlacementError` when the picture folder ``folder`` would mix
    pictures with inputs.

    It must not be a mask folder, lie inside one or hold one (pictures would
    overwrite masks of the same name, or be read as masks by the next run), nor
    be or hold one of ``input_folders`` (photos, annotations: pictures would
    overwrite files of the same name; ``--viz ds`` with photos in ``ds/images``
    writes ``ds/images/a.png``). Inside an input folder is fine: a picture lands
    on an input there only if that input is also under the picture folder. Paths
    are compared after resolving links. Entries that are single files, or None,
    are not checked. A file where the folder should be is refused too.
    """
    target = as_path(folder).resolve()
    if target.exists() and not target.is_dir():
        raise OutputPlacementError(f"a file, not a folder: it cannot be {what}", path=folder)
    for entry, nested in [
        *((entry, True) for entry in mask_folders),
        *((entry, False) for entry in input_folders),
    ]:
        if entry is None:
            continue
        root = as_path(entry).resolve()
        if not root.is_dir():
            continue
        if nested and (_inside(target, root) or _inside(root, target)):
            raise OutputPlacementError(
                f"{what} must not be the mask folder {entry}, lie inside it or hold it "
                "(pictures would be mixed with the masks, or replace them)",
                path=folder,
            )
        if not nested and _inside(root, target):
            raise OutputPlacementError(
                f"{what} must not be the input folder {entry} or hold it "
                "(pictures would overwrite its files)",
                path=folder,
            )


def _inside(path: Location, root: Location) -> bool:
    if isinstance(path, RemotePath) or isinstance(root, RemotePath):
        child, parent = str(path).rstrip("/"), str(root).rstrip("/")
        return child == parent or child.startswith(parent + "/")
    return path == root or root in path.parents
