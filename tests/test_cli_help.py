"""Every command and every option has help text; -h works like --help."""

import inspect
import re
from typing import get_args, get_type_hints

import typer.main
from typer.testing import CliRunner

from segtool.cli import app


def _commands():
    group = typer.main.get_command(app)
    return group, group.commands


def test_every_command_and_option_has_help():
    group, commands = _commands()
    assert {"rasterize", "score"} <= set(commands)
    missing = []
    for name, command in commands.items():
        if not (command.help or "").strip():
            missing.append(name)
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden and not (param.help or "").strip():
                missing.append(f"{name} {param.opts[0]}")
    assert missing == []


def test_short_help_flag():
    result = CliRunner().invoke(app, ["rasterize", "-h"], terminal_width=100)
    assert result.exit_code == 0 and "--output" in result.stdout


def test_version_names_segtool_and_the_libraries_that_decode_and_draw():
    import cv2
    import numpy
    import PIL

    import segtool

    for flag in ("--version", "-V"):
        result = CliRunner().invoke(app, [flag])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            f"segtool {segtool.__version__}",
            f"numpy {numpy.__version__}",
            f"OpenCV {cv2.__version__}",
            f"Pillow {PIL.__version__}",
        ]


def _help(*command):
    result = CliRunner().invoke(app, [*command, "-h"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_help_fits_80_columns_uncut_with_conventional_metavars_and_examples():
    _, commands = _commands()
    for name in ["", *commands]:
        text = _help(*([name] if name else []))
        assert max(map(len, text.splitlines())) <= 80, name
        assert "…" not in text, name  # no option name, metavar or word cut
        for typed in ("<bool>", "<str>", "<list", "<int", "<float", "<path>", "{"):
            assert typed not in text, (name, typed)
        if name:
            assert "Examples:" in text and f"segtool {name} " in text.split("Examples:")[1], name


def test_score_options_are_grouped_in_panels():
    text = _help("score")
    panels = [line.split("─")[1].strip() for line in text.splitlines() if line.startswith("╭─")]
    for panel in ("Input", "Classes", "Output", "Boundary metrics", "Gates", "Pictures", "Scale-out"):
        assert panel in panels
    assert panels.index("Input") < panels.index("Output") < panels.index("Gates")
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert usage.split()[-2:] == ["PRED", "GT"]
    include = next(line for line in text.splitlines() if "--include-background" in line)
    assert include.split()[2:4] == ["Count", "class"]  # a flag has nothing after it


def _source_texts(command):
    """A command's docstring, and its options' help texts and metavars as its source writes them
    (before ``-h`` tidies them), Rich's ``\\[`` escapes undone."""
    [registered] = [
        info for info in app.registered_commands if (info.name or info.callback.__name__) == command
    ]
    texts = [inspect.getdoc(registered.callback) or ""]
    for hint in get_type_hints(registered.callback, include_extras=True).values():
        for meta in get_args(hint)[1:]:
            texts += [getattr(meta, "help", None) or "", getattr(meta, "metavar", None) or ""]
    return [text.replace("\\[", "[") for text in texts]


def test_bracketed_syntax_survives_rich_markup_in_every_help():
    """Typer's Rich markup takes ``[class:]`` for a style tag and prints nothing: every bracketed
    part of a help text or metavar (``[dataset:|image:]METRIC=VALUE``, ``segtool[distributed]``)
    must be on the screen."""
    _, commands = _commands()
    shown, lost = {}, []
    for command in commands:
        result = CliRunner().invoke(app, [command, "-h"], terminal_width=200, env={"COLUMNS": "200"})
        shown[command] = " ".join(result.stdout.replace("│", " ").split())
        for text in _source_texts(command):
            lost += [
                (command, part) for part in re.findall(r"\[[^][]*\]", text) if part not in shown[command]
            ]
    assert lost == []
    assert "METRIC=MARGIN, after the optional prefixes [class:][dataset:|image:]" in shown["compare"]
