"""`segtool rasterize`: annotation files -> PNG label masks."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..annotations import ReaderOptions
from ..annotations.registry import CocoCrowd
from ..io.storage import as_path
from ..labels import LabelMap
from ..labelsets import drawing_label_map, is_label_set
from ..limits import DEFAULT_MAX_PIXELS
from ..pipelines.label_plan import Relabel
from ..pipelines.rasterize import (
    Layout,
    RasterizeInterrupted,
    RasterizeOptions,
    RasterizeSummary,
    rasterize_to_folder,
)
from ..raster.rasterize import Convention, Order, UnknownLabel
from ..words import plural
from .app import app
from .common import (
    DEFAULT_JOBS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    DebugOption,
    JobsOption,
    OutputFormat,
    QuietOption,
    error,
    info,
    known_input_format,
    non_empty_text,
    progress_tasks,
    user_errors,
    warn,
)
from .executor_options import ExecutorOption, SchedulerOption, executor_from_options


@app.command(no_args_is_help=True)
def rasterize(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT...",
            help="Annotation files, folders (searched recursively for .json/.xml, and for YOLO .txt "
            "below a labels/ folder), or - for stdin.",
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT",
            help="Output folder for the masks and labels.txt; a path or an fsspec URL (s3://...).",
        ),
    ],
    labels: Annotated[
        str | None,
        typer.Option(
            help="Label map: labelme labels.txt, or .csv (id,name,color), or .json, or a built-in set "
            "(cityscapes, voc, ade20k: segtool labels --list). Default: the map "
            "already in OUT, then the ids the files declare (COCO), then every other label found, "
            "sorted. The ids of OUT's map never change."
        ),
    ] = None,
    relabel: Annotated[
        Relabel,
        typer.Option(
            help="declared: follow the ids a format declares (COCO category ids). "
            "sorted: number labels by name, as for formats without ids."
        ),
    ] = "declared",
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GLOB",
            help="Leave out input files whose path under the input folder, name, or one of whose folders "
            "matches GLOB (repeatable): --exclude runs --exclude '*config*.json'.",
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            help="Force the annotation format instead of detecting it per file "
            "(labelme, coco, cvat, labelstudio, via, supervisely).",
            callback=known_input_format,
        ),
    ] = None,
    images: Annotated[
        str | None,
        typer.Option(
            "--images",
            help="Folder of the annotated images, for formats that store no image size (VIA, YOLO); "
            "the annotation file's own folder is searched too.",
        ),
    ] = None,
    via_label_attribute: Annotated[
        str | None,
        typer.Option(
            help="VIA: the region attribute that holds the label (default: the first one).",
            callback=non_empty_text,
        ),
    ] = None,
    annotator: Annotated[
        str,
        typer.Option(
            help="Label Studio tasks with several annotations: first, all (one mask each, "
            "<name>__annotator<id>), or a user id or email.",
            callback=non_empty_text,
        ),
    ] = "first",
    coco_crowd: Annotated[
        CocoCrowd,
        typer.Option(
            help="COCO iscrowd regions: ignore (paint the ignore value, as COCO's evaluation does) or class."
        ),
    ] = "ignore",
    layout: Annotated[
        Layout,
        typer.Option(
            help="index: one PNG of class ids per image. binary: one 0/255 PNG per label, OUT/LABEL/NAME.png."
        ),
    ] = "index",
    palette: Annotated[
        bool,
        typer.Option(
            "--palette/--no-palette",
            help="Write palette PNGs (indices = ids, viewable colours) or plain grayscale.",
        ),
    ] = True,
    order: Annotated[
        Order,
        typer.Option(
            help="Overlaps: file = later shapes paint over earlier ones; "
            "z = by the format's z-order, then file; area = larger shapes first, so small ones stay visible."
        ),
    ] = "file",
    convention: Annotated[
        Convention,
        typer.Option(
            help="centre: a pixel is in a shape when its centre is (area-exact). "
            "labelme: reproduce labelme's masks (about half a pixel wider all round). "
            "cityscapes: reproduce cityscapesScripts' json2labelImg (the same Pillow fill)."
        ),
    ] = "centre",
    unknown_label: Annotated[
        UnknownLabel,
        typer.Option(
            help="A label missing from --labels: error (the file fails), "
            "ignore (paint the ignore value), skip."
        ),
    ] = "error",
    line_width: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Width in pixels of line and linestrip shapes: the pixels whose centre is within half "
            "of it. Default 1 (labelme convention: 10).",
        ),
    ] = None,
    point_radius: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Radius in pixels of point shapes; a point always covers the pixel it lies in. "
            "Default 0.5 (labelme convention: 5).",
        ),
    ] = None,
    skip_lines_and_points: Annotated[
        bool, typer.Option("--skip-lines-and-points", help="Do not draw shapes without area (lines, points).")
    ] = False,
    ignore_value: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Value painted for __ignore__ shapes. Default: the --labels file's ignore value, else 255.",
        ),
    ] = None,
    max_pixels: Annotated[
        int,
        typer.Option(
            min=1,
            help="Refuse images (and embedded bitmaps) larger than this many pixels, before decoding "
            "or drawing them.",
        ),
    ] = DEFAULT_MAX_PIXELS,
    viz: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Also draw each mask over its photo into DIR (same layout as the masks; binary layout: "
            "labels with pixels only). The photo is the image file the annotation names, else LabelMe's "
            "embedded imageData; without either, a warning and the overlay on gray (never a failure).",
        ),
    ] = None,
    outline: Annotated[
        bool,
        typer.Option(
            "--outline/--no-outline",
            help="Draw a dark and a light line, 1 pixel each, on every class boundary of the --viz "
            "overlays, so that classes show over any photo.",
        ),
    ] = True,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Leave masks that already exist (resume an interrupted run)."),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace any file in a mask's place. Without it, a file there that is not a label mask "
            "(a photo, anything but a grayscale or palette PNG) is kept and its image fails.",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Treat warnings (clipped vertices, degenerate shapes; not a --viz photo that is missing) "
            "as failures: exit 1.",
        ),
    ] = False,
    jobs: JobsOption = DEFAULT_JOBS,
    executor: ExecutorOption = "local",
    scheduler: SchedulerOption = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="Format of the pixels per label printed on stdout: table, csv (one row per label, no "
            "total row), json (one object: settings, rows, summary) or markdown.",
        ),
    ] = OutputFormat.table,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Rasterize polygon annotations into PNG label masks.

    By default a pixel belongs to a shape when its centre lies inside it, and later
    shapes paint over earlier ones (--convention, --order). The label map is written
    to OUT/labels.txt and OUT/labels.csv.
    Exit codes: 0 success, 1 some files (or images of a many-image file, or --viz overlays) failed,
    each named on stderr, 2 usage error, 130 Ctrl-C (one line says how far the run got).
    """
    with user_errors(debug):
        label_map = (
            drawing_label_map(labels)
            if labels and is_label_set(labels)
            else LabelMap.read(labels, ignore_value=ignore_value)
            if labels
            else None
        )
        options = RasterizeOptions(
            layout=layout,
            palette=palette,
            order=order,
            convention=convention,
            unknown_label=unknown_label,
            line_width=line_width,
            point_radius=point_radius,
            skip_lines_and_points=skip_lines_and_points,
            input_format=input_format,
            relabel=relabel,
            exclude=tuple(exclude or ()),
            reader=ReaderOptions(
                images_dir=None if images is None else as_path(images),
                via_label_attribute=via_label_attribute,
                annotator=annotator,
                coco_crowd=coco_crowd,
                max_pixels=max_pixels,
            ),
            skip_existing=skip_existing,
            overwrite=overwrite,
            debug=debug,
            viz=viz,
            viz_outline=outline,
        )
        stdin = sys.stdin.buffer.read() if "-" in inputs else None
        try:
            with (
                executor_from_options(executor, scheduler, jobs) as runner,
                progress_tasks(quiet=quiet) as progress,
            ):
                summary = rasterize_to_folder(
                    inputs,
                    output,
                    label_map=label_map,
                    options=options,
                    executor=runner,
                    stdin=stdin,
                    ignore_value=ignore_value,
                    progress=progress,
                )
        except KeyboardInterrupt as stop:
            info(_interrupted(stop), quiet=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
    settings = {"inputs": inputs, "output": output, "labels": labels, **options.to_json()}
    _print_summary(summary, output_format, settings)
    for message in summary.not_annotations:
        info(f"note: {message}", quiet=quiet)
    for message in summary.warnings:
        if strict:
            error(message)
        elif not quiet:
            warn(message)
    for message in summary.photo_warnings:  # pictures only: never an error, not even with --strict
        if not quiet:
            warn(message)
    for message in (
        *summary.unknown_labels,
        *summary.failures,
        *summary.failed_images,
        *summary.failed_overlays,
    ):
        error(message)
    if not summary.ok or (strict and summary.warnings):
        nothing = "" if summary.map_written else f"; nothing written to {output}"
        info(_failure_summary(summary, strict, output) + _skipped_files(summary) + nothing, quiet=False)
        raise typer.Exit(EXIT_FAILED)
    info(_written(summary, output) + _skipped_files(summary), quiet=quiet)


def _written(summary: RasterizeSummary, output: str) -> str:
    """``12 masks written to OUT`` (and how many were there already)."""
    there = f" ({summary.skipped} already there)" if summary.skipped else ""
    return f"{plural(summary.written, 'mask')} written to {output}{there}"


def _interrupted(stop: KeyboardInterrupt) -> str:
    """The one line Ctrl-C prints: how far the run got, and how to go on."""
    if not isinstance(stop, RasterizeInterrupted):
        return "interrupted while reading the inputs: no mask written"
    there = f" ({stop.already_there} already there)" if stop.already_there else ""
    return (
        f"interrupted: {stop.written} of {stop.total} masks written{there}; "
        "rerun with --skip-existing to resume"
    )


def _skipped_files(summary: RasterizeSummary) -> str:
    """``; 3 files skipped (not annotation files)`` when files found in folders were no annotations."""
    count = len(summary.not_annotations)
    return f"; {plural(count, 'file')} skipped (not annotation files)" if count else ""


def _failure_summary(summary: RasterizeSummary, strict: bool, output: str) -> str:
    """The last line of a failed run: files and images failed, overlays not written (when they are
    all that failed, the masks written come first), and warnings counted as errors with --strict."""
    failed_files = summary.files_failed
    parts = [f"{failed_files} of {summary.files} files failed"] if failed_files else []
    if summary.failed_images:
        count = len(summary.failed_images)
        parts.append(f"{plural(count, 'image')} failed in files whose other images were written")
    if summary.failed_overlays:
        if not parts:
            parts.append(_written(summary, output))
        parts.append(f"the overlays of {plural(len(summary.failed_overlays), 'image')} could not be written")
    if strict and summary.warnings:
        count = len(summary.warnings)
        parts.append(
            f"{plural(count, 'warning')} treated as {'errors' if count > 1 else 'an error'} (--strict)"
        )
    return "; ".join(parts)


def _print_summary(summary: RasterizeSummary, output_format: OutputFormat, settings: dict[str, Any]) -> None:
    """The pixels per label (table, CSV, Markdown: one row per label of the map written, none when no
    map was written); JSON adds ``settings`` (what the run used, ``ignore_value`` included) and
    ``summary`` (:meth:`RasterizeSummary.totals`)."""
    from ..reports.rows import Column, ColumnSpec, write_rows

    columns: list[ColumnSpec] = [
        Column("class_id", label=True),
        Column("class_name", label=True),
        "pixels",
        "share",
    ]
    total = sum(summary.pixels.values()) or 1
    rows = [
        {
            "class_id": label.id,
            "class_name": label.name,
            "pixels": summary.pixels.get(label.id, 0),
            "share": summary.pixels.get(label.id, 0) / total,
        }
        for label in (summary.label_map if summary.map_written else ())
    ]
    ignored = summary.pixels.get(summary.label_map.ignore_value, 0)
    if ignored:
        rows.append(
            {
                "class_id": summary.label_map.ignore_value,
                "class_name": "__ignore__",
                "pixels": ignored,
                "share": ignored / total,
            }
        )
    caption = (
        f"{plural(summary.files, 'file')}, {plural(summary.images, 'image')}, "
        f"{plural(summary.shapes, 'shape')} -> {settings['output']}"
    )
    write_rows(
        rows,
        columns,
        output_format.value,
        sys.stdout,
        title="Pixels per label",
        caption=caption,
        settings={**settings, "ignore_value": summary.label_map.ignore_value},
        summary=summary.totals(),
    )
