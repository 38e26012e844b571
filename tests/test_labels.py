"""Label maps: reading labelme/CSV/JSON files, ids, colours, validation."""

from pathlib import Path

import pytest

from segtool.errors import LabelMapError, UnknownLabelError
from segtool.labels import LabelMap, voc_colour

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def test_from_names_background_first_then_sorted():
    lm = LabelMap.from_names(["road", "car", "__ignore__", "car", "_background_"])
    assert [(label.id, label.name) for label in lm] == [(0, "_background_"), (1, "car"), (2, "road")]
    assert lm.id_of("__ignore__") == 255


def test_from_names_skips_the_ignore_value_for_more_than_255_labels():
    names = [f"class{index:03d}" for index in range(300)]
    lm = LabelMap.from_names(names)
    ids = lm.ids
    # 301 labels (background + 300) on ids 0..301 without 255: the last id is 301.
    assert 255 not in ids and ids[-1] == 301 and len(ids) == 301
    assert lm.name_of(256) == names[254]


def test_labelme_txt_line_order_is_id(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("__ignore__\n_background_\ncat\ndog\n")
    lm = LabelMap.read(path)
    assert (lm.id_of("_background_"), lm.id_of("cat"), lm.id_of("dog"), lm.id_of("__ignore__")) == (
        0,
        1,
        2,
        255,
    )


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared fixtures absent")
def test_labelme_fixture_labels_txt():
    lm = LabelMap.read(FIXTURES / "labelme/semantic_segmentation/labels.txt")
    assert lm.id_of("person") == 15 and lm.id_of("tv/monitor") == 20 and len(lm) == 21


def test_txt_round_trip_with_gaps(tmp_path):
    csv = tmp_path / "map.csv"
    csv.write_text("id,name,color\n0,background,#000000\n3,car,#ff0000\n7,tree,\n")
    lm = LabelMap.read(csv)
    assert lm.colour_of(3) == (255, 0, 0) and lm.colour_of(7) == voc_colour(7)
    lm.write(tmp_path / "out")
    again = LabelMap.read(tmp_path / "out" / "labels.txt")
    assert [(label.id, label.name) for label in again] == [(0, "background"), (3, "car"), (7, "tree")]
    assert LabelMap.read(tmp_path / "out" / "labels.csv") == lm


def test_background_name_maps_to_zero_even_when_renamed(tmp_path):
    csv = tmp_path / "map.csv"
    csv.write_text("id,name\n0,background\n1,car\n")
    assert LabelMap.read(csv).id_of("_background_") == 0


def test_json_map_and_ignore_value(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(
        '{"labels": [{"id": 0, "name": "bg"}, {"id": 1, "name": "x", "color": "#0a0b0c"}],'
        ' "ignore_value": 99}'
    )
    lm = LabelMap.read(path)
    assert lm.ignore_value == 99 and lm.id_of("__ignore__") == 99 and lm.colour_of(1) == (10, 11, 12)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("id,name\n0,bg\n1,bg\n", "appears twice"),
        ("id,name\n0,bg\n0,car\n", "given to both"),
        ("id,name\n0,bg\nx,car\n", "not a whole number"),
        ("id,name,color\n0,bg,red\n", "not #rrggbb"),
        ("name\nbg\n", "header"),
        ("id,name\n0,bg\n255,car\n", "ignore value"),
    ],
)
def test_bad_csv_maps_name_the_file_and_problem(tmp_path, text, problem):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(LabelMapError) as caught:
        LabelMap.read(path)
    assert problem in str(caught.value) and str(path) in str(caught.value)


def test_unknown_label_names_file_and_shape():
    lm = LabelMap.from_names(["car"])
    with pytest.raises(UnknownLabelError) as caught:
        lm.id_of("truck", path="a.json", where="shape 2 (polygon)")
    assert str(caught.value).startswith("a.json: shape 2 (polygon): label 'truck'")


def test_palette_uses_label_colours_and_voc_elsewhere():
    lm = LabelMap.from_names(["a"])
    palette = lm.palette()
    assert len(palette) == 768
    assert tuple(palette[3:6]) == voc_colour(1) == (128, 0, 0)
    assert tuple(palette[15 * 3 : 15 * 3 + 3]) == (192, 128, 128)  # VOC 'person'
