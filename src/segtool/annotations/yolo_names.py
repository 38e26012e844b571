"""Class names of a YOLO dataset: the ``names:`` entry of its ``data.yaml``, or a ``classes.txt``.

Ultralytics writes ``names`` in three shapes, all read here::

    names: [person, 'traffic light']      # a flow list
    names:                                 # a block list
      - person
      - traffic light
    names:                                 # a mapping, class index -> name
      0: person
      1: traffic light

Only this subset of YAML is parsed (top-level ``names:``; plain, single- and
double-quoted scalars; ``#`` comments), so segtool needs no YAML library:
PyYAML is not one of its dependencies, and a dataset file has no other use here.
Anything else in the file is not looked at. ``classes.txt`` (labelImg, YOLO
darknet exports) holds one name per line, line order = class index.
"""

from __future__ import annotations

import json
import re

from ..errors import AnnotationError
from ..io.storage import Location

_KEY = re.compile(r"^names\s*:(.*)$")
_ENTRY = re.compile(r"^(['\"]?)(\d+)\1\s*:\s*(.*)$")


def read_names_yaml(text: str, source: Location) -> dict[int, str] | None:
    """The class names of a dataset YAML, by class index; None when it has no ``names:``.

    A ``names`` value that is none of the three shapes is an
    :class:`~segtool.errors.AnnotationError` naming the file and line.

    >>> read_names_yaml("nc: 2\\nnames: [car, 'traffic light']  # classes\\n", "d.yaml")
    {0: 'car', 1: 'traffic light'}
    >>> read_names_yaml("names:\\n  0: car\\n  1: \\"bus\\"\\npath: x\\n", "d.yaml")
    {0: 'car', 1: 'bus'}
    """
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        found = _KEY.match(line)
        if not found:
            continue
        rest = _uncomment(found.group(1)).strip()
        if rest:
            return _flow(rest, source, number)
        return _block(lines[number:], source, number + 1)
    return None


def read_classes_txt(text: str) -> dict[int, str]:
    """``classes.txt``: one name per line, line order = class index (blank lines at the end dropped).

    >>> read_classes_txt("car\\nbus\\n\\n")
    {0: 'car', 1: 'bus'}
    """
    names = [line.strip() for line in text.splitlines()]
    while names and not names[-1]:
        names.pop()
    return dict(enumerate(names))


def _flow(text: str, source: Location, number: int) -> dict[int, str]:
    if text.startswith("[") and text.endswith("]"):
        return dict(enumerate(_scalar(item, source, number) for item in _split(text[1:-1], source, number)))
    if text.startswith("{") and text.endswith("}"):
        return _entries(_split(text[1:-1], source, number), source, number)
    raise _problem(source, number, "names must be a list or a mapping of class index to name")


def _block(lines: list[str], source: Location, first: int) -> dict[int, str]:
    items: list[str] = []
    entries: list[str] = []
    for number, line in enumerate(lines, start=first):
        content = _uncomment(line).rstrip()
        if not content.strip():
            continue
        if not line[:1].isspace() and not content.startswith("-"):
            break  # the next top-level key
        content = content.strip()
        if content.startswith("- ") or content == "-":
            items.append(content[1:].strip())
        else:
            entries.append(content)
        if items and entries:
            raise _problem(source, number, "names mixes list items and index: name entries")
    if items:
        return dict(enumerate(_scalar(item, source, first) for item in items))
    return _entries(entries, source, first)


def _entries(entries: list[str], source: Location, number: int) -> dict[int, str]:
    names: dict[int, str] = {}
    for entry in entries:
        found = _ENTRY.match(entry.strip())
        if not found:
            raise _problem(source, number, f"names entry {entry.strip()!r} is not 'index: name'")
        names[int(found.group(2))] = _scalar(found.group(3), source, number)
    return names


def _split(text: str, source: Location, number: int) -> list[str]:
    """The comma-separated items of a flow collection, commas inside quotes kept."""
    items, current, quote = [], "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            items.append(current)
            current = ""
            continue
        current += char
    if quote:
        raise _problem(source, number, "names has an unclosed quote")
    items.append(current)
    return [item for item in items if item.strip()]


def _scalar(text: str, source: Location, number: int) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            raise _problem(source, number, f"cannot read the name {text}") from None
    if not text:
        raise _problem(source, number, "names has an empty name")
    return text


def _uncomment(line: str) -> str:
    """``line`` without a ``#`` comment (a ``#`` at the start or after a space, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _problem(source: Location, number: int, problem: str) -> AnnotationError:
    return AnnotationError(f"line {number}: {problem}", path=source)
