"""`segtool score` on inputs that look right and are not, and outputs that go where the user points.

Issue 12, items 8 to 14: each test here failed on the code before its fix. stdout and
stderr are checked separately (CliRunner, 80 columns).
"""

import json
import os
import stat
import threading

import numpy as np
import pytest
import typer.main
from PIL import Image

from segtool.cli import app
from segtool.io.maskio import write_mask
from test_cli_score import csv_rows, run


@pytest.fixture
def folders(tmp_path):
    """One image: cat Dice 0.8 (tp 2, fn 1); dog only predicted (Dice 0); bird in no mask."""
    write_mask(tmp_path / "gt" / "a.png", np.array([[0, 1, 1], [0, 1, 255]], np.uint8))
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1, 0], [2, 1, 1]], np.uint8))
    (tmp_path / "labels.csv").write_text("id,name\n0,background\n1,cat\n2,dog\n3,bird\n")
    return tmp_path


def base(folders, *args):
    return (folders / "pred", folders / "gt", "--labels", folders / "labels.csv", "-j", "1", *args)


# -- item 12: classes absent from every image are in no mean; --hide-absent ------------
def test_a_class_absent_from_every_image_is_not_in_the_mean(folders):
    result = run(*base(folders, "--format", "csv"))
    assert result.exit_code == 0, result.stderr
    rows = {row["class_name"]: row for row in csv_rows(result.stdout)}
    assert rows["bird"]["in_mean"] == "false"  # absent from every image: no score to average
    assert rows["cat"]["in_mean"] == "true" and rows["background"]["in_mean"] == "false"


def test_hide_absent_leaves_absent_classes_out_of_the_table_only(folders):
    table = run(*base(folders, "--hide-absent"))
    assert table.exit_code == 0, table.stderr
    assert " bird " not in table.stdout and " cat " in table.stdout
    assert "1 class absent from every image is not shown (--hide-absent): bird" in table.stdout
    markdown = run(*base(folders, "--hide-absent", "--format", "markdown"))
    assert "| bird |" not in markdown.stdout and "| cat |" in markdown.stdout
    csv_out = run(*base(folders, "--hide-absent", "--format", "csv"))
    assert "bird" in [row["class_name"] for row in csv_rows(csv_out.stdout)]


# -- item 14 / issue 17 item 4: CSV holds class rows only; the table ends with the mean row ----------
@pytest.mark.parametrize("extra", [(), ("--no-mean-row",)])
def test_csv_holds_one_row_per_class_and_no_mean_row(folders, extra):
    plain = run(*base(folders, "--format", "csv", *extra))
    assert plain.exit_code == 0, plain.stderr
    rows = csv_rows(plain.stdout)
    assert [row["class_name"] for row in rows] == ["background", "cat", "dog", "bird"]
    assert all(row["class_id"].isdigit() and row["tp"].isdigit() for row in rows)


def test_the_table_ends_with_the_mean_row_unless_no_mean_row(folders):
    def mean_rows(*extra):
        lines = run(*base(folders, *extra)).stdout.splitlines()
        return [index for index, line in enumerate(lines) if line.split()[:2] == ["-", "mean"]], lines

    [index], lines = mean_rows()
    assert lines[index - 1].strip().startswith("─") and lines[index + 1] == ""  # last, after a rule
    assert mean_rows("--no-mean-row")[0] == []


def test_help_documents_the_mean_row():
    options = {param.opts[0]: param.help for param in typer.main.get_command(app).commands["score"].params}
    assert "mean row" in options["--no-mean-row"] and "CSV never has it" in options["--no-mean-row"]
    assert "CSV holds one row per class and nothing else" in options["--format"]


# -- item 13: outputs go where the user points ------------------------------------------
def test_dash_means_stdout_for_the_scores(folders, monkeypatch):
    monkeypatch.chdir(folders)
    result = run(*base(folders, "--format", "csv", "-o", "-"))
    assert result.exit_code == 0, result.stderr
    assert csv_rows(result.stdout)[0]["class_name"] == "background"
    assert not (folders / "-").exists()


def test_per_image_dash_streams_rows_to_stdout(folders, monkeypatch):
    monkeypatch.chdir(folders)
    result = run(*base(folders, "--per-image", "-", "-o", "scores.csv", "--format", "csv"))
    assert result.exit_code == 0, result.stderr
    assert [row["class_name"] for row in csv_rows(result.stdout)] == ["background", "cat", "dog"]
    assert (folders / "scores.csv").read_text().startswith("class_id,") and not (folders / "-").exists()


def test_two_outputs_on_stdout_are_a_usage_error(folders):
    result = run(*base(folders, "--per-image", "-"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "--per-image" in result.stderr and "-o" in result.stderr


def test_a_fifo_is_written_in_place_not_replaced(folders):
    fifo = folders / "scores.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = run(*base(folders, "--format", "csv", "-o", fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith("class_id,")


def test_process_substitution_is_written_in_place(folders):
    """``-o >(wc -l)`` hands segtool ``/dev/fd/N``, one end of a pipe."""
    read_end, write_end = os.pipe()
    try:
        result = run(*base(folders, "--format", "csv", "--per-image", f"/dev/fd/{write_end}"))
    finally:
        os.close(write_end)
    with os.fdopen(read_end) as pipe:
        rows = csv_rows(pipe.read())
    assert result.exit_code == 0 and "Traceback" not in result.stderr, result.stderr
    assert [row["image"] for row in rows] == ["a", "a", "a"]


def test_a_name_of_stdout_writes_to_the_open_stdout(folders, capfd):
    """A link through /proc/self/fd/1 (as /dev/stdout is) writes where stdout was opened: the link stays."""
    link = folders / "stdout"
    link.symlink_to("/proc/self/fd/1")
    result = run(*base(folders, "--format", "csv", "-o", link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert capfd.readouterr().out.startswith("class_id,")


@pytest.mark.skipif(not os.path.islink("/dev/stdout"), reason="no /dev/stdout link on this system")
def test_dev_stdout_is_written_in_place(folders, capfd):
    result = run(*base(folders, "--format", "csv", "--per-image", "/dev/stdout", "-o", folders / "s.csv"))
    assert result.exit_code == 0, result.stderr
    assert os.path.islink("/dev/stdout")
    assert capfd.readouterr().out.startswith("image,class_id,")


def test_a_device_node_is_written_in_place_never_replaced(folders):
    node = folders / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here (not root)")
    result = run(*base(folders, "--per-image", node, "--confusion", node))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_symlink_is_written_through_to_its_target(folders):
    target = folders / "kept" / "scores.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    link, dangling = folders / "link.csv", folders / "dangling.csv"
    link.symlink_to(target)
    dangling.symlink_to(folders / "kept" / "new.csv")
    result = run(*base(folders, "--format", "csv", "-o", link, "--per-image", dangling))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and dangling.is_symlink()
    assert target.read_text().startswith("class_id,")
    assert (folders / "kept" / "new.csv").read_text().startswith("image,")
    assert sorted(path.name for path in target.parent.iterdir()) == ["new.csv", "scores.csv"]


@pytest.mark.parametrize(
    "option, where",
    [
        ("-o", "gt/a.png"),  # an input mask
        ("--per-image", "pred/a.png"),
        ("--confusion", "labels.csv"),  # the label map given
        ("-o", "link.csv"),  # a link to an input mask
        ("-o", "gt/labels.csv"),  # the next run would read it as GT's label map
        ("--report", "pred/b.png"),  # the next run would read it as a mask
    ],
)
def test_an_output_never_replaces_or_becomes_an_input(folders, option, where):
    (folders / "link.csv").symlink_to(folders / "gt" / "a.png")
    before = {path: path.read_bytes() for path in folders.rglob("*") if path.is_file()}
    result = run(*base(folders, option, folders / where))
    assert result.exit_code == 2 and result.stdout == ""
    assert where in result.stderr.replace("\n", "") and "input" in result.stderr
    assert {path: path.read_bytes() for path in folders.rglob("*") if path.is_file()} == before


@pytest.mark.parametrize("other", ["--per-image", "--confusion", "--report"])
def test_two_outputs_naming_one_file_are_a_usage_error(folders, other):
    # was exit 0 with the scores lost: the second output replaced the first
    result = run(*base(folders, "-o", folders / "same.csv", other, folders / "same.csv"))
    assert result.exit_code == 2 and result.stdout == "" and "both name" in result.stderr
    assert not (folders / "same.csv").exists()
    devices = run(*base(folders, "-o", os.devnull, "--per-image", os.devnull))
    assert devices.exit_code == 0, devices.stderr


def test_an_output_naming_a_folder_is_a_usage_error(folders):
    # was a traceback (IsADirectoryError) after every pair was scored
    result = run(*base(folders, "-o", folders / "gt", "-f", "csv"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "isafolder" in "".join(result.stderr.replace("│", " ").split())


def test_an_output_beside_the_masks_is_written(folders):
    result = run(*base(folders, "-o", folders / "gt" / "scores.csv", "-f", "csv"))
    assert result.exit_code == 0, result.stderr
    assert (folders / "gt" / "scores.csv").read_text().startswith("class_id,")


# -- item 8: 0/255 binary masks without --binary; the share of ignored pixels ---------
@pytest.fixture
def binary_255(tmp_path):
    """Binary masks saved as 0/255 (a 2x3 object in 4x6), predictions as 0/1 and as 0/255."""
    truth = np.zeros((4, 6), np.uint8)
    truth[1:3, 1:4] = 255
    write_mask(tmp_path / "gt" / "a.png", truth)
    write_mask(tmp_path / "pred01" / "a.png", (truth > 0).astype(np.uint8))
    write_mask(tmp_path / "pred255" / "a.png", truth)
    return tmp_path


@pytest.mark.parametrize("pred", ["pred01", "pred255"])
def test_0_255_masks_without_binary_are_refused_naming_binary(binary_255, pred):
    rows = binary_255 / "rows.csv"
    result = run(binary_255 / pred, binary_255 / "gt", "-j", "1", "--per-image", rows)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and str(binary_255 / "gt") in line
    assert "only 0 and the ignore value 255" in line and "--binary" in line
    assert not rows.exists()
    scored = run(binary_255 / pred, binary_255 / "gt", "-j", "1", "--binary", "--format", "json")
    assert scored.exit_code == 0, scored.stderr
    foreground = json.loads(scored.stdout)["rows"][1]
    assert (foreground["class_name"], foreground["tp"], foreground["dice"]) == ("foreground", 6, 1.0)


def test_ignored_ground_truth_values_that_hide_no_class_are_refused_with_a_label_map_too(binary_255):
    (binary_255 / "labels.csv").write_text("id,name\n0,background\n1,lesion\n")
    result = run(binary_255 / "pred01", binary_255 / "gt", "--labels", binary_255 / "labels.csv")
    assert result.exit_code == 1 and "--binary" in result.stderr


def test_the_share_of_ignored_pixels_is_in_the_notes_and_the_json(folders):
    table = run(*base(folders))
    assert table.exit_code == 0, table.stderr
    assert "Ignored ground-truth values: 255 (1 of 6 pixels, 16.7%)." in table.stdout
    document = json.loads(run(*base(folders, "--format", "json")).stdout)
    assert document["pixels"] == {"ground_truth": 6, "ignored": 1, "ignored_fraction": 1 / 6}
    none = run(folders / "pred", folders / "gt", "--ignore", "none", "--format", "markdown")
    assert "Ignored ground-truth values: none (0 of 6 pixels, 0.0%)." in none.stdout


# -- item 9: predictions as JPEG, misnamed, or none at all ---------------------------------
@pytest.fixture
def ground_truth(tmp_path):
    """Ground truth a, b, c (class 1 on the left column) and an empty PRED folder."""
    for name in "abc":
        write_mask(tmp_path / "gt" / f"{name}.png", np.array([[1, 0], [1, 0]], np.uint8))
    (tmp_path / "pred").mkdir()
    return tmp_path


def save_jpeg(path, array):
    Image.fromarray(array).save(path, quality=95)


@pytest.mark.parametrize("missing", ["error", "empty"])
def test_predictions_saved_as_jpeg_are_named_and_never_scored_as_empty(ground_truth, missing):
    for name in "abc":
        save_jpeg(ground_truth / "pred" / f"{name}.jpg", np.array([[1, 0], [1, 0]], np.uint8))
    result = run(ground_truth / "pred", ground_truth / "gt", "--missing", missing)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "no prediction matches a ground-truth mask" in line and "holds 3 .jpg files" in line
    assert "masks must be PNG or .npy" in line and "JPEG is lossy" in line
    assert "--missing" not in line


def test_an_empty_prediction_folder_says_so(ground_truth):
    result = run(ground_truth / "pred", ground_truth / "gt")
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.endswith("holds no files") and "--missing" not in line


def test_misnamed_predictions_are_named_beside_the_ground_truth_names(ground_truth):
    for name in "abc":
        write_mask(ground_truth / "pred" / f"{name}_pred.png", np.array([[1, 0], [1, 0]], np.uint8))
    result = run(ground_truth / "pred", ground_truth / "gt")
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "holds 3 masks (.png, .npy), none with the name of a ground-truth mask" in line
    assert "a_pred.png" in line and "ground truth: a, b, c" in line and "--missing" not in line


def test_when_some_predictions_match_the_mask_like_files_of_other_names_are_listed(ground_truth):
    write_mask(ground_truth / "pred" / "a.png", np.array([[1, 0], [1, 0]], np.uint8))
    save_jpeg(ground_truth / "pred" / "b.jpg", np.array([[1, 0], [1, 0]], np.uint8))
    write_mask(ground_truth / "pred" / "c_pred.png", np.array([[1, 0], [1, 0]], np.uint8))
    (ground_truth / "pred" / "notes.txt").write_text("not a mask")
    result = run(ground_truth / "pred", ground_truth / "gt", "--format", "csv")
    assert result.exit_code == 1 and csv_rows(result.stdout)[1]["tp"] == "2"  # a was scored
    unmatched = next(line for line in result.stderr.splitlines() if "not paired" in line)
    assert "b.jpg (JPEG: masks must be PNG or .npy)" in unmatched and "c_pred.png" in unmatched
    assert "notes.txt" not in unmatched


# -- item 10: swapped arguments ------------------------------------------------------------
def test_swapped_arguments_are_warned_about(ground_truth):
    (ground_truth / "gt" / "labels.csv").write_text("id,name\n0,background\n1,road\n")
    for name in "abc":
        write_mask(ground_truth / "pred" / f"{name}.png", np.array([[1, 1], [1, 0]], np.uint8))
    swapped = run(ground_truth / "gt", ground_truth / "pred")
    assert swapped.exit_code == 0, swapped.stderr
    assert "arguments look swapped" in swapped.stderr and "segtool score PRED GT" in swapped.stderr
    assert "swapped" not in run(ground_truth / "pred", ground_truth / "gt").stderr


# -- item 11: labelme2voc's outputs --------------------------------------------------------
@pytest.fixture
def labelme2voc(tmp_path):
    """What labelme2voc.py writes: class_names.txt (no __ignore__, no final newline) beside
    SegmentationClass/ (PNG, -1 stored as 255) and SegmentationClassNpy/ (int32, -1 = ignore)."""
    voc = tmp_path / "voc"
    truth = np.array([[0, 1, 1], [-1, 2, 2]], np.int32)
    (voc / "SegmentationClassNpy").mkdir(parents=True)
    np.save(voc / "SegmentationClassNpy" / "a.npy", truth)
    write_mask(voc / "SegmentationClass" / "a.png", truth.astype(np.uint8))
    (voc / "class_names.txt").write_text("_background_\ncat\ndog")
    write_mask(tmp_path / "pred" / "a.png", np.array([[0, 1, 0], [1, 2, 2]], np.uint8))
    return tmp_path


@pytest.mark.parametrize("masks", ["SegmentationClass", "SegmentationClassNpy"])
def test_labelme2voc_class_names_are_the_label_map_and_minus_one_is_ignored(labelme2voc, masks):
    result = run(labelme2voc / "pred", labelme2voc / "voc" / masks, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {row["class_name"]: row for row in csv_rows(result.stdout)}
    assert list(rows) == ["_background_", "cat", "dog"]
    # The ignored pixel (predicted cat) counts nowhere: cat tp 1, fp 0, fn 1.
    assert (rows["cat"]["tp"], rows["cat"]["fp"], rows["cat"]["fn"]) == ("1", "0", "1")
    assert rows["dog"]["dice"] == "1.0"


def test_npy_values_below_minus_one_fail_their_pair(labelme2voc):
    np.save(labelme2voc / "voc" / "SegmentationClassNpy" / "a.npy", np.array([[0, -2]], np.int32))
    result = run(labelme2voc / "pred", labelme2voc / "voc" / "SegmentationClassNpy")
    assert result.exit_code == 1 and "a.npy: .npy label array has values outside -1..65535" in result.stderr


def test_a_descriptor_that_is_not_open_is_one_error_line(folders):
    closed = os.open(os.devnull, os.O_WRONLY)
    os.close(closed)  # a number that names no open file now
    result = run(*base(folders, "--format", "csv", "-o", f"/dev/fd/{closed}"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"error: /dev/fd/{closed}: cannot write: Bad file descriptor\n"
