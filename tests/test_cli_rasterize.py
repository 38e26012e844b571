"""`segtool rasterize` end to end: output paths, label maps, layouts, errors and exit codes."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import read_mask
from segtool.labels import LabelMap

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], input=stdin, terminal_width=200)


def labelme(
    path: Path, shapes: list[dict], *, height: int = 20, width: int = 30, image_path: str = "img.jpg"
):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": "5.4.1",
                "flags": {},
                "shapes": shapes,
                "imagePath": image_path,
                "imageData": None,
                "imageHeight": height,
                "imageWidth": width,
            }
        )
    )
    return path


def square(label: str, x0: float, y0: float, x1: float, y1: float, **extra) -> dict:
    return {
        "label": label,
        "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
        **extra,
    }


def test_folder_to_masks_with_relative_paths_and_sorted_ids(tmp_path):
    labelme(tmp_path / "in" / "a.json", [square("road", 0, 0, 10, 10)])
    labelme(tmp_path / "in" / "sub" / "b.json", [square("car", 5, 5, 15, 15), square("road", 10, 10, 20, 20)])
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lm = LabelMap.read(tmp_path / "out" / "labels.txt")
    assert lm.names == ["_background_", "car", "road"]  # background, then sorted: same ids in every file
    a = read_mask(tmp_path / "out" / "a.png")
    b = read_mask(tmp_path / "out" / "sub" / "b.png")
    assert a.shape == (20, 30) and (a == 2).sum() == 100
    # b: car square 100 px, road square 100 px painted over car's 5x5 overlap (file order).
    assert (b == 1).sum() == 75 and (b == 2).sum() == 100
    # The summary on stdout is data: CSV rows with pixel counts summed over both masks.
    rows = [line.split(",") for line in result.stdout.strip().splitlines()]
    assert rows[0] == ["class_id", "class_name", "pixels", "share"]
    assert {row[1]: int(row[2]) for row in rows[1:]} == {"_background_": 1200 - 275, "car": 75, "road": 200}
    assert "masks written" in result.stderr


def test_area_order_keeps_the_small_shape_visible(tmp_path):
    labelme(tmp_path / "a.json", [square("car", 5, 5, 8, 8), square("road", 0, 0, 20, 20)])
    assert run(str(tmp_path / "a.json"), "-o", str(tmp_path / "file")).exit_code == 0
    assert run(str(tmp_path / "a.json"), "-o", str(tmp_path / "area"), "--order", "area").exit_code == 0
    assert (read_mask(tmp_path / "file" / "a.png") == 1).sum() == 0
    assert (read_mask(tmp_path / "area" / "a.png") == 1).sum() == 9


def test_given_label_map_and_unknown_label(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\nroad\n")
    labelme(tmp_path / "in" / "a.json", [square("road", 0, 0, 10, 10), square("truck", 10, 0, 20, 10)])
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--labels", str(labels))
    assert result.exit_code == 1
    assert "a.json" in result.stderr and "'truck'" in result.stderr and "shape 2" in result.stderr
    assert not (tmp_path / "out" / "a.png").exists()
    result = run(
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "out"),
        "--labels",
        str(labels),
        "--unknown-label",
        "ignore",
    )
    assert result.exit_code == 0
    mask = read_mask(tmp_path / "out" / "a.png")
    assert (mask == 1).sum() == 100 and (mask == 255).sum() == 100


def test_bad_file_is_named_and_the_others_are_still_written(tmp_path):
    labelme(tmp_path / "in" / "good.json", [square("road", 0, 0, 10, 10)])
    (tmp_path / "in" / "broken.json").write_text("{not json")
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "broken.json" in lines[0] and "invalid JSON" in lines[0]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "good.png").exists()


def test_two_inputs_writing_one_output_is_an_error_not_an_overwrite(tmp_path):
    labelme(tmp_path / "x" / "a.json", [square("road", 0, 0, 10, 10)])
    labelme(tmp_path / "y" / "a.json", [square("road", 0, 0, 5, 5)])
    result = run(str(tmp_path / "x"), str(tmp_path / "y"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "both would write a.png" in result.stderr
    assert not (tmp_path / "out" / "a.png").exists()


def test_a_run_whose_every_file_fails_writes_no_label_map(tmp_path):
    """Nothing to draw: OUT gets no labels.csv/labels.txt (an empty map would pin the next run's
    ignore value), and the last line says nothing was written."""
    labelme(tmp_path / "in" / "a.json", [square("road", 0, 0, 10, 10)])
    bad = json.loads((tmp_path / "in" / "a.json").read_text())
    del bad["imageHeight"], bad["imageWidth"]
    (tmp_path / "in" / "a.json").write_text(json.dumps(bad))
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "a.json: no image size" in result.stderr
    assert result.stderr.splitlines()[-1] == f"1 of 1 files failed; nothing written to {tmp_path / 'out'}"
    assert list((tmp_path / "out").iterdir()) == []
    as_csv = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-f", "csv")
    assert as_csv.stdout == "class_id,class_name,pixels,share\n"  # no row of a label map never written


def test_the_label_map_is_written_when_one_file_is_drawn_and_another_fails(tmp_path):
    labelme(tmp_path / "in" / "a.json", [square("road", 0, 0, 10, 10)])
    (tmp_path / "in" / "b.json").write_text("{")
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == "1 of 2 files failed"
    assert LabelMap.read(tmp_path / "out" / "labels.csv").names == ["_background_", "road"]


def test_coco_file_names_cannot_escape_the_output_folder(tmp_path):
    coco = {
        "images": [{"id": 1, "file_name": "../../evil.jpg", "height": 4, "width": 4}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "iscrowd": 0,
                "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]],
                "area": 4,
                "bbox": [0, 0, 2, 2],
            }
        ],
        "categories": [{"id": 1, "name": "thing"}],
    }
    (tmp_path / "coco.json").write_text(json.dumps(coco))
    out = tmp_path / "deep" / "out"
    assert run(str(tmp_path / "coco.json"), "-o", str(out)).exit_code == 0
    assert (out / "evil.png").exists() and not (tmp_path / "evil.png").exists()
    assert (read_mask(out / "evil.png") == 1).sum() == 4


def test_binary_layout_one_mask_per_label(tmp_path):
    labelme(tmp_path / "a.json", [square("car", 0, 0, 10, 10), square("road", 5, 5, 15, 15)])
    result = run(str(tmp_path / "a.json"), "-o", str(tmp_path / "out"), "--layout", "binary")
    assert result.exit_code == 0, result.stderr
    car, road = read_mask(tmp_path / "out" / "car" / "a.png"), read_mask(tmp_path / "out" / "road" / "a.png")
    assert set(np.unique(car)) == {0, 255} and (car == 255).sum() == 100 and (road == 255).sum() == 100


def test_more_than_255_labels_write_16_bit(tmp_path):
    shapes = [
        square(f"c{index:03d}", index % 30, index // 30, index % 30 + 1, index // 30 + 1)
        for index in range(300)
    ]
    labelme(tmp_path / "a.json", shapes)
    assert run(str(tmp_path / "a.json"), "-o", str(tmp_path / "out")).exit_code == 0
    mask = read_mask(tmp_path / "out" / "a.png")
    lm = LabelMap.read(tmp_path / "out" / "labels.txt")
    assert mask.dtype == np.uint16
    assert lm.name_of(int(mask[9, 29])) == "c299" and mask.max() == 301


def test_stdin_and_no_palette(tmp_path):
    document = {
        "shapes": [square("road", 0, 0, 2, 2)],
        "imagePath": "x.jpg",
        "imageHeight": 4,
        "imageWidth": 4,
        "imageData": None,
    }
    result = run("-", "-o", str(tmp_path / "out"), "--no-palette", stdin=json.dumps(document))
    assert result.exit_code == 0, result.stderr
    raw = (tmp_path / "out" / "stdin.png").read_bytes()
    assert raw[25] == 0  # IHDR colour type: grayscale
    assert (read_mask(tmp_path / "out" / "stdin.png") == 1).sum() == 4


def test_rerun_overwrites_and_skip_existing_resumes(tmp_path):
    path = labelme(tmp_path / "a.json", [square("road", 0, 0, 10, 10)])
    assert run(str(path), "-o", str(tmp_path / "out")).exit_code == 0
    labelme(path, [square("road", 0, 0, 5, 5)])
    result = run(str(path), "-o", str(tmp_path / "out"), "--skip-existing")
    assert "already there" in result.stderr
    assert (read_mask(tmp_path / "out" / "a.png") == 1).sum() == 100
    assert run(str(path), "-o", str(tmp_path / "out")).exit_code == 0
    assert (read_mask(tmp_path / "out" / "a.png") == 1).sum() == 25
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "labels.csv", "labels.txt"]


def test_strict_turns_warnings_into_failure(tmp_path):
    path = labelme(tmp_path / "a.json", [square("road", -5, -5, 10, 10)])
    assert run(str(path), "-o", str(tmp_path / "out")).exit_code == 0
    result = run(str(path), "-o", str(tmp_path / "out"), "--strict")
    assert result.exit_code == 1 and "a.json" in result.stderr and "shape 1" in result.stderr


def test_missing_input_is_one_line(tmp_path):
    result = run(str(tmp_path / "nope"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "input not found" in result.stderr and "Traceback" not in result.stderr


def test_parallel_run_gives_the_same_masks(tmp_path):
    for index in range(6):
        labelme(
            tmp_path / "in" / f"{index}.json",
            [square("road", index, 0, index + 7.3, 9.6), square("car", 2, index, 11.5, index + 4)],
        )
    one = CliRunner().invoke(
        app, ["rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "j1"), "-j", "1", "-f", "csv"]
    )
    two = CliRunner().invoke(
        app, ["rasterize", str(tmp_path / "in"), "-o", str(tmp_path / "j2"), "-j", "2", "-f", "csv"]
    )
    assert one.exit_code == two.exit_code == 0 and one.stdout == two.stdout
    for index in range(6):
        assert (tmp_path / "j1" / f"{index}.png").read_bytes() == (
            tmp_path / "j2" / f"{index}.png"
        ).read_bytes()


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared fixtures absent")
@pytest.mark.parametrize("dataset", ["semantic_segmentation", "instance_segmentation", "video_annotation"])
def test_labelme_convention_reproduces_labelme_masks(tmp_path, dataset):
    root = FIXTURES / "labelme" / dataset
    result = run(
        str(root / "data_annotated"),
        "-o",
        str(tmp_path),
        "--labels",
        str(root / "labels.txt"),
        "--convention",
        "labelme",
    )
    assert result.exit_code == 0, result.stderr
    references = sorted((root / "data_dataset_voc").glob("SegmentationClass*/*.png"))
    assert references
    for reference in references:
        ours, theirs = read_mask(tmp_path / reference.name), read_mask(reference)
        # The fixtures README: 2011_000006 differs by 1 pixel on Pillow >= 11.
        allowed = 1 if reference.stem == "2011_000006" else 0
        assert ours.shape == theirs.shape and (ours != theirs).sum() <= allowed, reference


def test_ignore_value_comes_from_the_label_map_unless_given(tmp_path):
    labels = tmp_path / "map.json"
    labels.write_text(
        '{"labels": [{"id": 0, "name": "_background_"}, {"id": 1, "name": "road"}], "ignore_value": 99}'
    )
    path = labelme(tmp_path / "a.json", [square("road", 0, 0, 10, 10), square("__ignore__", 10, 0, 12, 10)])
    assert run(str(path), "-o", str(tmp_path / "map"), "--labels", str(labels)).exit_code == 0
    assert (read_mask(tmp_path / "map" / "a.png") == 99).sum() == 20  # 2 x 10 ignore pixels
    assert (
        run(
            str(path), "-o", str(tmp_path / "given"), "--labels", str(labels), "--ignore-value", "77"
        ).exit_code
        == 0
    )
    assert (read_mask(tmp_path / "given" / "a.png") == 77).sum() == 20


def test_score_names_classes_from_the_map_rasterize_wrote(tmp_path):
    labelme(tmp_path / "a.json", [square("road", 0, 0, 10, 10)])
    assert run(str(tmp_path / "a.json"), "-o", str(tmp_path / "gt")).exit_code == 0
    result = CliRunner().invoke(
        app, ["score", str(tmp_path / "gt"), str(tmp_path / "gt"), "-f", "csv", "-j", "1"]
    )
    assert result.exit_code == 0, result.stderr
    names = [line.split(",")[1] for line in result.stdout.splitlines()[1:]]
    assert names[:2] == ["_background_", "road"]  # read from gt/labels.csv, no --labels needed


def test_a_label_studio_task_that_cannot_be_sized_fails_alone(tmp_path):
    # Task 1 has no region (so no size) and no image file; task 2 is a 10 x 20 image with one box.
    box = {
        "id": "r1",
        "type": "rectanglelabels",
        "from_name": "label",
        "to_name": "image",
        "original_width": 20,
        "original_height": 10,
        "image_rotation": 0,
        "value": {"x": 0, "y": 0, "width": 50, "height": 50, "rotation": 0, "rectanglelabels": ["car"]},
    }
    tasks = [
        {
            "id": task_id,
            "data": {"image": name},
            "annotations": [
                {"id": 100 + task_id, "completed_by": 1, "was_cancelled": False, "result": results}
            ],
        }
        for task_id, name, results in ((1, "empty.jpg", []), (2, "street.jpg", [box]))
    ]
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    result = run(str(tmp_path / "export.json"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "task 1 annotation 101: no region gives the image size" in result.stderr
    assert "1 image failed in files whose other images were written" in result.stderr
    assert not (tmp_path / "out" / "empty.png").exists()
    # The box covers x < 10, y < 5 of the 20 x 10 image: 50 pixels of car (id 1).
    assert int((read_mask(tmp_path / "out" / "street.png") == 1).sum()) == 50


@pytest.mark.parametrize(
    ("option", "value"),
    [("--annotator", ""), ("--annotator", "  "), ("--via-label-attribute", ""), ("--input-format", "nope")],
)
def test_bad_free_text_options_are_usage_errors_before_any_file_is_read(tmp_path, option, value):
    """An empty --annotator was an internal error per file; a blank one chose no annotation at all."""
    source = labelme(tmp_path / "in" / "a.json", [])
    result = run(str(source), "-o", str(tmp_path / "out"), option, value)
    assert result.exit_code == 2 and result.stdout == ""
    assert option in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_reader_options_refuse_empty_choices():
    from segtool.annotations import ReaderOptions

    for settings in ({"annotator": ""}, {"annotator": " "}, {"via_label_attribute": ""}):
        with pytest.raises(ValueError, match="must not be empty"):
            ReaderOptions(**settings)
