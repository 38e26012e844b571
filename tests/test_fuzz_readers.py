"""Fuzzing (issue 7, point 5): garbage and near-valid input never raises anything but a SegtoolError.

Every reader gets generated garbage and real small documents mutated at random
(keys dropped, types changed, NaN / huge numbers / strings / nested lists put
in, lists cut, the bytes truncated), and what it reads is rasterized; the PNG
and .npy decoders and the label-map parsers get mutated files. The only
exceptions allowed are :class:`segtool.errors.SegtoolError` subclasses, and the
narrowest that fits: a mask decoder raises only :class:`~segtool.errors.MaskError`,
a label-map parser only :class:`~segtool.errors.LabelMapError`. Anything else is a
crash a user would see as "internal error", or a message of the wrong kind.

``make test`` runs a fast profile (a few dozen examples per test); ``make fuzz``
(``pytest -m slow``) runs the long one.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import struct
import tempfile
import xml.etree.ElementTree as ElementTree
import zlib
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import annotation_writers as writers
from segtool.annotations import FORMATS, ReaderOptions, load_document
from segtool.annotations.registry import parse_document
from segtool.errors import LabelMapError, MaskError, SegtoolError
from segtool.io.maskio import decode_png, encode_png, read_mask
from segtool.labels import LabelMap
from segtool.raster import rasterize_image, rasterize_per_label

FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# Small, so that a mutated size is refused or drawn quickly; the readers are the same at any limit.
LIMIT = ReaderOptions(max_pixels=1 << 16)
SOURCE = Path("fuzz") / "input.json"

# -- values a mutation puts in ----------------------------------------------------------------
NASTY = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        1,
        2**31,
        2**63,
        10**30,
        -(10**30),
        0.5,
        -0.0,
        1e12,
        1e308,
        -1e308,
        float("nan"),
        float("inf"),
        float("-inf"),
        "",
        "0",
        "1e9",
        "nan",
        "-5",
        "../../x.jpg",
        "C:\\x.png",
        "a\x00b",
        "\ud800",
        "car\n",
        " car",
        "[bold]",
        [],
        {},
        [[]],
        [[0, 0]],
        [0, 0, 1],
        {"size": [2, 2]},
    ]
)
LEAF = st.one_of(
    NASTY, st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12)
)
JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def tiny_png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (writers.WIDTH, writers.HEIGHT)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def mask_png(mask: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def base_documents() -> dict[str, object]:
    """One small real document per format, with every kind of shape its reader knows."""
    labelme = writers.labelme()
    square = np.zeros((4, 4), bool)
    square[1:3, 1:3] = True
    labelme["shapes"] += [
        {"label": "blob", "points": [[2, 2], [5, 5]], "shape_type": "mask", "mask": mask_png(square)},
        {"label": "lane", "points": [[0, 0], [9, 3], [12, 7]], "shape_type": "linestrip"},
        {"label": "dot", "points": [[3, 3]], "shape_type": "point"},
    ]
    via = writers.via()
    (entry,) = via.values()
    entry["base64_img_data"] = tiny_png_data_url()
    supervisely = writers.supervisely()
    supervisely["objects"].append(
        {
            "classTitle": "blob",
            "geometryType": "bitmap",
            "bitmap": {
                "data": base64.b64encode(zlib.compress(base64.b64decode(mask_png(square)))).decode(),
                "origin": [3, 4],
            },
        }
    )
    return {
        "labelme": labelme,
        "coco": writers.coco(),
        "cvat": writers.cvat(),
        "labelstudio": writers.labelstudio(),
        "via": via,
        "supervisely": supervisely,
    }


BASES = base_documents()


# -- mutations --------------------------------------------------------------------------------
def places(node, found=None) -> list[tuple[object, object]]:
    """Every (container, key) of a JSON tree, depth first."""
    found = [] if found is None else found
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found.append((node, key))
        places(child, found)
    return found


@st.composite
def mutated_json(draw, base) -> object:
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        spots = places(document)
        if not spots:
            return copy.deepcopy(draw(JSON))
        container, key = spots[draw(st.integers(0, len(spots) - 1))]
        old = container[key]
        operation = draw(st.sampled_from(["delete", "replace", "wrap", "stringify", "truncate", "double"]))
        if operation == "delete":
            del container[key]
        elif operation == "replace":  # a copy: NASTY hands out the same list and dict objects every time
            container[key] = copy.deepcopy(draw(JSON))
        elif operation == "wrap":
            container[key] = [old]
        elif operation == "stringify":
            container[key] = json.dumps(old, allow_nan=True)
        elif operation == "truncate" and isinstance(old, (list, str)):
            container[key] = old[: draw(st.integers(0, max(0, len(old) - 1)))]
        elif operation == "double" and isinstance(old, (int, float)) and not isinstance(old, bool):
            container[key] = old * draw(st.sampled_from([-1, 0, 1e6, 1e300, float("nan")]))
    return document


@st.composite
def mutated_cvat(draw) -> bytes:
    root = ElementTree.fromstring(BASES["cvat"])
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        element = elements[draw(st.integers(0, len(elements) - 1))]
        operation = draw(st.sampled_from(["set", "delete", "remove", "add"]))
        if operation == "set":
            key = draw(
                st.sampled_from(sorted(element.attrib) or ["name"])
                | st.sampled_from(
                    ["width", "height", "points", "rle", "left", "top", "z_order", "rotation", "rx", "subset"]
                )
            )
            element.set(
                key,
                draw(
                    st.sampled_from(
                        [
                            "",
                            "nan",
                            "inf",
                            "-5",
                            "0",
                            "1e308",
                            "1e9",
                            "abc",
                            "1,2;3",
                            "0,0;1e300,0;5,5",
                            "9" * 30,
                            "../..",
                            "1, -1",
                        ]
                    )
                    | st.text(max_size=10)
                ),
            )
        elif operation == "delete" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif operation == "remove" and len(element):
            element.remove(element[draw(st.integers(0, len(element) - 1))])
        elif operation == "add":
            element.append(
                ElementTree.Element(
                    draw(
                        st.sampled_from(
                            [
                                "image",
                                "polygon",
                                "box",
                                "mask",
                                "ellipse",
                                "points",
                                "polyline",
                                "track",
                                "meta",
                                "label",
                            ]
                        )
                    )
                )
            )
    return ElementTree.tostring(root)


def truncated(draw, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) and data else data


# -- what must hold ---------------------------------------------------------------------------
def read_and_draw(data: bytes, input_format: str | None = None, convention: str = "centre") -> None:
    """Parse, read and rasterize; only a SegtoolError may come out."""
    try:
        images = load_document(
            parse_document(data, SOURCE),
            SOURCE,
            PurePosixPath("input.json"),
            input_format=input_format,
            options=LIMIT,
        )
        for image in images:
            label_map = LabelMap.from_names({shape.label for shape in image.shapes})
            rasterize_image(image, label_map, convention=convention)
            rasterize_per_label(image, label_map)
    except SegtoolError:
        pass


def check_mutated_document(data, fmt: str) -> None:
    if fmt == "cvat":
        raw = data.draw(mutated_cvat())
    else:
        raw = json.dumps(data.draw(mutated_json(BASES[fmt])), allow_nan=True).encode("utf-8", "surrogatepass")
    read_and_draw(truncated(data.draw, raw), convention=data.draw(st.sampled_from(["centre", "labelme"])))


def check_garbage(data) -> None:
    kind = data.draw(st.sampled_from(["bytes", "json", "json-forced"]))
    if kind == "bytes":
        read_and_draw(data.draw(st.binary(max_size=200)))
        return
    raw = json.dumps(data.draw(JSON), allow_nan=True).encode("utf-8", "surrogatepass")
    read_and_draw(
        raw, input_format=data.draw(st.sampled_from(sorted(FORMATS))) if kind == "json-forced" else None
    )


# -- masks ------------------------------------------------------------------------------------
def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def base_pngs() -> list[bytes]:
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 4, (6, 5), dtype=np.uint8)
    pictures = [
        encode_png(labels),
        encode_png(labels, palette=bytes(768)),
        encode_png(labels.astype(np.uint16) * 300),
        cv2.imencode(".png", labels)[1].tobytes(),
        cv2.imencode(".png", np.dstack([labels] * 3))[1].tobytes(),
        cv2.imencode(".png", np.dstack([labels] * 4))[1].tobytes(),
    ]
    for mode in ("1", "LA", "P", "I;16"):
        buffer = io.BytesIO()
        Image.fromarray(labels).convert(mode).save(buffer, format="PNG")
        pictures.append(buffer.getvalue())
    return pictures


PNGS = base_pngs()


def rechunked(data: bytes) -> bytes:
    """The PNG with every chunk's CRC recomputed (so that decoders look past the CRC), when it parses."""
    out, offset = [data[:8]], 8
    while offset + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        out.append(png_chunk(kind, payload))
        offset += 12 + length
    return b"".join(out)


@st.composite
def mutated_png(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(PNGS)))
    operation = draw(st.sampled_from(["flip", "header", "truncate", "insert"]))
    if operation == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif operation == "header":  # IHDR: width, height, bit depth, colour type, compression, filter, interlace
        field = draw(
            st.sampled_from(
                [(16, ">I"), (20, ">I"), (24, ">B"), (25, ">B"), (26, ">B"), (27, ">B"), (28, ">B")]
            )
        )
        value = draw(
            st.integers(0, 2**32 - 1 if field[1] == ">I" else 255)
            | st.sampled_from([0, 1, 2, 3, 4, 6, 8, 16, 2**31, 2**16])
        )
        struct.pack_into(field[1], data, field[0], value % (2**32 if field[1] == ">I" else 256))
    elif operation == "truncate":
        del data[draw(st.integers(0, len(data) - 1)) :]
    else:
        position = draw(st.integers(0, len(data)))
        data[position:position] = draw(st.binary(min_size=1, max_size=16))
    return rechunked(bytes(data)) if draw(st.booleans()) else bytes(data)


def check_png(data) -> None:
    with contextlib.suppress(MaskError):
        decode_png(data.draw(mutated_png()), path="fuzz.png", max_pixels=1 << 16)


NPY_BASES = []
for array in (
    np.arange(12, dtype=np.uint8).reshape(3, 4),
    np.arange(6, dtype=np.int64).reshape(2, 3),
    np.zeros((2, 2), bool),
):
    buffer = io.BytesIO()
    np.save(buffer, array)
    NPY_BASES.append(buffer.getvalue())


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def check_npy(data, scratch: Path) -> None:
    raw = bytearray(data.draw(st.sampled_from(NPY_BASES)))
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = scratch / "fuzz.npy"
    path.write_bytes(truncated(data.draw, bytes(raw)))
    with contextlib.suppress(MaskError):
        read_mask(path, max_pixels=1 << 16)


LABEL_TEXT = st.lists(
    st.sampled_from(
        [
            "id,name,color",
            "0,_background_,",
            "1,car,#ff0000",
            "1,bus,",
            "255,x,",
            "__ignore__",
            "70000,big,",
            "-1,neg,",
            "2,car,#zz",
            "3, ,",
            "\ud800",
            "a\tb",
            '{"labels": [{"id": 1, "name": "a"}]',
            '"ignore_value": 1e400}',
            "",
        ]
    )
    | st.text(max_size=20),
    max_size=8,
).map("\n".join)


def check_label_map(data, scratch: Path) -> None:
    path = scratch / f"labels{data.draw(st.sampled_from(['.txt', '.csv', '.json']))}"
    path.write_bytes(data.draw(LABEL_TEXT).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(LabelMapError):
        LabelMap.read(path)


# -- the tests: a fast profile for `make test`, a long one for `make fuzz` ---------------------
@pytest.mark.parametrize("fmt", sorted(BASES))
@FAST
@given(data=st.data())
def test_mutated_documents_raise_only_segtool_errors(fmt, data):
    check_mutated_document(data, fmt)


@FAST
@given(data=st.data())
def test_garbage_raises_only_segtool_errors(data):
    check_garbage(data)


@FAST
@given(data=st.data())
def test_mutated_pngs_raise_only_mask_errors(data):
    check_png(data)


@FAST
@given(data=st.data())
def test_mutated_npy_files_raise_only_mask_errors(data, scratch):
    check_npy(data, scratch)


@FAST
@given(data=st.data())
def test_label_map_text_raises_only_label_map_errors(data, scratch):
    check_label_map(data, scratch)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(BASES))
@LONG
@given(data=st.data())
def test_long_mutated_documents(fmt, data):
    check_mutated_document(data, fmt)


@pytest.mark.slow
@LONG
@given(data=st.data())
def test_long_garbage(data):
    check_garbage(data)


@pytest.mark.slow
@LONG
@given(data=st.data())
def test_long_pngs(data):
    check_png(data)


@pytest.mark.slow
@LONG
@given(data=st.data())
def test_long_npy_and_label_maps(data, scratch):
    check_npy(data, scratch)
    check_label_map(data, scratch)


def test_the_bases_are_read_without_error():
    """The fuzzing starts from documents every reader accepts, so mutations probe past the first check."""
    for fmt, document in BASES.items():
        raw = document.encode() if isinstance(document, str) else json.dumps(document).encode()
        images = load_document(
            parse_document(raw, SOURCE), SOURCE, PurePosixPath("input.json"), options=LIMIT
        )
        assert images and all(image.shapes for image in images), fmt
    for data in PNGS:
        assert decode_png(data).shape[:2] == (6, 5)
