"""``segtool compare``'s outputs: every row as CSV or JSON; for people, one table per model and aggregation.

CSV holds the class rows (:attr:`~segtool.pipelines.compare.CompareResult.class_rows`:
all metrics, both aggregations, full precision; columns in ``docs/compare.md``); JSON the
same ``rows`` and the mean rows in its ``summary``.
The table and Markdown show one metric: for each compared model, the dataset
aggregation and the per-image aggregation, one row per class, then the mean. They
fit 80 columns for class names of up to 13 characters: 3 decimals, the
Holm-adjusted interval, and short verdicts (``n.s.``: no difference shown,
``n/a``: cannot be estimated), explained under the tables.
"""

from __future__ import annotations

from typing import IO, Any

from ..metrics.paired import NOT_ESTIMABLE
from ..metrics.registry import metric_info
from ..pipelines.compare import COMPARE_COLUMNS, CompareResult
from ..words import plural
from .numbers import NumberFormat, is_undefined
from .rows import Column, print_table, render_markdown, rich_table, terminal_columns, to_json, write_csv

__all__ = ["write_comparison_result"]

DIGITS = 3
#: B-A, its interval bounds and p-values: always DIGITS decimals. How near they come to 0 is what
#: they say (``+0.000``: no difference at this precision; p below 0.001 is written ``<0.001``), so
#: a value near 0 does not give the column more decimals as a column of small scores would.
DIFFERENCE_FORMAT = NumberFormat(DIGITS)
SHORT_VERDICTS = {"no difference": "n.s.", NOT_ESTIMABLE: "n/a"}
TITLES = {"dataset": "dataset aggregation", "image": "per-image aggregation"}


def write_comparison_result(
    result: CompareResult, output_format: str, stream: IO[str], *, metric: str
) -> None:
    """Write ``result`` in ``output_format`` (table, csv, json, markdown); ``metric`` for the table."""
    if output_format == "csv":
        write_csv(result.class_rows, COMPARE_COLUMNS, stream)
        return
    if output_format == "json":
        stream.write(to_json(result.to_document()))
        return
    notes = _notes(result, metric)
    tables = _tables(result, metric)
    for index, (title, rows, columns) in enumerate(tables):
        last = index == len(tables) - 1
        if output_format == "markdown":
            stream.write(
                render_markdown(rows, columns, title=title, notes=notes if last else (), digits=DIGITS)
            )
            if not last:
                stream.write("\n")
        else:
            table = rich_table(rows, columns, title=title, digits=DIGITS, sections=[len(rows) - 1])
            table.padding = (0, 1, 0, 0)  # columns two spaces apart, not three: 80 columns hold W/T/L
            print_table(table, stream, notes=notes if last else (), width=terminal_columns(stream))
            if not last:
                stream.write("\n")


def _tables(result: CompareResult, metric: str) -> list[tuple[str, list[dict[str, Any]], list[Column]]]:
    title = metric_info(metric).title
    tables = []
    for model in result.models[1:]:
        for aggregation in ("dataset", "image"):
            rows = [
                row
                for row in result.rows
                if row["model"] == model and row["metric"] == metric and row["aggregation"] == aggregation
            ]
            if not rows:
                continue
            rows = [_display_row(row) for row in rows]
            columns = [
                Column("class_name", "class"),
                Column("baseline_score", "A"),
                Column("model_score", "B"),
                Column("difference_text", "B-A"),
                Column("interval", f"{100 * result.confidence:g}% (Holm)"),
                Column("p_text", "p Holm"),
                *([Column("wtl", "W/T/L")] if aggregation == "image" else []),
                Column("verdict_text", "B is"),
            ]
            tables.append(
                (f"{title}, {TITLES[aggregation]}: B = {model}, A = {result.baseline}", rows, columns)
            )
    return tables


def _display_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its texts for people: B-A, the interval and p in :data:`DIFFERENCE_FORMAT`."""
    shown = dict(row)
    shown["difference_text"] = DIFFERENCE_FORMAT(row["difference"], signed=True)
    low, high = row["adjusted_ci_low"], row["adjusted_ci_high"]
    shown["interval"] = "-" if is_undefined(low) else f"[{DIFFERENCE_FORMAT(low)}, {DIFFERENCE_FORMAT(high)}]"
    p_value = row["p_holm"]
    shown["p_text"] = (
        "-" if is_undefined(p_value) else "<0.001" if p_value < 0.001 else DIFFERENCE_FORMAT(p_value)
    )
    if row["wins"] is not None:
        shown["wtl"] = f"{row['wins']}/{row['ties']}/{row['losses']}"
    shown["verdict_text"] = SHORT_VERDICTS.get(row["verdict"], row["verdict"])
    return shown


def _notes(result: CompareResult, metric: str) -> list[str]:
    info = metric_info(metric)
    folders = "; ".join(
        f"{'A (baseline)' if index == 0 else 'B'} {name} = {folder}"
        for index, (name, folder) in enumerate(zip(result.models, result.folders, strict=True))
    )
    return [
        f"{plural(len(result.images), 'image')} compared. {folders}. {info.title}: {info.direction}. "
        "CSV and JSON (--format) hold every metric and both aggregations.",
        f"Intervals are Holm-adjusted; B is better or worse only when p Holm < {1 - result.confidence:.3g} "
        "and the interval excludes 0; n.s.: no difference shown; n/a: cannot be estimated "
        "(fewer than two images, or no resamples).",
        *result.rules(),
    ]
