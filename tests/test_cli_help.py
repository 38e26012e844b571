"""Every command and every option has help text; -h works like --help."""

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
