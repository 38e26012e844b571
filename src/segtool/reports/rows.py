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
* JSON: numbers at full precision; undefined values are ``null`` (JSON has no NaN
  literal, and ``NaN`` in a file breaks strict parsers such as ``jq``).
* Table (Rich) and Markdown are for people: floats rounded to ``digits``
  decimals, undefined values shown as a dash. When the output is not a terminal
  (a pipe or a file) the table is rendered at its natural width, so it never
  wraps or collapses at 80 columns.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

FORMATS = ("table", "csv", "json", "markdown")
UNDEFINED_MARK = "-"
# No outer frame, a rule under the header and before each new section (the mean row).
_TABLE_BOX_LINES = "    \n    \n ── \n    \n ── \n ── \n    \n    \n"


@dataclass(frozen=True)
class Column:
    """A column of the human-readable outputs (table, Markdown).

    ``key`` is the row key and the CSV/JSON name; ``header`` the title people see;
    with ``std_key`` the cell reads ``mean ± std`` from the two keys.
    """

    key: str
    header: str | None = None
    std_key: str | None = None

    @property
    def title(self) -> str:
        return self.header if self.header is not None else self.key

    @property
    def one_line_title(self) -> str:
        return " ".join(self.title.split())


ColumnSpec = str | Column


def is_undefined(value: Any) -> bool:
    """True for ``None`` and float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


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
def human_cell(row: Mapping[str, Any], column: ColumnSpec, digits: int) -> str:
    """A rounded cell; undefined -> dash; ``mean ± std`` for columns with a ``std_key``."""
    column = _as_column(column)
    text = _rounded(row.get(column.key), digits)
    if column.std_key is not None and text != UNDEFINED_MARK:
        std = row.get(column.std_key)
        if not is_undefined(std):
            text = f"{text} ± {_rounded(std, digits)}"
    return text


def _rounded(value: Any, digits: int) -> str:
    if is_undefined(value):
        return UNDEFINED_MARK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


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
    """A GitHub-flavoured Markdown table (rounded like the table), notes as a list under it."""
    shown = [_as_column(column) for column in columns]
    lines = [f"### {_md_escape(title)}", ""] if title else []
    lines.append("| " + " | ".join(_md_escape(column.one_line_title) for column in shown) + " |")
    lines.append("|" + "|".join(_md_rule(column, rows) for column in shown) + "|")
    rows = list(rows)
    for row in rows:
        lines.append(
            "| " + " | ".join(_md_escape(human_cell(row, column, digits)) for column in shown) + " |"
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
):
    """A :class:`rich.table.Table` of the rows; a rule is drawn before each row index in ``sections``.

    Every title and cell is plain text (:class:`rich.text.Text`), never Rich markup: a class
    named ``[/]`` or ``[link=...]`` is shown as it is written.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    specs = [_as_column(column) for column in columns]
    rows = list(rows)
    table = Table(
        title=None if title is None else Text(title),
        box=box.Box(_TABLE_BOX_LINES),
        title_justify="left",
        pad_edge=False,
    )
    for spec in specs:
        numeric = any(isinstance(row.get(spec.key), (int, float)) for row in rows)
        table.add_column(Text(spec.title), justify="right" if numeric else "left", no_wrap=True)
    for index, row in enumerate(rows):
        if index in sections:
            table.add_section()
        table.add_row(*(Text(human_cell(row, spec, digits)) for spec in specs))
    return table


def print_table(table: Any, stream: IO[str], *, notes: Sequence[str] = ()) -> None:
    """Print a Rich renderable and plain notes to ``stream``.

    On a terminal Rich uses the terminal's width; anywhere else the natural width
    of the table, so that a pipe or a file gets whole lines.
    """
    from rich.console import Console

    terminal = hasattr(stream, "isatty") and stream.isatty()
    if terminal:
        console = Console(file=stream, highlight=False)
        console.print(table)
        for note in notes:
            console.print(note, markup=False, soft_wrap=True)
        return
    width = Console(file=io.StringIO(), width=100_000).measure(table).maximum
    buffer = io.StringIO()
    Console(file=buffer, width=max(width, 20), color_system=None, highlight=False).print(table)
    stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
    stream.write("".join(note + "\n" for note in notes))


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
    json_document: Any = None,
    digits: int = 4,
    sections: Sequence[int] = (),
) -> None:
    """Write rows in one of :data:`FORMATS` to ``stream``.

    ``columns`` are the CSV/JSON columns; ``table_columns`` (default: the same) the
    columns of the table and Markdown outputs. JSON writes ``json_document`` when
    given, else the list of rows. ``caption`` and ``notes`` are printed under the
    table and the Markdown; CSV and JSON carry data only.
    """
    rows = list(rows)
    keys = [_as_column(column).key for column in columns]
    human_columns = table_columns if table_columns is not None else columns
    all_notes = ([caption] if caption else []) + list(notes)
    if output_format == "csv":
        write_csv(rows, keys, stream)
    elif output_format == "json":
        document = (
            json_document
            if json_document is not None
            else [{key: row.get(key) for key in keys} for row in rows]
        )
        stream.write(to_json(document))
    elif output_format == "markdown":
        stream.write(render_markdown(rows, human_columns, title=title, notes=all_notes, digits=digits))
    elif output_format == "table":
        table = rich_table(rows, human_columns, title=title, digits=digits, sections=sections)
        print_table(table, stream, notes=all_notes)
    else:
        raise ValueError(f"unknown output format {output_format!r}; expected one of {', '.join(FORMATS)}")
