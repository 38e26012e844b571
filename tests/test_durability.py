"""Durability and paths (issue 7, points 3 and 4).

* An interrupted run (an exception in the middle of the writes, or SIGKILL)
  leaves only complete files; started again, it gives byte-identical outputs to
  an uninterrupted run, and ``--skip-existing`` resumes without redoing files.
* Re-runs overwrite CSV outputs, never append.
* Symbolic link loops in input folders do not hang any command.
* Output names taken from inside the annotation files (``../``, absolute paths,
  drive letters) never leave the output folder; two inputs that would write one
  output file are an error, not an overwrite.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import segtool.io.atomic
from segtool.cli import app
from segtool.io.maskio import read_mask, write_mask
from segtool.pipelines.rasterize import RasterizeOptions, rasterize_to_folder

N_FILES = 12


def labelme_file(path: Path, index: int) -> None:
    """A 40 x 30 LabelMe file with two shapes that differ from file to file."""
    shapes = [
        {"label": "road", "points": [[0, index], [25, index], [25, 30], [0, 30]], "shape_type": "polygon"},
        {
            "label": "car",
            "points": [[index, 2], [index + 9.5, 2], [index + 9.5, 8.5]],
            "shape_type": "polygon",
        },
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"shapes": shapes, "imageHeight": 30, "imageWidth": 40, "imagePath": "x.jpg"}))


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    for index in range(N_FILES):
        labelme_file(folder / f"part{index % 2}" / f"{index:03d}.json", index)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def visible(files: dict[str, bytes]) -> dict[str, bytes]:
    return {
        name: data
        for name, data in files.items()
        if not any(part.startswith(".") for part in name.split("/"))
    }


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


# -- interrupted runs -------------------------------------------------------------------------
def interrupt_on_replace(monkeypatch, after: int) -> None:
    """Make the ``after + 1``-th atomic rename raise KeyboardInterrupt (as Ctrl-C in a write would)."""
    real_replace = os.replace
    calls = {"n": 0}

    def replace(source, target):
        calls["n"] += 1
        if calls["n"] > after:
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(segtool.io.atomic.os, "replace", replace)


@pytest.mark.parametrize("skip_existing", [False, True])
def test_interrupted_run_restarted_gives_the_same_outputs(tmp_path, inputs, monkeypatch, skip_existing):
    rasterize_to_folder([inputs], tmp_path / "reference")
    reference = snapshot(tmp_path / "reference")
    assert len(reference) == N_FILES + 2  # the masks, labels.txt and labels.csv

    with monkeypatch.context() as patch:
        interrupt_on_replace(patch, after=5)
        with pytest.raises(KeyboardInterrupt):
            rasterize_to_folder([inputs], tmp_path / "out")
    partial = snapshot(tmp_path / "out")
    # The label map first, then three masks made it, whole; the sixth write left nothing behind,
    # not even its temporary file.
    assert {"labels.txt", "labels.csv"} <= set(partial)
    assert len(partial) == 5 and all(reference[name] == data for name, data in partial.items())

    summary = rasterize_to_folder(
        [inputs], tmp_path / "out", options=RasterizeOptions(skip_existing=skip_existing)
    )
    assert summary.ok and summary.skipped == (3 if skip_existing else 0)
    assert summary.written == N_FILES - summary.skipped
    assert snapshot(tmp_path / "out") == reference


def test_sigkill_leaves_whole_files_and_a_rerun_completes_them(tmp_path):
    folder = tmp_path / "in"
    for index in range(300):
        labelme_file(folder / f"{index:03d}.json", index % 20)
    command = [sys.executable, "-m", "segtool", "rasterize", str(folder), "-j", "1", "-q"]
    rasterize_to_folder([folder], tmp_path / "reference")  # what the command writes, uninterrupted
    reference = snapshot(tmp_path / "reference")

    out = tmp_path / "out"
    process = subprocess.Popen(
        [*command, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if out.is_dir() and sum(1 for _ in out.glob("*.png")) >= 30:
                break
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    left = snapshot(out)
    for name, data in visible(left).items():  # whatever is there under its own name is whole
        assert data == reference[name], name
    # A temporary file caught mid-write is hidden (".<name>.<random>.tmp"): every command skips it.
    assert all(
        Path(name).name.startswith(".") and name.endswith(".tmp") for name in set(left) - set(visible(left))
    )

    resumed = subprocess.run(
        [*command, "-o", str(out), "--skip-existing"], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert visible(snapshot(out)) == reference
    again = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and visible(snapshot(out)) == reference


def test_skip_existing_keeps_finished_files_and_writes_the_missing_ones(tmp_path, inputs):
    out = tmp_path / "out"
    rasterize_to_folder([inputs], out)
    done = out / "part0" / "000.png"
    done.write_bytes(b"a finished file from an earlier run")
    (out / "part1" / "001.png").unlink()
    summary = rasterize_to_folder([inputs], out, options=RasterizeOptions(skip_existing=True))
    assert (summary.written, summary.skipped) == (1, N_FILES - 1)
    assert done.read_bytes() == b"a finished file from an earlier run"
    assert read_mask(out / "part1" / "001.png").shape == (30, 40)


# -- re-runs overwrite ----------------------------------------------------------------------
def test_rerun_overwrites_csv_outputs_instead_of_appending(tmp_path):
    for folder in ("gt", "pred"):
        write_mask(tmp_path / folder / "a.png", np.array([[0, 1], [1, 1]], np.uint8))
        write_mask(tmp_path / folder / "b.png", np.array([[0, 0], [1, 2]], np.uint8))
    outputs = {
        "scores": tmp_path / "scores.csv",
        "per_image": tmp_path / "per_image.csv",
        "confusion": tmp_path / "confusion.csv",
        "stats": tmp_path / "stats.csv",
    }
    commands = [
        [
            "score",
            str(tmp_path / "pred"),
            str(tmp_path / "gt"),
            "-f",
            "csv",
            "-o",
            str(outputs["scores"]),
            "--per-image",
            str(outputs["per_image"]),
            "--confusion",
            str(outputs["confusion"]),
        ],
        ["stats", str(tmp_path / "gt"), "-f", "csv", "-o", str(outputs["stats"])],
    ]
    first = {}
    for run in range(2):
        for command in commands:
            result = invoke(*command, "-j", "1")
            assert result.exit_code == 0, result.stderr
        contents = {name: path.read_text() for name, path in outputs.items()}
        if run == 0:
            first = contents
    assert contents == first
    # per image: one header, then one row per image and class: a has classes 0 and 1, b has 0, 1 and 2.
    assert len(contents["per_image"].splitlines()) == 1 + 2 + 3
    assert sorted(os.listdir(tmp_path)) == sorted(["gt", "pred", *(path.name for path in outputs.values())])


# -- symbolic link loops ----------------------------------------------------------------------
def test_symlink_loops_in_input_folders_do_not_hang(tmp_path):
    annotations, masks, images = tmp_path / "annotations", tmp_path / "masks", tmp_path / "images"
    labelme_file(annotations / "a.json", 1)
    write_mask(masks / "a.png", np.zeros((30, 40), np.uint8))
    images.mkdir()
    Image.new("RGB", (40, 30)).save(images / "a.png")
    for folder in (annotations, masks, images):
        (folder / "sub").mkdir()
        os.symlink("..", folder / "sub" / "up")  # sub/up/sub/up/... forever
        os.symlink(folder / "loop", folder / "loop")  # a link to itself
    commands = [
        ["rasterize", str(annotations), "-o", str(tmp_path / "out")],
        ["score", str(masks), str(masks), "-f", "csv"],
        ["stats", str(masks), "-f", "csv"],
        ["overlay", str(images), str(masks), "-o", str(tmp_path / "overlays")],
    ]
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "segtool", *command, "-j", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["a.png", "labels.csv", "labels.txt"]
    assert [path.name for path in (tmp_path / "overlays").rglob("*.png")] == ["a.png"]


# -- names from inside files never leave the output folder -----------------------------------
HOSTILE_NAMES = [
    "../../evil.jpg",
    "/tmp/evil.jpg",
    "C:\\Windows\\evil.jpg",
    "C:evil.jpg",
    "..\\..\\evil.jpg",
    "//server/share/evil.jpg",
    "./a/../../../evil.jpg",
    "a/./b/../../../../evil.jpg",
]


def tiny_png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def documents_naming(name: str) -> dict[str, str]:
    """One file per format whose image is called ``name``."""
    square = [[1, 1], [5, 1], [5, 5], [1, 5]]
    coco = {
        "images": [{"id": 1, "file_name": name, "width": 8, "height": 6}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "iscrowd": 0,
                "segmentation": [[v for point in square for v in point]],
            }
        ],
        "categories": [{"id": 1, "name": "thing"}],
    }
    cvat = (
        f'<annotations><image id="0" name="{name}" width="8" height="6">'
        '<polygon label="thing" points="1,1;5,1;5,5;1,5"/></image></annotations>'
    )
    labelstudio = [
        {
            "id": 1,
            "data": {"image": name},
            "annotations": [
                {
                    "id": 1,
                    "result": [
                        {
                            "id": "r",
                            "type": "polygonlabels",
                            "original_width": 8,
                            "original_height": 6,
                            "value": {
                                "points": [[x * 12.5, y * 100 / 6] for x, y in square],
                                "polygonlabels": ["thing"],
                            },
                        }
                    ],
                }
            ],
        }
    ]
    via = {
        "k": {
            "filename": name,
            "size": 1,
            "base64_img_data": tiny_png(),
            "file_attributes": {},
            "regions": [
                {
                    "shape_attributes": {"name": "rect", "x": 1, "y": 1, "width": 4, "height": 4},
                    "region_attributes": {"class": "thing"},
                }
            ],
        }
    }
    labelme = {
        "shapes": [{"label": "thing", "points": square}],
        "imagePath": name,
        "imageHeight": 6,
        "imageWidth": 8,
    }
    return {
        "coco.json": json.dumps(coco),
        "cvat.xml": cvat,
        "labelstudio.json": json.dumps(labelstudio),
        "via.json": json.dumps(via),
        "labelme.json": json.dumps(labelme),
    }


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize(
    "file_name", ["coco.json", "cvat.xml", "labelstudio.json", "via.json", "labelme.json"]
)
def test_names_inside_files_never_leave_the_output_folder(tmp_path, name, file_name):
    work = tmp_path / "a" / "b" / "c"
    path = work / "in" / file_name
    path.parent.mkdir(parents=True)
    path.write_text(documents_naming(name)[file_name])
    before = {p for p in Path("/tmp").glob("evil*")}
    out = work / "out"
    summary = rasterize_to_folder([path], out)
    assert summary.ok, summary.failures
    written = [p for p in tmp_path.rglob("*.png")]
    assert written and all(out in p.parents for p in written), written
    assert {p for p in Path("/tmp").glob("evil*")} == before
    (mask,) = [p for p in written]
    assert int((read_mask(mask) == 1).sum()) == 16  # the square (1,1)-(5,5)


# -- two inputs, one output -------------------------------------------------------------------
def test_two_images_of_one_cvat_file_with_one_name_are_an_error(tmp_path):
    path = tmp_path / "a.xml"
    path.write_text(
        '<annotations><image id="0" name="x.jpg" width="4" height="4"/>'
        '<image id="1" name="x.png" width="4" height="4"/></annotations>'
    )
    summary = rasterize_to_folder([path], tmp_path / "out")
    assert len(summary.failures) == 1 and "both would write x.png" in summary.failures[0]
    assert not (tmp_path / "out" / "x.png").exists()


def test_two_formats_naming_one_output_are_an_error(tmp_path):
    documents = documents_naming("same.jpg")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "same.json").write_text(documents["labelme.json"])  # labelme names it after its file
    (tmp_path / "in" / "coco.json").write_text(documents["coco.json"])
    summary = rasterize_to_folder([tmp_path / "in"], tmp_path / "out")
    assert len(summary.failures) == 1
    assert (
        "coco.json and" in summary.failures[0]
        and "same.json: both would write same.png" in summary.failures[0]
    )
    assert not (tmp_path / "out" / "same.png").exists()


def test_two_labels_sharing_a_binary_layout_folder_are_an_error(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(
            {
                "shapes": [
                    {"label": "tv/monitor", "points": [[0, 0], [2, 0], [2, 2]]},
                    {"label": "tv_monitor", "points": [[2, 2], [4, 2], [4, 4]]},
                ],
                "imageHeight": 4,
                "imageWidth": 4,
            }
        )
    )
    result = invoke("rasterize", str(path), "-o", str(tmp_path / "out"), "--layout", "binary")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {path}: shape 2 (polygon 'tv_monitor'): label 'tv_monitor' ")
    assert "with label 'tv/monitor'" in result.stderr
    assert not (tmp_path / "out" / "tv_monitor").exists()


def test_output_folder_that_is_a_file_is_one_error(tmp_path):
    labelme_file(tmp_path / "a.json", 1)
    (tmp_path / "out").write_text("I am a file")
    result = invoke("rasterize", str(tmp_path / "a.json"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and (result.exception is None or isinstance(result.exception, SystemExit))
    assert "Traceback" not in result.stderr and "out" in result.stderr and "not a folder" in result.stderr
    assert (tmp_path / "out").read_text() == "I am a file"


def test_names_with_several_dots_keep_them_and_do_not_collide(tmp_path):
    labelme_file(tmp_path / "in" / "frame.001.json", 1)
    labelme_file(tmp_path / "in" / "frame.002.json", 2)
    summary = rasterize_to_folder([tmp_path / "in"], tmp_path / "out")
    assert summary.ok and summary.written == 2
    assert sorted(path.name for path in (tmp_path / "out").glob("*.png")) == [
        "frame.001.png",
        "frame.002.png",
    ]
