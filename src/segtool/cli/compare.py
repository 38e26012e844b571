"""`segtool compare`: is model B really better than model A? Paired differences with intervals."""

from __future__ import annotations

import string
from typing import Annotated

import typer

from ..errors import shown
from ..labels import LabelMap
from ..labelsets import is_label_set
from ..limits import DEFAULT_MAX_PIXELS
from ..metrics.registry import metric_info
from ..pipelines.compare import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    CompareMissing,
    CompareResult,
    WorseGate,
    compare_folders,
    default_names,
)
from ..pipelines.pairing import PairLayout
from ..reports.compare import write_comparison_result
from ..reports.compare_html import compare_report
from ..reports.rows import CsvRowWriter
from ..viz.errormap import ErrorStyle
from ..words import plural
from .app import app
from .boundary_options import (
    BfToleranceOption,
    BiouWidthOption,
    EdgeIsBoundaryOption,
    MetricsOption,
    NsdToleranceOption,
    SpacingOption,
    boundary_scorer,
)
from .common import (
    DEFAULT_JOBS,
    EXIT_BELOW_THRESHOLD,
    EXIT_FAILED,
    DebugOption,
    ImagesOption,
    OutputFormat,
    QuietOption,
    ThreadJobsOption,
    check_one_stdout,
    check_outputs_are_not_inputs,
    error,
    info,
    on_ctrl_c,
    output_stream,
    parse_ignore_values,
    progress_tasks,
    save_text,
    user_errors,
    warn,
    warn_pictures,
)

#: At most this many image names are listed on stderr for one model.
LISTED = 20

EXAMPLES = """Examples:

  segtool compare masks/ runs/baseline/ runs/ours/

  segtool compare masks/ a/ b/ --name A=baseline --name B=ours --format csv -o diff.csv

  segtool compare masks/ a/ b/ --fail-if-worse dice=0.01 --fail-if-worse class:dice=0.05

  segtool compare masks/ a/ b/ --report compare.html --images photos/
"""


@app.command(no_args_is_help=True, epilog=EXAMPLES)
def compare(
    gt: Annotated[
        str,
        typer.Argument(
            metavar="GT", help="Folder of ground-truth masks (a path or an fsspec URL).", show_default=False
        ),
    ],
    predictions: Annotated[
        list[str],
        typer.Argument(
            metavar="PRED_A PRED_B [PRED_C ...]",
            help="Prediction folders of the models; the first is the baseline (A), each other one is "
            "compared with it.",
            show_default=False,
        ),
    ],
    name: Annotated[
        list[str] | None,
        typer.Option(
            metavar="KEY=NAME",
            help="Name a model (repeatable): KEY is its letter (A for the first folder, B, C, ...) or its "
            "folder as given. Default: the folder names (the paths when two share a name).",
        ),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(help="Label map, as for score. Default: the labels.csv (else labels.txt) in GT."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            metavar="VALUE",
            help="Ground-truth value not scored (repeatable; 'none' for no such value), as for score.",
        ),
    ] = None,
    include_background: Annotated[
        bool, typer.Option("--include-background", help="Count class 0 in the macro means.")
    ] = False,
    missing: Annotated[
        CompareMissing,
        typer.Option(
            help="A ground-truth image missing from some prediction folder is left out of the comparison "
            "and listed: error (the run fails, exit 1), skip (it does not), or empty (scored as an "
            "all-background prediction instead).",
        ),
    ] = "error",
    binary: Annotated[
        bool, typer.Option("--binary", help="Read masks as background (0) and foreground (any other value).")
    ] = False,
    layout: Annotated[PairLayout, typer.Option(help="Mask layout, as for score.")] = "auto",
    metrics: MetricsOption = None,
    spacing: SpacingOption = None,
    nsd_tolerance: NsdToleranceOption = None,
    biou_width: BiouWidthOption = None,
    bf_tolerance: BfToleranceOption = None,
    edge_is_boundary: EdgeIsBoundaryOption = False,
    confidence: Annotated[
        float,
        typer.Option(min=0.5, max=0.9999, help="Confidence of the intervals (Holm-adjusted per class)."),
    ] = 0.95,
    resamples: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples of the images (0: estimates only, no interval).")
    ] = DEFAULT_RESAMPLES,
    seed: Annotated[
        int, typer.Option(help="Seed of the resamples: the same seed gives the same intervals.")
    ] = DEFAULT_SEED,
    table_metric: Annotated[
        str,
        typer.Option(
            "--metric",
            metavar="METRIC",
            help="The metric the table and Markdown show (CSV and JSON hold every metric).",
        ),
    ] = "dice",
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (rounded, one metric), csv or json (every row, full precision; columns in "
            "docs/compare.md) or markdown.",
        ),
    ] = OutputFormat.table,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write the comparison to this file instead of stdout ('-': stdout)."
        ),
    ] = None,
    per_image: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Also write a CSV with one row per compared image, model and class present in that "
            "model's image (image, model, class_id, class_name, tp, fp, fn, dice, iou, precision, recall, "
            "then one column per boundary metric).",
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            metavar="FILE.html",
            help="Also write a self-contained HTML report for --metric: a forest plot of B-A per class with "
            "the Holm-adjusted intervals, a per-image scatter of A against B, and the images where B "
            "loses most with both error maps.",
        ),
    ] = None,
    error_style: Annotated[
        ErrorStyle,
        typer.Option(
            help="How the report's error maps are drawn. errors: only the mistakes, in full colour, over "
            "the photo in gray (--images) or on light gray; all: every category, true positives green. "
            "Mistakes are drawn thicker than they are, with a close-up of the same place in both models.",
        ),
    ] = "errors",
    images: ImagesOption = None,
    fail_if_worse: Annotated[
        list[str] | None,
        typer.Option(
            metavar="[class:][dataset:|image:]METRIC=MARGIN",
            help="METRIC=MARGIN, after the optional prefixes \\[class:]\\[dataset:|image:] in this "
            "order: exit with code 3 unless every model is shown to be at most MARGIN worse than the "
            "baseline (non-inferiority: the interval of B-A lies above -MARGIN; for distances below "
            "+MARGIN), on the macro mean, or with class: on every class (Holm-adjusted intervals); in the "
            "dataset aggregation, or with image: per image (the default for boundary distances, which have "
            "no dataset one). Repeatable. For example dice=0.01, class:image:iou=0.02, image:hd95=1",
        ),
    ] = None,
    jobs: ThreadJobsOption = DEFAULT_JOBS,
    max_pixels: Annotated[
        int, typer.Option(min=1, help="A mask larger than this many pixels fails its image, before decoding.")
    ] = DEFAULT_MAX_PIXELS,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Compare models' predicted masks on the same ground truth, image by image.

    Each prediction folder is scored against GT as score does; only images scored
    for every model are compared. For each model against the baseline (the first
    folder), per class and for the macro mean, in both aggregations: both scores,
    the difference B-A with a paired bootstrap interval, a p-value (bootstrap for
    the dataset aggregation, Wilcoxon signed-rank per image), wins/ties/losses over
    images, and a verdict after Holm's adjustment across classes.

    Exit codes: 0 success; 1 bad input, or images failed or were missing (the
    others are still compared and printed); 2 usage error; 3 a --fail-if-worse
    gate was not passed (1 wins over 3); 130 Ctrl-C (nothing written).
    """
    if len(predictions) < 2:
        raise typer.BadParameter("give at least two prediction folders (the first is the baseline)")
    outputs = {"-o": output or "-", "--per-image": per_image, "--report": report}
    check_one_stdout(outputs)
    check_outputs_are_not_inputs(
        outputs, folders=(gt, *predictions, *([images] if images else [])), files=(labels,)
    )
    gates = _parse_gates(fail_if_worse or [])
    names = _model_names(name or [], predictions)
    scorer = boundary_scorer(
        metrics,
        spacing=spacing,
        nsd_tolerance=nsd_tolerance,
        biou_width=biou_width,
        bf_tolerance=bf_tolerance,
        edge_is_boundary=edge_is_boundary,
    )
    scored_metrics = ("dice", "iou", "precision", "recall", *(scorer.names if scorer is not None else ()))
    try:
        table_metric = metric_info(table_metric).name
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--metric") from None
    for metric in [table_metric, *(gate.metric for gate in gates)]:
        if metric not in scored_metrics:
            raise typer.BadParameter(f"{metric} is not scored; add it to --metrics", param_hint="--metrics")
    with on_ctrl_c("nothing written"), user_errors(debug):
        label_map = labels if labels and is_label_set(labels) else LabelMap.read(labels) if labels else None
        with progress_tasks(quiet=quiet) as progress:
            result = compare_folders(
                gt,
                predictions,
                names=names,
                labels=label_map,
                ignore=parse_ignore_values(ignore),
                include_background=include_background,
                missing=missing,
                binary=binary,
                layout=layout,
                image_metrics=[scorer] if scorer is not None else [],
                confidence=confidence,
                resamples=resamples,
                seed=seed,
                jobs=jobs,
                max_pixels=max_pixels,
                images=images,
                progress=progress,
                debug=debug,
            )
        if per_image is not None:
            with output_stream(per_image) as stream:
                CsvRowWriter(stream, result.per_image_columns).write(result.per_image_rows())
        with output_stream(output or "-") as stream:
            write_comparison_result(result, output_format.value, stream, metric=table_metric)
        built = (
            None if report is None else compare_report(result, metric=table_metric, error_style=error_style)
        )
        if report is not None and built is not None:
            save_text(report, built.html, what="the report")
    _report_problems(result, quiet=quiet)
    warn_pictures(built.warnings if built is not None else [], quiet=quiet)
    if result.failed:
        raise typer.Exit(EXIT_FAILED)
    messages = [message for gate in gates for message in gate.failures(result)]
    for message in messages:
        error(f"--fail-if-worse: {message}")
    if messages:
        raise typer.Exit(EXIT_BELOW_THRESHOLD)


def _parse_gates(values: list[str]) -> list[WorseGate]:
    try:
        return [WorseGate.parse(value) for value in values]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fail-if-worse") from None


def _model_names(values: list[str], folders: list[str]) -> list[str] | None:
    """The names ``--name KEY=NAME`` gives (the others keep their default); None without any.

    A folder given twice (a model compared with itself, a sanity check) needs a ``--name`` for one
    of them: without it the two would share a name in every output.
    """
    names = default_names(folders)
    if not values:
        if len(set(names)) != len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            raise typer.BadParameter(
                f"{shown(twice[0])} is given twice; to compare a folder with itself, name one of them "
                "(for example --name B=again)",
                param_hint="PRED",
            )
        return None
    letters = string.ascii_uppercase[: len(folders)]
    for value in values:
        key, sep, new_name = value.partition("=")
        if not sep or not new_name.strip():
            raise typer.BadParameter(
                f"{value!r} is not KEY=NAME (for example A=baseline)", param_hint="--name"
            )
        key = key.strip()
        if key.upper() in letters and len(key) == 1:
            position = letters.index(key.upper())
        elif key in folders:
            position = folders.index(key)
        else:
            raise typer.BadParameter(
                f"{value!r}: {key!r} is no model's letter ({', '.join(letters)}) nor one of its folders",
                param_hint="--name",
            )
        names[position] = new_name.strip()
    if len(set(names)) != len(names):
        raise typer.BadParameter(f"two models would share a name: {', '.join(names)}", param_hint="--name")
    return names


def _report_problems(result: CompareResult, *, quiet: bool) -> None:
    """Missing and failed images on stderr (errors with --missing error, else warnings)."""
    for model, images in result.missing.items():
        shown = ", ".join(images[:LISTED]) + (
            f" and {len(images) - LISTED} more" if len(images) > LISTED else ""
        )
        message = (
            f"{plural(len(images), 'ground-truth image')} {'has' if len(images) == 1 else 'have'} "
            f"no prediction of {model} and {'was' if len(images) == 1 else 'were'} not compared: {shown}"
        )
        if result.missing_rule == "error":
            error(message + " (--missing skip compares the others without failing)")
        elif not quiet:
            warn(message)
    for failure in result.failures[:LISTED]:
        error(failure.message)
    if len(result.failures) > LISTED:
        error(f"... and {len(result.failures) - LISTED} more failures")
    if result.failed:
        info(f"{plural(len(result.images), 'image')} compared", quiet=False)
