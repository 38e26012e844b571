"""Ctrl-C on every command: one line on stderr starting ``interrupted``, exit 130, no traceback,
nothing on stdout and no output file (nor its temporary) left half-written.

The worker is replaced by one that raises KeyboardInterrupt on the second mask, as Ctrl-C would in
the middle of a run.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import segtool.pipelines.score
import segtool.pipelines.stats
from segtool.cli import app
from segtool.io.maskio import write_mask


def interrupted_on_the_second(real):
    calls = []

    def worker(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return worker


@pytest.fixture
def folders(tmp_path):
    for name in ("a", "b", "c"):
        for side in ("gt", "pred", "pred2"):
            write_mask(tmp_path / side / f"{name}.png", np.array([[0, 1], [1, 1]], np.uint8))
        (tmp_path / "img").mkdir(exist_ok=True)
        Image.new("RGB", (2, 2)).save(tmp_path / "img" / f"{name}.png")
    (tmp_path / "out").mkdir()
    return tmp_path


def files_under(folder):
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "command, module, worker, line",
    [
        (
            ["score", "pred", "gt", "-o", "out/s.csv", "--per-image", "out/p.csv"],
            segtool.pipelines.score,
            "score_index_pair",
            "interrupted: no scores written",
        ),
        (
            ["stats", "gt", "-o", "out/s.csv"],
            segtool.pipelines.stats,
            "count_mask",
            "interrupted: nothing written",
        ),
        (
            ["compare", "gt", "pred", "pred2", "-o", "out/c.csv"],
            segtool.pipelines.score,
            "score_index_pair",
            "interrupted: nothing written",
        ),
    ],
)
def test_ctrl_c_is_one_line_exit_130_and_no_output(folders, monkeypatch, command, module, worker, line):
    monkeypatch.chdir(folders)
    monkeypatch.setattr(module, worker, interrupted_on_the_second(getattr(module, worker)))
    before = files_under(folders)
    result = CliRunner().invoke(app, [*command, "--jobs", "1"])
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == f"{line}\n"
    assert files_under(folders) == before  # no output, no temporary file left behind


def test_ctrl_c_in_overlay_keeps_the_overlays_already_written(folders, monkeypatch):
    import segtool.pipelines.overlay

    module = segtool.pipelines.overlay
    monkeypatch.setattr(module, "overlay_file", interrupted_on_the_second(module.overlay_file))
    result = CliRunner().invoke(
        app, ["overlay", str(folders / "img"), str(folders / "gt"), "-o", str(folders / "o"), "-j", "1"]
    )
    assert result.exit_code == 130 and result.stdout == ""
    assert result.stderr == "interrupted: the overlays written so far are kept (each complete)\n"
    assert files_under(folders / "o") == [Path("a.png")]
