"""Class balance of a set of masks, and the loss weights it suggests.

Counts
------
Pixels holding one of the ``ignore`` values are not *valid*: they are counted
apart and take no part in any share or weight. For class c:

* ``pixels``: its pixels over all masks;
* ``share``: ``pixels / valid pixels of all masks``;
* ``images``: the number of masks where it has at least one pixel.

Suggested loss weights
----------------------
A class with no pixel gets no weight (NaN, shown as a dash): there is nothing
to weight, and inventing a number would hide that. Among the classes present:

* **inverse frequency**: ``w_c = N / (K n_c)``, N valid pixels, K classes
  present, n_c the pixels of c. A class holding exactly its fair share 1/K of
  the pixels gets 1; the pixel-weighted mean of the weights is 1 (scikit-learn's
  "balanced" weights).
* **median-frequency balancing** (Eigen & Fergus, 2015): ``w_c = median_f / f_c``
  where ``f_c = n_c / (valid pixels of the masks where c is present)`` and
  ``median_f`` is the median of the f_c. The class of median frequency gets 1.
* **generalised Dice** (Sudre et al., 2017): ``w_c = 1 / n_c^2``, normalised to
  sum to 1 over the classes present (the scale cancels out in the generalised
  Dice loss, so only the ratios matter). Most losses compute these weights per
  batch; the dataset-wide values show how extreme they get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..io.maskio import read_label_ids
from ..io.storage import Location, RemotePath, as_path
from ..labels import LabelMap, name_or_id
from ..metrics.confusion import is_one_of, value_counts
from .executors import Executor, LocalExecutor, executor_for
from .jobs import Failure, run_jobs

COLUMNS = (
    "class_id",
    "class_name",
    "pixels",
    "share",
    "images",
    "weight_inverse_frequency",
    "weight_median_frequency",
    "weight_generalised_dice",
)


@dataclass(frozen=True)
class MaskCounts:
    """Pixel counts of one mask: ids present and their counts, valid and ignored totals."""

    path: Location
    ids: np.ndarray
    counts: np.ndarray
    ignored: int = 0

    @property
    def valid(self) -> int:
        return int(self.counts.sum())


def count_mask(
    path: Location, *, label_map: LabelMap | None = None, ignore: Iterable[int] = ()
) -> MaskCounts:
    """Count the pixels of each id in one mask file; a bad file raises its :class:`SegtoolError`."""
    labels = read_label_ids(path, label_map=label_map, copy=False)
    ids, counts = value_counts(labels)
    ignored = is_one_of(ids, ignore)
    return MaskCounts(path, ids[~ignored], counts[~ignored], ignored=int(counts[ignored].sum()))


def _count_job(job: tuple[Location, LabelMap | None, tuple[int, ...]]) -> MaskCounts:
    path, label_map, ignore = job
    return count_mask(path, label_map=label_map, ignore=ignore)


def _job_path(job: tuple[Location, LabelMap | None, tuple[int, ...]]) -> str:
    return str(job[0])


# -- weights ------------------------------------------------------------------------------
def inverse_frequency_weights(pixels: np.ndarray) -> np.ndarray:
    """``N / (K n_c)`` for classes with pixels, NaN for the others (see the module docstring).

    >>> inverse_frequency_weights(np.array([60, 30, 10, 0])).round(4).tolist()
    [0.5556, 1.1111, 3.3333, nan]
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    present = pixels > 0
    weights = np.full(pixels.shape, np.nan)
    weights[present] = pixels.sum() / (present.sum() * pixels[present])
    return weights


def median_frequency_weights(pixels: np.ndarray, present_image_pixels: np.ndarray) -> np.ndarray:
    """``median_f / f_c`` with ``f_c = n_c / present_image_pixels_c``; NaN for absent classes.

    >>> median_frequency_weights(np.array([50, 10, 5]), np.array([100, 100, 20])).tolist()
    [0.5, 2.5, 1.0]
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    present = pixels > 0
    frequency = np.full(pixels.shape, np.nan)
    frequency[present] = pixels[present] / np.asarray(present_image_pixels, dtype=np.float64)[present]
    weights = np.full(pixels.shape, np.nan)
    if present.any():
        weights[present] = np.median(frequency[present]) / frequency[present]
    return weights


def generalised_dice_weights(pixels: np.ndarray) -> np.ndarray:
    """``1 / n_c^2`` normalised to sum to 1 over classes with pixels; NaN for the others.

    >>> generalised_dice_weights(np.array([20, 10, 0])).tolist()
    [0.2, 0.8, nan]
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    present = pixels > 0
    weights = np.full(pixels.shape, np.nan)
    if present.any():
        relative = pixels[present].min() / pixels[present]  # in (0, 1]: no underflow for big counts
        weights[present] = relative**2 / np.sum(relative**2)
    return weights


# -- a whole set of masks -----------------------------------------------------------------
@dataclass
class ClassBalance:
    """Counts and weights of every class of a set of masks (see the module docstring).

    ``class_ids`` lists the label map's ids and any other id found, ascending.
    Per class arrays share that order. ``failures`` holds one
    :class:`~segtool.pipelines.jobs.Failure` per mask that could not be read; the
    others are counted.
    """

    class_ids: list[int]
    names: list[str]
    pixels: np.ndarray
    images: np.ndarray
    present_image_pixels: np.ndarray
    masks: int
    ignored_pixels: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def valid_pixels(self) -> int:
        return int(self.pixels.sum())

    @property
    def foreground_pixels(self) -> int:
        """Valid pixels of every class but the background (id 0)."""
        return int(self.pixels[np.asarray(self.class_ids) != 0].sum())

    def summary(self) -> dict[str, int]:
        """The totals: masks counted, valid and ignored pixels, masks that failed, classes with pixels."""
        return {
            "masks": self.masks,
            "valid_pixels": self.valid_pixels,
            "ignored_pixels": self.ignored_pixels,
            "failed_masks": len(self.failures),
            "classes_present": int(np.count_nonzero(self.pixels)),
        }

    def rows(self) -> list[dict]:
        """One row per class with the keys of :data:`COLUMNS` (NaN where undefined)."""
        total = self.valid_pixels
        shares = self.pixels / total if total else np.full(len(self.pixels), np.nan)
        inverse = inverse_frequency_weights(self.pixels)
        median = median_frequency_weights(self.pixels, self.present_image_pixels)
        dice = generalised_dice_weights(self.pixels)
        return [
            {
                "class_id": class_id,
                "class_name": name,
                "pixels": int(self.pixels[index]),
                "share": float(shares[index]),
                "images": int(self.images[index]),
                "weight_inverse_frequency": float(inverse[index]),
                "weight_median_frequency": float(median[index]),
                "weight_generalised_dice": float(dice[index]),
            }
            for index, (class_id, name) in enumerate(zip(self.class_ids, self.names, strict=True))
        ]


def class_balance(
    paths: Sequence[Path | RemotePath],
    *,
    label_map: LabelMap | None = None,
    ignore: Iterable[int] = (),
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
    debug: bool = False,
) -> ClassBalance:
    """Count the classes of the mask files ``paths`` on ``jobs`` threads, or on ``executor``.

    ``label_map`` names the classes (and maps colour masks to ids); ``ignore``
    are the values that are not valid pixels. ``progress(description, total)``
    may return a function called with the number of masks done. A mask that cannot
    be read fails alone (:mod:`segtool.pipelines.jobs`; ``debug`` raises a bug's exception).
    """
    ignore = tuple(sorted({int(value) for value in ignore}))
    pixels: dict[int, int] = {label.id: 0 for label in label_map or () if label.id not in ignore}
    images: dict[int, int] = dict.fromkeys(pixels, 0)
    present_image_pixels: dict[int, int] = dict.fromkeys(pixels, 0)
    ignored, failures = 0, []
    # threads by default: decoding and counting release the GIL
    executor = executor_for(executor or LocalExecutor(jobs, threads=True), paths)
    work = [(as_path(path), label_map, ignore) for path in paths]
    for _, counts in run_jobs(
        _count_job,
        work,
        executor=executor,
        name_of=_job_path,
        progress=progress,
        description="Counting",
        debug=debug,
    ):
        if isinstance(counts, Failure):
            failures.append(counts)
            continue
        ignored += counts.ignored
        valid = counts.valid
        for class_id, count in zip(counts.ids.tolist(), counts.counts.tolist(), strict=True):
            pixels[class_id] = pixels.get(class_id, 0) + count
            images[class_id] = images.get(class_id, 0) + 1
            present_image_pixels[class_id] = present_image_pixels.get(class_id, 0) + valid
    class_ids = sorted(pixels)
    return ClassBalance(
        class_ids=class_ids,
        names=[name_or_id(class_id, label_map) for class_id in class_ids],
        pixels=np.array([pixels[class_id] for class_id in class_ids], dtype=np.int64),
        images=np.array([images[class_id] for class_id in class_ids], dtype=np.int64),
        present_image_pixels=np.array(
            [present_image_pixels[class_id] for class_id in class_ids], dtype=np.int64
        ),
        masks=len(paths) - len(failures),
        ignored_pixels=ignored,
        failures=failures,
    )
