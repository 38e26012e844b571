"""Overlays: colours, the dark-and-light outline, legends, picture I/O, the folder run and the command."""

import importlib
import io

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segtool.errors import InputFileError, OutputError
from segtool.io.maskio import write_mask
from segtool.labels import LabelMap
from segtool.pipelines.overlay import OverlayOptions, overlay_folder
from segtool.viz.image import read_image, thumbnail, write_image
from segtool.viz.overlays import (
    NO_PHOTO_GRAY,
    OUTLINE_DARK,
    OUTLINE_LIGHT,
    legend_entries,
    outline_sides,
    overlay,
    present_ids,
)

# from_names sorts the names after the background: a = 1, b = 2; VOC colours 1 = (128, 0, 0),
# 2 = (0, 128, 0), and the ignore value 255 = (224, 224, 192).
LABELS = LabelMap.from_names(["a", "b"])
RED, GREEN, CREAM = (128, 0, 0), (0, 128, 0), (224, 224, 192)


def gray(height, width, value=100):
    return np.full((height, width, 3), value, np.uint8)


def test_blend_at_half_opacity_leaves_background_and_paints_ignore():
    labels = np.array([[0, 1, 2, 255]], np.uint8)
    picture = overlay(gray(1, 4), labels, label_map=LABELS, opacity=0.5, outline=False, legend=False)
    # 100 * 0.5 + colour * 0.5 per channel: (128, 0, 0) -> (114, 50, 50); cream -> (162, 162, 146)
    assert picture.tolist() == [[[100, 100, 100], [114, 50, 50], [50, 114, 50], [162, 162, 146]]]


def test_opacity_zero_is_the_image_and_one_is_the_colours():
    labels = np.array([[0, 1], [2, 1]], np.uint8)
    assert np.array_equal(overlay(gray(2, 2), labels, opacity=0.0, outline=False, legend=False), gray(2, 2))
    solid = overlay(gray(2, 2), labels, label_map=LABELS, opacity=1.0, outline=False, legend=False)
    assert solid.tolist() == [[[100, 100, 100], list(RED)], [list(GREEN), list(RED)]]


def test_include_background_paints_id_0_in_its_colour():
    picture = overlay(
        gray(1, 1), np.zeros((1, 1), np.uint8), opacity=1.0, legend=False, include_background=True
    )
    assert picture.tolist() == [[[0, 0, 0]]]  # VOC colour of id 0 is black


def where(picture, colour):
    """The pixels of ``picture`` of exactly ``colour``, as 0/1 rows."""
    return np.all(picture == colour, axis=2).astype(int).tolist()


def test_outline_is_dark_inside_a_region_and_light_outside_it():
    labels = np.zeros((6, 6), np.uint8)
    labels[1:5, 1:5] = 1  # a 4x4 square: its 12 border pixels dark, the 16 pixels beside it light
    picture = overlay(gray(6, 6), labels, label_map=LABELS, legend=False)
    assert where(picture, OUTLINE_DARK) == [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 1, 1, 1, 0],
        [0, 1, 0, 0, 1, 0],
        [0, 1, 0, 0, 1, 0],
        [0, 1, 1, 1, 1, 0],
        [0, 0, 0, 0, 0, 0],
    ]
    assert where(picture, OUTLINE_LIGHT) == [
        [0, 1, 1, 1, 1, 0],
        [1, 0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0, 1],
        [0, 1, 1, 1, 1, 0],
    ]
    assert picture[2:4, 2:4].tolist() == [[[114, 50, 50]] * 2] * 2  # inside: blended, no line
    assert picture[0, 0].tolist() == [100, 100, 100]  # a diagonal step away: the photo


def test_no_outline_draws_no_line():
    labels = np.zeros((6, 6), np.uint8)
    labels[1:5, 1:5] = 1
    picture = overlay(gray(6, 6), labels, label_map=LABELS, outline=False, legend=False)
    assert not np.all(picture == OUTLINE_DARK, axis=2).any()
    assert not np.all(picture == OUTLINE_LIGHT, axis=2).any()
    assert picture[1, 1].tolist() == [114, 50, 50] and picture[0, 1].tolist() == [100, 100, 100]


def test_between_two_classes_the_larger_id_takes_the_dark_line():
    labels = np.array([[1, 1, 1, 2, 2, 2]] * 3, np.uint8)
    picture = overlay(gray(3, 6), labels, label_map=LABELS, legend=False)
    assert where(picture, OUTLINE_DARK) == [[0, 0, 0, 1, 0, 0]] * 3
    assert where(picture, OUTLINE_LIGHT) == [[0, 0, 1, 0, 0, 0]] * 3


def test_a_one_pixel_line_keeps_its_colour_between_its_lines_at_any_opacity():
    labels = np.zeros((7, 7), np.uint8)
    labels[3, :] = 2  # a line 1 pixel wide
    for opacity in (0.0, 0.5):
        picture = overlay(gray(7, 7), labels, label_map=LABELS, opacity=opacity, legend=False)
        column = [tuple(pixel) for pixel in picture[:, 3].tolist()]
        photo = (100, 100, 100)
        assert column == [photo, OUTLINE_LIGHT, OUTLINE_DARK, GREEN, OUTLINE_DARK, OUTLINE_LIGHT, photo]


def test_a_one_pixel_point_is_ringed_dark_then_light():
    labels = np.zeros((7, 7), np.uint8)
    labels[3, 3] = 1
    picture = overlay(gray(7, 7), labels, label_map=LABELS, legend=False)
    assert picture[3, 3].tolist() == list(RED)
    assert where(picture, OUTLINE_DARK)[2:5] == [
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 1, 0, 0],
        [0, 0, 0, 1, 0, 0, 0],
    ]
    assert sum(map(sum, where(picture, OUTLINE_LIGHT))) == 8  # the ring two steps away


def test_image_edge_is_no_boundary_and_width_widens_both_lines():
    picture = overlay(gray(4, 4), np.ones((4, 4), np.uint8), legend=False)
    assert not np.all(picture == OUTLINE_DARK, axis=2).any()
    labels = np.zeros((1, 8), np.uint16)
    labels[0, 4:] = 7
    dark, light = outline_sides(labels, width=2)
    assert (dark.astype(int).tolist(), light.astype(int).tolist()) == (
        [[0, 0, 0, 0, 1, 1, 0, 0]],
        [[0, 0, 1, 1, 0, 0, 0, 0]],
    )


def test_without_a_photo_the_classes_are_full_colour_on_gray():
    labels = np.zeros((6, 6), np.uint8)
    labels[1:5, 1:5] = 1
    picture = overlay(None, labels, label_map=LABELS, opacity=0.5, legend=False)
    assert picture[0, 0].tolist() == list(NO_PHOTO_GRAY) and picture[2, 2].tolist() == list(RED)
    assert picture[1, 1].tolist() == list(OUTLINE_DARK) and picture[0, 1].tolist() == list(OUTLINE_LIGHT)


def test_legend_lists_the_painted_ids_present_in_id_order():
    labels = np.array([[2, 0, 255]], np.uint8)
    assert present_ids(labels) == [2, 255]
    assert present_ids(labels, include_background=True) == [0, 2, 255]
    assert legend_entries([2, 255], LABELS) == [("b", GREEN), ("__ignore__", CREAM)]
    assert legend_entries([2, 255]) == [("2", GREEN), ("255", CREAM)]  # no label map: ids, not "ignore"


def test_legend_panel_is_added_right_of_the_picture_with_one_swatch_per_class():
    labels = np.zeros((60, 80), np.uint8)
    labels[10:30, 10:30] = 1
    image = gray(60, 80)
    plain = overlay(image, labels, label_map=LABELS, legend=False)
    with_legend = overlay(image, labels, label_map=LABELS, legend=True)
    assert with_legend.shape[0] == 60 and with_legend.shape[1] > 80
    assert np.array_equal(with_legend[:, :80], plain)  # the picture itself is untouched
    panel = with_legend[:, 80:]
    assert np.all(panel == RED, axis=2).sum() >= 25  # class a's swatch, drawn at full colour
    assert not np.all(panel == GREEN, axis=2).any()  # class b is absent: no swatch


def test_legend_taller_than_a_tiny_picture_pads_it_below():
    labels = np.arange(1, 9, dtype=np.uint8).reshape(2, 4)  # 8 classes on a 2x4 picture
    picture = overlay(gray(2, 4), labels, opacity=1.0)
    assert (
        picture.shape[0] > 2
        and picture[:2, :4].tolist() == overlay(gray(2, 4), labels, opacity=1.0, legend=False).tolist()
    )


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="do not match"):
        overlay(gray(2, 2), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="opacity"):
        overlay(gray(2, 2), np.zeros((2, 2), np.uint8), opacity=1.5)


# -- picture files ------------------------------------------------------------------------
def test_write_image_png_is_exact_and_jpeg_is_jpeg(tmp_path):
    picture = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    write_image(tmp_path / "a.png", picture)
    assert np.asarray(Image.open(tmp_path / "a.png")).tolist() == picture.tolist()
    write_image(tmp_path / "sub" / "b.jpg", picture)
    assert (tmp_path / "sub" / "b.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    with pytest.raises(OutputError, match="must end in"):
        write_image(tmp_path / "c.gif", picture)
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["a.png", "b.jpg", "sub"]  # no temp files


def test_read_image_applies_exif_orientation(tmp_path):
    stored = Image.new("RGB", (4, 2), (10, 20, 30))  # 4 wide, 2 tall as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees to display: 2 wide, 4 tall
    stored.save(tmp_path / "photo.jpg", exif=exif)
    assert read_image(tmp_path / "photo.jpg").shape == (4, 2, 3)


def test_read_image_stretches_16_bit_and_names_bad_files(tmp_path):
    deep = np.array([[1000, 2000]], np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    assert read_image(tmp_path / "deep.png").tolist() == [[[0, 0, 0], [255, 255, 255]]]
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(InputFileError, match="bad.jpg"):
        read_image(tmp_path / "bad.jpg")


def test_thumbnail_never_enlarges_and_keeps_the_aspect():
    assert thumbnail(gray(10, 20), max_side=40).shape == (10, 20, 3)
    assert thumbnail(gray(100, 400), max_side=40).shape == (10, 40, 3)


# -- folders and the command --------------------------------------------------------------
def _folders(tmp_path):
    """images/x/one.png + masks/x/one.png (a pair), masks/two.png (no image),
    images/three.png 4x4 with a 2x2 mask (size mismatch), images/extra.png (no mask),
    masks/four.png (not a mask)."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    (images / "x").mkdir(parents=True)
    Image.fromarray(gray(2, 3)).save(images / "x" / "one.png")
    write_mask(masks / "x" / "one.png", np.array([[0, 1, 1], [0, 0, 2]], np.uint8))
    write_mask(masks / "two.png", np.array([[0, 1]], np.uint8))
    Image.fromarray(gray(4, 4)).save(images / "three.png")
    write_mask(masks / "three.png", np.zeros((2, 2), np.uint8))
    Image.fromarray(gray(2, 2)).save(images / "extra.png")
    (masks / "four.png").write_bytes(b"not a png")
    return images, masks


def test_overlay_folder_draws_every_mask_and_warns_for_each_missing_photo(tmp_path):
    images, masks = _folders(tmp_path)
    options = OverlayOptions(label_map=LABELS, opacity=1.0, outline=False, legend=False)
    summary = overlay_folder(images, masks, tmp_path / "out", options=options)
    out = tmp_path / "out"
    assert sorted(summary.written) == [out / "three.png", out / "two.png", out / "x" / "one.png"]
    assert np.asarray(Image.open(out / "x" / "one.png")).tolist() == [
        [[100, 100, 100], list(RED), list(RED)],
        [[100, 100, 100], [100, 100, 100], list(GREEN)],
    ]
    # no photo: the classes in full colour on gray
    assert np.asarray(Image.open(out / "two.png")).tolist() == [[list(NO_PHOTO_GRAY), list(RED)]]
    assert sorted(summary.photo_warnings) == [
        f"{masks / 'three.png'}: drawn without a photo: the image {images / 'three.png'} is 4x4 "
        "(as displayed) but the mask is 2x2",
        f"{masks / 'two.png'}: drawn without a photo: no image named two under {images}",
    ]
    assert [failure.name for failure in summary.failures] == [str(masks / "four.png")]  # a bad mask fails
    assert summary.images_without_mask == 1  # extra.png


def test_overlay_command_warns_for_missing_photos_and_fails_only_for_bad_masks(tmp_path):
    from segtool.cli import app

    images, masks = _folders(tmp_path)
    LABELS.write(masks)  # labels.csv beside the masks is picked up without --labels
    args = ["overlay", str(images), str(masks), "-o", str(tmp_path / "out"), "--no-legend", "-j", "1"]
    result = CliRunner().invoke(app, [*args, "--image-format", "jpeg"], terminal_width=200)
    assert result.exit_code == 1  # four.png is no mask
    assert result.stdout == ""  # no data on stdout: the overlays are files
    lines = result.stderr.splitlines()
    assert f"warning: {masks / 'two.png'}: drawn without a photo: no image named two under {images}" in lines
    assert any(line.startswith(f"error: {masks / 'four.png'}") for line in lines)
    assert "3 overlays written" in result.stderr
    written = tmp_path / "out" / "x" / "one.jpg"
    assert np.asarray(Image.open(io.BytesIO(written.read_bytes()))).shape == (2, 3, 3)
    (masks / "four.png").unlink()
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0 and result.stderr.count("warning: ") == 2  # warnings never fail the run


def test_overlay_uses_the_image_embedded_in_a_labelme_file_of_the_same_name(tmp_path):
    import base64
    import json

    images, masks = tmp_path / "annotations", tmp_path / "masks"
    (images / "sub").mkdir(parents=True)
    embedded = io.BytesIO()
    Image.fromarray(gray(2, 3, value=40)).save(embedded, format="PNG")
    document = {"shapes": [], "imagePath": "gone.jpg", "imageHeight": 2, "imageWidth": 3}
    document["imageData"] = base64.b64encode(embedded.getvalue()).decode()
    (images / "sub" / "a.json").write_text(json.dumps(document))
    write_mask(masks / "sub" / "a.png", np.array([[0, 0, 1], [0, 0, 1]], np.uint8))
    options = OverlayOptions(label_map=LABELS, opacity=0.5, outline=False, legend=False)
    summary = overlay_folder(images, masks, tmp_path / "out", options=options)
    assert summary.photo_warnings == [] and summary.images_without_mask == 0
    # 40 * 0.5 + (128, 0, 0) * 0.5 = (84, 20, 20)
    assert (
        np.asarray(Image.open(tmp_path / "out" / "sub" / "a.png")).tolist()
        == [[[40, 40, 40], [40, 40, 40], [84, 20, 20]]] * 2
    )
    document["imageData"] = None  # a LabelMe file without the image: drawn without a photo
    (images / "sub" / "a.json").write_text(json.dumps(document))
    summary = overlay_folder(images, masks, tmp_path / "out", options=options)
    assert summary.photo_warnings == [
        f"{masks / 'sub' / 'a.png'}: drawn without a photo: no image named sub/a under {images}; "
        f"{images / 'sub' / 'a.json'}: imageData holds no embedded image"
    ]


def test_overlay_command_with_legend_names_the_classes_found(tmp_path):
    from segtool.cli import app

    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    Image.fromarray(gray(40, 40)).save(images / "p.png")
    labels = np.zeros((40, 40), np.uint8)
    labels[5:15, 5:15] = 2
    write_mask(masks / "p.png", labels)
    result = CliRunner().invoke(
        app, ["overlay", str(images), str(masks), "-o", str(tmp_path / "o"), "-j", "1", "-q"]
    )
    assert result.exit_code == 0 and result.stderr == ""
    picture = np.asarray(Image.open(tmp_path / "o" / "p.png"))
    assert picture.shape[1] > 40 and np.all(picture[:, 40:] == GREEN, axis=2).any()  # swatch of id 2


def test_overlay_folder_refuses_to_write_into_the_masks_or_the_images(tmp_path):
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    Image.fromarray(gray(8, 8)).save(images / "p.png")
    write_mask(masks / "p.png", np.ones((8, 8), np.uint8))
    before = (masks / "p.png").read_bytes(), (images / "p.png").read_bytes()
    for out, refused in ((masks, "mask folder"), (masks / "sub", "mask folder"), (images, "input folder")):
        with pytest.raises(OutputError, match=f"overlay folder must not be the {refused}"):
            overlay_folder(images, masks, out)
    assert ((masks / "p.png").read_bytes(), (images / "p.png").read_bytes()) == before  # nothing overwritten


@pytest.mark.parametrize(
    "out, refused", [("m", "mask folder"), ("m/sub", "mask folder"), ("i", "input folder")]
)
def test_overlay_command_into_the_masks_or_the_images_is_a_usage_error(tmp_path, out, refused):
    """Exit 2, as score refuses an output that is (or holds) an input; one line, nothing written."""
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    Image.fromarray(gray(8, 8)).save(images / "p.png")
    write_mask(masks / "p.png", np.ones((8, 8), np.uint8))
    before = sorted(tmp_path.rglob("*"))
    from segtool.cli import app

    result = CliRunner().invoke(
        app, ["overlay", str(images), str(masks), "-o", str(tmp_path / out), "-j", "1"]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"overlay folder must not be the {refused}" in result.stderr
    assert "Traceback" not in result.stderr and sorted(tmp_path.rglob("*")) == before


def test_the_overlays_module_is_not_shadowed_by_the_overlay_function():
    import segtool.viz
    import segtool.viz.overlays

    assert segtool.viz.overlay is segtool.viz.overlays.overlay and callable(segtool.viz.overlay)
    assert importlib.import_module("segtool.viz.overlays").outline_sides is outline_sides


def test_overlay_takes_an_executor_and_urls(tmp_path):
    from typer.testing import CliRunner

    from segtool.cli import app

    Image.new("RGB", (4, 2), (10, 20, 30)).save(tmp_path / "a.png")
    (tmp_path / "masks").mkdir()
    write_mask(tmp_path / "masks" / "a.png", np.array([[0, 1, 1, 0], [0, 1, 1, 0]], np.uint8))
    out = "memory://overlays"
    result = CliRunner().invoke(
        app, ["overlay", str(tmp_path / "a.png"), str(tmp_path / "masks"), "-o", out, "--executor", "local"]
    )
    assert result.exit_code == 0, result.output
    import fsspec

    assert fsspec.filesystem("memory").exists("/overlays/a.png")


@pytest.mark.parametrize(
    "flag, boundary", [([], [OUTLINE_LIGHT, OUTLINE_DARK]), (["--no-outline"], [NO_PHOTO_GRAY, RED])]
)
def test_score_report_thumbnails_follow_no_outline(tmp_path, flag, boundary):
    import base64
    import re

    from segtool.cli import app

    mask = np.zeros((4, 8), np.uint8)
    mask[:, 4:] = 1
    for side in ("gt", "pred"):
        write_mask(tmp_path / side / "a.png", mask)
    report = tmp_path / "r.html"
    args = ["score", str(tmp_path / "pred"), str(tmp_path / "gt"), "--report", str(report), *flag]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    first = re.search(r'src="data:image/png;base64,([^"]+)"', report.read_text()).group(1)  # the ground truth
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(first))).convert("RGB"))
    assert [tuple(pixel) for pixel in picture[2, 3:5].tolist()] == [tuple(colour) for colour in boundary]


def test_without_a_photo_the_legend_says_so_on_the_gray():
    labels = np.zeros((60, 80), np.uint8)
    labels[10:30, 10:30] = 1
    with_photo, without = overlay(gray(60, 80), labels), overlay(None, labels)
    assert not np.all(with_photo[:, 80:] == NO_PHOTO_GRAY, axis=2).any()
    assert np.all(without[:, 80:] == NO_PHOTO_GRAY, axis=2).sum() >= 25  # the "(no photo)" swatch


def test_draw_outline_draws_into_a_painted_picture_and_refuses_a_strided_one():
    from segtool.viz.overlays import draw_outline

    labels = np.array([[0, 0, 1, 1, 1, 1]] * 3, np.uint8)
    picture = gray(3, 6)
    assert draw_outline(picture, labels, label_map=LABELS) is picture
    assert where(picture, OUTLINE_LIGHT) == [[0, 1, 0, 0, 0, 0]] * 3
    assert where(picture, OUTLINE_DARK) == [[0, 0, 1, 0, 0, 0]] * 3
    with pytest.raises(ValueError, match="C-contiguous"):
        draw_outline(gray(3, 12)[:, ::2], labels)


def test_overlay_of_a_single_mask_reads_the_label_map_beside_it(tmp_path):
    from segtool.cli import app

    Image.fromarray(gray(40, 40)).save(tmp_path / "p.png")
    labels = np.zeros((40, 40), np.uint8)
    labels[5:15, 5:15] = 2
    write_mask(tmp_path / "masks" / "p.png", labels)
    (tmp_path / "masks" / "labels.csv").write_text("id,name,color\n0,_background_,#000000\n2,b,#0ac81e\n")
    args = ["overlay", str(tmp_path / "p.png"), str(tmp_path / "masks" / "p.png"), "-o", str(tmp_path / "o")]
    result = CliRunner().invoke(app, [*args, "-q"])
    assert result.exit_code == 0, result.stderr
    picture = np.asarray(Image.open(tmp_path / "o" / "p.png"))
    assert np.all(picture[:, 40:] == (10, 200, 30), axis=2).any()  # the swatch in the map's colour #0ac81e


def test_overlay_summary_speaks_of_one_overlay_and_one_image_in_the_singular(tmp_path):
    from segtool.cli import app

    (tmp_path / "photos").mkdir()
    for name in ("p", "q"):
        Image.fromarray(gray(4, 4)).save(tmp_path / "photos" / f"{name}.png")
    write_mask(tmp_path / "masks" / "p.png", np.zeros((4, 4), np.uint8))
    args = [
        "overlay",
        str(tmp_path / "photos"),
        str(tmp_path / "masks"),
        "-o",
        str(tmp_path / "o"),
        "-j",
        "1",
    ]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.stderr
    assert "1 image has no mask (not drawn)" in result.stderr
    assert f"1 overlay written to {tmp_path / 'o'}" in result.stderr


def test_an_outline_wider_than_the_picture_draws_as_one_as_wide_as_it():
    """--outline-width 1000000 was an internal error (OpenCV asked for a 4 TB kernel); 10**20 too."""
    labels = np.zeros((5, 7), np.uint8)
    labels[1:4, 2:5] = 1
    labels[4, 0] = 2
    widest = overlay(None, labels, outline_width=5 + 7, legend=False)
    for width in (10**6, 10**20):
        assert np.array_equal(overlay(None, labels, outline_width=width, legend=False), widest)


def test_a_legend_of_thousands_of_classes_lists_the_first_and_counts_the_rest():
    """3000 classes beside a 60-pixel-tall mask made an overlay 81,068 pixels wide; 65,535 classes
    with long names would have needed gigabytes."""
    from segtool.viz.legend import MAX_LEGEND_ENTRIES, with_legend

    picture = np.zeros((60, 30, 3), np.uint8)
    entries = [(f"class {index}", (index % 256, 0, 0)) for index in range(3000)]
    kept = MAX_LEGEND_ENTRIES - 1
    capped = with_legend(picture, entries)
    assert np.array_equal(
        capped, with_legend(picture, [*entries[:kept], (f"… and {3000 - kept} more", None)])
    )
    long_name = with_legend(picture, [("x" * 1000, (1, 2, 3))])
    assert long_name.shape[1] < 30 + 400
