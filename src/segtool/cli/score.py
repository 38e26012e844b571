"""`segtool score`: per-class Dice and IoU of a prediction folder against a ground-truth folder."""

from __future__ import annotations

from contextlib import ExitStack
from typing import IO, Annotated

import typer

from ..io.memory import keep_freed_memory
from ..io.storage import as_path
from ..labels import LabelMap
from ..labelsets import is_label_set, read_groups
from ..limits import DEFAULT_MAX_PIXELS
from ..metrics.registry import ALIAS_TITLES, SUMMARY_ALIASES
from ..pipelines.pairing import PairLayout
from ..pipelines.prediction_files import swapped_message
from ..pipelines.score import (
    PER_IMAGE_COLUMNS,
    MissingRule,
    ScoreResult,
    score_folders,
)
from ..pipelines.score_categories import CATEGORY_COLUMNS
from ..pipelines.thresholds import Bound, Threshold, thresholds_not_met
from ..reports.numbers import format_number
from ..reports.rows import Column, CsvRowWriter, write_csv, write_rows
from ..reports.score_html import build_score_report
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
    boundary_table_columns,
    check_thresholds_are_scored,
    metrics_name_boundary,
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
from .compat_options import (
    AbsentOption,
    AggregationOption,
    CompareOption,
    CompatOption,
    EmptyTruthOption,
    NoValueOption,
    OneEmptyOption,
    PercentOption,
    resolve_bundle,
    write_comparison,
    write_convention,
)
from .executor_options import ExecutorOption, SchedulerOption, executor_from_options

#: At most this many file names are listed on stderr for one kind of problem.
LISTED = 20


TABLE_COLUMNS = (
    Column("class_id", "id", label=True),
    Column("class_name", "class", label=True),
    Column("dice", "Dice\ndataset"),
    Column("iou", "IoU\ndataset"),
    Column("precision", "Precision\ndataset", fold=True),
    Column("recall", "Recall\ndataset", fold=True),
    Column(
        "dice_image_mean",
        "Dice per image\nmean ± std",
        std_key="dice_image_std",
        stacked=True,
        n_key="n_images",
    ),
    Column(
        "iou_image_mean", "IoU per image\nmean ± std", std_key="iou_image_std", stacked=True, n_key="n_images"
    ),
    Column("n_images", "images\n(n)"),
    Column("in_mean", "in\nmean", fold=True),
)


def _parse_thresholds(values: list[str], *, bound: Bound, option: str) -> list[Threshold]:
    try:
        return [Threshold.parse(value, bound=bound) for value in values]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


@app.command(no_args_is_help=True)
def score(
    pred: Annotated[
        str,
        typer.Argument(
            metavar="PRED",
            help="Folder of predicted masks (or one mask file); a path or an fsspec URL (s3://...).",
            show_default=False,
        ),
    ],
    gt: Annotated[
        str,
        typer.Argument(
            metavar="GT",
            help="Folder of ground-truth masks (or one mask file); a path or an fsspec URL.",
            show_default=False,
        ),
    ],
    labels: Annotated[
        str | None,
        typer.Option(
            help="Label map (labels.txt as rasterize writes it, .csv or .json): class names, "
            "which values are classes, colours for RGB masks. Default: the labels.csv "
            "(else labels.txt) in GT (beside it when it is a file), as rasterize writes it; "
            "without one, every value found is a class, "
            "named by its id."
        ),
    ] = None,
    groups: Annotated[
        str | None,
        typer.Option(
            metavar="FILE|SET",
            help="Also score categories of classes: a CSV with id and category columns, or a built-in "
            "set with categories (cityscapes, cityscapes-train). Adds a table per category (table, "
            "markdown; 'categories' in JSON), from the summed blocks of the confusion matrix.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            metavar="VALUE",
            help="Ground-truth value not scored (repeatable; 'none' for no such value). "
            "Default: the label map's ignore value, else 255; none with --binary.",
        ),
    ] = None,
    include_background: Annotated[
        bool,
        typer.Option(
            "--include-background", help="Count class 0 in the means across classes (it is always shown)."
        ),
    ] = False,
    missing: Annotated[
        MissingRule,
        typer.Option(
            help="A ground-truth mask without prediction: error (listed; the run fails), empty "
            "(scored as an all-background prediction, and counted) or skip (left out of every number and "
            "listed, as nnU-Net's evaluator scores only the predictions it finds)."
        ),
    ] = "error",
    binary: Annotated[
        bool,
        typer.Option(
            "--binary", help="Read masks as background (0) and foreground (any other value, 255 included)."
        ),
    ] = False,
    layout: Annotated[
        PairLayout,
        typer.Option(
            help="index: one mask of class ids per image. binary: DIR/<label>/<name>.png as rasterize "
            "--layout binary writes (each label scored on its own). auto: binary when every folder in GT "
            "is a label's folder."
        ),
    ] = "auto",
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (rounded, for people), csv, json or markdown. CSV holds one "
            "row per class and nothing else; the table and Markdown end with the mean row; JSON is one "
            "object: settings, rows, summary, then more (docs/formats.md).",
        ),
    ] = OutputFormat.table,
    no_mean_row: Annotated[
        bool,
        typer.Option(
            "--no-mean-row",
            help="Leave the mean row out of the table and Markdown (CSV never has it; the JSON "
            "'summary' stays).",
        ),
    ] = False,
    all_rules: Annotated[
        bool,
        typer.Option(
            "--rules",
            help="Print every scoring rule under the table and Markdown (how tp, fp, fn and each ratio "
            "are counted, the undefined rule, both aggregations), not only this run's settings. The JSON "
            "settings and the HTML report always hold them all.",
        ),
    ] = False,
    hide_absent: Annotated[
        bool,
        typer.Option(
            "--hide-absent",
            help="Leave classes absent from every image (ground truth and predictions) out of the table "
            "and Markdown; they stay in CSV and JSON.",
        ),
    ] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the scores to this file instead of stdout ('-': stdout). Every output option takes "
            "'-' for stdout (one at a time); FIFOs, devices, /dev/stdout and >(process substitution) are "
            "written in place, and a symbolic link is written through to its target.",
        ),
    ] = None,
    per_image: Annotated[
        str | None,
        typer.Option(
            help="Also write a CSV with one row per image and class present in it (columns image, class_id, "
            "class_name, tp, fp, fn, dice, iou, precision, recall, then one per boundary metric), as the run "
            "goes."
        ),
    ] = None,
    confusion: Annotated[
        str | None,
        typer.Option(
            help="Also write the dataset confusion matrix as CSV (rows: true class; columns: predicted "
            "class id, then not_a_class)."
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            metavar="FILE.html",
            help="Also write a self-contained HTML report: settings and rules, per-class "
            "charts in both aggregations, per-image distributions (with --metrics, of the boundary metrics "
            "too), the confusion heat map, and the worst images with their pictures (no network, no "
            "external files).",
        ),
    ] = None,
    report_worst: Annotated[
        int, typer.Option(min=1, metavar="N", help="--report shows the N worst images overall and per class.")
    ] = 8,
    error_maps: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Also write each pair's error map to DIR/<name>.png (binary layout: "
            "DIR/<label>/<name>.png), with a legend: false positives vermillion, false negatives "
            "blue, wrong class yellow, ignored gray (see --error-style). Exact pixels: a 1-pixel "
            "mistake is 1 pixel wide.",
        ),
    ] = None,
    error_style: Annotated[
        ErrorStyle,
        typer.Option(
            help="How error maps are drawn (--error-maps, --report). errors: only the mistakes, in full "
            "colour, over the photo in gray (or light gray); all: every category, true positives green. "
            "The report draws mistakes thicker than they are (and says so) and enlarges each image's "
            "largest error region.",
        ),
    ] = "errors",
    outline: Annotated[
        bool,
        typer.Option(
            "--outline/--no-outline",
            help="Draw a dark and a light line on every class boundary of the report's ground-truth "
            "and prediction pictures, so that classes show over any photo.",
        ),
    ] = True,
    images: ImagesOption = None,
    metrics: MetricsOption = None,
    spacing: SpacingOption = None,
    nsd_tolerance: NsdToleranceOption = None,
    biou_width: BiouWidthOption = None,
    bf_tolerance: BfToleranceOption = None,
    edge_is_boundary: EdgeIsBoundaryOption = False,
    compat: CompatOption = None,
    aggregation: AggregationOption = None,
    empty_truth: EmptyTruthOption = None,
    absent: AbsentOption = None,
    no_value: NoValueOption = None,
    one_empty: OneEmptyOption = None,
    percent: PercentOption = False,
    compare_conventions: CompareOption = False,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            metavar="[dataset:|image:]METRIC=VALUE",
            help="\\[dataset:|image:]METRIC=VALUE: exit with code 3 when a macro mean is below VALUE "
            "(repeatable). "
            "METRIC: dice, iou, precision, recall; with the dataset aggregation (the default) "
            "also pixel_accuracy, mean_accuracy, frequency_weighted_iou; boundary scores where higher "
            "is better (nsd, biou, biou_chessboard, bf; "
            "image aggregation only). Example: --fail-under dice=0.8 --fail-under image:iou=0.6",
        ),
    ] = None,
    fail_over: Annotated[
        list[str] | None,
        typer.Option(
            metavar="[image:]METRIC=VALUE",
            help="\\[image:]METRIC=VALUE: exit with code 3 when the macro mean of a boundary distance "
            "(hd, hd95, hd<p>, hd<p>_pooled, assd, masd; per image) is above VALUE (repeatable). "
            "Example: --fail-over hd95=10",
        ),
    ] = None,
    jobs: ThreadJobsOption = DEFAULT_JOBS,
    executor: ExecutorOption = "local",
    scheduler: SchedulerOption = None,
    max_pixels: Annotated[
        int,
        typer.Option(min=1, help="A mask larger than this many pixels fails its pair, before it is decoded."),
    ] = DEFAULT_MAX_PIXELS,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Score predicted masks against ground-truth masks: per-class Dice, IoU, precision, recall.

    Masks are paired by their path relative to PRED and GT, without the extension.
    Both aggregations are reported: dataset (counts summed over all images, then
    scored) and per image (scored per image, then mean ± std over the images where
    defined). Undefined scores (a class absent from both masks) are left out of
    means, never counted as 0 or 1. Data goes to stdout (or -o), messages to stderr.

    Exit codes: 0 success; 1 bad input, or some files failed or had no prediction
    (the others are still scored and printed); 2 usage error; 3 a --fail-under threshold
    or a --fail-over bound was not met (1 wins over 3); 130 Ctrl-C (no scores written;
    --error-maps keeps the maps drawn so far).

    Boundary metrics (--metrics hd95,assd,nsd,...) are scored per image and class,
    then averaged over the images where defined (no dataset aggregation); the
    convention of each is printed under the table and stored in the JSON settings.
    """
    outputs = {"-o": output or "-", "--per-image": per_image, "--confusion": confusion, "--report": report}
    check_one_stdout(outputs)
    check_outputs_are_not_inputs(outputs, folders=(pred, gt, *([images] if images else [])), files=(labels,))
    thresholds = _parse_thresholds(
        fail_under or [], bound="lower", option="--fail-under"
    ) + _parse_thresholds(fail_over or [], bound="upper", option="--fail-over")
    bundle = resolve_bundle(
        compat,
        aggregation=aggregation,
        empty_truth=empty_truth,
        absent=absent,
        no_value=no_value,
        one_empty=one_empty,
        percent=percent,
        include_background=include_background,
    )
    if bundle is not None and metrics_name_boundary(metrics):  # the bundle's default, where it applies
        edge_is_boundary = edge_is_boundary or bool(bundle.defaults.get("edge_is_boundary"))
    scorer = boundary_scorer(
        metrics,
        spacing=spacing,
        nsd_tolerance=nsd_tolerance,
        biou_width=biou_width,
        bf_tolerance=bf_tolerance,
        edge_is_boundary=edge_is_boundary,
    )
    check_thresholds_are_scored(thresholds, scorer)
    image_metrics = [scorer] if scorer is not None else []
    ignore_values = parse_ignore_values(ignore)
    keep_freed_memory()
    kept = " (the error maps drawn so far are kept)" if error_maps else ""
    with on_ctrl_c(f"no scores written{kept}"), user_errors(debug), ExitStack() as files:
        label_map = labels if labels and is_label_set(labels) else LabelMap.read(labels) if labels else None
        category_of = read_groups(groups) if groups else None
        per_image_rows = None
        if per_image is not None:
            per_image_rows = CsvRowWriter(
                files.enter_context(output_stream(per_image)),
                PER_IMAGE_COLUMNS + (scorer.names if scorer is not None else ()),
            )
        with (
            executor_from_options(executor, scheduler, jobs, local_threads=True) as runner,
            progress_tasks(quiet=quiet) as progress,
        ):
            result = score_folders(
                pred,
                gt,
                labels=label_map,
                ignore=ignore_values,
                include_background=include_background or None,  # None: the --compat bundle's rule
                missing=missing,
                binary=binary,
                layout=layout,
                jobs=jobs,
                executor=runner,
                image_metrics=image_metrics,
                compat=bundle,
                keep_cells=compare_conventions,
                max_pixels=max_pixels,
                error_maps=error_maps,
                error_style=error_style,
                images=images,
                on_image=per_image_rows.write if per_image_rows is not None else None,
                progress=progress,
                report_worst=report_worst if report is not None else None,
                groups=category_of,
                debug=debug,
            )
        confusion_written = confusion is None or _write_confusion(result, confusion)
        stream = files.enter_context(output_stream(output or "-"))
        if compare_conventions:
            write_comparison(result, output_format.value, stream)
        elif result.convention is not None:
            write_convention(result, output_format.value, stream)
        else:
            _write_scores(
                result,
                output_format.value,
                stream,
                table_columns=[*TABLE_COLUMNS, *boundary_table_columns(scorer)],
                mean_row=not no_mean_row,
                hide_absent=hide_absent,
                all_rules=all_rules,
            )
            if result.categories is not None and output_format.value in ("table", "markdown"):
                _write_categories(result.categories, output_format.value, stream)
        report_warnings = [] if report is None else _write_report(result, report, jobs, error_style, outline)
    _report_problems(result, quiet=quiet)
    warn_pictures([*result.photo_warnings, *report_warnings], quiet=quiet)
    if result.failed or not confusion_written:
        raise typer.Exit(EXIT_FAILED)
    not_met = False
    for threshold in thresholds:
        for message in thresholds_not_met(result, [threshold]):
            not_met = True
            error(f"{'below --fail-under' if threshold.bound == 'lower' else 'above --fail-over'} {message}")
    if not_met:
        raise typer.Exit(EXIT_BELOW_THRESHOLD)


def _write_report(
    result: ScoreResult, path: str, jobs: int, error_style: ErrorStyle, outline: bool
) -> list[str]:
    """Draw and write the HTML report atomically; return the warnings of its pictures."""
    built = build_score_report(
        result, link_from=as_path(path).parent, jobs=jobs, error_style=error_style, outline=outline
    )
    save_text(path, built.html, what="the report")
    return built.warnings


def _write_scores(
    result: ScoreResult,
    output_format: str,
    stream: IO[str],
    *,
    table_columns: list[Column],
    mean_row: bool,
    hide_absent: bool,
    all_rules: bool = False,
) -> None:
    """The scores in ``output_format``; ``hide_absent`` applies to the formats for people only."""
    summary = result.summary
    aliases = ", ".join(
        f"{ALIAS_TITLES[alias]} {format_number(summary[metric], 4)}"
        for alias, (metric, _) in SUMMARY_ALIASES.items()
    )
    notes = [
        f"{plural(result.n_images, 'image')}. Dataset aggregation, mmseg's names: {aliases}; "
        f"frequency-weighted IoU {format_number(summary['frequency_weighted_iou'], 4)}.",
        *result.settings.rules(ignored_pixels=_ignored_share(result.pixels), general=all_rules),
    ]
    if not all_rules:
        notes.append("How every number is computed: --rules (also in the JSON settings and the HTML report).")
    if not mean_row:
        notes.append("The mean row is left out (--no-mean-row).")
    if result.scored_as_empty:
        notes.append(
            f"{plural(len(result.scored_as_empty), 'missing prediction')} scored as empty (all background)."
        )
    if result.skipped:
        notes.append(
            f"{plural(len(result.skipped), 'ground-truth mask')} without prediction "
            f"{'was' if len(result.skipped) == 1 else 'were'} left out (--missing skip)."
        )
    # The mean row is for people (table, Markdown); CSV holds the class rows only, JSON the summary.
    # With no image scored it would be all empty.
    with_mean = mean_row and result.n_images > 0
    rows = result.classes
    hidden = result.absent_classes if hide_absent and output_format in ("table", "markdown") else []
    if hidden:
        hidden_ids = {row["class_id"] for row in hidden}
        rows = [row for row in rows if row["class_id"] not in hidden_ids]
        notes.append(
            f"{plural(len(hidden), 'class', 'classes')} absent from every image "
            f"{'is' if len(hidden) == 1 else 'are'} not shown (--hide-absent): "
            + ", ".join(str(row["class_name"]) for row in hidden)
        )
    write_rows(
        rows,
        result.columns,
        output_format,
        stream,
        title="Scores per class",
        notes=notes,
        table_columns=table_columns,
        summary_rows=[result.summary] if with_mean else [],
        json_document=result.to_document(),
    )


def _write_categories(rows: list[dict], output_format: str, stream: IO[str]) -> None:
    """The per-category table (``--groups``) after the class table."""
    stream.write("\n")
    columns = [
        Column("category", "category"),
        Column("dice_dataset", "Dice (dataset)"),
        Column("dice_image_mean", "Dice (per image)", std_key="dice_image_std"),
        Column("iou_dataset", "IoU (dataset)"),
        Column("iou_image_mean", "IoU (per image)", std_key="iou_image_std"),
    ]
    write_rows(
        rows,
        CATEGORY_COLUMNS,
        output_format,
        stream,
        title="Scores per category",
        table_columns=columns,
        notes=["A category is scored as one class: the blocks of the confusion matrix summed."],
    )


def _ignored_share(pixels: dict) -> str:
    """``1 of 6 pixels, 16.7%``: the ground-truth pixels not scored."""
    fraction = pixels["ignored_fraction"]
    share = "-" if fraction is None else f"{100 * fraction:.1f}%"
    return f"{pixels['ignored']} of {pixels['ground_truth']} pixels, {share}"


def _write_confusion(result: ScoreResult, path: str) -> bool:
    """Write the dataset confusion matrix; False (and a message) when the layout has none."""
    if result.confusion is None:
        error(
            "--confusion: the binary layout has no confusion matrix (labels may overlap); "
            "its tp, fp, fn per label are in the scores"
        )
        return False
    ids = result.confusion_class_ids
    names = {row["class_id"]: row["class_name"] for row in result.classes}
    columns = ["class_id", "class_name", *(str(class_id) for class_id in ids), "not_a_class"]
    rows = []
    for class_id, counts in zip(ids, result.confusion.tolist(), strict=True):
        row = {"class_id": class_id, "class_name": names[class_id]}
        row.update(zip(columns[2:], counts, strict=True))
        rows.append(row)
    with output_stream(path) as handle:
        write_csv(rows, columns, handle)
    return True


def _report_problems(result: ScoreResult, *, quiet: bool) -> None:
    """Warnings and errors on stderr, each list cut at :data:`LISTED` names."""
    unmatched = result.pairing.unmatched_files if result.pairing is not None else []
    if result.pairing is not None and result.pairing.looks_swapped and not quiet:
        warn(swapped_message(result.settings.predictions))
    if unmatched:
        warn(f"{plural(len(unmatched), 'file')} of PRED that look like masks not paired: {_names(unmatched)}")
    elif result.unpaired_predictions and not quiet:
        warn(
            f"{plural(len(result.unpaired_predictions), 'prediction')} without ground truth, not scored: "
            + _names(result.unpaired_predictions)
        )
    if result.unknown_predictions and not quiet:
        shown = ", ".join(
            f"{value} ({plural(counts['pixels'], 'pixel')} in {plural(counts['images'], 'image')})"
            for value, counts in result.unknown_predictions.items()
        )
        warn(f"prediction values that are no class were counted as wrong: {shown}")
    if result.scored_as_empty:
        info(
            f"{plural(len(result.scored_as_empty), 'ground-truth mask')} without prediction scored as empty "
            f"(--missing empty): {_names(result.scored_as_empty)}",
            quiet=quiet,
        )
    for failure in result.failures[:LISTED]:
        error(failure.message)
    if len(result.failures) > LISTED:
        error(f"... and {len(result.failures) - LISTED} more failures")
    if result.skipped and not quiet:
        warn(
            f"{plural(len(result.skipped), 'ground-truth mask')} "
            f"{'has' if len(result.skipped) == 1 else 'have'} no prediction and "
            f"{'was' if len(result.skipped) == 1 else 'were'} left out of every number "
            f"(--missing skip): {_names(result.skipped)}"
        )
    scored_empty = set(result.scored_as_empty) | set(result.skipped)
    missing = [name for name in result.missing_predictions if name not in scored_empty]
    if missing:
        error(
            f"{plural(len(missing), 'ground-truth mask')} without prediction (--missing empty scores them as "
            f"all background): {_names(missing)}"
        )
    if result.failed:
        info(
            f"{plural(result.n_images, 'image')} scored; {len(result.failures)} failed, "
            f"{len(missing)} without prediction",
            quiet=False,
        )


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")
