"""The common annotation model every reader produces and the rasterizer consumes.

Coordinates are continuous image coordinates in pixels: x to the right, y down,
origin at the top-left corner of the top-left pixel, so pixel (row r, col c) is
the unit square [c, c+1) x [r, r+1) with its centre at (c + 0.5, r + 0.5).
Readers convert whatever their format stores (percentages, centre-based boxes,
RLE) into this frame; the rasterizer knows nothing about formats.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np

from ..errors import shown
from ..io.storage import Location


@dataclass(frozen=True)
class Polygon:
    """One or more closed rings, combined even-odd: rings inside rings are holes.

    Each ring is an (N, 2) float64 array of (x, y) vertices, not repeated at the end.
    Separate parts of one object are separate rings that do not overlap.
    """

    rings: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Ellipse:
    """Centre (cx, cy), semi-axes rx (along the rotated x axis) and ry, rotation in degrees
    (clockwise on screen, since y points down). A circle has rx == ry."""

    cx: float
    cy: float
    rx: float
    ry: float
    angle: float = 0.0


@dataclass(frozen=True)
class Polyline:
    """An open path of (N, 2) float64 (x, y) vertices; it has no area of its own."""

    points: np.ndarray


@dataclass(frozen=True)
class Points:
    """Isolated (N, 2) float64 (x, y) points; they have no area of their own."""

    points: np.ndarray


@dataclass(frozen=True)
class EncodedMask:
    """A bitmap's mask kept as its file stores it until it is painted.

    ``decode()`` makes the (height, width) boolean array; it must be picklable (a
    module-level function, or a :func:`functools.partial` of one). A file may hold
    thousands of bitmaps: kept encoded, each is decoded when it is painted and
    freed after, so that memory holds one of them at a time, not all.
    """

    height: int
    width: int
    decode: Callable[[], np.ndarray]


@dataclass(frozen=True)
class Bitmap:
    """A boolean mask whose top-left pixel is at pixel (top, left) of the image.

    ``mask`` is the array, or an :class:`EncodedMask` decoded when it is needed.
    """

    mask: np.ndarray | EncodedMask
    left: int
    top: int

    @property
    def size(self) -> tuple[int, ...]:
        """The mask's shape, (height, width), without decoding it."""
        if isinstance(self.mask, EncodedMask):
            return self.mask.height, self.mask.width
        return np.shape(self.mask)

    def decoded(self) -> np.ndarray:
        """The mask as an array (decoded anew each time when it is kept encoded)."""
        return self.mask.decode() if isinstance(self.mask, EncodedMask) else np.asarray(self.mask)


Geometry = Polygon | Ellipse | Polyline | Points | Bitmap


@dataclass(frozen=True)
class Shape:
    """One labelled shape.

    ``where`` names it for messages ("shape 3 (polygon)", "annotation id 17").
    ``z`` is the format's stacking order where it has one (CVAT z_order), else 0.
    ``group_id`` groups the shapes of one object instance (labelme, COCO ann id).
    """

    label: str
    geometry: Geometry
    where: str
    group_id: int | None = None
    z: float = 0.0


@dataclass
class AnnotatedImage:
    """Everything known about one image's annotations.

    ``name`` is the output name relative to the output folder, without a suffix
    (see :func:`safe_relative_name`). ``source`` is the annotation file it came from.
    ``image_path`` is the image the annotation refers to, if it exists on disk.
    ``warnings`` collects problems that did not stop the image from being drawn, one
    line each, starting with the annotation file's path.
    ``declared_labels`` are the labels the file declares whether or not a shape
    uses them (CVAT ``<meta>``, a VIA project's attribute options, a Supervisely
    project's meta.json), in declaration order, so a label map can include them.
    ``declared_ids`` are the ids the file gives its labels, as ``(label, id)`` pairs
    (COCO ``categories``), which a label map follows by default.
    ``embedded_image`` says where the annotation file holds the image itself, as
    the keys leading to its base64 text in the JSON document (LabelMe:
    ``("imageData",)``), or None. Only this address is kept, never the image, so
    that many AnnotatedImages cost no more memory for the photos inside their
    files; :func:`segtool.annotations.embedded.read_embedded_image` reads it when needed.
    ``problem``, when set, says in one line (naming the file) why this image of a
    many-image file cannot be drawn, while the file's other images can: such an
    image has no shapes and no size (0 x 0), and is reported as failed.
    """

    source: Location
    name: PurePosixPath
    height: int
    width: int
    shapes: list[Shape] = field(default_factory=list)
    image_path: Location | None = None
    warnings: list[str] = field(default_factory=list)
    declared_labels: tuple[str, ...] = ()
    declared_ids: tuple[tuple[str, int], ...] = ()
    embedded_image: tuple[str, ...] | None = None
    problem: str | None = None

    @classmethod
    def failed(cls, source: Location, name: PurePosixPath, error: Exception) -> AnnotatedImage:
        """The image ``name`` of the many-image file ``source`` that cannot be drawn because of ``error``
        (its image not found or unreadable): it fails alone, the file's other images are drawn."""
        return cls(source=source, name=name, height=0, width=0, problem=str(error))


_DRIVE = re.compile(r"^[A-Za-z]:")
#: The longest part of an output name: 255 bytes (the file-name limit of Linux and macOS file systems)
#: less the ``.png`` segtool adds and the 15 bytes more of an atomic write's temporary name.
MAX_NAME_PART_BYTES = 236


def safe_relative_name(text: str | PurePosixPath) -> PurePosixPath:
    """A relative path that cannot leave the output folder, without its suffix.

    Backslashes count as separators (Windows paths), a drive letter or leading
    slash is dropped, and ``.``/``..`` parts are removed. ``C:\\data\\..\\a.jpg``
    becomes ``data/a``. A ``ValueError`` when nothing is left, or when the name holds
    a NUL character, cannot be a file name on this system (a lone surrogate), or has
    a part longer than :data:`MAX_NAME_PART_BYTES`. A part that starts with a dot gets a
    leading ``_``, as a label folder does (:func:`~segtool.labels.label_folder`): every
    command skips hidden files and folders, so a mask ``.b.png`` would be written and
    never scored.

    >>> safe_relative_name("../../etc/passwd.png"), safe_relative_name("C:\\\\x\\\\img.jpg")
    (PurePosixPath('etc/passwd'), PurePosixPath('x/img'))
    >>> safe_relative_name(".cache/.b.jpg")
    PurePosixPath('_.cache/_.b')
    """
    text = _DRIVE.sub("", str(text).replace("\\", "/"))
    parts = [
        "_" + part if part.startswith(".") else part
        for part in text.split("/")
        if part not in ("", ".", "..")
    ]
    if not parts or "\0" in text:
        raise ValueError(f"{shown(text)} does not name a file")
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        raise ValueError(f"{shown(text)} cannot be a file name") from None
    name = PurePosixPath(*parts)
    name = name.with_suffix("") if name.suffix else name
    if any(len(os.fsencode(part)) > MAX_NAME_PART_BYTES for part in name.parts):
        raise ValueError(
            f"{shown(text)} does not name a file segtool can write: a part of it is longer than "
            f"{MAX_NAME_PART_BYTES} bytes"
        )
    return name
