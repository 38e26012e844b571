"""What a prediction folder holds, said in words when its files do not pair with the ground truth.

Used only when predictions are missing, so a run whose predictions all pair
walks PRED once, as before. Three checks, each a common mistake:

* **No prediction matches at all** (:func:`no_match_message`): PRED is empty,
  holds masks of other names (``a_pred.png`` for ``a.png``), or holds images in
  a format ``score`` does not read (``.jpg``: JPEG is lossy, its compression
  changes class ids along every edge, so it is never read as a mask). The
  message says which, so that nobody reaches for ``--missing empty``, which
  would score every image as an empty prediction.
* **Some predictions match** (:func:`unmatched_files`): the files of PRED that
  look like masks but were not paired (other names, or image formats that are
  not masks), for the list beside the missing names.
* **Swapped arguments** (:func:`looks_swapped`): PRED holds the label map that
  ``segtool rasterize`` writes beside ground-truth masks, and GT does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..io.files import LABEL_FILE_NAMES, find_files, label_file_for_masks, label_file_in
from ..io.maskio import MASK_SUFFIXES
from ..io.storage import Location, LocationLike, relative_path
from ..words import plural

#: Image formats that hold pictures, not label masks, as score reads them; by suffix, the name said.
NOT_MASK_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WebP",
    ".gif": "GIF",
}
MASK_FORMATS = "masks must be PNG or .npy"
JPEG_IS_LOSSY = "JPEG is lossy (its compression changes class ids along every edge)"
#: At most this many names are shown in one message.
SHOWN = 5


def no_match_message(pred: Location, gt_names: Iterable[str]) -> str:
    """Why no ground-truth mask has a prediction: what ``pred`` holds instead."""
    files = find_files(pred, None)
    if not files:
        return "no prediction matches a ground-truth mask: the folder holds no files"
    masks = [path for path in files if path.suffix.lower() in MASK_SUFFIXES]
    parts = []
    if masks:
        parts.append(
            f"{plural(len(masks), 'mask')} ({', '.join(MASK_SUFFIXES)}), "
            "none with the name of a ground-truth mask "
            f"(PRED: {_shown([_relative(path, pred) for path in masks])}; ground truth: {_shown(gt_names)}; "
            "masks pair by their path without the extension)"
        )
    others = Counter(path.suffix.lower() for path in files if path.suffix.lower() not in MASK_SUFFIXES)
    parts.extend(plural(count, f"{suffix or 'suffix-less'} file") for suffix, count in others.most_common())
    reasons = []
    if any(suffix in NOT_MASK_FORMATS for suffix in others):
        reasons.append(MASK_FORMATS)
    if ".jpg" in others or ".jpeg" in others:
        reasons.append(JPEG_IS_LOSSY)
    return f"no prediction matches a ground-truth mask: the folder holds {' and '.join(parts)}" + "".join(
        f"; {reason}" for reason in reasons
    )


def unmatched_files(pred: Location, paired_names: set[str]) -> list[str]:
    """The files of ``pred`` that look like masks and were not paired: a mask of a name without
    ground truth, or an image in a format that is not a mask, each with the reason."""
    described = []
    for path in find_files(pred, (*MASK_SUFFIXES, *NOT_MASK_FORMATS)):
        relative = _relative(path, pred)
        suffix = path.suffix.lower()
        if suffix in NOT_MASK_FORMATS:
            described.append(f"{relative} ({NOT_MASK_FORMATS[suffix]}: {MASK_FORMATS})")
        elif relative[: -len(suffix)] not in paired_names:
            described.append(f"{relative} (no ground-truth mask of that name)")
    return described


def looks_swapped(pred: Location, gt: Location) -> bool:
    """True when ``pred`` holds rasterize's label map (labels.csv, labels.txt) and ``gt`` has none (nor
    labelme2voc's class_names.txt)."""
    return label_file_in(pred) is not None and label_file_for_masks(gt) is None


def swapped_message(pred: LocationLike) -> str:
    return (
        f"the arguments look swapped: PRED {pred} holds {' or '.join(LABEL_FILE_NAMES)}, which rasterize "
        "writes beside ground-truth masks, and GT holds none; the order is segtool score PRED GT"
    )


def _relative(path: Location, root: Location) -> str:
    return path.name if path == root else relative_path(path, root).as_posix()


def _shown(names: Iterable[str]) -> str:
    names = list(names)
    return ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
