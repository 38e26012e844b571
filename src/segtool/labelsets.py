"""Label tables built into segtool, chosen by name (``--labels cityscapes``).

``cityscapes``: the Cityscapes labelIds (cityscapesScripts ``helpers/labels.py``):
the 19 classes evaluated, with their categories, as the label map; the 15 ids
with ``ignoreInEval`` (void, parking, rail track, guard rail, bridge, tunnel,
polegroup, caravan, trailer, ...) as ignore values. A prediction of an ignored
id on a valid pixel is then "no class": a false negative of the true class, as
in cityscapesScripts. Ids are facts of the data set, checked against
cityscapesscripts 2.3.0 by the reference tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .labels import Label, LabelMap, voc_colour

#: The Cityscapes label table, as cityscapesScripts 2.3.0 defines it (``helpers/labels.py``):
#: (name, labelId, trainId, category, hasInstances, ignoreInEval, colour). trainId 255 is ignored in
#: training; 'license plate' has no pixel value (labelId -1) and is never drawn.
CITYSCAPES_LABELS = (
    ("unlabeled", 0, 255, "void", False, True, (0, 0, 0)),
    ("ego vehicle", 1, 255, "void", False, True, (0, 0, 0)),
    ("rectification border", 2, 255, "void", False, True, (0, 0, 0)),
    ("out of roi", 3, 255, "void", False, True, (0, 0, 0)),
    ("static", 4, 255, "void", False, True, (0, 0, 0)),
    ("dynamic", 5, 255, "void", False, True, (111, 74, 0)),
    ("ground", 6, 255, "void", False, True, (81, 0, 81)),
    ("road", 7, 0, "flat", False, False, (128, 64, 128)),
    ("sidewalk", 8, 1, "flat", False, False, (244, 35, 232)),
    ("parking", 9, 255, "flat", False, True, (250, 170, 160)),
    ("rail track", 10, 255, "flat", False, True, (230, 150, 140)),
    ("building", 11, 2, "construction", False, False, (70, 70, 70)),
    ("wall", 12, 3, "construction", False, False, (102, 102, 156)),
    ("fence", 13, 4, "construction", False, False, (190, 153, 153)),
    ("guard rail", 14, 255, "construction", False, True, (180, 165, 180)),
    ("bridge", 15, 255, "construction", False, True, (150, 100, 100)),
    ("tunnel", 16, 255, "construction", False, True, (150, 120, 90)),
    ("pole", 17, 5, "object", False, False, (153, 153, 153)),
    ("polegroup", 18, 255, "object", False, True, (153, 153, 153)),
    ("traffic light", 19, 6, "object", False, False, (250, 170, 30)),
    ("traffic sign", 20, 7, "object", False, False, (220, 220, 0)),
    ("vegetation", 21, 8, "nature", False, False, (107, 142, 35)),
    ("terrain", 22, 9, "nature", False, False, (152, 251, 152)),
    ("sky", 23, 10, "sky", False, False, (70, 130, 180)),
    ("person", 24, 11, "human", True, False, (220, 20, 60)),
    ("rider", 25, 12, "human", True, False, (255, 0, 0)),
    ("car", 26, 13, "vehicle", True, False, (0, 0, 142)),
    ("truck", 27, 14, "vehicle", True, False, (0, 0, 70)),
    ("bus", 28, 15, "vehicle", True, False, (0, 60, 100)),
    ("caravan", 29, 255, "vehicle", True, True, (0, 0, 90)),
    ("trailer", 30, 255, "vehicle", True, True, (0, 0, 110)),
    ("train", 31, 16, "vehicle", True, False, (0, 80, 100)),
    ("motorcycle", 32, 17, "vehicle", True, False, (0, 0, 230)),
    ("bicycle", 33, 18, "vehicle", True, False, (119, 11, 32)),
    ("license plate", -1, -1, "vehicle", False, True, (0, 0, 142)),
)
#: labelId of every Cityscapes label name that has one (>= 0).
CITYSCAPES_IDS = {name: label_id for name, label_id, *_ in CITYSCAPES_LABELS if label_id >= 0}
#: (labelId, name, category) of the 19 evaluated Cityscapes classes.
CITYSCAPES_CLASSES = tuple(
    (label_id, name, category)
    for name, label_id, _, category, _, ignored, _ in CITYSCAPES_LABELS
    if label_id >= 0 and not ignored
)
#: labelIds with ignoreInEval (0 unlabeled ... 6 ground, 9 parking, 10 rail track, 14 guard rail,
#: 15 bridge, 16 tunnel, 18 polegroup, 29 caravan, 30 trailer).
CITYSCAPES_IGNORED = tuple(
    label_id for _, label_id, _, _, _, ignored, _ in CITYSCAPES_LABELS if label_id >= 0 and ignored
)


@dataclass(frozen=True)
class LabelSet:
    """A built-in label map with its ignore values and the category of each class."""

    label_map: LabelMap
    ignore: tuple[int, ...]
    categories: dict[int, str]


def cityscapes() -> LabelSet:
    labels = [Label(label_id, name, voc_colour(label_id)) for label_id, name, _ in CITYSCAPES_CLASSES]
    return LabelSet(
        LabelMap(labels, source="cityscapes (built in)"),
        CITYSCAPES_IGNORED,
        {label_id: category for label_id, _, category in CITYSCAPES_CLASSES},
    )


LABEL_SETS = {"cityscapes": cityscapes}


def label_set(name: str) -> LabelSet | None:
    """The built-in label set called ``name``, or None."""
    make = LABEL_SETS.get(name.lower())
    return make() if make is not None else None


def is_label_set(name: str) -> bool:
    """True when ``name`` is a built-in label set and no file of that name exists here (a file wins)."""
    return name.lower() in LABEL_SETS and not Path(name).exists()
