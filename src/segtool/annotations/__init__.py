"""Annotation readers: every supported format into one common model (see :mod:`.model`)."""

from .model import (
    AnnotatedImage,
    Bitmap,
    Ellipse,
    Geometry,
    Points,
    Polygon,
    Polyline,
    Shape,
    safe_relative_name,
)
from .registry import (
    FORMATS,
    ReaderOptions,
    detect_format,
    find_annotation_files,
    load_annotation_file,
    load_document,
)

__all__ = [
    "AnnotatedImage",
    "Bitmap",
    "Ellipse",
    "Geometry",
    "Points",
    "Polygon",
    "Polyline",
    "Shape",
    "FORMATS",
    "detect_format",
    "find_annotation_files",
    "load_annotation_file",
    "load_document",
    "ReaderOptions",
    "safe_relative_name",
]

# Readers register themselves on import, in this order (the order formats are detected in).
from . import (
    cityscapes,  # noqa: F401
    coco,  # noqa: F401
    cvat,  # noqa: F401
    labelme,  # noqa: F401
    labelstudio,  # noqa: F401
    supervisely,  # noqa: F401
    via,  # noqa: F401
    yolo,  # noqa: F401
)
