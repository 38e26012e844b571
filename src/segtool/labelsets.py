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

#: (labelId, name, category) of the 19 evaluated Cityscapes classes.
CITYSCAPES_CLASSES = (
    (7, "road", "flat"),
    (8, "sidewalk", "flat"),
    (11, "building", "construction"),
    (12, "wall", "construction"),
    (13, "fence", "construction"),
    (17, "pole", "object"),
    (19, "traffic light", "object"),
    (20, "traffic sign", "object"),
    (21, "vegetation", "nature"),
    (22, "terrain", "nature"),
    (23, "sky", "sky"),
    (24, "person", "human"),
    (25, "rider", "human"),
    (26, "car", "vehicle"),
    (27, "truck", "vehicle"),
    (28, "bus", "vehicle"),
    (31, "train", "vehicle"),
    (32, "motorcycle", "vehicle"),
    (33, "bicycle", "vehicle"),
)
#: labelIds with ignoreInEval (0 unlabeled ... 6 ground, 9 parking, 10 rail track, 14 guard rail,
#: 15 bridge, 16 tunnel, 18 polegroup, 29 caravan, 30 trailer).
CITYSCAPES_IGNORED = (0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30)


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
