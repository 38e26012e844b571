"""`segtool rasterize --viz DIR`: each written mask drawn over the image its annotation references."""

import base64
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import read_mask
from segtool.viz.overlays import NO_PHOTO_GRAY, OUTLINE_DARK, OUTLINE_LIGHT

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "labelme"

GRAY = (100, 100, 100)
# from_names: _background_ 0, car 1, road 2; VOC colours car (128, 0, 0), road (0, 128, 0).
# At opacity 0.5 over gray 100: car (114, 50, 50), road (50, 114, 50).
CAR_OVER_GRAY, ROAD_OVER_GRAY = [114, 50, 50], [50, 114, 50]


def run(*args, stdin: bytes | None = None):
    return CliRunner().invoke(
        app, ["rasterize", *map(str, args), "--jobs", "1"], input=stdin, terminal_width=200
    )


def annotate(
    folder: Path,
    name: str,
    shapes: list[dict],
    *,
    image: str,
    height: int = 10,
    width: int = 20,
    image_data: str | None = None,
) -> Path:
    """A LabelMe file 'name.json' in ``folder`` naming ``image``.

    ``image_data`` is embedded (default none).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(
        json.dumps(
            {
                "version": "5.4.1",
                "flags": {},
                "shapes": shapes,
                "imagePath": image,
                "imageData": image_data,
                "imageHeight": height,
                "imageWidth": width,
            }
        )
    )
    return path


def box(label: str, x0: int, y0: int, x1: int, y1: int) -> dict:
    return {
        "label": label,
        "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
    }


def photo(path: Path, *, size=(20, 10)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, GRAY).save(path)  # PNG: exact pixel values


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_overlay_of_each_mask_over_its_image_mirrors_the_mask_folder(tmp_path):
    photo(tmp_path / "in" / "sub" / "a.png")
    annotate(
        tmp_path / "in" / "sub", "a", [box("car", 2, 2, 6, 6), box("road", 10, 0, 20, 10)], image="a.png"
    )
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--no-outline")
    assert result.exit_code == 0, result.stderr
    picture = pixels(tmp_path / "viz" / "sub" / "a.png")
    mask = read_mask(tmp_path / "masks" / "sub" / "a.png")
    # the 4x4 car box covers the pixels whose centres lie inside: rows and columns 2..5
    assert (mask == 1).sum() == 16 and picture[2:6, 2:6].tolist() == [[CAR_OVER_GRAY] * 4] * 4
    assert picture[5, 12].tolist() == ROAD_OVER_GRAY and picture[0, 0].tolist() == list(
        GRAY
    )  # background: photo
    # the overlay is the photo plus a legend panel on its right
    assert picture.shape[1] > 20 and np.all(picture[:10, :20][mask == 0] == GRAY)


def test_a_missing_image_is_one_warning_and_the_overlay_is_drawn_on_gray(tmp_path):
    path = annotate(tmp_path / "in", "a", [box("car", 0, 0, 4, 4)], image="nowhere.jpg")
    for strict in ([], ["--strict"]):  # a picture's warning never fails the run
        result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", *strict)
        assert result.exit_code == 0, result.stderr
        assert (read_mask(tmp_path / "masks" / "a.png") == 1).sum() == 16
        assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
            f"warning: {path}: a: drawn without a photo: the image file it names was not found"
        ]
        picture = pixels(tmp_path / "viz" / "a.png")
        # the car in full colour inside its outline, the background gray
        assert picture[1, 1].tolist() == [128, 0, 0] and picture[8, 18].tolist() == list(NO_PHOTO_GRAY)
        assert picture[0, 3].tolist() == list(OUTLINE_DARK) and picture[4, 1].tolist() == list(OUTLINE_LIGHT)


def test_an_image_of_another_size_is_a_warning_and_the_overlay_is_drawn_on_gray(tmp_path):
    photo(tmp_path / "in" / "a.png", size=(10, 20))  # portrait, the annotation says landscape 20x10
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 4, 4)], image="a.png")
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and "is 10x20 (as displayed) but the annotation is 20x10" in result.stderr
    assert pixels(tmp_path / "viz" / "a.png")[8, 18].tolist() == list(NO_PHOTO_GRAY)


def test_the_outline_is_drawn_by_default_and_not_with_no_outline(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 2, 2, 6, 6)], image="a.png")  # rows and columns 2..5
    assert run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz").exit_code == 0
    picture = pixels(tmp_path / "viz" / "a.png")[:10, :20]
    assert picture[2, 3].tolist() == list(OUTLINE_DARK) and picture[1, 3].tolist() == list(OUTLINE_LIGHT)
    assert picture[3, 3].tolist() == CAR_OVER_GRAY and picture[0, 3].tolist() == list(GRAY)
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--no-outline")
    assert result.exit_code == 0
    picture = pixels(tmp_path / "viz" / "a.png")[:10, :20]
    assert picture[2, 3].tolist() == CAR_OVER_GRAY and picture[1, 3].tolist() == list(GRAY)


def test_binary_layout_draws_the_labels_with_pixels_in_their_colour(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    annotate(
        tmp_path / "in", "b", [box("road", 0, 0, 2, 2)], image="a.png"
    )  # declares road: car is empty in b
    result = run(
        tmp_path / "in",
        "-o",
        tmp_path / "masks",
        "--layout",
        "binary",
        "--viz",
        tmp_path / "viz",
        "--no-outline",
    )
    assert result.exit_code == 0, result.stderr
    drawn = sorted(
        path.relative_to(tmp_path / "viz").as_posix() for path in (tmp_path / "viz").rglob("*.png")
    )
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
    result = run(
        tmp_path / "in",
        "-o",
        tmp_path / "masks",
        "--viz",
        tmp_path / "viz",
        "--skip-existing",
        "--no-outline",
    )
    assert result.exit_code == 0, result.stderr
    assert pixels(tmp_path / "viz" / "a.png")[0, 0].tolist() == CAR_OVER_GRAY  # drawn from the existing mask
    assert (tmp_path / "viz" / "b.png").read_bytes() == b"kept"


def test_an_overlay_folder_inside_the_mask_folder_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    for viz in (tmp_path / "masks", tmp_path / "masks" / "viz"):
        result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", viz)
        assert result.exit_code == 2 and "overlay folder must not be the mask folder" in result.stderr
        assert not (tmp_path / "masks" / "a.png").exists()  # refused before anything is written


def test_an_overlay_folder_that_holds_the_annotations_and_photos_is_refused(tmp_path):
    photo(tmp_path / "in" / "a.png")
    annotate(tmp_path / "in", "a", [box("car", 0, 0, 2, 2)], image="a.png")
    before = (tmp_path / "in" / "a.png").read_bytes()
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "in")
    assert result.exit_code == 2 and "overlay folder must not be the input folder" in result.stderr
    assert (tmp_path / "in" / "a.png").read_bytes() == before  # the photo beside the annotation is intact


# -- the image embedded in a LabelMe file (imageData) ---------------------------------------
LEFT, RIGHT = (200, 40, 60), (10, 220, 90)  # the embedded photo: columns 0..9 LEFT, 10..19 RIGHT
# At opacity 0.5 (overlay's default): car (128, 0, 0) over LEFT = ((128+200)/2, (0+40)/2, (0+60)/2);
# road (0, 128, 0) over RIGHT = ((0+10)/2, (128+220)/2, (0+90)/2). Every half is a whole number: no rounding.
CAR_OVER_LEFT, ROAD_OVER_RIGHT = [164, 20, 30], [5, 174, 45]


def two_colour_png(*, exif_orientation: int | None = None) -> bytes:
    """A 20x10 PNG: the left half LEFT, the right half RIGHT (optionally tagged with an EXIF orientation)."""
    pixels_ = np.zeros((10, 20, 3), np.uint8)
    pixels_[:, :10], pixels_[:, 10:] = LEFT, RIGHT
    buffer = io.BytesIO()
    exif = Image.Exif()
    if exif_orientation is not None:
        exif[0x0112] = exif_orientation
    Image.fromarray(pixels_).save(buffer, format="PNG", exif=exif)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


CAR_AND_ROAD = [box("car", 2, 2, 6, 6), box("road", 14, 0, 20, 10)]


def assert_drawn_over_the_two_colours(picture: np.ndarray) -> None:
    assert picture[0, 0].tolist() == list(LEFT) and picture[5, 12].tolist() == list(
        RIGHT
    )  # background: photo
    assert picture[3, 3].tolist() == CAR_OVER_LEFT and picture[5, 16].tolist() == ROAD_OVER_RIGHT


def test_the_embedded_image_is_drawn_on_when_there_is_no_image_file(tmp_path):
    annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.jpg", image_data=b64(two_colour_png()))
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--no-outline")
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    picture = pixels(tmp_path / "viz" / "a.png")
    assert_drawn_over_the_two_colours(picture)
    # every background pixel of the mask is the photo's, not black
    mask = read_mask(tmp_path / "masks" / "a.png")
    assert np.all(picture[:10, :10][mask[:, :10] == 0] == LEFT)
    assert np.all(picture[:10, 10:20][mask[:, 10:] == 0] == RIGHT)


def test_an_image_file_of_the_annotation_size_comes_before_the_embedded_image(tmp_path):
    photo(tmp_path / "in" / "a.png")  # gray, 20x10 like the annotation
    annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.png", image_data=b64(two_colour_png()))
    assert run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz").exit_code == 0
    picture = pixels(tmp_path / "viz" / "a.png")
    assert picture[0, 0].tolist() == list(GRAY) and picture[3, 3].tolist() == CAR_OVER_GRAY


def test_an_image_file_of_another_size_gives_way_to_the_embedded_image_silently(tmp_path):
    photo(
        tmp_path / "in" / "a.png", size=(10, 20)
    )  # portrait; the annotation and the embedded image are 20x10
    annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.png", image_data=b64(two_colour_png()))
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert_drawn_over_the_two_colours(pixels(tmp_path / "viz" / "a.png"))


def test_the_embedded_image_is_drawn_as_stored_whatever_its_exif_orientation(tmp_path):
    # Orientation 6 would turn the stored 20x10 into a 10x20 picture; labelme shows imageData as stored,
    # and the points (and the declared 20x10 size) were drawn on that.
    annotate(
        tmp_path / "in", "a", CAR_AND_ROAD, image="a.jpg", image_data=b64(two_colour_png(exif_orientation=6))
    )
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and "warning" not in result.stderr  # nor the reader's "(EXIF orientation?)"
    assert_drawn_over_the_two_colours(pixels(tmp_path / "viz" / "a.png"))


def test_an_embedded_image_from_stdin_is_drawn_on(tmp_path):
    document = annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.jpg", image_data=b64(two_colour_png()))
    result = run("-", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", stdin=document.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert_drawn_over_the_two_colours(pixels(tmp_path / "viz" / "stdin.png"))


def overlay_warning(stderr: str) -> str:
    (line,) = [line for line in stderr.splitlines() if "drawn without a photo" in line]
    return line


@pytest.mark.parametrize(
    "image_data, reason",
    [
        (b64(b"GIF89a garbage"), "imageData is not a readable image (not an image in a format Pillow reads)"),
        (
            b64(two_colour_png())[:-40],
            "imageData is not a readable image (not a readable image: ",
        ),  # truncated
        ("%%% not base64 %%%", "imageData is not valid base64"),
    ],
    ids=["not-an-image", "truncated-png", "not-base64"],
)
def test_a_corrupt_embedded_image_is_a_one_line_warning_naming_the_file(tmp_path, image_data, reason):
    path = annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.jpg", image_data=image_data)
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    line = overlay_warning(result.stderr)
    assert line.startswith(
        f"warning: {path}: a: drawn without a photo: the image file it names was not found; {path}: {reason}"
    )
    assert (tmp_path / "viz" / "a.png").exists() and (
        read_mask(tmp_path / "masks" / "a.png") == 1
    ).sum() == 16


def test_an_embedded_image_of_another_size_is_not_drawn_on_and_every_reason_is_given(tmp_path):
    photo(tmp_path / "in" / "a.png", size=(10, 20))
    small = Image.new("RGB", (4, 3), LEFT)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    path = annotate(tmp_path / "in", "a", CAR_AND_ROAD, image="a.png", image_data=b64(buffer.getvalue()))
    result = run(tmp_path / "in", "-o", tmp_path / "masks", "--viz", tmp_path / "viz")
    assert result.exit_code == 0 and pixels(tmp_path / "viz" / "a.png")[0, 0].tolist() == list(NO_PHOTO_GRAY)
    assert overlay_warning(result.stderr) == (
        f"warning: {path}: a: drawn without a photo: the image {tmp_path / 'in' / 'a.png'} is 10x20 "
        f"(as displayed) but the annotation is 20x10; {path}: imageData is 4x3 but the annotation is 20x10"
    )


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent")
def test_labelme_tutorial_file_is_drawn_over_its_embedded_jpeg(tmp_path):
    # apc2016_obj3.json embeds a 1210x907 JPEG and names itself as imagePath: there is no image file.
    shutil.copy(FIXTURES / "tutorial" / "apc2016_obj3.json", tmp_path / "a.json")
    result = run(tmp_path / "a.json", "-o", tmp_path / "masks", "--viz", tmp_path / "viz", "--no-outline")
    assert result.exit_code == 0, result.stderr
    embedded = json.loads((tmp_path / "a.json").read_text())["imageData"]
    expected = np.asarray(Image.open(io.BytesIO(base64.b64decode(embedded))).convert("RGB"))
    picture, mask = pixels(tmp_path / "viz" / "a.png"), read_mask(tmp_path / "masks" / "a.png")
    assert expected.shape == (907, 1210, 3) and mask.shape == (907, 1210)
    background = mask == 0
    assert 0 < background.sum() < mask.size  # both background and labelled pixels
    assert np.array_equal(picture[:907, :1210][background], expected[background])
