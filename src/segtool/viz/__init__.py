"""Pixel pictures of masks and scores: overlays, error maps, legends.

* :mod:`.image`: read photos as displayed, thumbnails, PNG/JPEG encoding, atomic writes.
* :mod:`.overlays`: a mask over its image, with outlines and a legend (:mod:`.legend`).
* :mod:`.errormap`: true/false positives and negatives of a prediction, in fixed colours
  (style ``errors``: the mistakes only; ``all``: every category), thickened for display.
* :mod:`.regions`: the largest error region of an error map, and a close-up of it.

Folder jobs that draw these pictures live in :mod:`segtool.pipelines`
(``overlay``, ``rasterize_viz``, ``errormaps``); the HTML report and its charts in
:mod:`segtool.reports`.
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
