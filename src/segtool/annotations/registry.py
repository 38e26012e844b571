"""Finding annotation files, parsing them, detecting their format, dispatching to a reader.

A reader is a function ``read(document, source, rel, options) -> list[AnnotatedImage]``
where ``document`` is the parsed file (JSON value, or an XML ``Element``),
``source`` its path, ``rel`` its path relative to the input folder it was
found in (used to name the outputs of one-image-per-file formats) and
``options`` a :class:`ReaderOptions`.
Each format also has a ``detect(document) -> bool`` that looks only at the
document's keys. Formats are tried in registration order. Paths may be fsspec
URLs (a :class:`~segtool.io.storage.RemotePath`, see :mod:`segtool.io.storage`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from ..errors import AnnotationError, UnknownFormatError
from ..io.jsonparse import parse_json
from ..io.reading import read_input
from ..io.storage import Location, LocationLike, RemotePath, as_path
from ..limits import DEFAULT_MAX_PIXELS, MAX_DOCUMENT_BYTES, pixel_limit_problem
from .model import AnnotatedImage
from .yolo_text import is_yolo_label_path, parse_yolo_text

ANNOTATION_SUFFIXES = (".json", ".xml")


#: How COCO crowd regions are drawn: as the ignore value, or as their class.
CocoCrowd = Literal["ignore", "class"]


@dataclass(frozen=True)
class ReaderOptions:
    """Settings for the readers that need more than the file itself.

    ``images_dir``: a folder holding the images, for formats that store no image
    size (VIA; Label Studio tasks without shapes); the folder of the annotation
    file is searched too. ``via_label_attribute``: the VIA region attribute that
    holds the label (default: the first one). ``annotator``: which Label Studio
    annotation to read when a task has several: ``"first"``, ``"all"`` (one
    output per annotation, named ``<image>__annotator<id>``), or a user id or email.
    ``coco_crowd``: how COCO ``iscrowd`` regions are drawn: ``"ignore"`` (the ignore
    value, as COCO's evaluation treats them) or ``"class"`` (their category).
    ``max_pixels``: the largest image, and the largest embedded bitmap (COCO RLE,
    CVAT mask, LabelMe mask, Label Studio brush, Supervisely bitmap), a file may
    declare; larger ones are an error before anything of that size is decoded
    (see :mod:`segtool.limits`).

    An empty or blank ``annotator`` or ``via_label_attribute`` names nothing: a
    ``ValueError`` here, before any file is read.
    """

    images_dir: Location | None = None
    via_label_attribute: str | None = None
    annotator: str = "first"
    coco_crowd: CocoCrowd = "ignore"
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        for name in ("annotator", "via_label_attribute"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise ValueError(f"{name} must not be empty (it names an annotator or an attribute)")


#: ``read(document, source, rel, options)``: see the module docstring.
Reader = Callable[[Any, Location, PurePosixPath, ReaderOptions], list[AnnotatedImage]]


@dataclass(frozen=True)
class AnnotationFormat:
    """A format segtool reads: its name, how to recognise it, how to read it."""

    name: str
    detect: Callable[[Any], bool]
    read: Reader
    expected: str  # the keys a file of this format has, for the "none of them" message
    # Top-level keys that, all present in a JSON object, show it is meant to be this format:
    # such a document that ``detect`` refuses is a broken file of the format, not an unrelated one.
    marks: tuple[str, ...] = ()


FORMATS: dict[str, AnnotationFormat] = {}


def register(fmt: AnnotationFormat) -> AnnotationFormat:
    FORMATS[fmt.name] = fmt
    return fmt


def parse_document(data: bytes, source: Location) -> Any:
    """Parse JSON, or XML when the file is XML, or YOLO labels from a ``.txt`` file; an
    :class:`AnnotationError` naming the file if none of them."""
    if str(source).lower().endswith(".txt"):
        return parse_yolo_text(data, source)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        import xml.etree.ElementTree as ElementTree

        try:
            return ElementTree.fromstring(data)
        except ElementTree.ParseError as exc:
            raise AnnotationError(f"invalid XML: {exc}", path=source) from None
    try:
        return parse_json(data)
    except UnicodeDecodeError:
        raise AnnotationError("not UTF-8 text", path=source) from None
    except json.JSONDecodeError as exc:
        raise AnnotationError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path=source
        ) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise AnnotationError(f"invalid JSON: {exc}", path=source) from None
    except RecursionError:
        raise AnnotationError("JSON is nested too deeply", path=source) from None


def detect_format(document: Any, source: Location) -> AnnotationFormat:
    """The first registered format whose ``detect`` accepts the document.

    A document no format accepts is an :class:`UnknownFormatError` (an unrelated file, which a
    folder search skips), unless it holds the keys that mark a format: then it is a broken file
    of that format, an :class:`AnnotationError`.
    """
    for fmt in FORMATS.values():
        if _detects(fmt, document):
            return fmt
    for fmt in FORMATS.values():
        if fmt.marks and isinstance(document, dict) and all(key in document for key in fmt.marks):
            raise AnnotationError(f"not a valid {fmt.name} file (expected {fmt.expected})", path=source)
    raise UnknownFormatError(
        f"not an annotation file (segtool reads {', '.join(FORMATS)})",
        path=source,
    )


def _detects(fmt: AnnotationFormat, document: Any) -> bool:
    try:
        return bool(fmt.detect(document))
    except (AttributeError, TypeError, KeyError, IndexError):
        return False


def load_document(
    document: Any,
    source: Location,
    rel: PurePosixPath | None = None,
    *,
    input_format: str | None = None,
    options: ReaderOptions | None = None,
) -> list[AnnotatedImage]:
    """Read an already parsed document into the common model (``options``: see :class:`ReaderOptions`).

    An image larger than ``options.max_pixels`` is an :class:`AnnotationError`.
    """
    source = as_path(source)
    rel = rel if rel is not None else PurePosixPath(source.name)
    options = options if options is not None else ReaderOptions()
    if input_format is not None:
        if input_format not in FORMATS:
            raise AnnotationError(f"unknown input format {input_format!r} (known: {', '.join(FORMATS)})")
        fmt = FORMATS[input_format]
        if not _detects(fmt, document):  # forcing a format picks among formats; it reads no other documents
            raise UnknownFormatError(f"not a {fmt.name} file (expected {fmt.expected})", path=source)
    else:
        fmt = detect_format(document, source)
    images = fmt.read(document, source, rel, options)
    for image in images:
        too_large = pixel_limit_problem(
            f"image {str(image.name)!r}", image.height, image.width, options.max_pixels
        )
        if too_large:
            raise AnnotationError(too_large, path=source)
    return images


def load_annotation_file(
    path: LocationLike,
    rel: PurePosixPath | None = None,
    *,
    input_format: str | None = None,
    options: ReaderOptions | None = None,
) -> list[AnnotatedImage]:
    """Parse one annotation file and read it into the common model (one or more images)."""
    path = as_path(path)
    data = read_input(path, limit=MAX_DOCUMENT_BYTES, error=AnnotationError)
    return load_document(parse_document(data, path), path, rel, input_format=input_format, options=options)


def find_annotation_files(
    inputs: Iterable[LocationLike], *, exclude: Sequence[str] = ()
) -> Iterator[tuple[Location, PurePosixPath]]:
    """Yield ``(path, path relative to its input)`` for files given and files under folders given.

    Folders are searched recursively for .json and .xml files, and for .txt files below a folder
    called ``labels`` (YOLO labels, :func:`~.yolo_text.is_yolo_label_path`), in sorted order
    (a folder's files, then its subfolders'); symbolic links to folders are not
    followed (so link loops cannot hang). A file is left out when one of the
    ``exclude`` globs matches it (see :func:`is_excluded`).
    """
    for given in inputs:
        entry = as_path(given)
        if isinstance(entry, RemotePath) and entry.is_dir():
            yield from _find_remote(entry, exclude)
        elif isinstance(entry, Path) and entry.is_dir():
            for root, dirs, files in os.walk(entry, followlinks=False):
                here = PurePosixPath(Path(root).relative_to(entry).as_posix())
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and not is_excluded(here / d, exclude)
                )
                for name in sorted(files):
                    if (
                        _is_candidate(Path(root) / name)
                        and not name.startswith(".")
                        and not is_excluded(here / name, exclude)
                    ):
                        yield Path(root) / name, here / name
        elif not is_excluded(PurePosixPath(str(entry)), exclude):
            yield entry, PurePosixPath(entry.name)


def _is_candidate(path: Location) -> bool:
    return path.name.lower().endswith(ANNOTATION_SUFFIXES) or is_yolo_label_path(path)


def is_excluded(rel: PurePosixPath, patterns: Sequence[str]) -> bool:
    """True when a glob of ``patterns`` matches ``rel`` (a path relative to its input folder), one
    of its folders (``runs``, ``a/runs``), or the name of the file or of one of its folders.

    Globs are :mod:`fnmatch` patterns, case-sensitive; ``*`` also matches ``/``.

    >>> is_excluded(PurePosixPath("runs/a.json"), ["runs"]), is_excluded(PurePosixPath("b.json"), ["runs"])
    (True, False)
    """
    if not patterns:
        return False
    candidates = {str(rel), *rel.parts, *(str(parent) for parent in rel.parents if parent.parts)}
    return any(fnmatchcase(candidate, pattern) for candidate in candidates for pattern in patterns)


def _find_remote(folder: RemotePath, exclude: Sequence[str]) -> list[tuple[RemotePath, PurePosixPath]]:
    """What :func:`find_annotation_files` finds in a remote folder, in the same order (one listing)."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if (
            path.is_file()
            and _is_candidate(path)
            and not any(part.startswith(".") for part in rel.parts)
            and not is_excluded(PurePosixPath(str(rel)), exclude)
        ):
            found.append((path, rel))

    def walk_order(item: tuple[RemotePath, PurePosixPath]) -> tuple:
        *folders, name = item[1].parts
        return (*((1, part) for part in folders), (0, name))

    return sorted(found, key=walk_order)
