"""Mask files: indices read as stored (palette, 16-bit), our writer round-trips, errors name the file."""

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from segtool.arrays import padded_rows
from segtool.errors import MaskError
from segtool.io.maskio import (
    PNG_SIGNATURE,
    colours_to_ids,
    decode_png,
    encode_png,
    read_mask,
    write_mask,
)
from segtool.labels import LabelMap


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))), st.booleans())
def test_round_trip_8_bit(array, with_palette):
    palette = LabelMap.from_names(["a"]).palette() if with_palette else None
    data = encode_png(array, palette=palette)
    assert np.array_equal(decode_png(data), array)
    decoded_by_pillow = np.asarray(Image.open(io.BytesIO(data)))
    assert np.array_equal(decoded_by_pillow, array)  # a standard PNG, not just one we can read


def test_a_view_after_a_zero_column_is_written_as_it_lies():
    rows = np.zeros((3, 5), np.uint8)
    rows[:, 1:] = np.arange(12).reshape(3, 4)
    view = rows[:, 1:]
    assert padded_rows(view) is not None and np.shares_memory(padded_rows(view), rows)
    assert encode_png(view) == encode_png(np.ascontiguousarray(view))
    assert padded_rows(decode_png(encode_png(view), copy=False)) is not None  # what the decoder returns
    rows[1, 0] = 7  # column 0 is no longer all zeros: copied like any other view
    assert (
        padded_rows(view) is None
        and decode_png(encode_png(view)).tolist() == np.arange(12).reshape(3, 4).tolist()
    )
    assert padded_rows(rows[:, 2:]) is None and padded_rows(np.zeros((3, 4), np.uint16)[:, 1:]) is None


def test_values_above_255_are_16_bit_never_wrapped():
    array = np.array([[0, 255, 256], [300, 65535, 1]], dtype=np.int64)
    data = encode_png(array)
    decoded = decode_png(data)
    assert decoded.dtype == np.uint16 and decoded.tolist() == array.tolist()
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")


def test_palette_png_written_by_pillow_reads_as_indices_not_colours():
    indices = np.array([[0, 1, 2], [15, 255, 3]], np.uint8)
    image = Image.frombytes("P", (3, 2), indices.tobytes())
    image.putpalette(LabelMap.from_names(["a"]).palette())
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert np.array_equal(decode_png(buffer.getvalue()), indices)
    # The trap: OpenCV turns the same file into colours.
    as_colour = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_UNCHANGED)
    assert as_colour.ndim == 3


def test_low_bit_depth_palette_keeps_indices():
    indices = np.array([[0, 1], [2, 3]], np.uint8)
    image = Image.frombytes("P", (2, 2), indices.tobytes())
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", bits=2)
    assert decode_png(buffer.getvalue()).tolist() == indices.tolist()


def test_rgb_png_is_returned_as_colour_and_mapped_through_a_table():
    rgb = np.array([[[0, 0, 0], [255, 0, 0]], [[0, 255, 0], [255, 0, 0]]], np.uint8)
    ok, data = cv2.imencode(".png", rgb[..., ::-1])
    decoded = decode_png(data.tobytes())
    assert decoded.shape == (2, 2, 3) and np.array_equal(decoded, rgb)
    ids = colours_to_ids(decoded, {(0, 0, 0): 0, (255, 0, 0): 1, (0, 255, 0): 2})
    assert ids.tolist() == [[0, 1], [2, 1]]
    with pytest.raises(MaskError, match="#00ff00"):
        colours_to_ids(decoded, {(0, 0, 0): 0, (255, 0, 0): 1}, path="m.png")


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "empty"),
        (b"GIF89a....", "not a PNG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "truncated"),
    ],
)
def test_broken_files_are_one_line_errors(tmp_path, data, problem):
    path = tmp_path / "bad.png"
    path.write_bytes(data)
    with pytest.raises(MaskError) as caught:
        read_mask(path)
    assert problem in str(caught.value) and str(path) in str(caught.value)


def test_truncated_pixel_data_is_an_error(tmp_path):
    data = encode_png(np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) % 300)
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MaskError):
        read_mask(path)


def test_pixel_limit_refuses_before_decoding(tmp_path):
    path = tmp_path / "big.png"
    write_mask(path, np.zeros((100, 100), np.uint8))
    with pytest.raises(MaskError, match="limit"):
        read_mask(path, max_pixels=9999)


def test_npy_masks(tmp_path):
    np.save(tmp_path / "a.npy", np.array([[0, 1], [300, 2]], np.int32))
    np.save(tmp_path / "b.npy", np.zeros((2, 2, 3), np.uint8))
    np.save(tmp_path / "c.npy", np.array([[0.5]]))
    assert read_mask(tmp_path / "a.npy").dtype == np.uint16
    with pytest.raises(MaskError, match="2-D"):
        read_mask(tmp_path / "b.npy")
    with pytest.raises(MaskError, match="integers"):
        read_mask(tmp_path / "c.npy")


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "sub" / "m.png"
    write_mask(target, np.ones((3, 3), np.uint8))
    with pytest.raises(ValueError):
        write_mask(target, np.full((3, 3), -1))  # refused before anything is written
    assert read_mask(target).tolist() == [[1] * 3] * 3
    assert [p.name for p in target.parent.iterdir()] == ["m.png"]


def test_masks_written_with_stock_zlib_and_with_zlib_ng_are_interchangeable():
    """The writer's deflate stream is the one the stock zlib gives (same settings, same bytes), and an
    unfiltered file compressed by the stock zlib at other settings reads back the same."""
    labels = np.zeros((40, 70), np.uint8)
    labels[5:30, 10:60] = 3
    labels[20:, 40:] = 255
    rows = np.zeros((40, 71), np.uint8)
    rows[:, 1:] = labels
    stock = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    written = encode_png(labels)
    assert stock.compress(rows.data) + stock.flush() in written
    idat = zlib.compress(rows.tobytes(), 9)
    header = struct.pack(">IIBBBBB", 70, 40, 8, 0, 0, 0, 0)
    old_file = PNG_SIGNATURE + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in ((b"IHDR", header), (b"IDAT", idat), (b"IEND", b""))
    )
    np.testing.assert_array_equal(decode_png(old_file), labels)


def test_read_mask_pair_reads_both_and_refuses_different_sizes(tmp_path):
    from segtool.errors import SizeMismatchError
    from segtool.io.maskpair import read_mask_pair
    from segtool.io.storage import as_path

    gt, pred, small = (as_path(tmp_path / name) for name in ("gt.png", "pred.png", "small.png"))
    write_mask(gt, np.array([[0, 1, 2]], np.uint8))
    write_mask(pred, np.array([[1, 1, 2]], np.uint8))
    write_mask(small, np.array([[1, 1]], np.uint8))
    truth, guess = read_mask_pair(gt, pred)
    assert truth.tolist() == [[0, 1, 2]] and guess.tolist() == [[1, 1, 2]]
    assert read_mask_pair(gt, None)[1].tolist() == [[0, 0, 0]]  # a missing prediction: all background
    with pytest.raises(SizeMismatchError) as caught:
        read_mask_pair(gt, small)
    assert str(caught.value) == (
        f"{small}: the prediction is 2x1 but the ground truth {gt} is 3x1 (width x height); "
        "nothing is resized"
    )
