"""The photo under a picture: one rule for ``overlay``, ``score``/``compare --images``, ``rasterize --viz``.

Conventions
-----------
* A :class:`PhotoSource` says where the photo of one drawing may be, tried in
  this order: an image file (read as displayed, its EXIF orientation applied),
  then an annotation file that embeds the image (LabelMe's ``imageData``, read
  as stored, as labelme shows it: see :mod:`segtool.annotations.embedded`). The
  first that can be read and has the drawing's size is the photo. The file
  comes first because labelme re-encodes the images it embeds (a JPEG loses
  quality). Nothing is ever resized.
* Where each command looks (``<key>``: the mask's relative path without suffix):

  ====================  ===========================================  ==============================
  command               image file                                   annotation with ``imageData``
  ====================  ===========================================  ==============================
  ``rasterize --viz``   the file the annotation names (``imagePath``)  the annotation being drawn
  ``overlay``           ``IMAGES/<key>.<image suffix>``              ``IMAGES/<key>.json``
  ``score --images D``  ``D/<key>.<image suffix>``                   ``D/<key>.json``
  ====================  ===========================================  ==============================

  So a LabelMe folder (photos and JSON side by side, or JSON with the image
  embedded and no photo) serves as the image folder of all three. ``compare --images``
  matches as score does (each model's pairs get the same photos).
* Without a usable photo, :func:`load_photo` returns None and one warning line
  that starts with the drawing's subject and gives every reason; the caller
  draws without a photo (an overlay: the classes in full colour on gray,
  :data:`segtool.viz.overlays.NO_PHOTO_GRAY`; an error map: see
  :mod:`segtool.viz.errormap`) and the exit status is not changed by it.
* The size of an image file (as displayed) and of an embedded image (as
  stored) is read from its header before it is decoded, so that an image of
  another size (or a decompression bomb: a small PNG declaring 12000 x 12000
  pixels took 1.6 GB to decode) is never decoded. The drawing's size is
  bounded by ``--max-pixels``, so the photo's is too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..annotations.embedded import read_embedded_bytes
from ..errors import SegtoolError
from ..io.files import KeyedFiles, files_by_key
from ..io.imagesize import image_size
from ..io.storage import Location, LocationLike, as_path
from ..viz.image import IMAGE_SUFFIXES, decode_image, read_image

#: The field of a LabelMe file that embeds its image.
LABELME_IMAGE_FIELD = ("imageData",)


@dataclass(frozen=True)
class PhotoSource:
    """Where the photo of one drawing may be found (picklable: it travels to workers).

    ``subject`` starts the warning (the mask, or the annotation file and image
    drawn); ``file`` is an image file and ``no_file`` why there is none;
    ``embedded_in`` a file that may embed the image under ``embedded_keys``,
    ``document`` its content when it is not on disk (stdin); ``size_of`` names
    what the photo's size must match, in messages.
    """

    subject: str
    file: Location | None = None
    no_file: str = "no image file"
    embedded_in: Location | None = None
    embedded_keys: tuple[str, ...] = LABELME_IMAGE_FIELD
    document: bytes | None = None
    size_of: str = "the mask"


@dataclass(frozen=True)
class PhotoFolder:
    """The photos, and the LabelMe files that may embed them, under one folder, by key.

    ``any_name``: ``root`` is one file (a photo, or a LabelMe file) that goes
    with one mask whatever their names (both named on the command line). Raises
    :class:`~segtool.errors.InputFileError` when ``root`` does not exist.
    """

    root: Location
    photos: KeyedFiles
    annotations: KeyedFiles
    any_name: bool = False

    @classmethod
    def read(cls, root: LocationLike, *, any_name: bool = False) -> PhotoFolder:
        """List the image files (any of :data:`~segtool.viz.image.IMAGE_SUFFIXES`) and ``.json`` files."""
        root = as_path(root)
        return cls(root, files_by_key(root, IMAGE_SUFFIXES), files_by_key(root, (".json",)), any_name)

    @property
    def keys(self) -> set[str]:
        """The keys of the image files (the ``.json`` files are not counted: they may be anything)."""
        return set(self.photos.unique) | set(self.photos.ambiguous)

    def source(self, key: str, *, subject: str) -> PhotoSource:
        """Where the photo of the mask ``key`` may be: ``key.<image suffix>``, then ``key.json``."""
        if self.any_name:
            single = self.root.suffix.lower() == ".json"
            return PhotoSource(
                subject, file=None if single else self.root, embedded_in=self.root if single else None
            )
        clash = self.photos.ambiguous.get(key)
        return PhotoSource(
            subject,
            file=self.photos.unique.get(key),
            no_file=(
                f"{', '.join(map(str, clash))}: several images for one name; keep one"
                if clash
                else f"no image named {key} under {self.root}"
            ),
            embedded_in=self.annotations.unique.get(key),
        )


def load_photo(source: PhotoSource, shape: tuple[int, ...]) -> tuple[np.ndarray | None, str | None]:
    """The photo of ``source`` with the ``(height, width)`` of ``shape``, or None and the warning.

    Never raises for a bad photo: every reason ends up in the one warning line.
    """
    height, width = shape[:2]
    problems = []
    if source.file is None:
        problems.append(source.no_file)
    else:
        try:
            displayed = image_size(source.file)
            if displayed == (height, width):
                return read_image(source.file), None
        except SegtoolError as exc:
            problems.append(str(exc))
        else:
            problems.append(
                f"the image {source.file} is {displayed[1]}x{displayed[0]} (as displayed) "
                f"but {source.size_of} is {width}x{height}"
            )
    if source.embedded_in is not None:
        try:
            return _embedded_photo(source, height, width), None
        except SegtoolError as exc:
            problems.append(str(exc))
    return None, f"{source.subject}: drawn without a photo: {'; '.join(problems)}"


def _embedded_photo(source: PhotoSource, height: int, width: int) -> np.ndarray:
    """The image embedded in ``source.embedded_in``, as stored; a SegtoolError naming the file and field."""
    assert source.embedded_in is not None
    field = ".".join(source.embedded_keys)
    data = read_embedded_bytes(source.embedded_in, source.embedded_keys, document=source.document)
    try:
        stored = image_size(data, name=field, exif_orientation=False)
        if stored == (height, width):
            return decode_image(data, name=field, exif_orientation=False)
    except SegtoolError as exc:
        raise SegtoolError(
            f"{field} is not a readable image ({exc.message})", path=source.embedded_in
        ) from None
    raise SegtoolError(
        f"{field} is {stored[1]}x{stored[0]} but {source.size_of} is {width}x{height}",
        path=source.embedded_in,
    )
