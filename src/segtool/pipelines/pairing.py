"""Find the ground-truth masks under a folder and the prediction of each.

A mask's *name* is its key (:mod:`segtool.io.files`): its path relative to its
root folder, without the extension, with ``/`` separators: ``GT/city/a.png``
and ``PRED/city/a.npy`` are both ``city/a`` and make a pair. Folders are
searched recursively; hidden files and folders (``.name``) are skipped; mask
files end in ``.png`` or ``.npy``. Folders may be fsspec URLs
(``s3://bucket/masks``, see :mod:`segtool.io.storage`).

Two layouts:

* ``index``: one mask per image, ``ROOT/<name>.png`` holding class ids.
* ``binary``: what ``segtool rasterize --layout binary`` writes, one 0/255 mask
  per label and image, ``ROOT/<label folder>/<name>.png``. A label's folder is
  its name with ``/`` and ``\\`` replaced by ``_``. A file missing for one label
  is an empty mask for that label; an image with no file under any label folder
  of the predictions has no prediction.

Photos (:func:`attach_images`) are matched to the ground-truth masks by name in
the same way (``IMAGES/city/a.jpg``, else the image embedded in
``IMAGES/city/a.json``), for pictures of the results.

``auto`` picks ``binary`` when the ground-truth folder holds no mask file of its
own and every folder in it is the folder of a label of the label map (the one
given, or the ``labels.csv``/``labels.txt`` that rasterize wrote into it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from ..errors import InputFileError
from ..io.files import KeyedFiles, files_by_key, is_named_file, label_file_for_masks
from ..io.maskio import MASK_SUFFIXES
from ..io.storage import Location, LocationLike, as_path
from ..labels import Label, LabelMap, label_folder, voc_colour
from .photos import PhotoFolder, PhotoSource
from .prediction_files import looks_swapped, no_match_message, swapped_message, unmatched_files

#: How GT and PRED are laid out: one mask of ids per image, one folder of 0/255 masks per label, or detect it.
PairLayout = Literal["auto", "index", "binary"]
LAYOUTS: tuple[PairLayout, ...] = get_args(PairLayout)


@dataclass(frozen=True)
class MaskPair:
    """One image of the index layout: its ground truth and its prediction (None when missing).

    ``photo`` says where its photo may be, when ``--images`` was given (:func:`attach_images`).
    """

    name: str
    gt: Location
    pred: Location | None
    photo: PhotoSource | None = None


@dataclass(frozen=True)
class LabelMasksPair:
    """One image of the binary layout: per label id, the ground-truth and predicted files (None: empty).

    ``photo`` says where its photo may be, when ``--images`` was given (:func:`attach_images`).
    """

    name: str
    gt: tuple[tuple[int, Location | None], ...]
    pred: tuple[tuple[int, Location | None], ...]
    photo: PhotoSource | None = None

    @property
    def has_prediction(self) -> bool:
        return any(path is not None for _, path in self.pred)


@dataclass
class Pairing:
    """The pairs to score and what could not be paired."""

    layout: str
    pairs: list[MaskPair | LabelMasksPair] = field(default_factory=list)
    missing_predictions: list[str] = field(default_factory=list)
    unpaired_predictions: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name, message)
    label_map: LabelMap | None = None
    # Files of PRED that look like masks and were not paired (only when predictions are missing).
    unmatched_files: list[str] = field(default_factory=list)
    looks_swapped: bool = False  # PRED holds rasterize's label map and GT does not


def pair_masks(
    pred: LocationLike,
    gt: LocationLike,
    *,
    layout: PairLayout = "auto",
    label_map: LabelMap | None = None,
) -> Pairing:
    """Pair every ground-truth mask under ``gt`` with the prediction of the same name under ``pred``.

    ``pred`` and ``gt`` may also be two mask files (one pair). Missing folders, or
    no ground-truth mask at all, are an :class:`~segtool.errors.InputFileError`.
    Without ``label_map``, the map rasterize wrote into ``gt`` (beside it when it is a
    file: labels.csv, else labels.txt), or labelme2voc's class_names.txt, is used when
    there is one.
    """
    pred, gt = as_path(pred), as_path(gt)
    for role, path in (("ground truth", gt), ("predictions", pred)):
        if not path.exists():
            raise InputFileError(f"{role} not found", path=path)
    if is_named_file(gt) or is_named_file(pred):
        if not (is_named_file(gt) and is_named_file(pred)):
            raise InputFileError(f"give two folders or two mask files, got {pred} and {gt}")
        return Pairing("index", [MaskPair(gt.stem, gt, pred)], label_map=label_map or _label_map_in(gt))
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    label_map = label_map or _label_map_in(gt)
    if layout == "auto":
        layout = detect_layout(gt, label_map)
    pairing = _pair_binary(pred, gt, label_map) if layout == "binary" else _pair_index(pred, gt, label_map)
    if not pairing.pairs and not pairing.duplicates:
        raise InputFileError(
            f"no ground-truth masks ({', '.join(MASK_SUFFIXES)}) found in the {layout} layout", path=gt
        )
    pairing.looks_swapped = looks_swapped(pred, gt)
    if pairing.missing_predictions:
        _check_some_prediction_matches(pred, pairing)
        if layout == "index":
            paired = {pair.name for pair in pairing.pairs if pair.pred is not None}
            pairing.unmatched_files = unmatched_files(pred, paired)
    return pairing


def _check_some_prediction_matches(pred: Location, pairing: Pairing) -> None:
    """An error saying what PRED holds when no ground-truth mask has a prediction (never scored as empty)."""
    if len(pairing.missing_predictions) < len(pairing.pairs):
        return
    message = no_match_message(pred, pairing.missing_predictions)
    if pairing.looks_swapped:
        message += f" ({swapped_message(pred)})"
    raise InputFileError(message, path=pred)


def attach_images(pairing: Pairing, images: LocationLike) -> None:
    """Tell every pair where its photo may be under ``images``, in place.

    The rule of :mod:`segtool.pipelines.photos`: ``images/<name>.<image suffix>``,
    else the image embedded in ``images/<name>.json``; a single ground-truth file
    goes with a single image file whatever its name. Whether a photo is usable is
    found out when it is drawn on (a warning then, never a failure). An
    :class:`~segtool.errors.InputFileError` when ``images`` does not exist.
    """
    images = as_path(images)
    photos = PhotoFolder.read(images, any_name=is_named_file(images) and len(pairing.pairs) == 1)
    pairing.pairs = [
        replace(pair, photo=photos.source(pair.name, subject=pair.name)) for pair in pairing.pairs
    ]


def _label_map_in(masks: Location) -> LabelMap | None:
    """The label map rasterize (labels.csv, else labels.txt) or labelme2voc (class_names.txt) wrote
    for the masks of the folder ``masks`` (or beside the mask file ``masks``), if any
    (see :func:`~segtool.io.files.label_file_for_masks`)."""
    path = label_file_for_masks(masks)
    return LabelMap.read(path) if path is not None else None


def detect_layout(gt: Location, label_map: LabelMap | None) -> Literal["index", "binary"]:
    """``binary`` when every folder under ``gt`` is a label's folder and no mask lies beside them."""
    if label_map is None:
        return "index"
    folders = {label_folder(label.name) for label in label_map}
    entries = [entry for entry in gt.iterdir() if not entry.name.startswith(".")]
    subfolders = [entry for entry in entries if entry.is_dir()]
    loose_masks = [entry for entry in entries if entry.is_file() and entry.suffix.lower() in MASK_SUFFIXES]
    if subfolders and not loose_masks and all(entry.name in folders for entry in subfolders):
        return "binary"
    return "index"


def _pair_index(pred: Location, gt: Location, label_map: LabelMap | None) -> Pairing:
    gt_files, pred_files = files_by_key(gt, MASK_SUFFIXES), files_by_key(pred, MASK_SUFFIXES)
    truths, guesses = gt_files.unique, pred_files.unique
    pairing = Pairing("index", duplicates=gt_files.problems() + pred_files.problems(), label_map=label_map)
    for name in sorted(truths):
        pairing.pairs.append(MaskPair(name, truths[name], guesses.get(name)))
        if name not in guesses:
            pairing.missing_predictions.append(name)
    pairing.unpaired_predictions = sorted(set(guesses) - set(truths))
    return pairing


def _pair_binary(pred: Location, gt: Location, label_map: LabelMap | None) -> Pairing:
    labels = _binary_labels(gt, label_map)
    truths: dict[int, dict[str, Location]] = {}
    guesses: dict[int, dict[str, Location]] = {}
    duplicates: list[tuple[str, str]] = []
    for label_id, folder in labels:
        for found, root in ((truths, gt), (guesses, pred)):
            masks = files_by_key(root / folder, MASK_SUFFIXES) if (root / folder).is_dir() else KeyedFiles()
            found[label_id] = masks.unique
            duplicates += masks.problems()
    gt_names = set().union(*truths.values()) if truths else set()
    pred_names = set().union(*guesses.values()) if guesses else set()
    pairing = Pairing("binary", duplicates=duplicates, label_map=label_map or _folder_label_map(labels))
    for name in sorted(gt_names):
        pair = LabelMasksPair(
            name,
            tuple((label_id, truths[label_id].get(name)) for label_id, _ in labels),
            tuple((label_id, guesses[label_id].get(name)) for label_id, _ in labels),
        )
        pairing.pairs.append(pair)
        if not pair.has_prediction:
            pairing.missing_predictions.append(name)
    pairing.unpaired_predictions = sorted(pred_names - gt_names)
    return pairing


def _binary_labels(gt: Location, label_map: LabelMap | None) -> list[tuple[int, str]]:
    """(label id, folder name) of each label with a folder under ``gt``."""
    if label_map is not None:
        return [
            (label.id, label_folder(label.name))
            for label in label_map
            if (gt / label_folder(label.name)).is_dir()
        ]
    folders = sorted(
        entry.name for entry in gt.iterdir() if entry.is_dir() and not entry.name.startswith(".")
    )
    return list(enumerate(folders, start=1))


def _folder_label_map(labels: list[tuple[int, str]]) -> LabelMap:
    """Without a label map, the label folders name the labels (ids 1, 2, ... in folder order)."""
    return LabelMap([Label(label_id, folder, voc_colour(label_id)) for label_id, folder in labels])
