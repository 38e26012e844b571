"""Hostile content, issue 16: names, label maps, embedded bitmaps and arrays crafted to break a promise.

Each test carries the case's number (B01 ...) from the issue and docs/robustness.md.
Cases about time or memory run the command in a child process under an address-space
limit and an alarm (:func:`run_bounded`), so a regression fails the test instead of
taking the machine down.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.labels import LabelMap
from segtool.maskio import write_mask

SRC = Path(__file__).resolve().parents[1] / "src"


# -- helpers --------------------------------------------------------------------------------
def invoke(*args: str):
    return CliRunner().invoke(app, [str(arg) for arg in args], terminal_width=200)


def assert_clean_failure(result) -> None:
    """Exit 1, no exception escaped, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr


def run_bounded(*args: str, memory_mib: int = 1500, seconds: int = 20) -> subprocess.CompletedProcess:
    """``segtool ARGS`` in a child process limited to ``memory_mib`` of address space and ``seconds``.

    One worker (``-j 1`` where the test passes it) and two malloc arenas keep the
    address space of a healthy run far below the limit; importing segtool takes
    about 500 MiB of it.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib << 20, memory_mib << 20))
        signal.alarm(seconds)

    env = {**os.environ, "PYTHONPATH": str(SRC), "MALLOC_ARENA_MAX": "2", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "segtool", *map(str, args)],
        capture_output=True,
        text=True,
        errors="replace",
        env=env,
        preexec_fn=limit,
        timeout=seconds + 10,
    )


def write_labelme(path: Path, labels: list[str], *, height: int = 20, width: int = 30) -> None:
    shapes = [
        {"label": label, "points": [[0, 0], [10, 0], [10, 10]], "shape_type": "polygon"} for label in labels
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"shapes": shapes, "imageHeight": height, "imageWidth": width, "imagePath": "x.jpg"})
    )


def mask_pair(root: Path, gt: np.ndarray, pred: np.ndarray | None = None, name: str = "a") -> tuple[Path, Path]:
    """PRED and GT folders holding one pair ``name.png``."""
    (root / "pred").mkdir(parents=True, exist_ok=True)
    (root / "gt").mkdir(parents=True, exist_ok=True)
    write_mask(root / "gt" / f"{name}.png", gt)
    write_mask(root / "pred" / f"{name}.png", gt if pred is None else pred)
    return root / "pred", root / "gt"


# -- B01: a long name shared by many shapes -------------------------------------------------
def coco_with_one_long_category(path: Path, name: str, annotations: int) -> None:
    document = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],
        "categories": [{"id": 1, "name": name}],
        "annotations": [
            {"id": i, "image_id": 1, "category_id": 1, "iscrowd": 0, "segmentation": [[0, 0, 5, 0, 5, 5]]}
            for i in range(annotations)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def test_b01_a_long_category_name_shared_by_many_shapes_fails_quickly_in_bounded_memory(tmp_path):
    coco_with_one_long_category(tmp_path / "in" / "coco.json", "c" * 200_000, 3000)
    write_labelme(tmp_path / "in" / "good.json", ["road"])
    result = run_bounded("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "coco.json" in errors[0], result.stderr
    assert "is longer than 1000 characters" in errors[0] and len(errors[0]) < 400, errors[0]
    assert (tmp_path / "out" / "good.png").exists()


def test_b01_a_long_label_studio_task_id_is_shown_short_in_every_message(tmp_path):
    regions = [
        {
            "id": f"r{i}",
            "type": "polygonlabels",
            "original_width": 30,
            "original_height": 20,
            "value": {"points": [[0, 0], [1, 0], [0, 1]], "polygonlabels": ["road"]},
        }
        for i in range(3000)
    ]
    task = {"id": "t" * 200_000, "data": {"image": "c.jpg"}, "annotations": [{"id": 1, "result": regions}]}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ls.json").write_text(json.dumps([task]))
    result = run_bounded("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q", "--strict")
    assert result.returncode == 1, result.stderr  # every region covers no pixel centre: warnings
    lines = result.stderr.splitlines()
    assert len(lines) > 3000 and all(len(line) < 400 for line in lines), max(map(len, lines))


# -- B13: labels with control or line-separator characters ----------------------------------
@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x1b", "\x0b"])
def test_b13_a_label_with_a_line_separator_or_control_character_is_refused(tmp_path, char):
    write_labelme(tmp_path / "in" / "bad.json", [f"road{char}x"])
    write_labelme(tmp_path / "in" / "good.json", ["road"])
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.json" in errors[0] and "shape 1" in errors[0], result.stderr
    assert (tmp_path / "out" / "good.png").exists() and not (tmp_path / "out" / "bad.png").exists()
    assert LabelMap.read(tmp_path / "out" / "labels.txt").names == ["_background_", "road"]


def test_b13_a_label_map_name_with_a_line_separator_is_refused(tmp_path):
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"labels": [{"id": 1, "name": "a\u2028b"}]}))
    with pytest.raises(Exception, match="line separator") as caught:
        LabelMap.read(path)
    assert type(caught.value).__name__ == "LabelMapError"
