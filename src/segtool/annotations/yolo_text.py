"""Parsing a YOLO label file (``labels/<split>/<image>.txt``): one object per line.

A line is ``class x1 y1 x2 y2 ... xn yn`` (a segmentation polygon, n >= 3) or
``class cx cy w h`` (a detection box: centre, width, height), with the class a
whole number >= 0 and the coordinates fractions of the image's width (x) and
height (y), so 0..1. Blank lines are skipped; an empty file is an image without
objects.

A ``.txt`` file is a YOLO label file when its first non-blank line is such a
line: a whole number followed by numbers. Anything else (a ``classes.txt`` of
names, a README, labelme's ``labels.txt``) is not, and a folder search passes
it by. Once a file is YOLO, every later line must be too: a line with a word in
it, an odd number of coordinates, 2 coordinates, a negative class, or a
coordinate outside 0..1 is an error naming the file and the line. Ultralytics
refuses such files as well (its dataset check drops a label file with a value
outside 0..1), so coordinates are never clipped: 1.2 usually means pixels or a
wrong normalisation, which clipping would hide. Up to ``1e-6`` outside the range
is accepted as rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

from ..errors import AnnotationError, UnknownFormatError
from ..io.storage import Location

#: The folder a folder search finds YOLO label files in (at any depth below it).
LABELS_FOLDER = "labels"
#: The list of class names some exports keep in the labels folder: never a label file.
NAMES_LIST = "classes.txt"
#: How far outside 0..1 a coordinate may be and still count as rounding.
ROUNDING = 1e-6


def is_yolo_label_path(path: PurePosixPath | Location) -> bool:
    """A ``.txt`` file below a folder called ``labels``: where a folder search looks for YOLO labels.

    >>> is_yolo_label_path("data/labels/train/a.txt"), is_yolo_label_path("data/notes.txt")
    (True, False)
    """
    parts = PurePosixPath(str(path)).parts
    return parts[-1].lower().endswith(".txt") and parts[-1] != NAMES_LIST and LABELS_FOLDER in parts[:-1]


@dataclass(frozen=True)
class YoloObject:
    """One line: its number in the file, the class index, the (N, 2) fractions; N = 2 for a box
    (centre and size), N >= 3 for a polygon."""

    line: int
    class_index: int
    values: np.ndarray
    is_box: bool


@dataclass(frozen=True)
class YoloLabels:
    """A parsed YOLO label file."""

    objects: tuple[YoloObject, ...]


def parse_yolo_text(data: bytes, source: Location) -> YoloLabels:
    """The objects of a YOLO label file; :class:`~segtool.errors.UnknownFormatError` when the
    text is not one, an :class:`~segtool.errors.AnnotationError` naming the line when a line is bad.

    >>> parse_yolo_text(b"0 0.1 0.1 0.9 0.1 0.5 0.9\\n", "a.txt").objects[0].values.tolist()
    [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]]
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnknownFormatError("not UTF-8 text", path=source) from None
    objects: list[YoloObject] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if not tokens:
            continue
        numbers = _numbers(tokens)
        if numbers is None or not _is_class(numbers[0]):
            if not objects:
                raise UnknownFormatError(
                    "not a YOLO label file (a line is: class x1 y1 x2 y2 ...)", path=source
                )
            raise _problem(source, number, "is not a class index followed by numbers")
        objects.append(_object(numbers, source, number))
    return YoloLabels(tuple(objects))


def _numbers(tokens: list[str]) -> list[float] | None:
    try:
        return [float(token) for token in tokens]
    except ValueError:
        return None


def _is_class(value: float) -> bool:
    return math.isfinite(value) and value == int(value)


def _object(numbers: list[float], source: Location, number: int) -> YoloObject:
    class_index, coordinates = numbers[0], numbers[1:]
    if class_index < 0:
        raise _problem(source, number, f"class {class_index:g} is negative")
    if len(coordinates) % 2:
        raise _problem(source, number, f"has an odd number of coordinates ({len(coordinates)})")
    if len(coordinates) < 4:
        raise _problem(
            source, number, f"has {len(coordinates)} coordinates: a polygon needs 3 points, a box 4 numbers"
        )
    values = np.array(coordinates, dtype=np.float64).reshape(-1, 2)
    outside = values[~((values >= -ROUNDING) & (values <= 1 + ROUNDING))]
    if outside.size:
        raise _problem(
            source,
            number,
            f"coordinate {outside[0]:g} is outside 0..1 (YOLO coordinates are fractions of the image size)",
        )
    return YoloObject(number, int(class_index), values, is_box=len(values) == 2)


def _problem(source: Location, number: int, problem: str) -> AnnotationError:
    return AnnotationError(f"line {number}: {problem}", path=source)
