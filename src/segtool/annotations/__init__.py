"""Annotation readers: every supported format into one common model (see :mod:`.model`)."""

from .model import AnnotatedImage, Bitmap, Ellipse, Geometry, Points, Polygon, Polyline, Shape, safe_relative_name
from .registry import (FORMATS, ReaderOptions, detect_format, find_annotation_files, load_annotation_file,
                       load_document)

__all__ = [
    "AnnotatedImage", "Bitmap", "Ellipse", "Geometry", "Points", "Polygon", "Polyline", "Shape",
    "FORMATS", "detect_format", "find_annotation_files", "load_annotation_file", "load_document",
    "ReaderOptions", "safe_relative_name",
]

# Readers register themselves on import, in this order (the order formats are detected in).
from . import labelme  # noqa: E402,F401
from . import coco  # noqa: E402,F401
from . import cvat  # noqa: E402,F401
from . import labelstudio  # noqa: E402,F401
from . import via  # noqa: E402,F401
from . import supervisely  # noqa: E402,F401
