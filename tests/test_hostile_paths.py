"""Hostile input, second round (issue 16): where segtool reads and writes.

Each test is one case of docs/robustness.md ("Where segtool reads and writes"):
outputs never leave OUT through a symbolic link (B18), never land on an input
(B19), and so on. Every test checks the bad case fails with one line naming the
input, and that nothing outside OUT or of the inputs changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask


def cli(*args: object, stdin: str | None = None):
    return CliRunner().invoke(app, [str(arg) for arg in args], input=stdin, terminal_width=200)


def coco(path: Path, *file_names: str, width: int = 30, height: int = 20) -> Path:
    """A COCO file with one 10x10 'road' square per image."""
    document = {
        "images": [
            {"id": i + 1, "file_name": name, "width": width, "height": height}
            for i, name in enumerate(file_names)
        ],
        "annotations": [
            {
                "id": i + 1,
                "image_id": i + 1,
                "category_id": 1,
                "segmentation": [[0, 0, 10, 0, 10, 10, 0, 10]],
                "area": 100,
                "bbox": [0, 0, 10, 10],
                "iscrowd": 0,
            }
            for i in range(len(file_names))
        ],
        "categories": [{"id": 1, "name": "road"}],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def photo(path: Path, width: int = 30, height: int = 20) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (90, 120, 150)).save(path)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (not following links) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# -- B18: a symbolic link to a folder inside OUT is never followed ---------------------------
@pytest.mark.parametrize("layout", ["index", "binary"])
def test_b18_a_linked_folder_inside_out_is_not_written_through(tmp_path, layout):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "victim.png").write_bytes(b"precious")
    out = tmp_path / "out"
    link = out / "road" / "sub" if layout == "binary" else out / "sub"
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    source = coco(tmp_path / "in" / "c.json", "sub/victim.jpg", "good.jpg")
    result = cli("rasterize", source, "-o", out, "--layout", layout, "--jobs", "1")
    assert result.exit_code == 1
    assert snapshot(elsewhere) == {"victim.png": b"precious"}
    (line,) = [line for line in result.stderr.splitlines() if "symbolic link" in line]
    assert line.startswith(f"error: {source}: ") and "sub" in line
    good = out / "road" / "good.png" if layout == "binary" else out / "good.png"
    assert good.is_file()  # the other image is still written
    assert "Traceback" not in result.stderr


def test_b18_a_linked_folder_inside_the_overlay_folder_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    photo(tmp_path / "in" / "sub" / "a.png")
    source = coco(tmp_path / "in" / "c.json", "sub/a.png")
    (tmp_path / "viz").mkdir()
    (tmp_path / "viz" / "sub").symlink_to(elsewhere, target_is_directory=True)
    result = cli("rasterize", source, "-o", tmp_path / "out", "--viz", tmp_path / "viz", "--jobs", "1")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_b18_a_linked_folder_inside_the_error_map_folder_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "sub" / "a.png", np.ones((2, 2), np.uint8))
        write_mask(tmp_path / side / "b.png", np.ones((2, 2), np.uint8))
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "sub").symlink_to(elsewhere, target_is_directory=True)
    result = cli(
        "score", tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps", "-f", "csv", "-j", "1"
    )
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "maps" / "b.png").is_file()


def test_b18_a_linked_folder_inside_the_overlay_command_folder_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    photo(tmp_path / "img" / "sub" / "a.png", 2, 2)
    write_mask(tmp_path / "masks" / "sub" / "a.png", np.ones((2, 2), np.uint8))
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "sub").symlink_to(elsewhere, target_is_directory=True)
    result = cli("overlay", tmp_path / "img", tmp_path / "masks", "-o", tmp_path / "o", "-q")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


# -- B19: no output lands on an input ----------------------------------------------------------
def test_b19_error_maps_in_a_folder_that_holds_the_ground_truth_are_refused(tmp_path):
    for side in ("e/gt", "pred"):
        write_mask(tmp_path / side / "x.png", np.ones((2, 2), np.uint8))
    before = snapshot(tmp_path)
    result = cli("score", tmp_path / "pred", tmp_path / "e" / "gt", "--error-maps", tmp_path / "e")
    assert result.exit_code == 1
    assert "error-map folder must not be the mask folder" in result.stderr and "hold it" in result.stderr
    assert snapshot(tmp_path) == before


def test_b19_error_maps_through_a_link_to_the_ground_truth_are_refused(tmp_path):
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "x.png", np.ones((2, 2), np.uint8))
    (tmp_path / "maps").symlink_to(tmp_path / "gt", target_is_directory=True)
    before = snapshot(tmp_path / "gt")
    result = cli("score", tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps")
    assert result.exit_code == 1 and "must not be the mask folder" in result.stderr
    assert snapshot(tmp_path / "gt") == before


def test_b19_an_overlay_folder_that_holds_the_mask_folder_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    source = coco(tmp_path / "in" / "c.json", "a.png")
    result = cli("rasterize", source, "-o", tmp_path / "v" / "masks", "--viz", tmp_path / "v", "-j", "1")
    assert result.exit_code == 1 and "overlay folder must not be the mask folder" in result.stderr
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").rglob("*.png"))


def test_b19_an_overlay_folder_that_holds_the_photos_is_refused(tmp_path):
    photo(tmp_path / "ds" / "images" / "a.png")
    source = coco(tmp_path / "ann" / "c.json", "images/a.png")
    before = snapshot(tmp_path / "ds")
    result = cli(
        "rasterize",
        source,
        "-o",
        tmp_path / "m",
        "--viz",
        tmp_path / "ds",
        "--images",
        tmp_path / "ds" / "images",
    )
    assert result.exit_code == 1 and "overlay folder must not be the input folder" in result.stderr
    assert snapshot(tmp_path / "ds") == before


def test_b19_a_photo_where_a_mask_goes_is_not_overwritten_unless_asked(tmp_path):
    original = photo(tmp_path / "ds" / "images" / "0001.png").read_bytes()
    (tmp_path / "ds" / "images" / "0002.png").write_bytes(b"\xff\xd8\xff a JPEG saved as .png")
    source = coco(tmp_path / "ds" / "c.json", "images/0001.png", "images/0002.png", "images/0003.png")
    result = cli("rasterize", source, "-o", tmp_path / "ds", "-j", "1")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "--overwrite" in line]
    assert len(lines) == 2 and all(line.startswith(f"error: {source}: ") for line in lines)
    assert "0001.png" in lines[0] and "0002.png" in lines[1]
    assert (tmp_path / "ds" / "images" / "0001.png").read_bytes() == original
    assert (tmp_path / "ds" / "images" / "0002.png").read_bytes().startswith(b"\xff\xd8")
    assert (tmp_path / "ds" / "images" / "0003.png").is_file()  # no file there: written
    again = cli("rasterize", source, "-o", tmp_path / "ds", "-j", "1", "--overwrite")
    assert again.exit_code == 0, again.stderr
    assert np.asarray(Image.open(tmp_path / "ds" / "images" / "0001.png")).max() == 1


def test_b19_a_mask_segtool_wrote_is_overwritten_on_a_rerun(tmp_path):
    source = coco(tmp_path / "c.json", "a.png")
    assert cli("rasterize", source, "-o", tmp_path / "out", "-j", "1").exit_code == 0
    write_mask(tmp_path / "out" / "a.png", np.zeros((20, 30), np.uint16) + 300)  # 16-bit gray: a mask
    assert cli("rasterize", source, "-o", tmp_path / "out", "-j", "1").exit_code == 0
    assert np.asarray(Image.open(tmp_path / "out" / "a.png")).max() == 1
