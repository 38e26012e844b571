"""The Typer application every command registers itself on, and ``segtool --version``."""

from __future__ import annotations

from typing import Annotated

import typer

from .help import SegtoolGroup

app = typer.Typer(
    name="segtool",
    cls=SegtoolGroup,
    help="Polygon annotations to PNG label masks, and per-class Dice/IoU scoring of predicted masks.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def version_lines() -> list[str]:
    """``segtool X``, then the libraries whose versions change what segtool reads, counts or draws."""
    import cv2
    import numpy
    import PIL

    from .. import __version__

    return [
        f"segtool {__version__}",
        f"numpy {numpy.__version__}",
        f"OpenCV {cv2.__version__}",
        f"Pillow {PIL.__version__}",
    ]


def _print_version(value: bool) -> None:
    if value:
        typer.echo("\n".join(version_lines()))
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_print_version,
            is_eager=True,
            help="Print the versions of segtool, numpy, OpenCV and Pillow, one a line, and exit.",
        ),
    ] = False,
) -> None:
    """Polygon annotations to PNG label masks, and per-class Dice/IoU scoring of predicted masks."""
