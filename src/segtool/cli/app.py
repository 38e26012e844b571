"""The Typer application every command registers itself on."""

import typer

app = typer.Typer(
    name="segtool",
    help="Polygon annotations to PNG label masks, and per-class Dice/IoU scoring of predicted masks.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
