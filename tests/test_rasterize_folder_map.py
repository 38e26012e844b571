"""One output folder, one label map (issue 12, items 1 to 3).

The label map in OUT is part of the folder's data: a later run starts from it, never renumbers
it, appends new labels after its highest id (with a warning), and refuses a ``--labels`` that
would renumber it before writing anything. COCO's declared category ids are the default map.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import read_mask
from segtool.labels import LabelMap


def run(*args: str):
    return CliRunner().invoke(app, ["rasterize", *args, "--jobs", "1"], terminal_width=200)


def square(label: str, x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "label": label,
        "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
    }


def labelme(path: Path, *shapes: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"version": "5.4.1", "flags": {}, "shapes": list(shapes), "imagePath": "x.jpg"}
    path.write_text(json.dumps({**document, "imageData": None, "imageHeight": 10, "imageWidth": 10}))
    return path


def ids(folder: Path) -> dict[str, int]:
    return {label.name: label.id for label in LabelMap.read(folder / "labels.csv")}


def test_resuming_after_a_new_label_keeps_the_ids_of_the_masks_already_written(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    assert ids(out) == {"_background_": 0, "car": 1, "road": 2}
    labelme(tmp_path / "in" / "b.json", square("bicycle", 0, 0, 3, 3), square("road", 0, 5, 10, 10))
    result = run(str(tmp_path / "in"), "-o", str(out), "--skip-existing")
    assert result.exit_code == 0, result.stderr
    # Sorted from scratch, bicycle would be 1 and car 2; the folder's ids stay, bicycle comes after them.
    assert ids(out) == {"_background_": 0, "car": 1, "road": 2, "bicycle": 3}
    assert "warning:" in result.stderr and "'bicycle'" in result.stderr and "3" in result.stderr
    assert np.unique(read_mask(out / "a.png")).tolist() == [0, 1, 2]  # kept, and still right under the map
    b = read_mask(out / "b.png")
    assert (b == 3).sum() == 9 and (b == 2).sum() == 50
    assert LabelMap.read(out / "labels.txt").names == ["_background_", "car", "road", "bicycle"]


def test_a_subset_rasterized_into_a_full_folder_keeps_the_folder_map(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    labelme(tmp_path / "in" / "b.json", square("person", 0, 0, 2, 2))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    before = ids(out)
    assert before == {"_background_": 0, "car": 1, "person": 2, "road": 3}
    result = run(str(tmp_path / "in" / "a.json"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == before
    assert "warning" not in result.stderr  # nothing new: nothing to say
    assert np.unique(read_mask(out / "a.png")).tolist() == [0, 1, 3]


def test_labels_that_would_renumber_the_folder_fail_before_anything_is_written(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    labels_csv, mask = (out / "labels.csv").read_bytes(), (out / "a.png").read_bytes()
    labelme(tmp_path / "in" / "b.json", square("road", 0, 0, 2, 2))
    given = tmp_path / "labels.txt"
    given.write_text("__ignore__\n_background_\nroad\ncar\n")  # road 1, car 2: swapped
    result = run(str(tmp_path / "in"), "-o", str(out), "--labels", str(given))
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error:") and "'car'" in line and "'road'" in line
    assert "id 1" in line and "id 2" in line and "labels.csv" in line
    assert (out / "labels.csv").read_bytes() == labels_csv and (out / "a.png").read_bytes() == mask
    assert not (out / "b.png").exists()


def test_labels_that_agree_with_the_folder_extend_it(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    given = tmp_path / "labels.csv"
    given.write_text("id,name,color\n0,_background_,\n1,car,#ff0000\n2,road,\n5,bus,\n")
    result = run(str(tmp_path / "in"), "-o", str(out), "--labels", str(given))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == {"_background_": 0, "car": 1, "road": 2, "bus": 5}
    assert LabelMap.read(out / "labels.csv").colour_of(1) == (255, 0, 0)  # the given colour


def test_a_given_map_without_a_folder_label_keeps_the_folder_label(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    given = tmp_path / "labels.txt"
    given.write_text("__ignore__\n_background_\ncar\n")
    labelme(tmp_path / "more" / "c.json", square("car", 0, 0, 2, 2))
    result = run(str(tmp_path / "more"), "-o", str(out), "--labels", str(given))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == {"_background_": 0, "car": 1, "road": 2}  # a.png's road pixels keep their name


def test_a_different_ignore_value_from_the_folder_is_a_conflict(tmp_path):
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5))
    out = tmp_path / "out"
    assert run(str(tmp_path / "in"), "-o", str(out)).exit_code == 0
    result = run(str(tmp_path / "in"), "-o", str(out), "--ignore-value", "254")
    assert result.exit_code == 1
    assert "ignore value" in result.stderr and "255" in result.stderr and "254" in result.stderr
    assert "Traceback" not in result.stderr


def test_labels_txt_alone_in_the_folder_is_the_starting_map(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "labels.txt").write_text("__ignore__\n_background_\nsky\n__unused_2__\nroad\n")
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5), square("car", 0, 5, 4, 9))
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == {"_background_": 0, "sky": 1, "road": 3, "car": 4}
    assert "'car'" in result.stderr


def test_labels_txt_and_labels_csv_that_disagree_are_an_error(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "labels.txt").write_text("__ignore__\n_background_\nsky\nroad\n")
    (out / "labels.csv").write_text("id,name,color\n0,_background_,\n1,road,\n2,sky,\n")
    labelme(tmp_path / "in" / "a.json", square("road", 0, 0, 10, 5))
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 1
    assert "labels.txt" in result.stderr and "labels.csv" in result.stderr and "disagree" in result.stderr
    assert not (out / "a.png").exists()


# -- ids a format declares (COCO categories) ---------------------------------------------------
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def coco(path: Path, categories: list[tuple[int, str]], annotated: list[int]) -> Path:
    """A 10x10 COCO image with one 2x2 square per category id in ``annotated`` (left to right)."""
    annotations = [
        {
            "id": index,
            "image_id": 1,
            "category_id": category,
            "iscrowd": 0,
            "segmentation": [[2 * index, 0, 2 * index + 2, 0, 2 * index + 2, 2, 2 * index, 2]],
        }
        for index, category in enumerate(annotated)
    ]
    document = {
        "images": [{"id": 1, "file_name": f"{path.stem}.jpg", "height": 10, "width": 10}],
        "annotations": annotations,
        "categories": [{"id": category, "name": name} for category, name in categories],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def test_coco_category_ids_are_the_default_map_and_unused_categories_stay(tmp_path):
    coco(tmp_path / "in" / "a.json", [(5, "bottle"), (6, "bus"), (7, "car"), (9, "chair")], [7, 5])
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == {"_background_": 0, "bottle": 5, "bus": 6, "car": 7, "chair": 9}
    mask = read_mask(out / "a.png")
    assert mask[0, 0] == 7 and mask[0, 2] == 5 and (mask == 0).sum() == 92
    assert "warning" not in result.stderr


def test_relabel_sorted_numbers_coco_labels_as_other_formats(tmp_path):
    coco(tmp_path / "a.json", [(5, "bottle"), (6, "bus"), (7, "car")], [7, 5])
    out = tmp_path / "out"
    assert run(str(tmp_path / "a.json"), "-o", str(out), "--relabel", "sorted").exit_code == 0
    assert ids(out) == {"_background_": 0, "bottle": 1, "bus": 2, "car": 3}


def test_coco_ids_above_255_give_16_bit_masks(tmp_path):
    coco(tmp_path / "a.json", [(300, "rare")], [300])
    out = tmp_path / "out"
    assert run(str(tmp_path / "a.json"), "-o", str(out)).exit_code == 0
    mask = read_mask(out / "a.png")
    assert mask.dtype == np.uint16 and mask[0, 0] == 300


def test_a_coco_id_on_the_ignore_value_is_an_error_naming_the_category(tmp_path):
    coco(tmp_path / "a.json", [(255, "rare")], [255])
    result = run(str(tmp_path / "a.json"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "a.json" in result.stderr and "'rare'" in result.stderr and "ignore value" in result.stderr
    assert not (tmp_path / "out" / "a.png").exists()
    assert run(str(tmp_path / "a.json"), "-o", str(tmp_path / "o2"), "--ignore-value", "254").exit_code == 0


def test_an_unused_coco_category_0_is_the_background_a_used_one_is_an_error(tmp_path):
    coco(tmp_path / "a.json", [(0, "objects"), (1, "cell")], [1])  # as Roboflow exports
    out = tmp_path / "out"
    assert run(str(tmp_path / "a.json"), "-o", str(out)).exit_code == 0
    assert ids(out) == {"_background_": 0, "cell": 1}
    coco(tmp_path / "b.json", [(0, "cell")], [0])
    result = run(str(tmp_path / "b.json"), "-o", str(tmp_path / "o2"))
    assert result.exit_code == 1 and "'cell'" in result.stderr and "id 0" in result.stderr
    assert "--relabel sorted" in result.stderr


def test_coco_files_declaring_different_ids_are_an_error_naming_both(tmp_path):
    coco(tmp_path / "in" / "a.json", [(1, "car"), (2, "bus")], [1])
    coco(tmp_path / "in" / "b.json", [(1, "bus"), (2, "car")], [1])
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (
        "a.json" in result.stderr
        and "b.json" in result.stderr
        and "'bus' is declared as id 1" in result.stderr
    )
    assert not (tmp_path / "out" / "a.png").exists()


def test_coco_ids_that_disagree_with_the_folder_are_an_error(tmp_path):
    coco(tmp_path / "a.json", [(5, "bottle"), (6, "bus")], [5])
    out = tmp_path / "out"
    assert run(str(tmp_path / "a.json"), "-o", str(out), "--relabel", "sorted").exit_code == 0
    result = run(str(tmp_path / "a.json"), "-o", str(out))
    assert result.exit_code == 1 and "'bottle' is id 1 here, id 5" in result.stderr
    assert run(str(tmp_path / "a.json"), "-o", str(out), "--relabel", "sorted").exit_code == 0


def test_labels_without_a_declared_id_follow_the_declared_ones(tmp_path):
    coco(tmp_path / "in" / "a.json", [(5, "bottle"), (6, "bus")], [5])
    labelme(tmp_path / "in" / "b.json", square("tree", 0, 0, 2, 2))
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert ids(out) == {"_background_": 0, "bottle": 5, "bus": 6, "tree": 7}
    assert "'tree'" in result.stderr and "id 7" in result.stderr


def test_cvat_meta_order_is_not_an_id(tmp_path):
    (tmp_path / "a.xml").write_text(
        "<annotations><meta><task><labels>"
        "<label><name>zebra</name></label><label><name>ant</name></label>"
        "</labels></task></meta>"
        '<image id="0" name="a.jpg" width="4" height="4">'
        '<polygon label="zebra" points="0,0;2,0;2,2;0,2" occluded="0" z_order="0"/></image></annotations>'
    )
    out = tmp_path / "out"
    assert run(str(tmp_path / "a.xml"), "-o", str(out)).exit_code == 0
    assert ids(out) == {"_background_": 0, "ant": 1, "zebra": 2}


def test_labelme_coco_export_keeps_the_dataset_ids(tmp_path):
    source = FIXTURES / "labelme" / "instance_segmentation" / "data_dataset_coco" / "annotations.json"
    if not source.exists():
        pytest.skip("shared fixtures not present")
    out = tmp_path / "out"
    assert run(str(source), "-o", str(out)).exit_code == 0
    found = ids(out)
    assert found["bottle"] == 5 and found["bus"] == 6 and found["car"] == 7 and found["tv/monitor"] == 20
    assert len(found) == 21  # every declared category, used or not
    assert set(np.unique(read_mask(out / "JPEGImages" / "2011_000025.png")).tolist()) == {0, 6, 7}


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_issue_scenario_resume_after_a_new_label_then_score(tmp_path):
    """Issue 12 item 1 as reported: the examples, one new LabelMe file with ``bicycle``, a resumed run,
    then ``score``: bottle's numbers stay under the name bottle."""
    out = tmp_path / "grow"
    assert run(str(EXAMPLES / "annotations"), "-o", str(out)).exit_code == 0
    grow = tmp_path / "ann_grow"
    grow.mkdir()
    for path in (EXAMPLES / "annotations").rglob("*.json"):
        target = grow / path.relative_to(EXAMPLES / "annotations")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    labelme(grow / "extra.json", square("bicycle", 0, 0, 4, 4))
    result = run(str(grow), "-o", str(out), "--skip-existing")
    assert result.exit_code == 0, result.stderr
    assert ids(out)["bottle"] == 1 and ids(out)["bicycle"] == 13
    scored = CliRunner().invoke(
        app, ["score", str(EXAMPLES / "predictions"), str(out), "--format", "csv"], terminal_width=200
    )
    rows = {row.split(",")[1]: row.split(",") for row in scored.stdout.splitlines()[1:]}
    assert rows["bottle"][0] == "1" and float(rows["bottle"][5]) > 0.9  # Dice of bottle, not of bicycle
