"""Runs that cannot do everything (issue 12, items 6 and 7).

A VIA file whose images are partly missing lists every missing image in one run and writes the
images it can size; Ctrl-C prints one line saying how far the run got and how to resume, exit 130.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

import segtool
import segtool.pipelines.rasterize
from segtool.cli import app
from segtool.io.maskio import read_mask


def run(*args: str):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], terminal_width=200)


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


# -- item 6: VIA without (some of) its images ---------------------------------------------------
def via_entry(filename: str) -> dict:
    region = {
        "shape_attributes": {"name": "rect", "x": 1, "y": 1, "width": 4, "height": 3},
        "region_attributes": {"type": "car"},
    }
    return {"filename": filename, "size": 1, "file_attributes": {}, "regions": [region]}


def test_via_lists_every_missing_image_and_writes_the_others(tmp_path):
    document = {f"{name}1": via_entry(name) for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg")}
    (tmp_path / "via.json").write_text(json.dumps(document))
    for name in ("a.jpg", "c.jpg"):
        Image.new("RGB", (8, 6)).save(tmp_path / name)
    out = tmp_path / "out"
    result = run(str(tmp_path / "via.json"), "-o", str(out))
    assert result.exit_code == 1
    errors = lines(result.stderr, "error:")
    assert len(errors) == 2, result.stderr
    assert "'b.jpg'" in errors[0] and "'d.jpg'" in errors[1]
    assert all("via.json" in line and "--images" in line for line in errors)
    assert (read_mask(out / "a.png") == 1).sum() == 12 and (read_mask(out / "c.png") == 1).sum() == 12
    assert not (out / "b.png").exists() and not (out / "d.png").exists()
    assert "2 images failed" in result.stderr


def test_via_with_no_image_found_lists_them_all(tmp_path):
    document = {f"{name}1": via_entry(name) for name in ("a.jpg", "b.jpg")}
    (tmp_path / "via.json").write_text(json.dumps(document))
    result = run(str(tmp_path / "via.json"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert len(lines(result.stderr, "error:")) == 2 and "Traceback" not in result.stderr


# -- item 7: Ctrl-C ------------------------------------------------------------------------------
def labelme(path: Path, size: int = 8) -> None:
    shape = {"label": "road", "points": [[0, 0], [4, 0], [4, 4]], "shape_type": "polygon"}
    path.write_text(json.dumps({"shapes": [shape], "imageHeight": size, "imageWidth": size}))


def test_ctrl_c_prints_how_far_the_run_got_and_how_to_resume(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    for index in range(5):
        labelme(tmp_path / "in" / f"{index}.json")
    real = segtool.pipelines.rasterize.rasterize_one
    calls = []

    def interrupted_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(segtool.pipelines.rasterize, "rasterize_one", interrupted_on_the_third)
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "interrupted: 2 of 5 masks written; rerun with --skip-existing to resume"
    ]
    assert sorted(path.name for path in out.glob("*.png")) == ["0.png", "1.png"]
    assert (out / "labels.csv").exists()  # the map came first: the folder is consistent
    monkeypatch.setattr(segtool.pipelines.rasterize, "rasterize_one", real)
    resumed = run(str(tmp_path / "in"), "-o", str(out), "--skip-existing")
    assert (
        resumed.exit_code == 0 and "3 masks written" in resumed.stderr and "2 already there" in resumed.stderr
    )


def test_ctrl_c_while_reading_says_nothing_was_written(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    labelme(tmp_path / "in" / "a.json")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(segtool.pipelines.rasterize, "load_annotation_file", interrupted)
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 130
    [line] = result.stderr.splitlines()
    assert line.startswith("interrupted while reading") and "no mask written" in line


@pytest.mark.slow
def test_sigint_on_worker_processes_gives_one_line_and_exit_130(tmp_path):
    (tmp_path / "in").mkdir()
    for index in range(400):
        labelme(tmp_path / "in" / f"{index:03d}.json", size=1500)  # a few ms each: time to interrupt
    process = subprocess.Popen(
        [sys.executable, "-m", "segtool", "rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "out")]
        + ["-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(segtool.__file__).parents[1])},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    (tmp_path / "out").mkdir()
    while not any((tmp_path / "out").glob("*.png")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole process group
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stdout == b""
    [line] = stderr.decode().splitlines()
    assert line.startswith("interrupted: ") and line.endswith(
        " of 400 masks written; rerun with --skip-existing to resume"
    )


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({}, "VIA stores no image size and the image was not found"),
        ({"base64_img_data": "data:image/png;base64,AAAA"}, "cannot read the image size"),
    ],
)
def test_a_via_image_that_cannot_be_sized_fails_alone_naming_it(tmp_path, entry, fragment):
    Image.new("RGB", (8, 6)).save(tmp_path / "a.jpg")
    document = {"a.jpg1": via_entry("a.jpg"), "e.png1": {**via_entry("e.png"), **entry}}
    (tmp_path / "via.json").write_text(json.dumps(document))
    summary = segtool.rasterize_to_folder([tmp_path / "via.json"], tmp_path / "out")
    assert not summary.failures and len(summary.failed_images) == 1
    assert summary.failed_images[0].startswith(f"{tmp_path / 'via.json'}: image 'e.png': ")
    assert fragment in summary.failed_images[0]
    assert summary.written == 1 and (tmp_path / "out" / "a.png").exists()
