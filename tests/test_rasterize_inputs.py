"""Which files rasterize reads, and how it reports labels it cannot place (issue 12, items 4 and 5).

Unrelated JSON found by walking a folder is skipped with a note and counted; a file named on the
command line that is not an annotation file fails in one short line; ``--exclude GLOB`` leaves files
out. Labels missing from ``--labels`` are reported all at once, one line per label, with counts,
files and a close match.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segtool.cli import app


def run(*args: str):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], terminal_width=200)


def square(label: str, x0: float = 0, y0: float = 0, x1: float = 2, y1: float = 2) -> dict:
    return {"label": label, "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], "shape_type": "polygon"}


def labelme(path: Path, *shapes: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"shapes": list(shapes), "imageHeight": 10, "imageWidth": 10}))
    return path


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


# -- item 4: files that are not annotations ---------------------------------------------------
def test_unrelated_json_in_a_walked_folder_is_skipped_with_a_note_and_counted(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road"))
    (tmp_path / "in" / "train_config.json").write_text(json.dumps({"lr": 0.01, "epochs": 40}))
    (tmp_path / "in" / "eval" / "scores.json").parent.mkdir()
    (tmp_path / "in" / "eval" / "scores.json").write_text(json.dumps({"classes": [], "summary": {}}))
    (tmp_path / "in" / "voc.xml").write_text("<annotation><filename>a.jpg</filename></annotation>")
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "a.png").exists()
    notes = lines(result.stderr, "note:")
    assert len(notes) == 3 and all("not an annotation file" in note for note in notes)
    assert any("train_config.json" in note for note in notes)
    assert "error" not in result.stderr
    assert "3 files skipped (not annotation files)" in result.stderr
    assert not (out / "train_config.png").exists()


def test_notes_are_silent_with_quiet(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road"))
    (tmp_path / "in" / "config.json").write_text("{}")
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0 and result.stderr == ""


def test_a_file_named_explicitly_that_is_no_annotation_fails_in_one_short_line(tmp_path):
    config = tmp_path / "train_config.json"
    config.write_text(json.dumps({"lr": 0.01}))
    result = run(str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    [line] = lines(result.stderr, "error:")
    assert "train_config.json: not an annotation file" in line
    assert len(line) - len(str(config)) < 130  # a short line, not every format's keys
    assert "expected" not in line and '"shapes"' not in line


def test_a_folder_of_nothing_but_unrelated_json_is_an_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "config.json").write_text("{}")
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no annotation files" in result.stderr and "1 file skipped" in result.stderr
    assert not (tmp_path / "out" / "labels.csv").exists()


def test_invalid_json_in_a_walked_folder_still_fails(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road"))
    (tmp_path / "in" / "b.json").write_text('{"shapes": [')
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "b.json: invalid JSON" in result.stderr


@pytest.mark.parametrize(
    "patterns, shown", [(["*"], "--exclude '*'"), (["runs", "a.json"], "--exclude runs --exclude a.json")]
)
def test_every_file_excluded_says_that_exclude_left_them_out(tmp_path, patterns, shown):
    labelme(tmp_path / "in" / "a.json", square("road"))
    labelme(tmp_path / "in" / "runs" / "b.json", square("car"))
    options = [word for pattern in patterns for word in ("--exclude", pattern)]
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), *options)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"error: no annotation files: 2 files excluded by {shown}\n"


def test_exclude_leaves_out_files_and_folders_by_glob(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road"))
    labelme(tmp_path / "in" / "runs" / "b.json", square("car"))
    labelme(tmp_path / "in" / "sub" / "c.backup.json", square("bus"))
    (tmp_path / "in" / "sub" / "config.json").write_text('{"a": 1}')
    out = tmp_path / "out"
    result = run(
        str(tmp_path / "in"),
        "-o",
        str(out),
        "--exclude",
        "runs",
        "--exclude",
        "*.backup.json",
        "--exclude",
        "sub/config.json",
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in out.rglob("*.png")) == ["a.png"]
    assert "note:" not in result.stderr  # excluded files are not read at all
    assert [label.split(",")[1] for label in (out / "labels.csv").read_text().splitlines()[1:]] == [
        "_background_",
        "road",
        "__ignore__",
    ]


# -- item 5: labels missing from --labels -------------------------------------------------------
def test_every_unknown_label_is_reported_at_once_with_counts_files_and_close_matches(tmp_path):
    given = tmp_path / "labels.txt"
    given.write_text("__ignore__\n_background_\nCar\nroad\nperson\n")
    labelme(tmp_path / "in" / "a.json", square("car"), square("truk", 3, 3, 5, 5), square("road", 6, 6, 8, 8))
    labelme(tmp_path / "in" / "b.json", square("car"), square("car", 4, 4, 6, 6))
    labelme(tmp_path / "in" / "c.json", square("road"))
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "-o", str(out), "--labels", str(given))
    assert result.exit_code == 1
    errors = lines(result.stderr, "error:")
    assert len(errors) == 2, result.stderr  # one line per label, not one per file and run
    car = next(line for line in errors if "'car'" in line)
    assert "3 shapes in 2 files" in car and "a.json" in car and "b.json" in car
    assert "did you mean 'Car'?" in car
    truk = next(line for line in errors if "'truk'" in line)
    assert "1 shape in 1 file" in truk and "a.json" in truk and "b.json" not in truk
    assert "2 of 3 files failed" in result.stderr
    assert (out / "c.png").exists() and not (out / "a.png").exists() and not (out / "b.png").exists()


def test_an_unknown_label_in_many_files_names_a_few_and_counts_the_rest(tmp_path):
    given = tmp_path / "labels.txt"
    given.write_text("__ignore__\n_background_\nroad\n")
    for index in range(7):
        labelme(tmp_path / "in" / f"f{index}.json", square("sky"))
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--labels", str(given))
    [line] = lines(result.stderr, "error:")
    assert "7 shapes in 7 files" in line and "f0.json" in line and "and 4 more" in line
    assert "did you mean" not in line


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("list.json", b"[1, 2, 3]"),
        ("string.json", b'"shapes"'),
        ("null.json", b"null"),
        ("config.json", b'{"data": "train/", "epochs": 3}'),
        ("svg.xml", b"<svg><rect/></svg>"),
    ],
)
def test_documents_of_no_format_are_skipped_in_folders_and_fail_when_named(tmp_path, name, data):
    labelme(tmp_path / "in" / "a.json", square("road"))
    (tmp_path / "in" / name).write_bytes(data)
    walked = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert walked.exit_code == 0, walked.stderr
    [note] = lines(walked.stderr, "note:")
    assert name in note and "not an annotation file" in note and note.endswith("skipped")
    named = run(str(tmp_path / "in" / name), str(tmp_path / "in" / "a.json"), "-o", str(tmp_path / "o2"))
    assert named.exit_code == 1
    [error] = lines(named.stderr, "error:")
    assert name in error and "not an annotation file" in error
    assert (tmp_path / "o2" / "a.png").exists()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"shapes": {"label": "road"}}', "not a valid labelme file"),
        (b'{"images": {}, "annotations": []}', "not a valid coco file"),
    ],
)
def test_a_broken_file_of_a_known_format_in_a_folder_still_fails(tmp_path, data, fragment):
    labelme(tmp_path / "in" / "a.json", square("road"))
    (tmp_path / "in" / "b.json").write_bytes(data)
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    [error] = lines(result.stderr, "error:")
    assert "b.json" in error and fragment in error
