"""Cityscapes polygon files (``<city>/<frame>_gtFine_polygons.json``; KITTI-360's and other datasets
made with cityscapesScripts' annotation tool).

Conventions
-----------
* ``imgHeight`` and ``imgWidth`` give the size; ``objects`` hold ``{label, polygon, deleted?}`` in
  drawing order (later objects paint over earlier ones, as cityscapesScripts' ``json2labelImg``
  draws them); ``polygon`` is a list of ``[x, y]`` points in the pixel-corner frame.
* As ``json2labelImg`` does: an object whose ``deleted`` is true is skipped; a label ending in
  ``group`` that is not itself a Cityscapes label (``cargroup``, ``persongroup``; but ``polegroup``
  is one) is read as its base label (``car``); ``license plate``, which has no pixel value in
  Cityscapes (labelId -1), is not drawn; ``unlabeled`` is the background.
* Ids: when every label of a file is a Cityscapes label, the file declares the Cityscapes labelIds
  (:attr:`AnnotatedImage.declared_ids`), so the masks hold labelIds as ``json2labelImg`` writes
  them (``--labels cityscapes-train`` for trainIds). Files with other labels declare nothing: their
  ids come from the label map as for any format.
* Output name: the file's path relative to the input without ``.json`` and without a final
  ``_polygons``: ``aachen/aachen_000000_000019_gtFine_polygons.json`` ->
  ``aachen/aachen_000000_000019_gtFine``.
* ``--convention cityscapes`` draws the polygons with Pillow's ``ImageDraw.polygon(points, fill=id)``
  as ``json2labelImg`` does (see :mod:`segtool.raster`); the default is the pixel-centre rule.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..errors import AnnotationError, shown
from ..io.storage import Location
from ..labels import BACKGROUND_NAME
from ..labelsets import CITYSCAPES_IDS, CITYSCAPES_LABELS
from .fields import fail, point_array, positive_int
from .model import AnnotatedImage, Polygon, Shape, safe_relative_name
from .registry import AnnotationFormat, ReaderOptions, register

GROUP_SUFFIX = "group"
#: Cityscapes labels with no pixel value (labelId < 0): never drawn.
UNDRAWN = frozenset(name for name, label_id, *_ in CITYSCAPES_LABELS if label_id < 0)
#: labelIds declared for a file of Cityscapes labels (0, ``unlabeled``, is the background).
DECLARED_IDS = tuple((name, label_id) for name, label_id in CITYSCAPES_IDS.items() if label_id > 0)


def detect(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "imgHeight" in document
        and "imgWidth" in document
        and isinstance(document.get("objects"), list)
    )


def cityscapes_label(label: str) -> str:
    """The label ``json2labelImg`` draws ``label`` as: a ``group`` suffix dropped unless the label is
    a Cityscapes label itself, ``unlabeled`` as the background.

    >>> cityscapes_label("cargroup"), cityscapes_label("polegroup"), cityscapes_label("unlabeled")
    ('car', 'polegroup', '_background_')
    """
    if label.endswith(GROUP_SUFFIX) and label not in CITYSCAPES_IDS and label not in UNDRAWN:
        label = label[: -len(GROUP_SUFFIX)]
    return BACKGROUND_NAME if label == "unlabeled" else label


def read(
    document: dict[str, Any], source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """The one image of a Cityscapes polygon file."""
    height = positive_int(document["imgHeight"], source=source, where="", field="imgHeight")
    width = positive_int(document["imgWidth"], source=source, where="", field="imgWidth")
    stem = rel.name[: -len(".json")] if rel.name.lower().endswith(".json") else rel.name
    stem = stem.removesuffix("_polygons") or stem
    try:
        name = safe_relative_name(rel.parent / stem)
    except ValueError:
        raise AnnotationError("the file name gives no output name", path=source) from None
    image = AnnotatedImage(source=source, name=name, height=height, width=width)
    labels: set[str] = set()
    for position, obj in enumerate(document["objects"], start=1):
        if not isinstance(obj, dict):
            raise fail(source, f"object {position}", "must be a JSON object with label and polygon")
        label = obj.get("label")
        where = f"object {position} ({shown(label)})"
        if not isinstance(label, str) or not label:
            raise fail(source, where, "label must be a non-empty string")
        labels.add(label)
        if obj.get("deleted") or label in UNDRAWN:
            continue
        polygon = point_array(obj.get("polygon"), source=source, where=where, field="polygon")
        image.shapes.append(Shape(label=cityscapes_label(label), geometry=Polygon((polygon,)), where=where))
    if all(
        label in CITYSCAPES_IDS or cityscapes_label(label) in CITYSCAPES_IDS or label in UNDRAWN
        for label in labels
    ):
        image.declared_ids = DECLARED_IDS
    return [image]


FORMAT = register(
    AnnotationFormat(
        name="cityscapes",
        detect=detect,
        read=read,
        expected='"imgHeight", "imgWidth" and "objects"',
        marks=("imgHeight", "imgWidth"),
    )
)
