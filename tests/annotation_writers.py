"""Test helpers: write annotation files in each format, and the run-length encoders they need.

The encoders are written from the formats' descriptions (see each reader's
docstring), independently of the decoders under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby
from xml.sax.saxutils import quoteattr

import numpy as np

# -- encoders --------------------------------------------------------------------------------


def runs_of(values) -> list[tuple[int, int]]:
    """``[(value, length), ...]`` of consecutive equal values."""
    return [(int(value), len(list(group))) for value, group in groupby(values)]


def zero_first_counts(flat: np.ndarray) -> list[int]:
    """Alternating 0/1 run lengths starting with the (possibly empty) run of zeros (CVAT, COCO)."""
    counts = []
    expected = 0
    for value, length in runs_of(flat.astype(bool).astype(int)):
        if value != expected:
            counts.append(0)
        counts.append(length)
        expected = 1 - value
    return counts


def cvat_rle(mask: np.ndarray) -> str:
    """CVAT's mask rle attribute: row-major runs, as CVAT writes it (", "-separated)."""
    return ", ".join(map(str, zero_first_counts(mask.ravel(order="C"))))


def coco_uncompressed_rle(mask: np.ndarray) -> dict:
    """COCO uncompressed RLE: column-major runs starting with zeros."""
    return {"size": list(mask.shape), "counts": zero_first_counts(mask.ravel(order="F"))}


BRUSH_RUN_BITS = (3, 6, 10, 16)  # the four run-length field widths this encoder announces


def encode_brush(values: np.ndarray, *, word_size: int = 8) -> list[int]:
    """Label Studio's bit-packed RLE of ``values``.

    Runs of 2 or more equal values become repeat records; stretches of single
    values become literal records, so both record kinds are exercised.
    """
    bits = [f"{len(values):032b}", f"{word_size - 1:05b}"] + [f"{width - 1:04b}" for width in BRUSH_RUN_BITS]

    def record(repeat: int, words: list[int]) -> None:
        length = len(words) if not repeat else words[1]
        index = next(i for i, width in enumerate(BRUSH_RUN_BITS) if length <= 1 << width)
        bits.append(f"{repeat}{index:02b}{length - 1:0{BRUSH_RUN_BITS[index]}b}")
        payload = words[:1] if repeat else words
        bits.extend(f"{word:0{word_size}b}" for word in payload)

    singles: list[int] = []
    for value, length in runs_of(values.tolist()) + [(None, 0)]:
        if value is not None and length == 1 and len(singles) < 1 << BRUSH_RUN_BITS[-1]:
            singles.append(value)
            continue
        if singles:
            record(0, singles)
            singles = []
        while value is not None and length > 0:
            chunk = min(length, 1 << BRUSH_RUN_BITS[-1])
            record(1, [value, chunk])
            length -= chunk
    text = "".join(bits)
    text += "0" * (-len(text) % 8)
    return [int(text[i : i + 8], 2) for i in range(0, len(text), 8)]


def brush_rle(mask: np.ndarray, *, colour=(255, 0, 0)) -> list[int]:
    """A brush layer of ``mask`` painted in ``colour``, as Label Studio stores it (RGBA, alpha 255)."""
    rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
    rgba[mask] = (*colour, 255)
    return encode_brush(rgba.ravel())


# -- the scene -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SceneShape:
    """A shape of the test scene: a polygon, an axis-aligned box, a circle, or a box with a box hole."""

    label: str
    kind: str  # "polygon" | "box" | "circle" | "holed"
    points: tuple = ()  # polygon vertices; box: (left, top, right, bottom); circle: (cx, cy, r);
    hole: tuple = ()  # holed: the hole box (left, top, right, bottom), points is the outer box


WIDTH, HEIGHT = 48, 32
IMAGE = "scene.jpg"
# Vertices are off the half-pixel grid so that no pixel centre lies on an edge: formats that store
# rounded coordinates (Label Studio's percentages) then cannot flip a pixel.
SCENE = (
    SceneShape(
        "car", "polygon", ((4.25, 4.25), (16.25, 3.25), (18.25, 12.25), (10.25, 15.25), (5.25, 11.25))
    ),
    SceneShape("car", "polygon", ((30.25, 20.25), (44.25, 22.25), (36.25, 30.25))),
    SceneShape("sign", "box", (22, 3, 30, 9)),
    SceneShape("wheel", "circle", (10, 24, 5)),
    SceneShape("road", "holed", (34, 2, 46, 14), hole=(38, 6, 42, 10)),
)


def box_mask(box, height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Pixels whose centre is inside an integer box (left, top, right, bottom)."""
    left, top, right, bottom = box
    mask = np.zeros((height, width), dtype=bool)
    mask[top:bottom, left:right] = True
    return mask


def holed_mask(shape: SceneShape) -> np.ndarray:
    return box_mask(shape.points) & ~box_mask(shape.hole)


def box_corners(box) -> list[tuple[float, float]]:
    left, top, right, bottom = box
    return [(left, top), (right, top), (right, bottom), (left, bottom)]


# -- one writer per format -------------------------------------------------------------------


def labelme(shapes=SCENE) -> dict:
    """LabelMe JSON; a hole is a ``_background_`` polygon drawn after its outer shape."""
    out = []
    for shape in shapes:
        if shape.kind == "polygon":
            out.append(("polygon", shape.label, [list(p) for p in shape.points]))
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            out.append(("rectangle", shape.label, [[left, top], [right, bottom]]))
        elif shape.kind == "circle":
            cx, cy, r = shape.points
            out.append(("circle", shape.label, [[cx, cy], [cx + r, cy]]))
        else:
            out.append(("polygon", shape.label, [list(p) for p in box_corners(shape.points)]))
            out.append(("polygon", "_background_", [list(p) for p in box_corners(shape.hole)]))
    return {
        "version": "5.2.1",
        "flags": {},
        "imagePath": IMAGE,
        "imageData": None,
        "imageHeight": HEIGHT,
        "imageWidth": WIDTH,
        "shapes": [
            {"label": label, "points": points, "group_id": None, "shape_type": kind, "flags": {}}
            for kind, label, points in out
        ],
    }


def coco(shapes=SCENE) -> dict:
    """COCO instances; boxes as 4-corner polygons, the holed shape as uncompressed RLE; no circles."""
    categories = sorted({shape.label for shape in shapes})
    annotations = []
    for shape in shapes:
        if shape.kind == "circle":
            continue
        if shape.kind == "holed":
            segmentation = coco_uncompressed_rle(holed_mask(shape))
        else:
            points = box_corners(shape.points) if shape.kind == "box" else shape.points
            segmentation = [[float(v) for point in points for v in point]]
        annotations.append(
            {
                "id": len(annotations) + 1,
                "image_id": 1,
                "iscrowd": 0,
                "category_id": categories.index(shape.label) + 1,
                "segmentation": segmentation,
            }
        )
    return {
        "images": [{"id": 1, "file_name": IMAGE, "width": WIDTH, "height": HEIGHT}],
        "annotations": annotations,
        "categories": [{"id": i + 1, "name": name} for i, name in enumerate(categories)],
    }


def cvat(shapes=SCENE, *, labels=None) -> str:
    """CVAT for images XML; the holed shape as a mask over its outer box."""
    labels = labels if labels is not None else sorted({shape.label for shape in shapes})
    body = []
    for z, shape in enumerate(shapes):
        common = f'label={quoteattr(shape.label)} occluded="0" source="manual" z_order="{z}"'
        if shape.kind == "polygon":
            points = ";".join(f"{x:.2f},{y:.2f}" for x, y in shape.points)
            body.append(f'<polygon {common} points="{points}"/>')
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            body.append(f'<box {common} xtl="{left}" ytl="{top}" xbr="{right}" ybr="{bottom}"/>')
        elif shape.kind == "circle":
            cx, cy, r = shape.points
            body.append(f'<ellipse {common} cx="{cx}" cy="{cy}" rx="{r}" ry="{r}"/>')
        else:
            left, top, right, bottom = shape.points
            crop = holed_mask(shape)[top:bottom, left:right]
            body.append(
                f'<mask {common} rle="{cvat_rle(crop)}" left="{left}" top="{top}" '
                f'width="{right - left}" height="{bottom - top}"/>'
            )
    label_xml = "".join(f"<label><name>{name}</name><type>any</type></label>" for name in labels)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>'
        f"<meta><task><name>t</name><labels>{label_xml}</labels></task></meta>"
        f'<image id="0" name="{IMAGE}" width="{WIDTH}" height="{HEIGHT}">{"".join(body)}</image>'
        "</annotations>"
    )


def labelstudio(shapes=SCENE) -> list:
    """A Label Studio JSON export of one task; circles as ellipses, the holed shape as a brush."""

    def region(kind: str, label: str, value: dict) -> dict:
        return {
            "id": f"r{len(results)}",
            "type": f"{kind}labels",
            "from_name": "label",
            "to_name": "image",
            "original_width": WIDTH,
            "original_height": HEIGHT,
            "image_rotation": 0,
            "value": {**value, f"{kind}labels": [label]},
        }

    results: list = []
    px, py = 100.0 / WIDTH, 100.0 / HEIGHT
    for shape in shapes:
        if shape.kind == "polygon":
            results.append(
                region("polygon", shape.label, {"points": [[x * px, y * py] for x, y in shape.points]})
            )
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            results.append(
                region(
                    "rectangle",
                    shape.label,
                    {
                        "x": left * px,
                        "y": top * py,
                        "rotation": 0,
                        "width": (right - left) * px,
                        "height": (bottom - top) * py,
                    },
                )
            )
        elif shape.kind == "circle":
            cx, cy, r = shape.points
            results.append(
                region(
                    "ellipse",
                    shape.label,
                    {"x": cx * px, "y": cy * py, "rotation": 0, "radiusX": r * px, "radiusY": r * py},
                )
            )
        else:
            results.append(
                region("brush", shape.label, {"format": "rle", "rle": brush_rle(holed_mask(shape))})
            )
    return [
        {
            "id": 1,
            "data": {"image": f"/data/upload/1/0badc0de-{IMAGE}"},
            "annotations": [{"id": 10, "completed_by": 1, "was_cancelled": False, "result": results}],
            "predictions": [],
        }
    ]


def via(shapes=SCENE, *, version: int = 2) -> dict:
    """A VIA JSON export (1.x: regions as a dict, closed polygons; 2.x: a list). No holes."""
    regions = []
    for shape in shapes:
        if shape.kind == "polygon":
            xs, ys = [x for x, _ in shape.points], [y for _, y in shape.points]
            if version == 1:  # VIA 1.x repeats the first vertex at the end
                xs, ys = xs + xs[:1], ys + ys[:1]
            attrs = {"name": "polygon", "all_points_x": xs, "all_points_y": ys}
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            attrs = {"name": "rect", "x": left, "y": top, "width": right - left, "height": bottom - top}
        elif shape.kind == "circle":
            cx, cy, r = shape.points
            attrs = {"name": "circle", "cx": cx, "cy": cy, "r": r}
        else:
            continue
        regions.append({"shape_attributes": attrs, "region_attributes": {"class": shape.label}})
    entry = {
        "filename": IMAGE,
        "size": 1234,
        "file_attributes": {},
        "regions": {str(i): r for i, r in enumerate(regions)} if version == 1 else regions,
    }
    return {f"{IMAGE}1234": entry}


def supervisely(shapes=SCENE) -> dict:
    """A Supervisely image annotation; boxes with inclusive right/bottom pixels, holes as interior rings."""
    objects = []
    for shape in shapes:
        if shape.kind == "polygon":
            objects.append(
                ("polygon", shape.label, {"exterior": [list(p) for p in shape.points], "interior": []})
            )
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            objects.append(
                (
                    "rectangle",
                    shape.label,
                    {"exterior": [[left, top], [right - 1, bottom - 1]], "interior": []},
                )
            )
        elif shape.kind == "holed":
            objects.append(
                (
                    "polygon",
                    shape.label,
                    {
                        "exterior": [list(p) for p in box_corners(shape.points)],
                        "interior": [[list(p) for p in box_corners(shape.hole)]],
                    },
                )
            )
    return {
        "description": "",
        "tags": [],
        "size": {"height": HEIGHT, "width": WIDTH},
        "objects": [
            {"id": i + 1, "classTitle": label, "geometryType": kind, "tags": [], "points": points}
            for i, (kind, label, points) in enumerate(objects)
        ],
    }


def cityscapes(shapes=SCENE) -> dict:
    """A Cityscapes polygon file: polygons, boxes as their corners; no circles, no holes."""
    objects = []
    for shape in shapes:
        if shape.kind == "polygon":
            objects.append({"label": shape.label, "polygon": [list(p) for p in shape.points]})
        elif shape.kind == "box":
            objects.append({"label": shape.label, "polygon": [list(p) for p in box_corners(shape.points)]})
    return {"imgHeight": HEIGHT, "imgWidth": WIDTH, "objects": objects}


def yolo(shapes=SCENE, *, names=None) -> str:
    """YOLO segmentation lines, coordinates as fractions of the image size; boxes as detection lines
    (centre, size); no circles, no holes. Class index = position in ``names`` (default: sorted labels)."""
    names = names or sorted({shape.label for shape in shapes})
    lines = []
    for shape in shapes:
        index = names.index(shape.label)
        if shape.kind == "polygon":
            coordinates = [value for x, y in shape.points for value in (x / WIDTH, y / HEIGHT)]
            lines.append(" ".join(map(repr, [index, *coordinates])))
        elif shape.kind == "box":
            left, top, right, bottom = shape.points
            box = ((left + right) / 2 / WIDTH, (top + bottom) / 2 / HEIGHT, (right - left) / WIDTH)
            lines.append(" ".join(map(repr, [index, *box, (bottom - top) / HEIGHT])))
    return "\n".join(lines) + "\n"


def yolo_names(shapes=SCENE) -> str:
    """A data.yaml naming the classes of :func:`yolo` (a block list)."""
    return "names:\n" + "".join(f"  - {name}\n" for name in sorted({shape.label for shape in shapes}))


def dump(document) -> str:
    return document if isinstance(document, str) else json.dumps(document)
