"""One rule for the photo under a picture (overlay, score --images, rasterize --viz): pipelines.photos."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.cli import app
from segtool.io.maskio import write_mask
from segtool.pipelines.photos import PhotoFolder, PhotoSource, load_photo
from segtool.viz.overlays import NO_PHOTO_GRAY, OUTLINE_DARK, OUTLINE_LIGHT

FILE_GRAY, EMBEDDED_GRAY = (100, 100, 100), (40, 40, 40)


def png(size=(3, 2), colour=FILE_GRAY) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def labelme(path: Path, image_data: bytes | None, *, size=(3, 2)) -> Path:
    """A LabelMe file with no shapes, embedding ``image_data`` (None: no image)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "version": "5.4.1",
        "shapes": [],
        "imagePath": "elsewhere.jpg",
        "imageData": base64.b64encode(image_data).decode() if image_data is not None else None,
        "imageWidth": size[0],
        "imageHeight": size[1],
    }
    path.write_text(json.dumps(document))
    return path


# -- load_photo -----------------------------------------------------------------------------
def test_the_image_file_comes_first(tmp_path):
    (tmp_path / "a.png").write_bytes(png())
    source = PhotoSource(
        "a", file=tmp_path / "a.png", embedded_in=labelme(tmp_path / "a.json", png(colour=EMBEDDED_GRAY))
    )
    photo, warning = load_photo(source, (2, 3))
    assert warning is None and photo[0, 0].tolist() == list(FILE_GRAY)


def test_the_embedded_image_is_used_when_the_file_is_missing_unreadable_or_of_another_size(tmp_path):
    embedded = labelme(tmp_path / "a.json", png(colour=EMBEDDED_GRAY))
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    (tmp_path / "small.png").write_bytes(png(size=(1, 1)))
    for file in (None, tmp_path / "bad.jpg", tmp_path / "small.png"):
        photo, warning = load_photo(PhotoSource("a", file=file, embedded_in=embedded), (2, 3))
        assert warning is None and photo.shape == (2, 3, 3) and photo[0, 0].tolist() == list(EMBEDDED_GRAY)


def test_without_a_photo_one_line_names_the_subject_and_every_reason(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    embedded = labelme(tmp_path / "a.json", png(size=(5, 5)))
    photo, warning = load_photo(
        PhotoSource("masks/a.png", file=tmp_path / "bad.jpg", embedded_in=embedded), (2, 3)
    )
    assert photo is None
    assert warning == (
        f"masks/a.png: drawn without a photo: {tmp_path / 'bad.jpg'}: not an image "
        f"in a format Pillow reads; {embedded}: imageData is 5x5 but the mask is 3x2"
    )
    assert load_photo(PhotoSource("a", no_file="no image named a under x"), (2, 3)) == (
        None,
        "a: drawn without a photo: no image named a under x",
    )


def test_photo_folder_finds_images_and_labelme_files_by_key_and_names_clashes(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.png").write_bytes(png())
    labelme(tmp_path / "sub" / "b.json", None)
    (tmp_path / "c.png").write_bytes(png())
    (tmp_path / "c.jpg").write_bytes(png())
    folder = PhotoFolder.read(tmp_path)
    assert folder.keys == {"sub/a", "c"}  # .json files are not counted as photos
    assert folder.source("sub/a", subject="a").file == tmp_path / "sub" / "a.png"
    b = folder.source("sub/b", subject="b")
    assert (b.file, b.embedded_in, b.no_file) == (
        None,
        tmp_path / "sub" / "b.json",
        f"no image named sub/b under {tmp_path}",
    )
    c = folder.source("c", subject="c")
    assert (
        c.file is None
        and c.no_file == f"{tmp_path / 'c.jpg'}, {tmp_path / 'c.png'}: several images for one name; keep one"
    )


# -- the three commands ------------------------------------------------------------------------
def run(*args):
    return CliRunner().invoke(app, [*map(str, args)], terminal_width=200)


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


@pytest.fixture
def masks(tmp_path):
    """gt/a.png and pred/a.png: class 1 on the right column of a 2x3 mask; an empty photo folder."""
    mask = np.array([[0, 0, 1], [0, 0, 1]], np.uint8)
    write_mask(tmp_path / "gt" / "a.png", mask)
    write_mask(tmp_path / "pred" / "a.png", mask)
    (tmp_path / "photos").mkdir()
    return tmp_path


def score_with_pictures(folder: Path, *more):
    """``score PRED GT --images photos --error-maps maps`` in ``folder``, plus ``more`` options."""
    images = ["--images", folder / "photos", "--error-maps", folder / "maps"]
    return run("score", folder / "pred", folder / "gt", *images, *more, "-j", "1")


def test_score_without_a_photo_warns_once_draws_without_it_and_exits_0(masks):
    result = score_with_pictures(masks, "--report", masks / "r.html")
    assert result.exit_code == 0, result.stderr
    # the error map and the report both wanted the photo: one warning
    assert warnings_of(result.stderr) == [
        f"warning: a: drawn without a photo: no image named a under {masks / 'photos'}"
    ]
    assert (masks / "maps" / "a.png").exists() and (masks / "r.html").exists()


def test_score_uses_the_image_embedded_in_a_labelme_file_of_the_ground_truths_name(masks):
    labelme(masks / "photos" / "a.json", png(colour=EMBEDDED_GRAY))
    result = score_with_pictures(masks)
    assert result.exit_code == 0 and warnings_of(result.stderr) == []
    # a correct background pixel shows the photo (gray 40) under the map, whatever the error style
    picture = np.asarray(Image.open(masks / "maps" / "a.png").convert("RGB"))
    assert picture[0, 0].tolist() == list(EMBEDDED_GRAY)


def test_overlay_without_a_photo_warns_draws_on_gray_and_exits_0(masks):
    mask = np.zeros((4, 8), np.uint8)
    mask[:, 5:] = 1
    write_mask(masks / "gt" / "a.png", mask)
    result = run("overlay", masks / "photos", masks / "gt", "-o", masks / "out", "--no-legend", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert warnings_of(result.stderr) == [
        f"warning: {masks / 'gt' / 'a.png'}: drawn without a photo: no image named a under {masks / 'photos'}"
    ]
    picture = np.asarray(Image.open(masks / "out" / "a.png").convert("RGB"))
    gray, red = list(NO_PHOTO_GRAY), [128, 0, 0]  # no photo: the class in full colour
    assert picture.tolist() == [[gray] * 4 + [list(OUTLINE_LIGHT), list(OUTLINE_DARK), red, red]] * 4


def test_overlay_no_outline_draws_the_class_colour_at_the_boundary(masks):
    (masks / "photos" / "a.png").write_bytes(png())
    result = run(
        "overlay", masks / "photos", masks / "gt", "-o", masks / "out", "--no-legend", "--no-outline"
    )
    assert result.exit_code == 0 and warnings_of(result.stderr) == []
    picture = np.asarray(Image.open(masks / "out" / "a.png").convert("RGB"))
    assert picture.tolist() == [[list(FILE_GRAY), list(FILE_GRAY), [114, 50, 50]]] * 2


def test_an_image_file_of_another_size_is_never_decoded(tmp_path, monkeypatch):
    """Its header says its size: a small PNG declaring 12000 x 12000 pixels took 1.6 GB to decode and drop."""
    import segtool.pipelines.photos as photos

    def no_decoding(path):
        raise AssertionError(f"{path} was decoded")

    (tmp_path / "big.png").write_bytes(png(size=(30, 20)))
    monkeypatch.setattr(photos, "read_image", no_decoding)
    photo, warning = load_photo(PhotoSource("m.png", file=tmp_path / "big.png"), (2, 3))
    assert photo is None
    assert (
        warning == f"m.png: drawn without a photo: the image {tmp_path / 'big.png'} is 30x20 (as displayed) "
        "but the mask is 3x2"
    )
