"""Writers for rows of results: table, CSV, JSON and Markdown, shared by every command.

Conventions
-----------
* Rows are mappings from column key to a value: ``int``, ``float``, ``str`` or
  ``None``. ``None`` and NaN mean *undefined* (for example Dice of a class absent
  from both masks).
* CSV: a header of the column keys (stable snake_case), numbers at full precision
  (``repr`` of the float, which reads back to the same value), booleans as
  ``true``/``false``, undefined values as empty cells. Written with the :mod:`csv`
  module, never through Rich.
* CSV holds rows of one kind only (one per class): no mean or total row, so that
  ``pandas.read_csv`` keeps integer columns integers and ``df.mean()`` means what it
  says. The table and Markdown show the summary row; JSON has it as ``summary``.
* JSON: one object for every command, ``{"settings", "rows", "summary", ...}``
  (:func:`command_document`); ``rows`` have the CSV's columns as keys. Numbers at full
  precision; undefined values are ``null`` (JSON has no NaN literal, and ``NaN`` in a
  file breaks strict parsers such as ``jq``).
* Table (Rich) and Markdown are for people: floats rounded, one format per column
  (``digits`` decimals, more or scientific notation for the whole column when it holds
  very small values: :mod:`segtool.reports.numbers`), undefined values shown as a
  dash. When the output is not a terminal (a pipe or a file) the table is rendered
  at its natural width, so it never wraps or collapses at 80 columns.
* A number is never cut. In a terminal narrower than the whole table, the table
  is printed in parts (:func:`table_parts`): the first keeps the label columns
  (``label=True``: id, class) and the columns that matter most, each ``mean ± std``
  shows its mean, and the rest (columns marked ``fold=True``, the standard
  deviations, whatever else does not fit) follow in further tables that repeat the
  label columns. One line under the tables says so. Notes are wrapped to the
  terminal's width at spaces; into a pipe each note is one line.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from .numbers import UNDEFINED_MARK, NumberFormat, column_format, is_undefined

FORMATS = ("table", "csv", "json", "markdown")
#: In a terminal too narrow for the whole table, a text column (class names) is at most this
#: wide; a longer name folds onto a second line rather than push the numbers into later parts.
NARROW_TEXT_WIDTH = 16
# No outer frame, a rule under the header and before each new section (the mean row).
_TABLE_BOX_LINES = "    \n    \n ── \n    \n ── \n ── \n    \n    \n"


@dataclass(frozen=True)
class Column:
    """A column of the human-readable outputs (table, Markdown).

    ``key`` is the row key and the CSV/JSON name; ``header`` the title people see;
    with ``std_key`` the cell reads ``mean ± std`` from the two keys. ``label``
    columns (id, class) are repeated in every part of a table split to fit a
    narrow terminal; ``fold`` columns are the first to move to a later part.
    ``stacked`` puts the words of a split ``mean ± std`` title on lines of their own
    (``Dice per image`` -> ``Dice / per image / mean``), so the column is narrower.
    ``n_key`` names the count a standard deviation is taken over: a std over fewer
    than two values says nothing and is shown as a dash (CSV and JSON keep it).
    """

    key: str
    header: str | None = None
    std_key: str | None = None
    label: bool = False
    fold: bool = False
    stacked: bool = False
    n_key: str | None = None

    @property
    def title(self) -> str:
        return self.header if self.header is not None else self.key

    @property
    def one_line_title(self) -> str:
        return " ".join(self.title.split())

    def split_std(self) -> list[Column]:
        """``mean ± std`` as two columns, the std one marked ``fold``; other columns unchanged."""
        if self.std_key is None:
            return [self]
        title = self.title.replace(" per ", "\nper ").replace(" is ", "\nis ") if self.stacked else self.title
        mean_title = title.replace("mean ± std", "mean")
        std_title = title.replace("mean ± std", "std")
        if std_title == title:
            std_title = f"{title}\nstd"
        return [
            Column(self.key, mean_title, fold=self.fold),
            Column(self.std_key, std_title, fold=True, n_key=self.n_key),
        ]


ColumnSpec = str | Column


# -- machine-readable ---------------------------------------------------------------------
def csv_cell(value: Any) -> str:
    """One CSV cell: full precision, undefined -> empty."""
    if is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], stream: IO[str]) -> None:
    """Write a header and the rows (only ``columns``, in that order) as CSV."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key in columns])


class CsvRowWriter:
    """Streams CSV rows to an open text stream: header first, then rows as they come."""

    def __init__(self, stream: IO[str], columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(self.columns)

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._writer.writerows([csv_cell(row.get(key)) for key in self.columns] for row in rows)


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that :func:`json.dumps` accepts strictly: NaN -> None, NumPy -> Python."""
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(document: Any) -> str:
    """Indented JSON text with undefined values as ``null`` (see the module docstring)."""
    return json.dumps(json_safe(document), indent=2, allow_nan=False, ensure_ascii=False) + "\n"


# -- human-readable -----------------------------------------------------------------------
def column_formats(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[ColumnSpec], digits: int
) -> dict[str, NumberFormat]:
    """The one number format of each column key (and std key), chosen over all ``rows``."""
    rows = list(rows)
    specs = [_as_column(column) for column in columns]
    keys = {key for spec in specs for key in (spec.key, spec.std_key) if key is not None}
    return {key: column_format((row.get(key) for row in rows), digits) for key in keys}


def human_cell(row: Mapping[str, Any], column: ColumnSpec, formats: Mapping[str, NumberFormat]) -> str:
    """A cell in its column's format (:func:`column_formats`); undefined -> dash; ``mean ± std``
    for columns with a ``std_key``; a std over fewer than two values (``n_key``) -> dash."""
    column = _as_column(column)
    one_value = column.n_key is not None and _count(row.get(column.n_key)) < 2
    if column.std_key is None:
        return UNDEFINED_MARK if one_value else formats[column.key](row.get(column.key))
    text = formats[column.key](row.get(column.key))
    std = row.get(column.std_key)
    if text != UNDEFINED_MARK and not is_undefined(std):
        text = f"{text} ± {UNDEFINED_MARK if one_value else formats[column.std_key](std)}"
    return text


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _as_column(column: ColumnSpec) -> Column:
    return column if isinstance(column, Column) else Column(column)


def render_markdown(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[ColumnSpec],
    *,
    title: str | None = None,
    notes: Sequence[str] = (),
    digits: int = 4,
) -> str:
    """A GitHub-flavoured Markdown table (numbers as in the table), notes as a list under it."""
    shown = [_as_column(column) for column in columns]
    rows = list(rows)
    formats = column_formats(rows, shown, digits)
    lines = [f"### {_md_escape(title)}", ""] if title else []
    lines.append("| " + " | ".join(_md_escape(column.one_line_title) for column in shown) + " |")
    lines.append("|" + "|".join(_md_rule(column, rows) for column in shown) + "|")
    for row in rows:
        lines.append(
            "| " + " | ".join(_md_escape(human_cell(row, column, formats)) for column in shown) + " |"
        )
    if notes:
        lines.append("")
        lines.extend(f"- {_md_escape(note)}" for note in notes)
    return "\n".join(lines) + "\n"


def _md_rule(column: Column, rows: Iterable[Mapping[str, Any]]) -> str:
    numeric = any(isinstance(row.get(column.key), (int, float)) for row in rows)
    return "---:" if numeric else "---"


def _md_escape(text: str) -> str:
    """A Markdown cell: HTML escaped (Markdown renderers pass raw HTML through) and ``|`` escaped.

    >>> _md_escape("<img onerror=x> a|b & c")
    '&lt;img onerror=x&gt; a\\\\|b &amp; c'
    """
    return html.escape(str(text), quote=False).replace("|", r"\|")


def rich_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[ColumnSpec],
    *,
    title: str | None = None,
    digits: int = 4,
    sections: Sequence[int] = (),
    text_width: int | None = None,
):
    """A :class:`rich.table.Table` of the rows; a rule is drawn before each row index in ``sections``.

    ``text_width`` caps the width of the text columns (class names fold onto more lines);
    numbers are never wrapped or cut.

    Every title and cell is plain text (:class:`rich.text.Text`), never Rich markup: a class
    named ``[/]`` or ``[link=...]`` is shown as it is written.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    specs = [_as_column(column) for column in columns]
    rows = list(rows)
    formats = column_formats(rows, specs, digits)
    table = Table(
        title=None if title is None else Text(title),
        box=box.Box(_TABLE_BOX_LINES),
        title_justify="left",
        pad_edge=False,
    )
    for spec in specs:
        numeric = any(isinstance(row.get(spec.key), (int, float)) for row in rows)
        # Numbers never wrap and never shrink below their widest cell; only text (class names) folds.
        widest = max((len(human_cell(row, spec, formats)) for row in rows), default=1)
        table.add_column(
            Text(spec.title),
            justify="right" if numeric else "left",
            no_wrap=numeric,
            overflow="fold",
            min_width=widest if numeric else None,
            max_width=None if numeric else text_width,
        )
    for index, row in enumerate(rows):
        if index in sections:
            table.add_section()
        table.add_row(*(Text(for_terminal(human_cell(row, spec, formats))) for spec in specs))
    return table


def for_terminal(text: str) -> str:
    """``text`` in Unicode NFC, for the terminal's table only (CSV, JSON and Markdown keep names as
    written). Rich counts ``e`` + U+0301 as one cell, but a terminal that does not compose draws it in
    two, and the row slips a column; NFC makes it one code point where one exists (``é``). Marks with
    no precomposed form stay as they are (docs/formats.md).

    >>> for_terminal("cafe\u0301") == "caf\u00e9"
    True
    """
    return unicodedata.normalize("NFC", text)


def table_width(table: Any) -> int:
    """The columns ``table`` needs to show every cell whole, on one line."""
    from rich.console import Console

    return Console(file=io.StringIO(), width=100_000).measure(table).maximum


def table_parts(columns: Sequence[ColumnSpec], fits: Callable[[list[Column]], bool]) -> list[list[Column]]:
    """The columns of each part of a table that must fit a narrow terminal.

    ``fits(columns)`` says whether a table of those columns fits. One part when the
    whole table fits. Otherwise each ``mean ± std`` column becomes a mean column and
    a std column, and the columns are dealt in order, those that matter first
    (not ``fold``) then the folded ones, into as few parts as fit; every part starts
    with the label columns.
    """
    specs = [_as_column(column) for column in columns]
    if fits(specs):
        return [specs]
    labels = [spec for spec in specs if spec.label]
    split = [part for spec in specs if not spec.label for part in spec.split_std()]
    ordered = [spec for spec in split if not spec.fold] + [spec for spec in split if spec.fold]
    parts: list[list[Column]] = []
    current = list(labels)
    for spec in ordered:
        if len(current) > len(labels) and not fits([*current, spec]):
            parts.append(current)
            current = [*labels, spec]
        else:
            current.append(spec)
    parts.append(current)
    return parts


def terminal_columns(stream: IO[str]) -> int | None:
    """The width of the terminal ``stream`` writes to; None for a pipe or a file."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    from rich.console import Console

    return Console(file=stream).width


def print_table(table: Any, stream: IO[str], *, notes: Sequence[str] = (), width: int | None = None) -> None:
    """Print Rich renderables (one table or a list of them) and plain notes to ``stream``.

    ``width`` is the terminal's: the notes are wrapped to it at spaces. None (a pipe
    or a file) renders each table at its natural width and each note on one line,
    so that nothing is cut or wrapped.
    """
    from rich.console import Console

    tables = table if isinstance(table, list) else [table]
    needed = max(table_width(each) for each in tables)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(needed, 20) if width is None else max(width, needed),
        color_system=None,
        highlight=False,
    )
    for each in tables:
        console.print(each)
    # One blank line between the parts of a split table, none doubled.
    text = re.sub(r"\n{3,}", "\n\n", "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
    if width is None:
        text += "".join(note + "\n" for note in notes)
    else:
        text += "".join(_wrapped(note, width) for note in notes)
    stream.write(text)


def _wrapped(note: str, width: int) -> str:
    """``note`` wrapped at spaces to ``width`` columns; a word longer than the line stays whole."""
    import textwrap

    lines = textwrap.wrap(note, width=width, break_long_words=False, break_on_hyphens=False)
    return "".join(line + "\n" for line in lines or [""])


def command_document(
    settings: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], summary: Any, **more: Any
) -> dict[str, Any]:
    """The one shape of every command's JSON: ``settings`` (what the run used), ``rows`` (one
    object per row of the CSV, with its columns as keys), ``summary`` (totals and means: what
    the CSV leaves out), then whatever else the command tells (``more``, in that order)."""
    return {"settings": dict(settings), "rows": list(rows), "summary": summary, **more}


def row_objects(rows: Iterable[Mapping[str, Any]], columns: Sequence[ColumnSpec]) -> list[dict[str, Any]]:
    """The rows as JSON objects: exactly the CSV's columns, in its order."""
    keys = [_as_column(column).key for column in columns]
    return [{key: row.get(key) for key in keys} for row in rows]


def write_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[ColumnSpec],
    output_format: str,
    stream: IO[str],
    *,
    title: str | None = None,
    caption: str | None = None,
    notes: Sequence[str] = (),
    table_columns: Sequence[ColumnSpec] | None = None,
    summary_rows: Sequence[Mapping[str, Any]] = (),
    settings: Mapping[str, Any] | None = None,
    summary: Any = None,
    json_document: Mapping[str, Any] | None = None,
    digits: int = 4,
    width: int | None = None,
) -> None:
    """Write rows in one of :data:`FORMATS` to ``stream``.

    ``columns`` are the CSV/JSON columns; ``table_columns`` (default: the same) the
    columns of the table and Markdown outputs. ``summary_rows`` (a mean or total row)
    are for people only: the table and the Markdown show them last, after a rule; CSV
    never holds them (every CSV row is a row of the same kind, so that pandas keeps each
    column's type), and JSON holds the summary as ``summary``. JSON writes
    ``json_document`` when given (built with :func:`command_document`'s shape), else
    :func:`command_document` of ``settings``, the rows and ``summary``. ``caption`` and
    ``notes`` are printed under the table and the Markdown; CSV and JSON carry data only.
    ``width`` is the terminal's for the table (default: ``stream``'s terminal, None for a
    pipe or a file): a table wider than that is printed in parts (:func:`table_parts`).
    """
    rows = list(rows)
    keys = [_as_column(column).key for column in columns]
    human_columns = table_columns if table_columns is not None else columns
    all_notes = ([caption] if caption else []) + list(notes)
    human_rows = [*rows, *summary_rows]
    sections = [len(rows)] if summary_rows else []
    if output_format == "csv":
        write_csv(rows, keys, stream)
    elif output_format == "json":
        document = (
            json_document
            if json_document is not None
            else command_document(settings or {}, row_objects(rows, columns), summary or {})
        )
        stream.write(to_json(document))
    elif output_format == "markdown":
        stream.write(render_markdown(human_rows, human_columns, title=title, notes=all_notes, digits=digits))
    elif output_format == "table":
        width = terminal_columns(stream) if width is None else width
        parts = [[_as_column(column) for column in human_columns]]
        needed = table_width(rich_table(human_rows, human_columns, digits=digits))
        text_width = None
        if width is not None and needed > width:
            text_width = NARROW_TEXT_WIDTH
            parts = table_parts(
                human_columns,
                lambda specs: (
                    table_width(rich_table(human_rows, specs, digits=digits, text_width=text_width)) <= width
                ),
            )
        tables = [
            rich_table(
                human_rows,
                specs,
                title=title if index == 0 else None,
                digits=digits,
                sections=sections,
                text_width=text_width,
            )
            for index, specs in enumerate(parts)
        ]
        if len(parts) > 1:
            all_notes.insert(0, _parts_note(parts, width or 0, needed))
        print_table(tables, stream, notes=all_notes, width=width)
    else:
        raise ValueError(f"unknown output format {output_format!r}; expected one of {', '.join(FORMATS)}")


def _parts_note(parts: list[list[Column]], width: int, needed: int) -> str:
    """The one line that says where the columns of the first part's right went."""
    return (
        f"At {width} columns the table is shown in {len(parts)} parts (in one it needs {needed}); "
        "--format csv or json has every column at full precision."
    )
