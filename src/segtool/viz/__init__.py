"""Pictures of masks and scores: overlays, error maps, and self-contained HTML reports.

* :mod:`.image`: read photos as displayed, thumbnails, PNG/JPEG encoding, atomic writes.
* :mod:`.overlays`: a mask over its image, with outlines and a legend.
* :mod:`.errormap`: true/false positives and negatives of a prediction, in fixed colours.
* :mod:`.svg` and :mod:`.html`: hand-written SVG charts and the HTML report builders.
* :mod:`.batch`: overlays for whole folders.
"""

from .errormap import ERROR_COLOURS, error_categories, error_legend, error_map
from .image import encode_image, read_image, thumbnail, write_image
from .legend import with_legend
from .overlays import overlay

__all__ = ["ERROR_COLOURS", "encode_image", "error_categories", "error_legend", "error_map", "overlay",
           "read_image", "thumbnail", "with_legend", "write_image"]
