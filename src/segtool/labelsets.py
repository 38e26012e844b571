"""Label tables built into segtool, chosen by name (``--labels cityscapes``), listed by
``segtool labels --list`` and written out by ``segtool labels NAME -o labels.csv``.

``cityscapes-train``: the 19 Cityscapes trainIds (0 road ... 18 bicycle) with their categories;
255 (every ``ignoreInEval`` label) is ignored.
``voc``: PASCAL VOC 2012's 21 classes (0 background ... 20 tvmonitor) with the VOC palette; 255 (the
void outline) is ignored. VOC's own mean IoU counts the background: pass ``--include-background``.
``ade20k``: the 150 classes of the ADE20K SceneParsing benchmark as its annotation PNGs store them
(1 wall ... 150 flag; names are the first of each class's synonyms in the benchmark's
``objectInfo150``, as MIT's and mmsegmentation's code name them); 0 ("other objects") and 255 are
ignored, which is the benchmark's rule (mmsegmentation's ``reduce_zero_label``).

``cityscapes``: the Cityscapes labelIds (cityscapesScripts ``helpers/labels.py``):
the 19 classes evaluated, with their categories, as the label map; the 15 ids
with ``ignoreInEval`` (void, parking, rail track, guard rail, bridge, tunnel,
polegroup, caravan, trailer, ...) as ignore values. A prediction of an ignored
id on a valid pixel is then "no class": a false negative of the true class, as
in cityscapesScripts. Ids are facts of the data set, checked against
cityscapesscripts 2.3.0 by the reference tests.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import LabelMapError
from .labels import BACKGROUND_NAME, Label, LabelMap, voc_colour

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
    origin: str = ""  # where the names, ids and colours come from
    #: The map rasterize paints with when it is not ``label_map`` (Cityscapes: every labelId).
    drawing_map: LabelMap | None = None

    def to_csv(self) -> str:
        """The label map as ``labels.csv`` (``id,name,color``, a ``category`` column when the set has
        categories); the ignored ids other than the map's ignore value cannot be said in a file."""
        text = self.label_map.to_csv()
        if not self.categories:
            return text
        lines = text.splitlines()
        rows = [lines[0] + ",category"]
        for line in lines[1:]:
            label_id = int(line.split(",", 1)[0])
            rows.append(f"{line},{self.categories.get(label_id, '')}")
        return "\n".join(rows) + "\n"


CITYSCAPES_ORIGIN = "cityscapesScripts 2.3.0, cityscapesscripts/helpers/labels.py"
VOC_CLASSES = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
)  # fmt: skip
ADE20K_CLASSES = (
    "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed", "windowpane", "grass",
    "cabinet", "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair",
    "car", "water", "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field", "armchair",
    "seat", "fence", "desk", "rock", "wardrobe", "lamp", "bathtub", "railing", "cushion", "base", "box",
    "column", "signboard", "chest of drawers", "counter", "sand", "sink", "skyscraper", "fireplace",
    "refrigerator", "grandstand", "path", "stairs", "runway", "case", "pool table", "pillow",
    "screen door", "stairway", "river", "bridge", "bookcase", "blind", "coffee table", "toilet",
    "flower", "book", "hill", "bench", "countertop", "stove", "palm", "kitchen island", "computer",
    "swivel chair", "boat", "bar", "arcade machine", "hovel", "bus", "towel", "light", "truck", "tower",
    "chandelier", "awning", "streetlight", "booth", "television receiver", "airplane", "dirt track",
    "apparel", "pole", "land", "bannister", "escalator", "ottoman", "bottle", "buffet", "poster",
    "stage", "van", "ship", "fountain", "conveyer belt", "canopy", "washer", "plaything",
    "swimming pool", "stool", "barrel", "basket", "waterfall", "tent", "bag", "minibike", "cradle",
    "oven", "ball", "food", "step", "tank", "trade name", "microwave", "pot", "animal", "bicycle",
    "lake", "dishwasher", "screen", "blanket", "sculpture", "hood", "sconce", "vase", "traffic light",
    "tray", "ashcan", "fan", "pier", "crt screen", "plate", "monitor", "bulletin board", "shower",
    "radiator", "glass", "clock", "flag",
)  # fmt: skip


def cityscapes() -> LabelSet:
    """The 19 evaluated Cityscapes classes by labelId; the ignoreInEval labelIds ignored."""
    colours = {label_id: colour for _, label_id, *_, colour in CITYSCAPES_LABELS}
    labels = [Label(label_id, name, colours[label_id]) for label_id, name, _ in CITYSCAPES_CLASSES]
    every_label = [Label(label_id, name, colours[label_id]) for name, label_id in CITYSCAPES_IDS.items()]
    return LabelSet(
        LabelMap(labels, source="cityscapes (built in)"),
        CITYSCAPES_IGNORED,
        {label_id: category for label_id, _, category in CITYSCAPES_CLASSES},
        CITYSCAPES_ORIGIN,
        LabelMap(every_label, source="cityscapes (built in)"),
    )


def cityscapes_train() -> LabelSet:
    """The 19 Cityscapes trainIds (0 road ... 18 bicycle); 255 ignored."""
    rows = [row for row in CITYSCAPES_LABELS if 0 <= row[2] < 255]
    labels = [Label(train_id, name, colour) for name, _, train_id, *_, colour in rows]
    return LabelSet(
        LabelMap(labels, source="cityscapes-train (built in)"),
        (255,),
        {train_id: category for _, _, train_id, category, *_ in rows},
        CITYSCAPES_ORIGIN,
    )


def voc() -> LabelSet:
    """PASCAL VOC 2012: 0 background ... 20 tvmonitor, the VOC palette; 255 ignored."""
    labels = [Label(label_id, name, voc_colour(label_id)) for label_id, name in enumerate(VOC_CLASSES)]
    return LabelSet(
        LabelMap(labels, source="voc (built in)"),
        (255,),
        {},
        "PASCAL VOC 2012 development kit (VOCdevkit: class list and the colour map of its PNGs)",
    )


def ade20k() -> LabelSet:
    """ADE20K SceneParsing: 1 wall ... 150 flag as its PNGs store them; 0 (other) and 255 ignored."""
    labels = [Label(label_id, name, voc_colour(label_id)) for label_id, name in enumerate(ADE20K_CLASSES, 1)]
    return LabelSet(
        LabelMap(labels, source="ade20k (built in)"),
        (0, 255),
        {},
        "ADE20K SceneParsing benchmark, objectInfo150 (first name of each class); VOC colours",
    )


LABEL_SETS = {"cityscapes": cityscapes, "cityscapes-train": cityscapes_train, "voc": voc, "ade20k": ade20k}


def label_set(name: str) -> LabelSet | None:
    """The built-in label set called ``name``, or None."""
    make = LABEL_SETS.get(name.lower())
    return make() if make is not None else None


def drawing_label_map(name: str) -> LabelMap:
    """The label map ``rasterize --labels NAME`` paints with, for a built-in set.

    A :class:`LabelMapError` for a set whose id 0 is a class (``cityscapes-train``: 0 is road),
    since rasterize paints unannotated pixels 0.
    """
    found = label_set(name)
    if found is None:
        raise LabelMapError(f"no built-in label set {name!r} (known: {', '.join(LABEL_SETS)})")
    first = found.label_map.name_of(0)
    if (
        found.drawing_map is None
        and 0 in found.label_map.ids
        and first not in ("background", BACKGROUND_NAME)
    ):
        raise LabelMapError(
            f"{name} gives id 0 to {first!r}, but rasterize paints unannotated pixels 0: "
            "rasterize with --labels cityscapes (labelIds) instead"
        )
    return found.drawing_map or found.label_map


def read_groups(source: str) -> dict[int, str]:
    """Class id -> category, from a built-in set's categories or a CSV with ``id`` and ``category``
    columns (as ``segtool labels cityscapes-train -o labels.csv`` writes it; empty categories are
    left out). A :class:`LabelMapError` naming the file when there are none."""
    if is_label_set(source):
        found = label_set(source)
        if found is None or not found.categories:
            raise LabelMapError(f"the built-in label set {source!r} has no categories")
        return dict(found.categories)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelMapError(f"cannot read the groups: {exc}", path=path) from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"id", "category"} <= {name.strip() for name in reader.fieldnames}:
        raise LabelMapError("a groups file is a CSV with columns id and category", path=path)
    groups = {}
    for line, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        if not row.get("category"):
            continue
        try:
            groups[int(row.get("id", ""))] = row["category"]
        except ValueError:
            raise LabelMapError(
                f"line {line}: id {row.get('id')!r} is not a whole number", path=path
            ) from None
    if not groups:
        raise LabelMapError("no class has a category", path=path)
    return groups


def is_label_set(name: str) -> bool:
    """True when ``name`` is a built-in label set and no file of that name exists here (a file wins)."""
    return name.lower() in LABEL_SETS and not Path(name).exists()
