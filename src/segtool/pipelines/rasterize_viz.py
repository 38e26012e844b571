"""Overlays of rasterized masks over the images their annotations reference (``rasterize --viz``).

Conventions
-----------
* The overlay folder mirrors the mask folder: ``VIZ/<name>.png`` for the index
  layout, ``VIZ/<label folder>/<name>.png`` for the binary layout, where only
  the labels with pixels in the image get one (an empty label would show the
  bare photo).
* Each mask is read back from the file just written, so the overlay shows
  exactly what was saved; it is drawn as :func:`segtool.viz.overlay` draws it
  (label-map colours at half opacity, background left as the photo, the
  dark-and-light outline unless ``outline=False``, a legend).
* The photo is found by the rule of :mod:`segtool.pipelines.photos`: the image
  file the annotation names (:attr:`AnnotatedImage.image_path`), else the image
  embedded in the annotation file (LabelMe's ``imageData``). Without either,
  the overlay is drawn on gray with one warning (starting with the annotation
  file's path and the image's name, giving each reason): the masks themselves
  are not affected, and neither is the exit status (nor with ``--strict``).
* Memory does not grow with the number of files: the model records only where
  the image is embedded, and the image is read again from the annotation file
  (from ``document`` for stdin) while this one image's overlays are drawn; its
  size is checked from its header before it is decoded, and nothing of it is
  kept afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..annotations import AnnotatedImage
from ..io.atomic import is_written_output
from ..io.maskio import read_label_ids
from ..io.storage import Location
from ..labels import LabelMap
from ..viz.image import write_image
from ..viz.overlays import overlay
from .photos import PhotoSource, load_photo


def overlay_rasterized(
    image: AnnotatedImage,
    masks: Sequence[Location],
    targets: Sequence[Location],
    *,
    label_map: LabelMap,
    label_ids: Sequence[int] | None = None,
    missing_only: bool = False,
    document: bytes | None = None,
    outline: bool = True,
    inside: Location | None = None,
) -> list[str]:
    """Draw each of ``masks`` over the image's photo into the target at the same position.

    ``label_ids`` (binary layout) gives the label of each 0/255 mask; without
    it the masks hold class ids. ``missing_only`` draws only the targets that
    do not exist yet (a resumed run). ``document`` is the annotation file's
    content when it is not on disk (stdin), for its embedded image.
    ``outline``: the dark-and-light outline of :func:`segtool.viz.overlay`.
    ``inside`` is the overlay folder, never left through a link. Returns the
    warnings (at most one: no photo); a target that cannot be written raises its
    :class:`~segtool.errors.OutputError`.
    """
    ids: Sequence[int | None] = label_ids if label_ids is not None else [None] * len(masks)
    todo = [
        (mask, target, label_id)
        for mask, target, label_id in zip(masks, targets, ids, strict=True)
        if not (missing_only and is_written_output(target))
    ]
    if not todo:
        return []
    photo, warning = load_photo(photo_source(image, document), (image.height, image.width))
    for mask, target, label_id in todo:
        labels = read_label_ids(mask)
        if label_id is not None:
            if not labels.any():
                continue
            labels = (labels != 0).astype(np.uint8 if label_id < 256 else np.uint16) * label_id
        write_image(target, overlay(photo, labels, label_map=label_map, outline=outline), inside=inside)
    return [warning] if warning else []


def photo_source(image: AnnotatedImage, document: bytes | None = None) -> PhotoSource:
    """Where the photo of an annotated image is: the file it names, then the image it embeds."""
    return PhotoSource(
        subject=f"{image.source}: {image.name}",
        file=image.image_path,
        no_file="the image file it names was not found",
        embedded_in=image.source if image.embedded_image is not None else None,
        embedded_keys=image.embedded_image or (),
        document=document,
        size_of="the annotation",
    )
