"""Hostile input, second round (issue 16): where segtool reads and writes.

Each test is one case of docs/robustness.md ("Where segtool reads and writes"):
outputs never leave OUT through a symbolic link (B18), never land on an input
(B19), and so on. Every test checks the bad case fails with one line naming the
input, and that nothing outside OUT or of the inputs changed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io import atomic
from segtool.io.maskio import write_mask


def cli(*args: object, stdin: str | None = None):
    return CliRunner().invoke(app, [str(arg) for arg in args], input=stdin, terminal_width=200)


class Overtime(BaseException):
    """Raised by :func:`bounded`'s alarm; not an ``Exception``, so no ``except`` in segtool swallows it."""


@contextlib.contextmanager
def bounded(*, memory_mib: int = 1024, seconds: int = 10) -> Iterator[None]:
    """This process may take ``memory_mib`` more address space and ``seconds`` of time, then fails.

    The soft limits are restored afterwards (the hard limit is left alone, so they can be).
    A command that would read a FIFO forever or /dev/zero until memory runs out fails
    the test in seconds instead of hanging it or taking the machine down.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + (memory_mib << 20), hard))

    def timeout(signum, frame):
        raise Overtime(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_bounded(*args: object):
    """``segtool ARGS`` in this process under :func:`bounded`, one worker where the command has jobs."""
    with bounded():
        return cli(*args)


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
    assert result.exit_code == 2
    assert "error-map folder must not be the mask folder" in result.stderr and "hold it" in result.stderr
    assert snapshot(tmp_path) == before


def test_b19_error_maps_through_a_link_to_the_ground_truth_are_refused(tmp_path):
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "x.png", np.ones((2, 2), np.uint8))
    (tmp_path / "maps").symlink_to(tmp_path / "gt", target_is_directory=True)
    before = snapshot(tmp_path / "gt")
    result = cli("score", tmp_path / "pred", tmp_path / "gt", "--error-maps", tmp_path / "maps")
    assert result.exit_code == 2 and "must not be the mask folder" in result.stderr
    assert snapshot(tmp_path / "gt") == before


def test_b19_an_overlay_folder_that_holds_the_mask_folder_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    source = coco(tmp_path / "in" / "c.json", "a.png")
    result = cli("rasterize", source, "-o", tmp_path / "v" / "masks", "--viz", tmp_path / "v", "-j", "1")
    assert result.exit_code == 2 and "overlay folder must not be the mask folder" in result.stderr
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
    assert result.exit_code == 2 and "overlay folder must not be the input folder" in result.stderr
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


# -- B08, B09, B10: only regular files are read, with a size bound checked first ----------------
def labelme_file(path: Path, label: str = "road") -> Path:
    document = {
        "shapes": [{"label": label, "points": [[0, 0], [10, 0], [10, 10]], "shape_type": "polygon"}],
        "imageHeight": 20,
        "imageWidth": 30,
        "imagePath": "x.jpg",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def not_regular(path: Path, kind: str) -> Path:
    """A FIFO, or a link to /dev/zero, at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


def assert_one_line_about(result, path: Path, words: str) -> None:
    """Exit 1 and exactly one stderr line that starts with ``error: PATH:`` and says ``words``."""
    assert result.exit_code == 1, (result.exit_code, result.stderr, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"error: {path}: ")]
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_b08_b09_an_annotation_file_that_is_not_a_regular_file_fails_alone_at_once(tmp_path, kind):
    labelme_file(tmp_path / "in" / "good.json")
    bad = not_regular(tmp_path / "in" / "x.json", kind)
    result = run_bounded("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-f", "csv")
    assert_one_line_about(result, bad, "not a regular file")
    assert (tmp_path / "out" / "good.png").is_file()


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_b08_b09_a_mask_that_is_not_a_regular_file_is_one_line_at_once(tmp_path, kind):
    pred = tmp_path / "pred" / "x.png"
    write_mask(pred, np.ones((2, 2), np.uint8))
    bad = not_regular(tmp_path / "gt" / "x.png", kind)
    assert_one_line_about(run_bounded("score", pred, bad, "-f", "csv"), bad, "not a regular file")
    assert_one_line_about(run_bounded("stats", bad, "-f", "csv"), bad, "not a regular file")


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_b08_b09_a_photo_that_is_not_a_regular_file_is_one_warning_at_once(tmp_path, kind):
    mask = tmp_path / "masks" / "x.png"
    write_mask(mask, np.ones((2, 2), np.uint8))
    bad = not_regular(tmp_path / "img" / "x.png", kind)
    result = run_bounded("overlay", bad, mask, "-o", tmp_path / "o")
    # a photo is never a failure: the overlay is drawn without it (docs/overlay.md)
    assert result.exit_code == 0 and (tmp_path / "o" / "x.png").exists()
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert line.startswith(f"warning: {mask}: drawn without a photo: {bad}:") and "not a regular file" in line


def supervisely_project(root: Path) -> Path:
    """``root/ds/ann/a.jpg.json``: one 'road' polygon on a 30x20 image."""
    document = {
        "size": {"height": 20, "width": 30},
        "objects": [
            {
                "classTitle": "road",
                "geometryType": "polygon",
                "points": {"exterior": [[0, 0], [10, 0], [10, 10]], "interior": []},
            }
        ],
        "tags": [],
    }
    path = root / "ds" / "ann" / "a.jpg.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "deep"])
def test_b10_a_bad_supervisely_meta_json_fails_alone_and_the_annotation_is_drawn(tmp_path, kind):
    supervisely_project(tmp_path / "p")
    if kind == "deep":
        bad = tmp_path / "p" / "meta.json"
        bad.write_text("[" * 100_000 + "]" * 100_000)
    else:
        bad = not_regular(tmp_path / "p" / "meta.json", kind)
    result = run_bounded("rasterize", tmp_path / "p", "-o", tmp_path / "out", "-j", "1", "-f", "csv")
    words = "nested too deeply" if kind == "deep" else "not a regular file"
    assert_one_line_about(result, bad, words)
    assert [path.name for path in (tmp_path / "out").rglob("*.png")] == ["a.png"]


def test_b08_an_annotation_file_above_the_size_bound_is_refused_before_reading(tmp_path, monkeypatch):
    import segtool.annotations.registry as registry

    monkeypatch.setattr(registry, "MAX_DOCUMENT_BYTES", 100)
    labelme_file(tmp_path / "in" / "good.json")
    big = tmp_path / "in" / "big.json"
    big.write_text(" " * 200 + "{}")
    result = cli("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-f", "csv")
    assert result.exit_code == 1
    assert f"error: {big}: file is 202 bytes, more than the limit of 100 bytes" in result.stderr


# -- B28: a label map found beside the masks must be a regular file of sane size ------------------
def test_b28_a_discovered_label_map_that_is_a_link_is_refused_without_quoting_it(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("API_TOKEN=hunter2-do-not-print\nPASSWORD=swordfish\n")
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.array([[0, 1]], np.uint8))
    (tmp_path / "gt" / "labels.txt").symlink_to(secret)
    result = cli("score", tmp_path / "pred", tmp_path / "gt", "-f", "csv")
    assert result.exit_code == 1
    assert "hunter2" not in result.stderr + result.stdout and "swordfish" not in result.stderr + result.stdout
    assert f"error: {tmp_path / 'gt' / 'labels.txt'}: " in result.stderr and "symbolic link" in result.stderr
    assert "--labels" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "huge"])
def test_b28_a_discovered_label_map_that_is_not_a_regular_file_or_huge_is_one_line(tmp_path, kind):
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.array([[0, 1]], np.uint8))
    labels = tmp_path / "gt" / "labels.txt"
    if kind == "huge":
        labels.write_bytes(b"x" * ((64 << 20) + 1))
        words = "more than the limit"
    else:
        if kind == "fifo":
            os.mkfifo(labels)
        else:
            labels.symlink_to("/dev/zero")
        words = "symbolic link" if kind == "dev_zero" else "not a regular file"
    result = run_bounded("score", tmp_path / "pred", tmp_path / "gt", "-f", "csv")
    assert_one_line_about(result, labels, words)


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_b28_a_given_label_map_that_is_not_a_regular_file_is_one_line(tmp_path, kind):
    labelme_file(tmp_path / "in" / "good.json")
    labels = not_regular(tmp_path / "labels.txt", kind)
    result = run_bounded("rasterize", tmp_path / "in", "-o", tmp_path / "out", "--labels", labels, "-j", "1")
    assert_one_line_about(result, labels, "not a regular file")


def test_b28_label_map_errors_quote_a_short_escaped_excerpt(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("id,name\n" + "x" * 5000 + "\x1b[31m,road\n")
    labelme_file(tmp_path / "in" / "good.json")
    result = cli("rasterize", tmp_path / "in", "-o", tmp_path / "out", "--labels", labels)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert len(line) < len(str(labels)) + 300 and "\x1b" not in line


# -- B21: the failure count is the number of files that failed ---------------------------------------
def test_b21_two_files_writing_one_mask_count_as_two_failed_files(tmp_path):
    for folder, name in (("a", "x"), ("b", "x"), ("c", "y")):
        labelme_file(tmp_path / folder / f"{name}.json")
    result = cli(
        "rasterize", tmp_path / "a", tmp_path / "b", tmp_path / "c", "-o", tmp_path / "out", "-j", "1"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "2 of 3 files failed"
    assert (tmp_path / "out" / "y.png").is_file() and not (tmp_path / "out" / "x.png").exists()


# -- B17: URLs of file systems segtool cannot open -----------------------------------------------
@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1:1/x", "zip://a.png::/nonexistent.zip", "tar://a::/x.tar", "reference://x"]
)
def test_b17_a_url_of_a_file_system_that_needs_options_is_one_line(tmp_path, url):
    pytest.importorskip("fsspec")
    write_mask(tmp_path / "gt" / "a.png", np.ones((2, 2), np.uint8))
    result = cli("score", url, tmp_path / "gt", "-f", "csv")
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "://" in line and "Traceback" not in result.stderr


# -- B16: score's named outputs onto a folder, a full disk, a path under a file -------------------
@pytest.mark.parametrize("option", ["-o", "--per-image", "--confusion"])
@pytest.mark.parametrize("place", ["folder", "under_a_file", "full_disk"])
def test_b16_a_named_output_that_cannot_be_written_is_one_line(tmp_path, option, place):
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.array([[0, 1]], np.uint8))
    (tmp_path / "file").write_text("kept")
    (tmp_path / "folder").mkdir()
    target = {
        "folder": tmp_path / "folder",
        "under_a_file": tmp_path / "file" / "x.csv",
        "full_disk": "/dev/full",
    }
    if place == "full_disk" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    result = cli("score", tmp_path / "pred", tmp_path / "gt", option, target[place], "-q")
    assert "Traceback" not in result.stderr and not isinstance(result.exception, OSError)
    if place == "folder":  # refused before the run, as a usage error
        assert result.exit_code == 2 and "folder" in result.stderr
    else:
        assert result.exit_code == 1, result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"error: {target[place]}: ")
    assert (tmp_path / "file").read_text() == "kept"


# -- B25: one image of a many-image file that is there but cannot be read -------------------------
def unreadable_image(path: Path, kind: str) -> Path:
    """At ``path``: a corrupt image, an image nobody may read, a FIFO, or a folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "corrupt":
        path.write_bytes(b"\x89PNG\r\n\x1a\n but not an image")
    elif kind == "denied":
        photo(path).chmod(0)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


def labelstudio_export(path: Path, *images: str) -> Path:
    """Tasks 1, 2, ... with one 'road' polygon each on ``images``; no region states the image size."""
    polygon = {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["road"]}
    tasks = [
        {
            "id": number,
            "data": {"image": f"/data/local-files/?d={image}"},
            "annotations": [
                {"id": 100 + number, "result": [{"id": "r", "type": "polygonlabels", "value": polygon}]}
            ],
        }
        for number, image in enumerate(images, start=1)
    ]
    path.write_text(json.dumps(tasks))
    return path


def via_project(path: Path, *images: str) -> Path:
    """A VIA 2 project with one 'road' polygon on each of ``images`` (VIA stores no image size)."""
    region = {
        "shape_attributes": {"name": "polygon", "all_points_x": [0, 10, 10], "all_points_y": [0, 0, 10]},
        "region_attributes": {"label": "road"},
    }
    entries = {f"{image}0": {"filename": image, "size": 0, "regions": [region]} for image in images}
    path.write_text(json.dumps(entries))
    return path


@pytest.mark.parametrize("kind", ["corrupt", "denied", "fifo", "folder"])
@pytest.mark.parametrize("writer", [labelstudio_export, via_project], ids=["labelstudio", "via"])
def test_b25_an_image_that_cannot_be_read_fails_alone_naming_the_file_the_task_and_the_image(
    tmp_path, kind, writer
):
    if kind == "denied" and os.geteuid() == 0:
        pytest.skip("root reads a file whatever its permissions")
    photo(tmp_path / "in" / "a.png")
    photo(tmp_path / "in" / "c.png")
    bad = unreadable_image(tmp_path / "in" / "b.png", kind)
    document = writer(tmp_path / "in" / "export.json", "a.png", "b.png", "c.png")
    with bounded():
        result = cli("rasterize", document, "-o", tmp_path / "out", "-j", "1", "-f", "csv")
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "Traceback" not in result.stderr and result.stdout.startswith("class_id,")
    (line, summary) = result.stderr.splitlines()
    assert line.startswith(f"error: {document}: ") and str(bad) in line
    where = "task 2 " if writer is labelstudio_export else "image 'b.png'"
    assert where in line, line
    assert summary == "1 image failed in files whose other images were written"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["a.png", "c.png"]


# -- B20: outputs that would clash with OUT's own files or with each other, refused in the survey ----
@pytest.mark.parametrize("reserved", ["labels.csv", "labels.txt"])
def test_b20_an_image_under_a_label_map_name_fails_alone_and_the_map_is_written(tmp_path, reserved):
    source = coco(tmp_path / "in" / "c.json", f"{reserved}/c.jpg", "good.jpg")
    out = tmp_path / "out"
    result = cli("rasterize", source, "-o", out, "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    line, summary = result.stderr.splitlines()
    assert line.startswith(f"error: {source}: image '{reserved}/c': ") and "label map" in line
    assert str(out) not in line.split(": ", 2)[1]  # the input is named first, not OUT
    assert summary == "1 image failed in files whose other images were written"
    assert (out / "labels.csv").is_file() and (out / "labels.txt").is_file()
    assert sorted(p.name for p in out.rglob("*.png")) == ["good.png"]


def test_b20_a_one_image_file_under_a_label_map_name_fails_as_a_file(tmp_path):
    labelme_file(tmp_path / "in" / "labels.csv" / "c.json")
    labelme_file(tmp_path / "in" / "good.json")
    result = cli("rasterize", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "-f", "csv")
    assert result.exit_code == 1
    line, summary = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'in' / 'labels.csv' / 'c.json'}: image 'labels.csv/c': ")
    assert summary == "1 of 2 files failed"
    assert (tmp_path / "out" / "labels.csv").is_file()
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.png")) == ["good.png"]


def test_b20_a_binary_layout_label_named_like_the_label_map_gets_a_folder_of_its_own(tmp_path):
    document = json.loads(labelme_file(tmp_path / "in" / "a.json").read_text())
    document["shapes"].append({**document["shapes"][0], "label": "labels.csv"})
    (tmp_path / "in" / "a.json").write_text(json.dumps(document))
    out = tmp_path / "out"
    result = cli("rasterize", tmp_path / "in", "-o", out, "--layout", "binary", "-j", "1", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert (out / "labels.csv").is_file() and (out / "road" / "a.png").is_file()
    assert np.asarray(Image.open(out / "_labels.csv" / "a.png")).max() == 255
    # score reads the label's folder by the same rule: the masks against themselves score 1
    scored = cli("score", out, out, "-f", "csv", "-q")
    assert scored.exit_code == 0, scored.stderr
    assert "1,labels.csv,55,0,0,1.0,1.0," in scored.stdout


@pytest.mark.parametrize("one_file", [False, True], ids=["two_files", "one_file"])
def test_b20_a_mask_and_a_folder_of_that_name_are_refused_before_either_is_written(tmp_path, one_file):
    if one_file:
        sources = [coco(tmp_path / "in" / "x.json", "a.jpg", "a.png/b.jpg")]
    else:
        sources = [coco(tmp_path / "in" / "x.json", "a.jpg"), coco(tmp_path / "in" / "y.json", "a.png/b.jpg")]
    coco(tmp_path / "in" / "z.json", "z.jpg")
    out = tmp_path / "out"
    result = cli("rasterize", tmp_path / "in", "-o", out, "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    line, summary = result.stderr.splitlines()
    assert line.startswith(f"error: {' and '.join(map(str, sources))}: ")
    assert "a.png" in line and "a.png/b.png" in line
    assert summary == f"{len(sources)} of {len(sources) + 1} files failed"
    assert not (out / "a.png").exists() and (out / "z.png").is_file()


def test_b20_overlays_that_cannot_be_written_do_not_count_their_masks_as_failed(tmp_path):
    names = ["a.png", "b.png", "c.png", "d.png"]
    for name in names:
        photo(tmp_path / "in" / name)
        (tmp_path / "viz" / name / "x").mkdir(parents=True)  # a folder where each picture goes
    source = coco(tmp_path / "in" / "c.json", *names)
    out = tmp_path / "out"
    result = cli("rasterize", source, "-o", out, "--viz", tmp_path / "viz", "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    *lines, summary = result.stderr.splitlines()
    assert len(lines) == 4
    for line, name in zip(lines, names, strict=True):
        assert line.startswith(f"error: {tmp_path / 'viz' / name}: ") and str(source) in line
    assert summary == f"4 masks written to {out}; the overlays of 4 images could not be written"
    assert sorted(p.name for p in out.glob("*.png")) == names


def test_b20_an_overlay_folder_that_cannot_be_made_stops_the_run_before_any_mask(tmp_path):
    photo(tmp_path / "in" / "a.png")
    source = coco(tmp_path / "in" / "c.json", "a.png")
    (tmp_path / "file").write_text("kept")
    viz = tmp_path / "file" / "viz"
    result = cli("rasterize", source, "-o", tmp_path / "out", "--viz", viz, "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {viz}: cannot create the overlay folder")
    assert not list((tmp_path / "out").rglob("*.png"))


# -- B22: a full disk where the label map cannot be written either -----------------------------
class FullDisk:
    """The disk under :mod:`segtool.io.atomic`'s writes, with ``room`` bytes free.

    Stands in for that module's ``os``: files are made as usual (a temporary file takes no
    room), but a write past the room left fails with ENOSPC, as on a full disk. Every file
    segtool writes (masks, label maps, reports) goes through that module.
    """

    def __init__(self, room: int) -> None:
        self.room = room

    def __getattr__(self, name: str):
        return getattr(os, name)

    def fdopen(self, fd: int, *args, **kwargs):
        return _OnDisk(os.fdopen(fd, *args, **kwargs), self)


class _OnDisk:
    """A file on a :class:`FullDisk`."""

    def __init__(self, handle, disk: FullDisk) -> None:
        self.handle, self.disk = handle, disk

    def write(self, data) -> int:
        if len(data) > self.disk.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.disk.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name: str):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()


def inputs_of_three_files(folder: Path) -> Path:
    """``a.json`` ('road'), ``b.json`` ('car') and a COCO file ``c.json`` of two images."""
    labelme_file(folder / "a.json", "road")
    labelme_file(folder / "b.json", "car")
    coco(folder / "c.json", "c1.jpg", "c2.jpg")
    return folder


@pytest.mark.parametrize("layout", ["index", "binary"])
def test_b22_a_full_disk_that_takes_no_label_map_lists_every_mask_not_written(tmp_path, monkeypatch, layout):
    inputs = inputs_of_three_files(tmp_path / "in")
    out = tmp_path / "out"
    monkeypatch.setattr(atomic, "os", FullDisk(room=0))
    result = cli("rasterize", inputs, "-o", out, "--layout", layout, "-j", "1", "-f", "csv", "-q")
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "Traceback" not in result.stderr and isinstance(result.exception, SystemExit)
    assert result.stdout.startswith("class_id,class_name,pixels,share\n")
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: {out}/labels.txt: cannot write the label map: No space left on device"
    masks = {
        "index": ["a.png", "b.png", "c1.png", "c2.png"],
        "binary": [
            f"{label}/{name}" for name in ("a.png", "b.png", "c1.png", "c2.png") for label in ("car", "road")
        ],
    }[layout]
    source = {"a": "a.json", "b": "b.json", "c": "c.json"}
    assert sorted(lines[1:-1]) == sorted(
        f"error: {inputs / source[Path(mask).name[0]]}: {out / mask} not written: "
        "no mask is drawn without its label map"
        for mask in masks
    )
    assert lines[-1] == f"3 of 3 files failed; nothing written to {out}"
    assert snapshot(out) == {}  # no mask, no map, no temporary file


def test_b22_a_label_map_that_fits_only_in_part_leaves_the_old_map_whole(tmp_path, monkeypatch):
    inputs = tmp_path / "in"
    labelme_file(inputs / "a.json", "road")
    out = tmp_path / "out"
    assert cli("rasterize", inputs, "-o", out, "-j", "1", "-q").exit_code == 0
    before = snapshot(out)
    labelme_file(inputs / "b.json", "car")  # a new label: both files of the map change
    room = len((out / "labels.txt").read_bytes()) + len("car\n")  # the new labels.txt fits, labels.csv not
    monkeypatch.setattr(atomic, "os", FullDisk(room=room))
    result = cli("rasterize", inputs, "-o", out, "-j", "1", "-f", "csv", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"error: {out}/labels.csv: cannot write the label map")
    assert snapshot(out) == before  # neither half of the new map, no temporary file


def label_map_bytes(tmp_path: Path, label: str) -> int:
    """The size of the label map a run of one ``label`` shape writes."""
    out = tmp_path / "sizing"
    assert cli("rasterize", labelme_file(tmp_path / "one.json", label), "-o", out, "-q").exit_code == 0
    return sum(len((out / name).read_bytes()) for name in ("labels.txt", "labels.csv"))


def test_b22_a_file_whose_every_mask_failed_counts_as_a_failed_file(tmp_path, monkeypatch):
    """Room for the label map, none for masks: files with nothing on disk failed, they are no
    "images failed in files whose other images were written"."""
    inputs = tmp_path / "in"
    for name in ("a", "b"):
        labelme_file(inputs / f"{name}.json", "road")
    out = tmp_path / "out"
    monkeypatch.setattr(atomic, "os", FullDisk(room=label_map_bytes(tmp_path, "road")))
    result = cli("rasterize", inputs, "-o", out, "-j", "1", "-f", "csv", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {inputs / name}.json: cannot write {out / name}.png: No space left on device"
        for name in "ab"
    ] + ["2 of 2 files failed"]
    assert sorted(snapshot(out)) == ["labels.csv", "labels.txt"]


def test_b25_an_export_whose_only_task_cannot_be_read_counts_as_a_failed_file(tmp_path):
    photo(tmp_path / "in" / "a.png")
    unreadable_image(tmp_path / "in" / "b.png", "corrupt")
    good = labelstudio_export(tmp_path / "in" / "good.json", "a.png")
    bad = labelstudio_export(tmp_path / "in" / "bad.json", "b.png")
    result = cli("rasterize", good, bad, "-o", tmp_path / "out", "-j", "1", "-f", "csv", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    (line, summary) = result.stderr.splitlines()
    assert line.startswith(f"error: {bad}: task 1 annotation 101: cannot read the image size: ")
    assert summary == "1 of 2 files failed"
    assert (tmp_path / "out" / "a.png").is_file()


@pytest.mark.parametrize(
    "command, what",
    [
        (["overlay", "img", "gt", "-o", "taken"], "the overlay folder"),
        (["score", "pred", "gt", "--error-maps", "taken"], "the error-map folder"),
        (["rasterize", "ann", "-o", "taken"], "the output folder"),
        (["rasterize", "ann", "-o", "masks", "--viz", "taken"], "the overlay folder"),
    ],
)
def test_an_output_folder_that_is_a_file_is_a_usage_error_before_any_work(
    tmp_path, monkeypatch, command, what
):
    """As score -o naming a folder is exit 2: one line naming the file, nothing read or written."""
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", np.ones((2, 2), np.uint8))
    Image.new("RGB", (2, 2)).save((tmp_path / "img").mkdir() or tmp_path / "img" / "a.png")
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "a.json").write_text(json.dumps({"shapes": [], "imageHeight": 2, "imageWidth": 2}))
    (tmp_path / "taken").write_text("kept")
    monkeypatch.chdir(tmp_path)
    result = cli(*command, "-j", "1")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: taken: a file, not a folder: it cannot be {what}\n"
    assert (tmp_path / "taken").read_text() == "kept" and not list(tmp_path.rglob("masks/*"))
