"""Overlays of rasterized masks over the images their annotations reference (``rasterize --viz``).

Conventions
-----------
* The overlay folder mirrors the mask folder: ``VIZ/<name>.png`` for the index
  layout, ``VIZ/<label folder>/<name>.png`` for the binary layout, where only
  the labels with pixels in the image get one (an empty label would show the
  bare photo).
* Each mask is read back from the file just written, so the overlay shows
  exactly what was saved; it is drawn as :func:`segtool.viz.overlay` draws it
  (label-map colours at half opacity, background left as the photo, a legend).
* The photo is :attr:`AnnotatedImage.image_path`. An image without one, with
  an unreadable one, or with one whose size (as displayed) is not the
  annotation's, gets no overlay and a warning (starting with the annotation
  file's path): the masks themselves are not affected.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..annotations import AnnotatedImage
from ..errors import SegtoolError
from ..labels import LabelMap
from ..maskio import read_label_ids
from ..storage import Location
from .image import read_image, write_image
from .overlays import overlay


def overlay_rasterized(image: AnnotatedImage, masks: Sequence[Location], targets: Sequence[Location], *,
                       label_map: LabelMap, label_ids: Sequence[int] | None = None,
                       missing_only: bool = False) -> list[str]:
    """Draw each of ``masks`` over the image's photo into the target at the same position.

    ``label_ids`` (binary layout) gives the label of each 0/255 mask; without
    it the masks hold class ids. ``missing_only`` draws only the targets that
    do not exist yet (a resumed run). Returns the warnings; a target that
    cannot be written raises its :class:`~segtool.errors.OutputError`.
    """
    ids: Sequence[int | None] = label_ids if label_ids is not None else [None] * len(masks)
    todo = [(mask, target, label_id) for mask, target, label_id in zip(masks, targets, ids)
            if not (missing_only and target.exists())]
    if not todo:
        return []
    photo, problem = _photo(image)
    if photo is None:
        return [f"{image.source}: {problem}; no overlay drawn for {image.name}"]
    for mask, target, label_id in todo:
        labels = read_label_ids(mask)
        if label_id is not None:
            if not labels.any():
                continue
            labels = (labels != 0).astype(np.uint8 if label_id < 256 else np.uint16) * label_id
        write_image(target, overlay(photo, labels, label_map=label_map))
    return []


def _photo(image: AnnotatedImage) -> tuple[np.ndarray | None, str]:
    """The photo of ``image`` as displayed, or None and why not."""
    if image.image_path is None:
        return None, "the image file was not found"
    try:
        photo = read_image(image.image_path)
    except SegtoolError as exc:
        return None, str(exc)
    if photo.shape[:2] != (image.height, image.width):
        return None, (f"the image {image.image_path} is {photo.shape[1]}x{photo.shape[0]} (as displayed) but "
                      f"the annotation is {image.width}x{image.height}")
    return photo, ""
