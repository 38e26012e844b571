"""Pictures of masks and scores: overlays, error maps, and self-contained HTML reports.

* :mod:`.image`: read photos as displayed, thumbnails, PNG/JPEG encoding, atomic writes.
* :mod:`.overlays`: a mask over its image, with outlines and a legend (:mod:`.legend`).
* :mod:`.errormap`: true/false positives and negatives of a prediction, in fixed colours.
* :mod:`.svg` and :mod:`.html`: hand-written SVG charts and the HTML report builders.
* :mod:`.worst`: what a score report needs from the per-image scores, and its pictures.
* :mod:`.batch`: overlays for whole folders (``segtool overlay``); :mod:`.rasterized`:
  overlays of freshly rasterized masks (``rasterize --viz``).
"""

from .errormap import ERROR_COLOURS, error_categories, error_legend, error_map
from .image import encode_image, read_image, thumbnail, write_image
from .legend import with_legend
from .overlays import overlay

__all__ = [
    "ERROR_COLOURS",
    "encode_image",
    "error_categories",
    "error_legend",
    "error_map",
    "overlay",
    "read_image",
    "thumbnail",
    "with_legend",
    "write_image",
]
