"""`segtool stats`: class balance of a mask folder and suggested loss weights."""

from __future__ import annotations

import io
import sys
from typing import Annotated, Any

import typer

from ..io.files import find_files, label_file_for_masks
from ..io.maskio import MASK_SUFFIXES
from ..io.memory import keep_freed_memory
from ..io.storage import Location
from ..labels import DEFAULT_IGNORE_VALUE, LabelMap
from ..pipelines.stats import COLUMNS, ClassBalance, class_balance
from ..reports.html import stats_report
from ..reports.rows import Column, write_rows
from ..words import plural
from .app import app
from .common import (
    DEFAULT_JOBS,
    EXIT_FAILED,
    DebugOption,
    OutputFormat,
    QuietOption,
    ThreadJobsOption,
    check_one_stdout,
    check_outputs_are_not_inputs,
    error,
    info,
    on_ctrl_c,
    parse_ignore_values,
    progress_tasks,
    save_text,
    user_errors,
    warn,
)
from .executor_options import ExecutorOption, SchedulerOption, executor_from_options

WEIGHT_NOTES = (
    "inverse frequency = N / (K n_c): N valid pixels, K classes present, n_c pixels of the class.",
    "median frequency = median(f) / f_c, f_c = n_c / valid pixels of the masks containing the class.",
    "generalised Dice = 1 / n_c^2, normalised to sum to 1 over the classes present.",
    "A class without pixels gets no weight (-).",
)
TABLE_COLUMNS = (
    Column("class_id", "id", label=True),
    Column("class_name", "class", label=True),
    Column("pixels"),
    Column("share"),
    Column("images"),
    Column("weight_inverse_frequency", "w inverse freq", fold=True),
    Column("weight_median_frequency", "w median freq", fold=True),
    Column("weight_generalised_dice", "w gen. Dice", fold=True),
)


@app.command(no_args_is_help=True)
def stats(
    masks: Annotated[
        str,
        typer.Argument(
            metavar="MASKS",
            show_default=False,
            help="A mask file, or a folder searched recursively for .png/.npy masks; "
            "a path or an fsspec URL.",
        ),
    ],
    labels: Annotated[
        str | None,
        typer.Option(
            help="Label map (labels.txt, .csv or .json) naming the classes; colour masks need one. "
            "Default: labels.csv (else labels.txt) in MASKS (or beside a single mask) if there is one, "
            "else classes are named by id."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            metavar="VALUE",
            help="Mask value that is not a class (repeat for several), or 'none'. "
            "Default: the label map's ignore value, else 255 (as score).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, csv (one row per class, no total row), json (one object: settings, rows, "
            "summary) or markdown.",
        ),
    ] = OutputFormat.table,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the rows to this file (atomically) instead of stdout."),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            metavar="FILE.html", help="Also write a self-contained HTML report with charts to this file."
        ),
    ] = None,
    jobs: ThreadJobsOption = DEFAULT_JOBS,
    executor: ExecutorOption = "local",
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Class balance of a set of masks, and loss weights suggested from it.

    Per class: pixel count, share of the valid (not ignored) pixels, number of
    masks containing it, and three suggested loss weights: inverse frequency
    N/(K n_c), median-frequency balancing median(f)/f_c (Eigen & Fergus, f_c =
    pixels of c / valid pixels of the masks containing c) and generalised Dice
    1/n_c^2 (Sudre et al., normalised to sum to 1). Classes without pixels get
    no weight. Exit codes: 0 success, 1 some masks could not be read (each
    named on stderr; the others are counted), 2 usage error, 130 Ctrl-C
    (nothing written).
    """
    outputs = {"-o": output or "-", "--report": report}
    check_one_stdout(outputs)
    check_outputs_are_not_inputs(outputs, folders=(masks,), files=(labels,))
    keep_freed_memory()
    with on_ctrl_c("nothing written"), user_errors(debug):
        label_path = labels or label_file_for_masks(masks)
        label_map = LabelMap.read(label_path) if label_path else None
        given = parse_ignore_values(ignore)
        ignore_values = (
            list(given)
            if given is not None
            else [label_map.ignore_value if label_map else DEFAULT_IGNORE_VALUE]
        )
        paths = find_files(masks, MASK_SUFFIXES)
        if not paths:
            error(f"{masks}: no mask files ({', '.join(MASK_SUFFIXES)}) found")
            raise typer.Exit(EXIT_FAILED)
        with (
            executor_from_options(executor, scheduler, jobs, local_threads=True) as runner,
            progress_tasks(quiet=quiet) as progress,
        ):
            balance = class_balance(
                paths,
                label_map=label_map,
                ignore=ignore_values,
                executor=runner,
                progress=progress,
                debug=debug,
            )
        caption = _caption(balance, ignore_values, label_path)
        rows = balance.rows()
        settings = {
            "masks": str(masks),
            "label_map": None if label_path is None else str(label_path),
            "ignore_values": ignore_values,
        }
        _write(rows, output_format, output, caption, settings=settings, summary=balance.summary())
        if report is not None:
            settings = {
                "masks": str(masks),
                "label map": str(label_path) if label_path else "none (ids)",
                "ignore values": ignore_values or "none",
            }
            html = stats_report(
                rows=rows,
                settings=settings,
                notes=WEIGHT_NOTES,
                summary={
                    "masks counted": balance.masks,
                    "valid pixels": f"{balance.valid_pixels:,}",
                    "ignored pixels": f"{balance.ignored_pixels:,}",
                    "masks that failed": len(balance.failures),
                },
            )
            save_text(report, html)
    if given is None and balance.ignored_pixels and not balance.foreground_pixels and not quiet:
        warn(
            f"the masks hold only 0 and the ignore value {ignore_values[0]}: if they are 0/255 binary masks, "
            "pass --ignore none to count 255 as a class"
        )
    for failure in balance.failures:
        error(failure.message)
    if balance.failures:
        info(f"{len(balance.failures)} of {len(paths)} masks could not be read")
        raise typer.Exit(EXIT_FAILED)
    if report is not None:
        info(f"report written to {report}", quiet=quiet)


def _caption(balance: ClassBalance, ignore_values: list[int], label_path: str | Location | None) -> str:
    ignored = ", ".join(str(value) for value in ignore_values) or "none"
    source = f"; names from {label_path}" if label_path else ""
    return (
        f"{plural(balance.masks, 'mask')}, {balance.valid_pixels:,} valid pixels, "
        f"{balance.ignored_pixels:,} ignored (values: {ignored}){source}"
    )


def _write(
    rows: list[dict],
    output_format: OutputFormat,
    output: str | None,
    caption: str,
    *,
    settings: dict[str, Any],
    summary: dict[str, Any],
) -> None:
    buffer = io.StringIO()
    write_rows(
        rows,
        COLUMNS,
        output_format.value,
        sys.stdout if output is None else buffer,
        title="Class balance",
        caption=caption,
        notes=WEIGHT_NOTES,
        table_columns=TABLE_COLUMNS,
        settings=settings,
        summary=summary,
    )
    if output is not None:
        save_text(output, buffer.getvalue())
