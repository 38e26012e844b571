"""segtool: polygon annotations to PNG label masks, and per-class scoring of predicted masks.

Conventions (the same everywhere in the package):

* Coordinates are continuous image coordinates: x right, y down, origin at the
  top-left corner of the top-left pixel; pixel (row r, column c) is the square
  [c, c+1) x [r, r+1) with its centre at (c + 0.5, r + 0.5).
* A pixel belongs to a shape when its centre lies inside (even-odd over rings).
* Label arrays hold class ids: 0 is the background, the ignore value (255
  unless changed) marks pixels that are not scored. Masks are read as stored
  indices, never as colours.
* Scores whose denominator is 0 are undefined (NaN) and left out of every mean.
* Every user-input problem raises a :class:`SegtoolError` whose message names the
  file and the problem.
"""

from . import _moved
from .annotations import AnnotatedImage, ReaderOptions, Shape, load_annotation_file
from .errors import SegtoolError
from .io.maskio import read_mask, write_mask
from .labels import LabelMap
from .metrics import confusion_matrix, metrics_from_matrix
from .pipelines.compare import CompareResult, compare_folders
from .pipelines.rasterize import RasterizeOptions, RasterizeSummary, rasterize_to_folder
from .pipelines.score import ScoreResult, score_folders
from .raster import rasterize_image, rasterize_per_label

__version__ = "0.1.0"

_moved.install()

__all__ = [
    "AnnotatedImage",
    "CompareResult",
    "LabelMap",
    "RasterizeOptions",
    "RasterizeSummary",
    "ReaderOptions",
    "ScoreResult",
    "SegtoolError",
    "Shape",
    "compare_folders",
    "confusion_matrix",
    "load_annotation_file",
    "metrics_from_matrix",
    "rasterize_image",
    "rasterize_per_label",
    "rasterize_to_folder",
    "read_mask",
    "score_folders",
    "write_mask",
]
