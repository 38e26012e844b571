"""Label maps: class names <-> integer ids <-> display colours.

Conventions
-----------
* Id 0 is the background. Its default name is ``_background_`` (labelme's).
* The ignore value (255 unless changed) marks pixels that are not scored. In a
  labels file the name ``__ignore__`` stands for it; shapes with that label are
  painted with the ignore value.
* Without a user-given map, ids are given to the sorted label names, after the
  background: the same label gets the same id in every output file.

Files read and written
----------------------
``labels.txt``  labelme style: one name per line, line order = id. A line
                ``__ignore__`` is not counted (it names the ignore value), so
                labelme's files (``__ignore__``, ``_background_``, ...) read as
                they mean. Ids with no name are written as ``__unused_<id>__``.
``labels.csv``  explicit: header ``id,name,color``; ``color`` is ``#rrggbb`` or
                empty (then the VOC colour of the id). A row named
                ``__ignore__`` sets the ignore value to its id.
``*.json``      ``{"labels": [{"id": 1, "name": "car", "color": "#ff0000"}, ...],
                "ignore_value": 255}``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import LabelMapError, UnknownLabelError, shown
from .io.atomic import write_files_atomic
from .io.jsonparse import parse_json
from .io.reading import read_input
from .io.storage import Location, LocationLike, as_path
from .limits import MAX_LABEL_MAP_BYTES

BACKGROUND_NAME = "_background_"
IGNORE_NAME = "__ignore__"
DEFAULT_IGNORE_VALUE = 255
_UNUSED = re.compile(r"^__unused_\d+__$")
_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")
# Control characters (Unicode category Cc: C0, DEL, C1) and the line and paragraph separators.
_UNWRITABLE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LABEL_LENGTH = 1000  # characters; far above any real class name, and short enough to quote
#: The files a label map is written to (rasterize's OUT) and found by (beside masks), preferred first.
LABEL_FILE_NAMES = ("labels.csv", "labels.txt")

Colour = tuple[int, int, int]


def label_folder(name: str) -> str:
    """The folder of a label in the per-label (``binary``) mask layout: ``/`` and ``\\`` become ``_``,
    and a name that is empty, starts with a dot or is a label map's file name (:data:`LABEL_FILE_NAMES`,
    which sit beside the label folders) gets a leading ``_``.

    >>> label_folder("tv/monitor"), label_folder(".hidden"), label_folder("labels.csv")
    ('tv_monitor', '_.hidden', '_labels.csv')
    """
    cleaned = name.replace("/", "_").replace("\\", "_").strip()
    escape = not cleaned or cleaned.startswith(".") or cleaned in LABEL_FILE_NAMES
    return "_" + cleaned if escape else cleaned


def label_name_problem(name: str) -> str | None:
    """What keeps ``name`` from being a label, or None.

    A label name must come back unchanged from labels.txt and labels.csv (which
    strip spaces and hold one name per line), be writable as UTF-8, and be short
    enough to quote: at most :data:`MAX_LABEL_LENGTH` characters. Line separators
    (U+2028, U+2029) split a line as ``\\n`` does for many readers, Python's
    ``str.splitlines`` among them, so they are refused with the control characters. A
    name that a spreadsheet would run as a formula is refused too
    (:func:`starts_like_a_formula`), so that every CSV segtool writes holds the names
    exactly and none of its cells is a formula.

    >>> label_name_problem("car"), label_name_problem("car "), label_name_problem("a\\nb")
    (None, 'has leading or trailing spaces', 'has a line break')
    >>> label_name_problem("a\\u2028b")
    'has a line separator (U+2028)'
    """
    if not name:
        return "is empty"
    if len(name) > MAX_LABEL_LENGTH:
        return f"is longer than {MAX_LABEL_LENGTH} characters"
    if name != name.strip():
        return "has leading or trailing spaces"
    if "\n" in name or "\r" in name:
        return "has a line break"
    odd = _UNWRITABLE_IN_A_LINE.search(name)
    if odd:
        kind = (
            "a line separator" if unicodedata.category(odd.group()) in ("Zl", "Zp") else "a control character"
        )
        return f"has {kind} (U+{ord(odd.group()):04X})"
    if starts_like_a_formula(name):
        return f"starts with {name[0]!r}, which spreadsheets run as a formula (CSV injection)"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "cannot be written as UTF-8 (it holds a lone surrogate)"
    return None


def starts_like_a_formula(text: str) -> bool:
    """Whether a spreadsheet opening a CSV cell holding ``text`` would run it as a formula.

    Cells starting with ``=``, ``+``, ``-`` or ``@`` do (OWASP's list; tab and carriage
    return, also on it, are control characters, refused anyway), unless the whole
    cell is a number, which a spreadsheet reads as the number.

    >>> starts_like_a_formula("=HYPERLINK(1)"), starts_like_a_formula("-1.5"), starts_like_a_formula("road")
    (True, False, False)
    """
    if not text or text[0] not in "=+-@":
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


def name_or_id(label_id: int, label_map: LabelMap | None) -> str:
    """The label map's name of ``label_id`` (:meth:`LabelMap.name_of`), or the id as text without a map."""
    return label_map.name_of(label_id) if label_map is not None else str(label_id)


def voc_colour(label_id: int) -> Colour:
    """The PASCAL VOC display colour of ``label_id`` (bits of the id spread over R, G, B)."""
    red = green = blue = 0
    value = label_id
    for shift in range(7, -1, -1):
        red |= ((value >> 0) & 1) << shift
        green |= ((value >> 1) & 1) << shift
        blue |= ((value >> 2) & 1) << shift
        value >>= 3
        if value == 0:
            break
    return red, green, blue


_VOC_PALETTE = bytes(channel for index in range(256) for channel in voc_colour(index))


@dataclass(frozen=True)
class Label:
    """One class: its id in masks, its name, and the colour masks show it in."""

    id: int
    name: str
    colour: Colour


class LabelMap:
    """An ordered, validated set of labels plus the ignore value.

    >>> lm = LabelMap.from_names(["road", "car"])
    >>> [(label.id, label.name) for label in lm]
    [(0, '_background_'), (1, 'car'), (2, 'road')]
    >>> lm.id_of("road"), lm.id_of("__ignore__")
    (2, 255)
    """

    def __init__(
        self, labels: Iterable[Label], *, ignore_value: int = DEFAULT_IGNORE_VALUE, source: str | None = None
    ) -> None:
        self.labels: tuple[Label, ...] = tuple(sorted(labels, key=lambda label: label.id))
        self.ignore_value = int(ignore_value)
        self.source = source
        self._by_name: dict[str, Label] = {}
        self._by_id: dict[int, Label] = {}
        self._palette: bytes | None = None
        if not 0 <= self.ignore_value <= 65535:
            raise LabelMapError(f"ignore value {self.ignore_value} is outside 0..65535", path=source)
        for label in self.labels:
            problem = label_name_problem(label.name)
            if problem:
                raise LabelMapError(f"label name {shown(label.name)} {problem}", path=source)
            if label.id < 0 or label.id > 65535:
                raise LabelMapError(
                    f"label id {label.id} ({shown(label.name)}) is outside 0..65535", path=source
                )
            if label.id == self.ignore_value:
                raise LabelMapError(
                    f"label {shown(label.name)} has id {label.id}, which is the ignore value", path=source
                )
            if label.name in self._by_name:
                raise LabelMapError(f"label name {shown(label.name)} appears twice", path=source)
            if label.id in self._by_id:
                first = self._by_id[label.id].name
                raise LabelMapError(
                    f"id {label.id} is given to both {shown(first)} and {shown(label.name)}", path=source
                )
            self._by_name[label.name] = label
            self._by_id[label.id] = label

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_names(cls, names: Iterable[str], *, ignore_value: int = DEFAULT_IGNORE_VALUE) -> LabelMap:
        """Background 0, then every other name (sorted) from 1 on, skipping the ignore value.

        ``__ignore__`` is not a class and gets no id of its own.
        """
        others = sorted({name for name in names} - {BACKGROUND_NAME, IGNORE_NAME})
        ids = (label_id for label_id in range(65536) if label_id != ignore_value)
        pairs = zip(ids, [BACKGROUND_NAME, *others], strict=False)  # ids outnumber the names
        return cls(_with_default_colours(pairs), ignore_value=ignore_value)

    @classmethod
    def read(cls, path: LocationLike, *, ignore_value: int | None = None) -> LabelMap:
        """Read a ``.txt`` (labelme), ``.csv`` or ``.json`` label map (see the module docstring)."""
        path = as_path(path)
        text = _label_map_text(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return _parse_csv(text, path, ignore_value)
        if suffix == ".json":
            return _parse_json(text, path, ignore_value)
        return _parse_txt(text, path, ignore_value)

    # -- queries ----------------------------------------------------------------------
    def __iter__(self):
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name or name == IGNORE_NAME

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LabelMap)
            and self.labels == other.labels
            and self.ignore_value == other.ignore_value
        )

    def __repr__(self) -> str:
        return (
            f"LabelMap({[(label.id, label.name) for label in self.labels]}, ignore_value={self.ignore_value})"
        )

    @property
    def ids(self) -> list[int]:
        return [label.id for label in self.labels]

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    @property
    def max_id(self) -> int:
        return max(self.ids, default=0)

    def id_of(self, name: str, *, path: LocationLike | None = None, where: str = "") -> int:
        """The id painted for ``name``: the ignore value for ``__ignore__``, 0 for ``_background_``."""
        if name == IGNORE_NAME:
            return self.ignore_value
        label = self._by_name.get(name)
        if label is None and name == BACKGROUND_NAME and 0 in self._by_id:
            return 0
        if label is None:
            raise UnknownLabelError(name, path=path, where=where)
        return label.id

    def name_of(self, label_id: int) -> str:
        """The name of ``label_id``; unnamed ids read as their number."""
        if label_id == self.ignore_value:
            return IGNORE_NAME
        label = self._by_id.get(int(label_id))
        return label.name if label is not None else str(label_id)

    def colour_of(self, label_id: int) -> Colour:
        label = self._by_id.get(int(label_id))
        return label.colour if label is not None else voc_colour(label_id)

    def palette(self) -> bytes:
        """768 bytes of RGB for a palette PNG: each id's colour, VOC colours elsewhere.

        Computed once per map (the map does not change), since every written mask needs it.
        """
        if self._palette is None:
            colours = bytearray(_VOC_PALETTE)
            for label in self.labels:
                if label.id < 256:
                    colours[3 * label.id : 3 * label.id + 3] = bytes(label.colour)
            self._palette = bytes(colours)
        return self._palette

    # -- output -----------------------------------------------------------------------
    def to_txt(self) -> str:
        """labelme style text: ``__ignore__`` first, then one name per id from 0 to the largest."""
        lines = [IGNORE_NAME]
        for label_id in range(self.max_id + 1):
            label = self._by_id.get(label_id)
            lines.append(label.name if label is not None else f"__unused_{label_id}__")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["id", "name", "color"])
        for label in self.labels:
            writer.writerow([label.id, label.name, _hex(label.colour)])
        writer.writerow([self.ignore_value, IGNORE_NAME, ""])
        return buffer.getvalue()

    def to_json(self) -> dict:
        return {
            "labels": [
                {"id": label.id, "name": label.name, "color": _hex(label.colour)} for label in self.labels
            ],
            "ignore_value": self.ignore_value,
        }

    def write(self, folder: LocationLike) -> list[Location]:
        """Write ``labels.txt`` and ``labels.csv`` into ``folder``; return their paths.

        Both or neither (:func:`~segtool.io.atomic.write_files_atomic`): a full disk leaves
        the folder's old map whole. An :class:`~segtool.errors.OutputError` names the file
        that could not be written.
        """
        folder = as_path(folder)
        txt, rich = folder / "labels.txt", folder / "labels.csv"
        write_files_atomic(
            {txt: self.to_txt().encode("utf-8"), rich: self.to_csv().encode("utf-8")}, what="the label map"
        )
        return [txt, rich]


def _label_map_text(path: Location) -> str:
    """The text of a label map file, read as every input is (:mod:`segtool.io.reading`).

    A regular file (or a URL) of at most :data:`~segtool.limits.MAX_LABEL_MAP_BYTES`: a FIFO
    would block and ``/dev/zero`` never end, so they are refused before reading.
    """
    data = read_input(path, limit=MAX_LABEL_MAP_BYTES, error=LabelMapError)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelMapError("label map is not UTF-8 text", path=path) from None


def _hex(colour: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _parse_colour(text: str, path: Location, name: str) -> Colour | None:
    text = (text or "").strip()
    if not text:
        return None
    match = _HEX_COLOUR.match(text)
    if not match:
        raise LabelMapError(f"label {shown(name)}: colour {shown(text)} is not #rrggbb", path=path)
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _with_default_colours(pairs: Iterable[tuple[int, str]]) -> list[Label]:
    return [Label(label_id, name, voc_colour(label_id)) for label_id, name in pairs]


def _parse_txt(text: str, path: Location, ignore_value: int | None) -> LabelMap:
    pairs: list[tuple[int, str]] = []
    for line in text.splitlines():
        name = line.strip()
        if not name or name == IGNORE_NAME:
            continue
        label_id = len(pairs)
        pairs.append((label_id, name))
    if not pairs:
        raise LabelMapError("label map has no labels", path=path)
    value = DEFAULT_IGNORE_VALUE if ignore_value is None else ignore_value
    kept = [(label_id, name) for label_id, name in pairs if not _UNUSED.match(name)]
    return LabelMap(_with_default_colours(kept), ignore_value=value, source=str(path))


def _parse_csv(text: str, path: Location, ignore_value: int | None) -> LabelMap:
    reader = csv.DictReader(io.StringIO(text))
    entries = []
    try:
        if reader.fieldnames is None or not {"id", "name"} <= {f.strip() for f in reader.fieldnames}:
            raise LabelMapError("CSV label map needs a header with columns id,name[,color]", path=path)
        for row in reader:
            row = {(key or "").strip(): (value or "") for key, value in row.items()}
            entries.append(
                {"id": row.get("id", ""), "name": row.get("name", ""), "color": row.get("color", "")}
            )
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit (128 KiB)
        raise LabelMapError(f"line {reader.line_num + 1}: bad CSV: {exc}", path=path) from None
    return _from_entries(entries, path, ignore_value, line_offset=2)


def _parse_json(text: str, path: Location, ignore_value: int | None) -> LabelMap:
    try:
        document = parse_json(text)
    except json.JSONDecodeError as exc:
        raise LabelMapError(f"invalid JSON at line {exc.lineno}: {exc.msg}", path=path) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise LabelMapError(f"invalid JSON: {exc}", path=path) from None
    except RecursionError:
        raise LabelMapError("JSON is nested too deeply", path=path) from None
    if not isinstance(document, dict) or not isinstance(document.get("labels"), list):
        raise LabelMapError('JSON label map needs {"labels": [{"id": ..., "name": ...}, ...]}', path=path)
    if ignore_value is None and "ignore_value" in document:
        ignore_value = _parse_id(document["ignore_value"], path, "ignore_value")
    entries = []
    for entry in document["labels"]:
        if not isinstance(entry, dict):
            raise LabelMapError("each entry of 'labels' must be an object with id and name", path=path)
        entries.append(entry)
    return _from_entries(entries, path, ignore_value, line_offset=None)


def _parse_id(value: object, path: Location, what: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        raise LabelMapError(f"{what}: {shown(value)} is not a whole number", path=path) from None
    return number


def _from_entries(
    entries: list[dict], path: Location, ignore_value: int | None, line_offset: int | None
) -> LabelMap:
    labels = []
    for index, entry in enumerate(entries):
        where = f"line {index + line_offset}" if line_offset is not None else f"entry {index + 1}"
        name = str(entry.get("name", "")).strip()
        if not name:
            raise LabelMapError(f"{where}: empty label name", path=path)
        label_id = _parse_id(entry.get("id", ""), path, f"{where} ({shown(name)}) id")
        if name == IGNORE_NAME:
            if ignore_value is None:
                ignore_value = label_id
            continue
        colour = _parse_colour(str(entry.get("color") or ""), path, name) or voc_colour(label_id)
        labels.append(Label(label_id, name, colour))
    if not labels:
        raise LabelMapError("label map has no labels", path=path)
    return LabelMap(
        labels, ignore_value=DEFAULT_IGNORE_VALUE if ignore_value is None else ignore_value, source=str(path)
    )
