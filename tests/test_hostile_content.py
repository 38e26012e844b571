"""Hostile content, issue 16: names, label maps, embedded bitmaps and arrays crafted to break a promise.

Each test carries the case's number (B01 ...) from the issue and docs/robustness.md.
Cases about time or memory run the command in a child process under an address-space
limit and an alarm (:func:`run_bounded`), so a regression fails the test instead of
taking the machine down.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.labels import LabelMap

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


def mask_pair(
    root: Path, gt: np.ndarray, pred: np.ndarray | None = None, name: str = "a"
) -> tuple[Path, Path]:
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


# -- B11: control characters and line breaks in names reach stderr escaped -------------------
def error_and_warning_lines_are_all_there_is(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert all(line.startswith(("error:", "warning:")) or " of " in line for line in lines), lines
    return lines


@pytest.mark.parametrize(
    "name",
    [
        "x\nerror: injected.json: everything is fine\n.json",
        "x\x1b[2J\x1b[31mred.json",
        "x\u2028y\x85z\r.json",
    ],
    ids=["newline", "escape", "separators"],
)
def test_b11_a_file_name_cannot_forge_a_line_or_reach_the_terminal_raw(tmp_path, name):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_text("{not json")
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    lines = error_and_warning_lines_are_all_there_is(result.stderr)
    assert len([line for line in lines if line.startswith("error:")]) == 1, lines
    assert not any(char in result.stderr for char in "\x1b\r\u2028\x85"), repr(result.stderr)
    assert "injected.json: everything is fine" not in "".join(
        line for line in lines if line.startswith("error: injected")
    )


def test_b11_a_label_with_an_escape_sequence_is_escaped_in_the_message(tmp_path):
    write_labelme(tmp_path / "in" / "bad.json", ["\x1b]8;;http://x\x1b\\click"])
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr, repr(result.stderr)


# -- B12: names are never Rich markup --------------------------------------------------------
MARKUP_LABELS = ["[/]", "[link=https://example.invalid]click[/link]", "[bold]b[/bold]"]


def test_b12_labels_that_look_like_markup_are_printed_as_they_are_in_every_table(tmp_path):
    write_labelme(tmp_path / "in" / "a.json", MARKUP_LABELS)
    masks = tmp_path / "masks"
    rasterized = invoke("rasterize", tmp_path / "in", "-o", masks)
    assert rasterized.exit_code == 0, rasterized.stderr
    scored = invoke("score", masks, masks)
    assert scored.exit_code == 0, scored.stderr
    counted = invoke("stats", masks)
    assert counted.exit_code == 0, counted.stderr
    for result in (rasterized, scored, counted):
        assert all(label in result.stdout for label in MARKUP_LABELS), result.stdout
        assert "\x1b" not in result.stdout


# -- B24: Markdown cells are HTML-escaped ----------------------------------------------------
def test_b24_markdown_escapes_html_in_label_names(tmp_path):
    write_labelme(tmp_path / "in" / "a.json", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
    masks = tmp_path / "masks"
    assert invoke("rasterize", tmp_path / "in", "-o", masks).exit_code == 0
    for result in (invoke("score", masks, masks, "-f", "markdown"), invoke("stats", masks, "-f", "markdown")):
        assert result.exit_code == 0, result.stderr
        assert "<script>" not in result.stdout and "<img" not in result.stdout, result.stdout
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout, result.stdout


# -- B29: --spacing that overflows -----------------------------------------------------------
@pytest.mark.parametrize("spacing", ["1e-300,1e300", "1e300", "1e-300"])
def test_b29_spacing_beyond_the_usable_range_is_a_usage_error(tmp_path, spacing):
    gt = np.zeros((10, 10), np.uint8)
    gt[2:6, 2:6] = 1
    pred, truth = mask_pair(tmp_path, gt)
    result = invoke("score", pred, truth, "--metrics", "hd95,biou", "--spacing", spacing)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "--spacing" in result.stderr and "Traceback" not in result.stderr


def test_b29_spacing_at_the_ends_of_the_range_scores(tmp_path):
    gt = np.zeros((10, 10), np.uint8)
    gt[2:6, 2:6] = 1
    pred, truth = mask_pair(tmp_path, gt)
    result = invoke("score", pred, truth, "--metrics", "hd95,biou", "--spacing", "1e-6,1e6", "-f", "csv")
    assert result.exit_code == 0, result.stderr


# -- B14, B15: label maps that break the parsers ---------------------------------------------
def label_map_cases() -> list[tuple[str, str, str]]:
    digits = "9" * 5000
    return [
        ("labels.json", '{"labels": [{"id": ' + digits + ', "name": "a"}]}', "invalid JSON"),
        ("labels.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("labels.csv", "id,name\n1," + "n" * 140_000 + "\n", "line 2"),
        ("labels.csv", 'id,name\n1,"' + "n" * 200_000, "line 2"),
        ("labels.txt", "road\n" + "n" * 140_000 + "\n", "longer than 1000 characters"),
    ]


@pytest.mark.parametrize(
    "name, text, fragment",
    label_map_cases(),
    ids=["digits", "nesting", "csv-field", "csv-open-quote", "txt-long"],
)
def test_b15_a_hostile_labels_option_is_one_line_naming_it(tmp_path, name, text, fragment):
    gt = np.zeros((10, 10), np.uint8)
    pred, truth = mask_pair(tmp_path, gt)
    labels = tmp_path / name
    labels.write_text(text)
    for result in (
        invoke("score", pred, truth, "--labels", labels),
        invoke("stats", truth, "--labels", labels),
    ):
        assert_clean_failure(result)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and name in lines[0] and fragment in lines[0], lines
        assert len(lines[0]) < 400


def test_b14_a_huge_label_in_the_gt_labels_csv_is_one_line_naming_it(tmp_path):
    gt = np.zeros((10, 10), np.uint8)
    pred, truth = mask_pair(tmp_path, gt)
    (truth / "labels.csv").write_text(f"id,name,color\n0,_background_,\n1,{'n' * 140_000},\n")
    for result in (invoke("score", pred, truth), invoke("stats", truth)):
        assert_clean_failure(result)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "labels.csv" in lines[0] and len(lines[0]) < 400, lines


# -- B04: many distinct values without a label map -------------------------------------------
def many_values(height: int = 150, width: int = 200, start: int = 0) -> np.ndarray:
    return (np.arange(height * width, dtype=np.uint32).reshape(height, width) % 60000 + start).astype(
        np.uint16
    )


def test_b04_thirty_thousand_values_without_a_label_map_fail_their_pair_in_bounded_memory(tmp_path):
    values = many_values()
    pred, truth = mask_pair(tmp_path, values, values[::-1].copy(), name="a")
    write_mask(truth / "b.png", np.zeros((10, 10), np.uint8))
    write_mask(pred / "b.png", np.zeros((10, 10), np.uint8))
    result = run_bounded("score", pred, truth, "-j", "1", "-f", "csv", memory_mib=1500)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "a.png" in errors[0] and "--labels" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == ["class_id", "0"]  # b scored


def test_b04_the_bound_holds_over_all_pairs_not_only_per_pair(tmp_path):
    first = np.arange(600, dtype=np.uint16).reshape(20, 30)
    pred, truth = mask_pair(tmp_path, first, name="a")
    mask_pair(tmp_path, first + 600, name="b")
    result = invoke("score", pred, truth, "-f", "csv")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "b.png" in errors[0] and "--labels" in errors[0], result.stderr


def test_b04_with_a_label_map_values_outside_it_are_counted_not_made_classes(tmp_path):
    truth_values = np.zeros((150, 200), np.uint8)
    truth_values[:, :100] = 1
    pred, truth = mask_pair(tmp_path, truth_values, name="a")
    write_mask(pred / "a.png", many_values())
    (truth / "labels.txt").write_text("_background_\nroad\n")
    result = run_bounded("score", pred, truth, "-j", "1", "-f", "csv", memory_mib=1500)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3, result.stdout  # header, 2 classes


# -- B05, B06: .npy headers that crash the reader ----------------------------------------------
def npy_with_header(header: str) -> bytes:
    """A version 1.0 .npy file that holds only ``header`` (padded as numpy pads it), no data."""
    body = header.encode("latin1")
    body += b" " * (64 - (10 + len(body) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body


ODD_NPY_SHAPES = {
    "bool-size": "(True, 6)",
    "beyond-int64": "(18446744073709551616, 0)",
    "unary-minus": "(" + "-" * 3000 + "1, 6)",
    "empty": "(0, 5)",
}


@pytest.mark.parametrize("shape", ODD_NPY_SHAPES.values(), ids=ODD_NPY_SHAPES.keys())
def test_b05_an_odd_npy_header_fails_its_file_alone_in_score_stats_and_overlay(tmp_path, shape):
    good = np.zeros((4, 5), np.uint8)
    good[1:3, 1:3] = 1
    pred, truth = mask_pair(tmp_path, good, name="good")
    np.save(truth / "bad.npy", good)
    (pred / "bad.npy").write_bytes(
        npy_with_header(f"{{'descr': '|u1', 'fortran_order': False, 'shape': {shape}, }}")
    )
    images = tmp_path / "images"
    images.mkdir()
    for name in ("good", "bad"):
        cv2.imwrite(str(images / f"{name}.png"), np.zeros((4, 5, 3), np.uint8))
    runs = {
        "score": invoke("score", pred, truth, "-f", "csv"),
        "stats": invoke("stats", pred, "-f", "csv"),
        "overlay": invoke("overlay", images, pred, "-o", tmp_path / "viz"),
    }
    for command, result in runs.items():
        assert_clean_failure(result)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "bad.npy" in errors[0], (command, result.stderr)
    assert (tmp_path / "viz" / "good.png").exists()
    assert runs["score"].stdout.startswith("class_id") and runs["stats"].stdout.startswith("class_id")


def test_b06_an_empty_npy_pair_with_error_maps_fails_alone(tmp_path):
    good = np.zeros((4, 5), np.uint8)
    pred, truth = mask_pair(tmp_path, good, name="good")
    np.save(truth / "empty.npy", np.zeros((0, 5), np.uint8))
    np.save(pred / "empty.npy", np.zeros((0, 5), np.uint8))
    result = invoke("score", pred, truth, "--error-maps", tmp_path / "maps", "-f", "csv")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "empty.npy" in errors[0] and "empty (5x0)" in errors[0], result.stderr
    assert (tmp_path / "maps" / "good.png").exists()


# -- B07: names longer than a file name can be ---------------------------------------------------
def test_b07_a_labelme_image_path_over_255_bytes_is_an_image_not_found_and_the_mask_is_drawn(tmp_path):
    path = tmp_path / "in" / "a.json"
    write_labelme(path, ["road"])
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "imagePath": "p" * 300 + ".jpg"}))
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out", "--viz", tmp_path / "viz")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "a.png").exists()


@pytest.mark.parametrize("file_name", ["p" * 300 + ".jpg", "d/" + "é" * 120 + ".jpg"], ids=["ascii", "utf8"])
def test_b07_a_coco_file_name_over_the_limit_is_one_line_naming_the_image(tmp_path, file_name):
    document = {
        "images": [{"id": 1, "file_name": file_name, "width": 30, "height": 20}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 10, 0, 10, 10]]}],
        "categories": [{"id": 1, "name": "road"}],
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "coco.json").write_text(json.dumps(document))
    write_labelme(tmp_path / "in" / "good.json", ["road"])
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "image id 1" in errors[0] and "longer than 236 bytes" in errors[0], errors
    assert "internal error" not in result.stderr and len(errors[0]) < 400
    assert (tmp_path / "out" / "good.png").exists()


# -- B02: embedded bitmaps decoded over their boxes, one at a time ---------------------------------
def test_b02_one_pixel_rles_on_a_huge_image_are_decoded_over_their_boxes(tmp_path):
    side = 16384  # the image alone is 256 MiB; the old reader kept each RLE at full size
    annotations = [
        {
            "id": k,
            "image_id": 1,
            "category_id": 1,
            "iscrowd": 0,
            "segmentation": {"size": [side, side], "counts": [k * 1000, 1, side * side - k * 1000 - 1]},
        }
        for k in range(1, 6)
    ]
    document = {
        "images": [{"id": 1, "file_name": "big.jpg", "width": side, "height": side}],
        "annotations": annotations,
        "categories": [{"id": 1, "name": "dot"}],
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "coco.json").write_text(json.dumps(document))
    result = run_bounded(
        "rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q", memory_mib=1400
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "     5 " in result.stdout.replace("\n", " "), result.stdout  # five pixels of 'dot'


def cvat_with_masks(path: Path, *, side: int, masks: int) -> None:
    body = "".join(
        f'<mask label="m" rle="0, {side * side}" left="0" top="0" width="{side}" height="{side}"/>'
        for _ in range(masks)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<?xml version="1.0"?><annotations><version>1.1</version>'
        f'<image id="0" name="c.jpg" width="{side}" height="{side}">{body}</image></annotations>'
    )


@pytest.mark.slow
def test_b02_many_cvat_masks_are_not_all_held_decoded(tmp_path):
    cvat_with_masks(tmp_path / "in" / "c.xml", side=4000, masks=60)  # 60 x 16 MB decoded at once before
    result = run_bounded(
        "rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q", memory_mib=1000
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "c.png").exists()


def test_b02_bitmaps_covering_the_image_more_than_64_times_fail_their_file(tmp_path):
    cvat_with_masks(tmp_path / "in" / "c.xml", side=100, masks=65)
    write_labelme(tmp_path / "in" / "good.json", ["road"])
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "c.xml" in errors[0] and "more than 64 times" in errors[0], result.stderr
    assert (tmp_path / "out" / "good.png").exists() and not (tmp_path / "out" / "c.png").exists()


# -- B03: Label Studio brushes at one byte per pixel, the limit checked first ------------------------
def brush_of_runs(runs: list[tuple[int, int]]) -> list[int]:
    """A Label Studio brush RLE of value runs (value, length), as repeat records of at most 2**16."""
    total = sum(length for _, length in runs)
    bits = [f"{total:032b}", f"{8 - 1:05b}", *(f"{width - 1:04b}" for width in (3, 6, 10, 16))]
    for value, length in runs:
        while length:
            chunk = min(length, 1 << 16)
            bits.append(f"111{chunk - 1:016b}{value:08b}")
            length -= chunk
    text = "".join(bits)
    text += "0" * (-len(text) % 8)
    return [int(text[i : i + 8], 2) for i in range(0, len(text), 8)]


def labelstudio_brush_task(path: Path, rle: list[int], side: int) -> None:
    region = {
        "id": "b1",
        "type": "brushlabels",
        "original_width": side,
        "original_height": side,
        "value": {"format": "rle", "rle": rle, "brushlabels": ["paint"]},
    }
    task = {"id": 1, "data": {"image": "c.jpg"}, "annotations": [{"id": 1, "result": [region]}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([task]))


def test_b03_a_brush_on_a_large_layer_decodes_at_one_byte_a_pixel_at_most(tmp_path):
    side, first = 12_000, 60_000_000  # the old decoder expanded 4 uint32 values a pixel: 2.3 GB
    rle = brush_of_runs([(0, 4 * first), (255, 40), (0, 4 * (side * side - first - 10))])
    labelstudio_brush_task(tmp_path / "in" / "ls.json", rle, side)
    result = run_bounded(
        "rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q", memory_mib=1400
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "    10 " in result.stdout, result.stdout  # the ten painted pixels


def test_b03_the_pixel_limit_is_checked_before_the_brush_is_decoded(tmp_path):
    rle = brush_of_runs([(0, 4 * 300 * 300)])
    labelstudio_brush_task(tmp_path / "in" / "ls.json", rle, 300)
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out", "--max-pixels", "10000")
    assert_clean_failure(result)
    assert "the brush layer is 300x300" in result.stderr or "300x300 (90000 pixels)" in result.stderr, (
        result.stderr
    )


# -- B27: no unattributed lines from libraries on stderr ---------------------------------------------
def png_of(width: int, height: int, rows: bytes) -> bytes:
    """A grayscale PNG of the given size whose IDAT holds ``rows`` (filter bytes included)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_b27_a_png_with_too_little_image_data_gives_segtools_line_only(tmp_path):
    values = (np.arange(200 * 300) % 7).astype(np.uint8).reshape(200, 300)
    pred, truth = mask_pair(tmp_path, values, name="a")
    cv2.imwrite(str(truth / "b.png"), values)
    half = b"".join(b"\x01" + values[row].tobytes() for row in range(100))  # Sub filter: not segtool's own
    (pred / "b.png").write_bytes(png_of(300, 200, half))
    result = run_bounded("score", pred, truth, "-f", "csv", "-j", "1")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert "libpng" not in result.stderr, lines
    assert lines[0].startswith("error: ") and "b.png" in lines[0] and len(lines) == 2, lines


def test_b27_pillows_decompression_bomb_warning_is_not_printed(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.png").write_bytes(png_of(10_000, 10_000, b""))  # the header alone is read
    write_labelme(tmp_path / "in" / "x.json", ["road"])
    document = json.loads((tmp_path / "in" / "x.json").read_text())
    (tmp_path / "in" / "x.json").write_text(json.dumps({**document, "imagePath": "x.png"}))
    result = run_bounded("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "DecompressionBomb" not in result.stderr and "warnings.warn" not in result.stderr, lines
    assert all(line.startswith("warning: ") and "x.json" in line for line in lines[:-1]), lines


# -- B23: no CSV cell that a spreadsheet runs as a formula -----------------------------------------
@pytest.mark.parametrize("label", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"])
def test_b23_a_label_that_a_spreadsheet_would_run_is_refused(tmp_path, label):
    write_labelme(tmp_path / "in" / "bad.json", [label])
    write_labelme(tmp_path / "in" / "good.json", ["road"])
    result = invoke("rasterize", tmp_path / "in", "-o", tmp_path / "out")
    assert_clean_failure(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.json" in errors[0] and "formula" in errors[0], result.stderr
    assert label not in (tmp_path / "out" / "labels.csv").read_text()


def test_b23_the_same_holds_for_a_label_map_and_numbers_stay_allowed(tmp_path):
    (tmp_path / "bad.csv").write_text("id,name\n1,=1+1\n")
    with pytest.raises(Exception, match="formula"):
        LabelMap.read(tmp_path / "bad.csv")
    (tmp_path / "good.csv").write_text("id,name\n1,-1\n2,+5\n")
    assert LabelMap.read(tmp_path / "good.csv").names == ["-1", "+5"]


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_b15_a_labels_option_that_is_no_regular_file_is_refused_before_reading(tmp_path, target):
    gt = np.zeros((10, 10), np.uint8)
    pred, truth = mask_pair(tmp_path, gt)
    labels = tmp_path / "labels.txt"
    if target == "fifo":
        os.mkfifo(labels)  # nobody writes it: reading would block forever
    else:
        labels.symlink_to(target)
    result = run_bounded("score", pred, truth, "--labels", labels, memory_mib=1000, seconds=20)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "labels.txt" in lines[0] and "not a regular file" in lines[0], lines


@pytest.mark.slow
def test_b02_many_labelme_mask_shapes_are_not_all_held_decoded(tmp_path):
    side = 4000
    _, png = cv2.imencode(".png", np.zeros((side, side), np.uint8))
    encoded = base64.b64encode(png.tobytes()).decode()
    shape = {"label": "m", "points": [[0, 0], [side - 1, side - 1]], "shape_type": "mask", "mask": encoded}
    document = {"shapes": [shape] * 60, "imageHeight": side, "imageWidth": side, "imagePath": "x.jpg"}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "m.json").write_text(json.dumps(document))
    result = run_bounded(
        "rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-q", memory_mib=1000
    )
    assert result.returncode == 0, result.stderr[-2000:]
