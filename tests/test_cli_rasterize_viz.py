"""`segtool rasterize --viz DIR`: each written mask drawn over the image its annotation references."""

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.maskio import read_mask

GRAY = (100, 100, 100)
# from_names: _background_ 0, car 1, road 2; VOC colours car (128, 0, 0), road (0, 128, 0).
# At opacity 0.5 over gray 100: car (114, 50, 50), road (50, 114, 50).
CAR_OVER_GRAY, ROAD_OVER_GRAY = [114, 50, 50], [50, 114, 50]


def run(*args):
    return CliRunner().invoke(app, ["rasterize", *map(str, args), "--jobs", "1"], terminal_width=200)


def annotate(folder: Path, name: str, shapes: list[dict], *, image: str, height: int = 10, width: int = 20) -> Path:
    """A LabelMe file 'name.json' in ``folder`` naming ``image`` (no embedded image data)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"version": "5.4.1", "flags": {}, "shapes": shapes, "imagePath": image,
                                "imageData": None, "imageHeight": height, "imageWidth": width}))
    return path


def box(label: str, x0: int, y0: int, x1: int, y1: int) -> dict:
    return {"label": label, "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], "group_id": None,
            "shape_type": "polygon", "flags": {}}


def photo(path: Path, *, size=(20, 10)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, GRAY).save(path)  # PNG: exact pixel values


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_overlay_of_each_mask_over_its_image_mirrors_the_mask_folder(tmp_path):
    photo(tmp_path / "in" / "sub" / "a.png")
    annotate(tmp_path / "in" / "sub", "a", [box("car", 2, 2, 6, 6), box("road", 10, 0, 20, 10)], image="a.png")
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "viz" / "sub" / "a.png")
    mask = read_mask(tmp_path / "masks" / "sub" / "a.png")
    # the 4x4 car box covers the pixels whose centres lie inside: rows and columns 2..5
    assert (mask == 1).sum() == 16 and picture[2:6, 2:6].tolist() == [[CAR_OVER_GRAY] * 4] * 4
    assert picture[5, 12].tolist() == ROAD_OVER_GRAY and picture[0, 0].tolist() == list(GRAY)  # background: photo
    # the overlay is the photo plus a legend panel on its right
    assert picture.shape[1] > 20 and np.all(picture[:10, :20][mask == 0] == GRAY)


def test_a_missing_image_is_a_warning_and_the_masks_are_still_written(tmp_path):
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 4, 4)], image="nowhere.jpg")
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert (read_mask(tmp_path / "masks" / "a.png") == 1).sum() == 16
    assert "a.json" in result.stderr and "no overlay drawn for a" in result.stderr
    assert not (tmp_path / "viz" / "a.png").exists()


def test_an_image_of_another_size_is_a_warning_and_fails_with_strict(tmp_path):
    photo(tmp_path / "in" / "a.png", size=(10, 20))  # portrait, the annotation says landscape 20x10
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 4, 4)], image="a.png")
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and "is 10x20 (as displayed) but the annotation is 20x10" in result.stderr
    assert not (tmp_path / "viz" / "a.png").exists() and (tmp_path / "masks" / "a.png").exists()
    assert run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--strict").exit_code == 1


def test_binary_layout_draws_the_labels_with_pixels_in_their_colour(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    annotate(tmp_path / "in", "b", [box("road", 0, 0, 2, 2)], image="a.png")  # declares road: car is empty in b
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--layout", "binary", "--viz", tmp_path / "viz")
    assert result.exit_code == 0, result.stderr
    drawn = sorted(path.relative_to(tmp_path / "viz").as_posix() for path in (tmp_path / "viz").rglob("*.png"))
    assert drawn == ["car/a.png", "road/b.png"]  # masks/car/b.png and masks/road/a.png are empty: no overlay
    assert pixels(tmp_path / "viz" / "car" / "a.png")[0, 0].tolist() == CAR_OVER_GRAY
    assert pixels(tmp_path / "viz" / "road" / "b.png")[0, 0].tolist() == ROAD_OVER_GRAY


def test_skip_existing_draws_only_the_missing_overlays(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    annotate(tmp_path / "in", "b", [box("car", 0, 0, 2, 2)], image="a.png")
    assert run(tmp_path / "in", "-o", tmp_path / "masks").exit_code == 0  # an earlier run without --viz
    (tmp_path / "viz").mkdir()
    (tmp_path / "viz" / "b.png").write_bytes(b"kept")
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--skip-existing")
    assert result.exit_code == 0, result.stderr
    assert pixels(tmp_path / "viz" / "a.png")[0, 0].tolist() == CAR_OVER_GRAY  # drawn from the existing mask
    assert (tmp_path / "viz" / "b.png").read_bytes() == b"kept"


def test_an_overlay_folder_inside_the_mask_folder_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    for viz in (tmp_path / "masks", tmp_path / "masks" / "viz"):
        result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", viz)
        assert result.exit_code == 1 and "overlay folder must not be the mask folder" in result.stderr
        assert not (tmp_path / "masks" / "a.png").exists()  # refused before anything is written


def test_an_overlay_folder_that_holds_the_annotations_and_photos_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    before = (tmp_path / "in" / "a.png").read_bytes()
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "in")
    assert result.exit_code == 1 and "overlay folder must not be the input folder" in result.stderr
    assert (tmp_path / "in" / "a.png").read_bytes() == before  # the photo beside the annotation is intact
