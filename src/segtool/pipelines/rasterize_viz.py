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
* The photo is the image file the annotation names
  (:attr:`AnnotatedImage.image_path`, read as displayed: EXIF orientation
  applied) when it exists, can be read and has the annotation's size; else the
  image embedded in the annotation file (LabelMe's ``imageData``, read as
  stored, as labelme shows it: see :mod:`segtool.annotations.embedded`) when
  it has that size. The file comes first because labelme re-encodes the images
  it embeds (a JPEG loses quality), and reading it costs no second parse of
  the annotation file. An image with neither gets no overlay and one warning
  (starting with the annotation file's path, giving each reason): the masks
  themselves are not affected.
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
from ..annotations.embedded import embedded_field, read_embedded_image
from ..errors import InputFileError, SegtoolError
from ..io.imagesize import image_size
from ..io.maskio import read_label_ids
from ..io.storage import Location
from ..labels import LabelMap
from ..viz.image import decode_image, read_image, write_image
from ..viz.overlays import overlay


def overlay_rasterized(
    image: AnnotatedImage,
    masks: Sequence[Location],
    targets: Sequence[Location],
    *,
    label_map: LabelMap,
    label_ids: Sequence[int] | None = None,
    missing_only: bool = False,
    document: bytes | None = None,
    inside: Location | None = None,
) -> list[str]:
    """Draw each of ``masks`` over the image's photo into the target at the same position.

    ``label_ids`` (binary layout) gives the label of each 0/255 mask; without
    it the masks hold class ids. ``missing_only`` draws only the targets that
    do not exist yet (a resumed run). ``document`` is the annotation file's
    content when it is not on disk (stdin), for its embedded image. ``inside``
    is the overlay folder, never left through a link. Returns the
    warnings; a target that cannot be written raises its
    :class:`~segtool.errors.OutputError`.
    """
    ids: Sequence[int | None] = label_ids if label_ids is not None else [None] * len(masks)
    todo = [
        (mask, target, label_id)
        for mask, target, label_id in zip(masks, targets, ids, strict=True)
        if not (missing_only and target.exists())
    ]
    if not todo:
        return []
    photo, problems = _photo(image, document)
    if photo is None:
        return [f"{image.source}: {'; '.join(problems)}; no overlay drawn for {image.name}"]
    for mask, target, label_id in todo:
        labels = read_label_ids(mask)
        if label_id is not None:
            if not labels.any():
                continue
            labels = (labels != 0).astype(np.uint8 if label_id < 256 else np.uint16) * label_id
        write_image(target, overlay(photo, labels, label_map=label_map), inside=inside)
    return []


def _photo(image: AnnotatedImage, document: bytes | None) -> tuple[np.ndarray | None, list[str]]:
    """The photo of ``image`` (see the module docstring), or None and why not."""
    problems = []
    if image.image_path is None:
        problems.append("the image file was not found")
    else:
        try:
            photo = read_image(image.image_path)
        except SegtoolError as exc:
            problems.append(str(exc))
        else:
            if photo.shape[:2] == (image.height, image.width):
                return photo, []
            problems.append(
                f"the image {image.image_path} is {photo.shape[1]}x{photo.shape[0]} (as displayed) "
                f"but the annotation is {image.width}x{image.height}"
            )
    if image.embedded_image is not None:
        try:
            return _embedded_photo(image, document), []
        except InputFileError as exc:
            problems.append(exc.message)
    return None, problems


def _embedded_photo(image: AnnotatedImage, document: bytes | None) -> np.ndarray:
    """The image embedded in the annotation file, as stored.

    Its size is read from its header first, so that an image of another size
    (or a decompression bomb) is never decoded. An unusable one raises an
    :class:`~segtool.errors.InputFileError` whose message names the field.
    """
    field = embedded_field(image)
    data = read_embedded_image(image, document=document)
    try:
        height, width = image_size(data, exif_orientation=False)
        if (height, width) == (image.height, image.width):
            return decode_image(data, name=field, exif_orientation=False)
    except InputFileError as exc:
        raise InputFileError(f"{field} is not a readable image ({exc.message})", path=image.source) from None
    raise InputFileError(
        f"{field} is {width}x{height} but the annotation is {image.width}x{image.height}", path=image.source
    )
