"""YOLO segmentation labels (Ultralytics, Roboflow exports): one ``.txt`` per image.

Conventions
-----------
* The lines are parsed by :mod:`.yolo_text` (what a line holds, which files are
  YOLO files, the 0..1 range). A coordinate pair ``(x, y)`` is the point
  ``(x * width, y * height)`` in the pixel-corner frame of every other format, so
  the polygon is drawn by the same pixel-centre rule. A box line ``class cx cy w h``
  is the rectangle from ``(cx - w/2, cy - h/2)`` to ``(cx + w/2, cy + h/2)``.
* Layout: Ultralytics keeps ``images/<split>/a.jpg`` beside ``labels/<split>/a.txt``
  (Roboflow: ``<split>/images`` beside ``<split>/labels``). A folder search reads
  ``.txt`` files only below a folder called ``labels``. The image is the file of
  the same stem in the folder that replaces the last ``labels`` by ``images``
  (Ultralytics' own rule), else in ``--images`` (at the label's relative path or by
  its name), else beside the label. The labels store no image size: it is read
  from the image's header (EXIF orientation applied, as Ultralytics does). No
  image is an error naming the label file.
* Output name: the label's path relative to the input without ``.txt`` and
  without its ``labels`` folder, so ``labels/train/a.txt`` -> ``train/a`` and the
  split folders are mirrored in the output.
* Class names: ``names`` of the dataset's ``data.yaml`` (also ``dataset.yaml``,
  ``data.yml``), else a ``classes.txt``, looked for from the label's folder up to
  four folders above it; see :mod:`.yolo_names`. Class ``k`` is declared as id
  ``k + 1`` (:attr:`AnnotatedImage.declared_ids`), so that id 0 stays the
  background. Without names a class is called by its index (``"0"``, ``"1"``).
  A class index with no name is an error naming the line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

from ..errors import AnnotationError, shown
from ..io.storage import Location, RemotePath
from .geometry import box_ring
from .imagefiles import first_found, image_file_size, is_existing_file
from .model import AnnotatedImage, Polygon, Shape, safe_relative_name
from .registry import AnnotationFormat, ReaderOptions, register
from .yolo_names import read_classes_txt, read_names_yaml
from .yolo_text import LABELS_FOLDER, YoloLabels, YoloObject

#: Ultralytics' image suffixes (``IMG_FORMATS``), tried in this order, lower then upper case.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".dng", ".mpo", ".pfm", ".heic")
NAMES_FILES = ("data.yaml", "dataset.yaml", "data.yml", "classes.txt")
NAMES_SEARCH_DEPTH = 4  # folders above the label's folder


def detect(document: object) -> bool:
    return isinstance(document, YoloLabels)


def read(
    document: YoloLabels, source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """The one image of a YOLO label file."""
    options = options if options is not None else ReaderOptions()
    try:
        name = safe_relative_name(without_labels_folder(rel))
    except ValueError:
        raise AnnotationError("the file name gives no output name", path=source) from None
    image_path = find_yolo_image(source, rel, options.images_dir)
    if image_path is None:
        raise AnnotationError(
            "no image found for this label file (YOLO labels store no image size): looked in the "
            "images folder beside labels, --images and the label's folder",
            path=source,
        )
    height, width = image_file_size(image_path, source=source, where="")
    names, names_file = dataset_names(source)
    image = AnnotatedImage(source=source, name=name, height=height, width=width, image_path=image_path)
    if names is not None:
        image.declared_labels = tuple(names.values())
        image.declared_ids = tuple((label, index + 1) for index, label in names.items())
    for item in document.objects:
        label = _label(item, names, names_file, source)
        where = f"line {item.line} (class {item.class_index}, {shown(label)})"
        image.shapes.append(Shape(label=label, geometry=_geometry(item, width, height), where=where))
    return [image]


def without_labels_folder(rel: PurePosixPath) -> PurePosixPath:
    """``rel`` less its last ``labels`` folder.

    >>> without_labels_folder(PurePosixPath("labels/train/a.txt"))
    PurePosixPath('train/a.txt')
    """
    parts = list(rel.parts[:-1])
    if LABELS_FOLDER in parts:
        del parts[len(parts) - 1 - parts[::-1].index(LABELS_FOLDER)]
    return PurePosixPath(*parts, rel.name)


def find_yolo_image(source: Location, rel: PurePosixPath, images_dir: Location | None) -> Location | None:
    """The image a label file belongs to (see the module docstring), or None."""
    stem = source.name[: -len(".txt")] if source.name.lower().endswith(".txt") else source.name
    folders: list[Location] = []
    parts = list(PurePosixPath(str(source.parent)).parts)
    if LABELS_FOLDER in parts:
        depth = parts[::-1].index(LABELS_FOLDER)  # folders between ``labels`` and the file
        labels = source.parent
        for _ in range(depth):
            labels = labels.parent
        images = labels.parent / "images"
        for part in parts[len(parts) - depth :]:
            images = images / part
        folders.append(images)
    if images_dir is not None:
        folders.append(images_dir / str(without_labels_folder(rel).parent))
        folders.append(images_dir)
    folders.append(source.parent)
    return first_found(
        folder / (stem + case(suffix))
        for folder in folders
        for suffix in IMAGE_SUFFIXES
        for case in (str.lower, str.upper)
    )


def dataset_names(source: Location) -> tuple[dict[int, str] | None, Location | None]:
    """The class names of the dataset ``source`` belongs to and the file they came from, or (None, None)."""
    folder = source.parent
    for _ in range(NAMES_SEARCH_DEPTH + 1):
        for file_name in NAMES_FILES:
            candidate = folder / file_name
            if is_existing_file(candidate):
                stamp = 0 if isinstance(candidate, RemotePath) else candidate.stat().st_mtime_ns
                names = _names_in(candidate, stamp)
                if names is not None:
                    return names, candidate
        if folder.parent == folder:
            break
        folder = folder.parent
    return None, None


@lru_cache(maxsize=16)
def _names_in(path: Location, stamp: int) -> dict[int, str] | None:
    """The names in one data.yaml or classes.txt (``stamp``: its mtime, so an edited file is read again)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"cannot read the class names: {exc}", path=path) from None
    if path.name == "classes.txt":
        return read_classes_txt(text)
    return read_names_yaml(text, path)


def _label(
    item: YoloObject, names: dict[int, str] | None, names_file: Location | None, source: Location
) -> str:
    if names is None:
        return str(item.class_index)
    if item.class_index not in names:
        raise AnnotationError(
            f"line {item.line}: class {item.class_index} has no name in {names_file} ({len(names)} names)",
            path=source,
        )
    return names[item.class_index]


def _geometry(item: YoloObject, width: int, height: int) -> Polygon:
    scaled = item.values * (width, height)
    if item.is_box:
        (cx, cy), (w, h) = scaled
        return Polygon((box_ring(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),))
    return Polygon((scaled,))


FORMAT = register(
    AnnotationFormat(
        name="yolo",
        detect=detect,
        read=read,
        expected="lines 'class x1 y1 x2 y2 ...' in a .txt file",
    )
)
