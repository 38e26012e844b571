"""Error-map files of a scoring run (``score --error-maps DIR``), drawn where the masks are read.

The worker that scores a pair has both masks in memory, so it also draws the
pair's error map (:func:`segtool.viz.error_map`) and writes it atomically;
nothing is read twice and the maps are the same for any number of processes.

Conventions
-----------
* Index layout: one map per image, ``DIR/<name>.png``, of all classes: true
  positives, false positives and false negatives against the background,
  "wrong class" where both masks hold different classes, and ignored pixels.
  With ``binary`` the masks are background/foreground first (no "wrong class").
* Binary layout: one map per label that has a file in either folder,
  ``DIR/<label folder>/<name>.png``, mirroring the mask folders.
* ``style`` (``--error-style``): ``errors`` (the default) paints the mistakes
  in full colour over the photo in gray (without a photo: over light gray
  classes on white); ``all`` paints every category, true positives green
  (see :mod:`segtool.viz.errormap`). A legend naming the colours is added to
  the right, so the file is wider than the mask.
* The files keep exact pixels: a 1-pixel error is 1 pixel wide (they are
  looked at zoomed in, and a thickened map would hide which pixels are wrong).
  Only the report's thumbnails thicken errors, and say so.
* The photo is found by the rule of :mod:`segtool.pipelines.photos`; a pair
  without a usable one (none, unreadable, another size: nothing is resized)
  is drawn as without ``--images``, and :attr:`PairErrorMaps.warning` says why
  (the worker sends it back with the pair's counts). It never fails the pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..io.storage import Location
from ..viz.errormap import ErrorStyle, error_legend, error_map
from ..viz.image import write_image
from ..viz.legend import with_legend
from .photos import PhotoSource, load_photo


@dataclass(frozen=True)
class ErrorMapFolder:
    """Where the error maps of a run go, and their style (picklable: it travels to the workers)."""

    root: Location
    style: ErrorStyle = "errors"

    def path_for(self, name: str, subfolder: str | None = None) -> Location:
        """``root/[subfolder/]name.png``."""
        folder = self.root / subfolder if subfolder is not None else self.root
        return folder / f"{name}.png"

    def for_pair(self, name: str, *, photo: PhotoSource | None, shape: tuple[int, int]) -> PairErrorMaps:
        """The writer of one pair's maps; loads its photo (if any) once, at the masks' size."""
        image, warning = load_photo(photo, shape) if photo is not None else (None, None)
        return PairErrorMaps(self, name, image, warning)


@dataclass(frozen=True)
class PairErrorMaps:
    """Writes the error maps of one pair, over its photo when it has one (``warning``: why not)."""

    folder: ErrorMapFolder
    name: str
    photo: np.ndarray | None
    warning: str | None = None

    def write(
        self,
        mask_true: np.ndarray,
        mask_pred: np.ndarray,
        *,
        ignore: Sequence[int],
        class_id: int | None = None,
        subfolder: str | None = None,
    ) -> Location:
        """Draw and write one map; return its path.

        ``class_id``: one class, see :func:`segtool.viz.error_map`.
        """
        style = self.folder.style
        picture = error_map(
            mask_true, mask_pred, class_id=class_id, ignore=ignore, image=self.photo, style=style
        )
        legend = [
            (name, colour)
            for name, colour in error_legend(class_id=class_id, style=style, photo=self.photo is not None)
            if ignore or name != "ignored"
        ]
        path = self.folder.path_for(self.name, subfolder)
        write_image(path, with_legend(picture, legend), inside=self.folder.root)
        return path
