"""`segtool overlay`: masks drawn over their images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..io.files import label_file_for_masks
from ..labels import LabelMap
from ..pipelines.overlay import OverlayOptions, overlay_folder
from ..viz.image import PictureFormat
from ..words import plural
from .app import app
from .common import (
    DEFAULT_JOBS,
    EXIT_FAILED,
    DebugOption,
    JobsOption,
    QuietOption,
    error,
    info,
    on_ctrl_c,
    progress_tasks,
    user_errors,
    warn,
)
from .executor_options import ExecutorOption, SchedulerOption, executor_from_options


@app.command(no_args_is_help=True)
def overlay(
    images: Annotated[
        str,
        typer.Argument(
            metavar="IMAGES",
            show_default=False,
            help="An image, or a folder of images (.jpg .jpeg .png .bmp .tif .tiff) and LabelMe .json "
            "files (their imageData is used where no image file is), searched recursively; a path or an "
            "fsspec URL.",
        ),
    ],
    masks: Annotated[
        str,
        typer.Argument(
            metavar="MASKS",
            show_default=False,
            help="A mask, or a folder of masks (.png .npy) matched to the images by relative path "
            "without suffix.",
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", metavar="OUT", help="Output folder for the overlays (a path or an fsspec URL)."
        ),
    ],
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Label map (labels.txt, .csv or .json) giving names and colours; colour masks need one. "
            "Default: labels.csv (else labels.txt) in MASKS (or beside a single mask) if there is one, "
            "else ids in VOC colours."
        ),
    ] = None,
    opacity: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Opacity of the class colours over the image (0: image only, 1: colours only).",
        ),
    ] = 0.5,
    outline: Annotated[
        bool,
        typer.Option(
            "--outline/--no-outline",
            help="Draw a dark and a light line side by side on every class boundary, so that classes "
            "show over any photo; lines and points keep their colour inside the lines.",
        ),
    ] = True,
    outline_width: Annotated[
        int, typer.Option(min=1, metavar="N", help="Width of each of the two outline lines, in pixels.")
    ] = 1,
    legend: Annotated[
        bool,
        typer.Option(
            "--legend/--no-legend", help="Add a legend of the classes present, to the right of the image."
        ),
    ] = True,
    background: Annotated[
        bool,
        typer.Option("--background", help="Paint the background (id 0) too; by default it shows the image."),
    ] = False,
    image_format: Annotated[
        PictureFormat,
        typer.Option(help="File format of the overlays: png (exact colours) or jpeg (smaller)."),
    ] = "png",
    jobs: JobsOption = DEFAULT_JOBS,
    executor: ExecutorOption = "local",
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Draw masks over their images, with the label map's colours and a legend.

    OUT/<relative path>.png is written for each mask, over the image of the
    same relative path under IMAGES (any image suffix), else over the image
    embedded in IMAGES/<relative path>.json (LabelMe imageData). A mask without
    a usable photo (none, unreadable, of another size: nothing is resized) is
    drawn in full colour on gray, with a warning. The background is
    left unpainted; the ignore value is painted in its palette colour.
    Exit codes: 0 success (also with warnings), 1 some masks failed (each
    named on stderr; the others are still written), 2 usage error, 130
    Ctrl-C (the overlays written so far are kept).
    """
    with on_ctrl_c("the overlays written so far are kept (each complete)"), user_errors(debug):
        label_path = labels or label_file_for_masks(masks)
        label_map = LabelMap.read(label_path) if label_path else None
        options = OverlayOptions(
            label_map=label_map,
            opacity=opacity,
            outline=outline,
            outline_width=outline_width,
            legend=legend,
            include_background=background,
            image_format=image_format,
        )
        with (
            executor_from_options(executor, scheduler, jobs) as runner,
            progress_tasks(quiet=quiet) as progress,
        ):
            summary = overlay_folder(
                images, masks, output, options=options, executor=runner, progress=progress, debug=debug
            )
    for message in summary.photo_warnings:
        if not quiet:
            warn(message)
    for failure in summary.failures:
        error(failure.message)
    if summary.images_without_mask:
        count = summary.images_without_mask
        info(f"{plural(count, 'image')} {'has' if count == 1 else 'have'} no mask (not drawn)", quiet=quiet)
    if summary.failures or not summary.written:
        if not summary.written and not summary.failures:
            error(f"{masks}: no mask files (.png, .npy) found")
        info(f"{plural(len(summary.written), 'overlay')} written to {output}, {len(summary.failures)} failed")
        raise typer.Exit(EXIT_FAILED)
    info(f"{plural(len(summary.written), 'overlay')} written to {output}", quiet=quiet)
