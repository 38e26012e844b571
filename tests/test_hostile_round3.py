"""Hostile input, third round (issue 16): variants of the B20/B22/B25 fixes.

Each test is one case of docs/robustness.md ("Where segtool reads and writes"):
a name that would write a mask no later command reads, a clash whose message names
no input file, and so on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import segtool
from segtool.io import atomic
from segtool.labels import LabelMap
from segtool.pipelines.label_plan import read_folder_map
from segtool.pipelines.parallel import map_in_order
from test_hostile_paths import cli, coco, labelme_file, photo


# -- names whose masks later commands would skip ---------------------------------------------
def test_an_image_name_starting_with_a_dot_writes_a_mask_score_and_stats_read(tmp_path):
    """``.b.jpg`` wrote the hidden ``OUT/.b.png``, which score and stats skip (they skip hidden
    files and folders): rasterize said 3 masks, stats counted 1 image, exit 0."""
    source = coco(tmp_path / "in" / "c.json", ".hidden/a.jpg", ".b.jpg", "c.jpg")
    out = tmp_path / "out"
    result = cli("rasterize", source, "-o", out, "-j", "1", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    masks = sorted(str(p.relative_to(out)) for p in out.rglob("*.png"))
    assert masks == ["_.b.png", "_.hidden/a.png", "c.png"]
    stats = cli("stats", out, "-f", "json", "-q")
    assert stats.exit_code == 0, stats.stderr
    assert json.loads(stats.stdout)["summary"]["masks"] == 3


# -- clashes named by their input files ----------------------------------------------------
def labelme_of(path: Path, *labels: str) -> Path:
    """A LabelMe file with one square per label, in this order."""
    document = json.loads(labelme_file(path).read_text())
    document["shapes"] = [{**document["shapes"][0], "label": label} for label in labels]
    path.write_text(json.dumps(document))
    return path


def test_two_labels_sharing_a_binary_layout_folder_are_named_with_their_files(tmp_path):
    """``_labels.txt`` (a.json) and ``labels.txt`` (b.json) would share ``OUT/_labels.txt/``: the
    error named neither file (``error: labels '_labels.txt' and 'labels.txt' would share ...``)."""
    first = labelme_of(tmp_path / "in" / "a.json", "road", "_labels.txt")
    second = labelme_of(tmp_path / "in" / "b.json", "labels.txt")
    out = tmp_path / "out"
    result = cli("rasterize", tmp_path / "in", "-o", out, "--layout", "binary", "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {second}: shape 1 (polygon 'labels.txt'): ")
    assert f"({first}: shape 2 (polygon '_labels.txt'))" in line and "_labels.txt" in line
    assert not out.exists() or not any(out.iterdir())  # nothing written


# -- Ctrl-C with worker processes ----------------------------------------------------------
def ctrl_c_disposition(_item: int) -> bool:
    """In a worker process: True when Ctrl-C (SIGINT) is ignored there."""
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_worker_processes_leave_ctrl_c_to_the_main_process():
    """A terminal's Ctrl-C reaches every process of the group. A worker that took it died mid-file
    (a temporary file left in OUT), or while idle with a ``Process ForkProcess-3: Traceback``
    on stderr, and its dead pool killed the others (exit -13, no ``interrupted:`` line)."""
    assert list(map_in_order(ctrl_c_disposition, range(4), jobs=2, batch_size=1)) == [True] * 4


def touch_slowly(job: tuple[str, int]) -> int:
    folder, item = job
    (Path(folder) / str(item)).touch()
    time.sleep(0.05)
    return item


def test_worker_processes_stop_their_batch_when_the_run_stops(tmp_path):
    """Ctrl-C (here an alarm raising KeyboardInterrupt in the main process) while two workers each
    run a batch of 20 items of 50 ms: each finishes the item at hand, not its whole batch (it went
    on for up to 64 files before its pool could close)."""

    def ctrl_c(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, ctrl_c)
    signal.setitimer(signal.ITIMER_REAL, 0.4)
    try:
        with pytest.raises(KeyboardInterrupt):
            list(map_in_order(touch_slowly, [(str(tmp_path), i) for i in range(40)], jobs=2, batch_size=20))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(list(tmp_path.iterdir())) < 30


# -- counts --------------------------------------------------------------------------------
def test_the_binary_layout_counts_the_background_pixels(tmp_path):
    """A 30x20 image with a 10x10 'road' square and a 'car' square over half of it: 525 background
    pixels, as the index layout says; the binary layout said 0 (its table: background 0, share 0)."""
    square = {"shape_type": "polygon", "points": [[0, 0], [10, 0], [10, 10], [0, 10]]}
    document = json.loads(labelme_file(tmp_path / "in" / "a.json").read_text())
    document["shapes"] = [
        {**square, "label": "road"},
        {**square, "label": "car", "points": [[5, 0], [15, 0], [15, 10], [5, 10]]},
    ]
    (tmp_path / "in" / "a.json").write_text(json.dumps(document))
    counts = {}
    for layout in ("index", "binary"):
        out = tmp_path / layout
        result = cli(
            "rasterize", tmp_path / "in", "-o", out, "--layout", layout, "-j", "1", "-f", "json", "-q"
        )
        assert result.exit_code == 0, result.stderr
        counts[layout] = {row["class_name"]: row["pixels"] for row in json.loads(result.stdout)["rows"]}
    assert counts["index"] == {"_background_": 450, "road": 50, "car": 100}  # car painted over road
    assert counts["binary"] == {"_background_": 450, "road": 100, "car": 100}  # each label whole


# -- Ctrl-C between the two files of the label map ------------------------------------------
class CtrlCAfterFirstRename:
    """Stands in for :mod:`segtool.io.atomic`'s ``os``: Ctrl-C (a real SIGINT to this process)
    arrives just after the first rename, as a key pressed at that moment would."""

    def __init__(self) -> None:
        self.renames = 0

    def __getattr__(self, name: str):
        return getattr(os, name)

    def replace(self, source, target) -> None:
        os.replace(source, target)
        self.renames += 1
        if self.renames == 1:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_between_the_two_renames_of_the_label_map_leaves_a_pair(tmp_path, monkeypatch):
    """labels.txt and labels.csv are renamed one after the other: Ctrl-C between the two left a new
    labels.txt beside the old labels.csv, and every later run refused the folder ('labels.txt and
    labels.csv in the output folder disagree')."""
    LabelMap.from_names(["road"]).write(tmp_path)
    monkeypatch.setattr(atomic, "os", CtrlCAfterFirstRename())
    with pytest.raises(KeyboardInterrupt):
        LabelMap.from_names(["road", "car"]).write(tmp_path)
    monkeypatch.undo()
    new = LabelMap.from_names(["road", "car"])
    assert read_folder_map(tmp_path).to_csv() == new.to_csv()  # both files new: Ctrl-C waited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv", "labels.txt"]


# -- Ctrl-C outside a command's own handling ------------------------------------------------
CTRL_C_WHILE_READING_THE_LABEL_MAP = """
import sys
import segtool.labels

def interrupted(*args, **kwargs):
    raise KeyboardInterrupt

segtool.labels.LabelMap.read = interrupted
sys.argv = ["segtool", *sys.argv[1:]]
from segtool.cli import main
main()
"""


def test_ctrl_c_before_a_command_runs_says_so(tmp_path):
    """Ctrl-C while rasterize reads its --labels (or while Typer builds the command, or prints at the
    end) is caught by Typer, which exits 130 silently: no ``interrupted:`` line."""
    labelme_file(tmp_path / "in" / "a.json")
    (tmp_path / "map.csv").write_text("id,name,color\n0,_background_,\n1,road,\n")
    process = subprocess.run(
        [sys.executable, "-c", CTRL_C_WHILE_READING_THE_LABEL_MAP, "rasterize", tmp_path / "in"]
        + ["-o", tmp_path / "out", "--labels", tmp_path / "map.csv"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(segtool.__file__).parents[1])},
        timeout=60,
    )
    assert process.returncode == 130 and process.stdout == ""
    (line,) = process.stderr.splitlines()
    assert line.startswith("interrupted: ")
    assert not (tmp_path / "out").exists()


# -- --skip-existing counts masks, not whatever has their name ------------------------------
def test_skip_existing_does_not_take_a_folder_for_a_mask(tmp_path):
    """A folder (or a FIFO, or a link) where a mask or an overlay goes is no output of an earlier run:
    --skip-existing said '0 masks written (3 already there)', exit 0, with OUT/a.png a folder."""
    for name in "abc":
        photo(tmp_path / "in" / f"{name}.png")
    source = coco(tmp_path / "in" / "c.json", "a.png", "b.png", "c.png")
    out, viz = tmp_path / "out", tmp_path / "viz"
    assert cli("rasterize", source, "-o", out, "--viz", viz, "-j", "1", "-q").exit_code == 0
    for folder in (out, viz):
        (folder / "a.png").unlink()
        (folder / "a.png" / "x").mkdir(parents=True)
    (out / "b.png").unlink()
    (out / "b.png").symlink_to(tmp_path / "in" / "b.png")  # a photo, through a link
    result = cli("rasterize", source, "-o", out, "--viz", viz, "--skip-existing", "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"error: {source}: cannot write {out / 'a.png'}: ") for line in lines), lines
    assert lines[-1].startswith("1 image failed") and "(1 already there)" not in lines[-1], lines
    assert (out / "b.png").is_file() and not (out / "b.png").is_symlink()  # the link replaced by a mask


def test_three_levels_of_masks_and_folders_fail_every_image_before_any_is_written(tmp_path):
    """``a``, ``a.png/b`` and ``a.png/b.png/c``: each of the first two would be a mask and a folder."""
    source = coco(tmp_path / "in" / "x.json", "a.jpg", "a.png/b.jpg", "a.png/b.png/c.jpg")
    out = tmp_path / "out"
    result = cli("rasterize", source, "-o", out, "-j", "1", "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {source}: a.png would be both a mask and the folder of a.png/b.png and 1 more mask; "
        "rename one of the images",
        f"error: {source}: a.png/b.png would be both a mask and the folder of a.png/b.png/c.png; "
        "rename one of the images",
        f"1 of 1 files failed; nothing written to {out}",
    ]
    assert not list(out.rglob("*"))


def test_exclude_is_mentioned_when_the_files_left_are_no_annotations(tmp_path):
    """``--exclude sub`` left only notes.json, no annotation document: the error said '1 file skipped:
    not annotation files' and nothing of the file it excluded."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.json").write_text('{"x": 1}')
    coco(tmp_path / "in" / "sub" / "c.json", "a.jpg")
    result = cli("rasterize", tmp_path / "in", "-o", tmp_path / "out", "--exclude", "sub", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: no annotation files in the inputs (1 file skipped: not annotation files; "
        "1 file excluded by --exclude sub)"
    ]
