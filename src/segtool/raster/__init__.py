"""Rasterizing: annotated shapes (the common model) to label arrays.

Frame: x to the right, y down, origin at the top-left corner of the top-left
pixel; pixel (row r, column c) is the square [c, c+1) x [r, r+1), its centre
(c + 0.5, r + 0.5).

Centre rule (``convention="centre"``, the default)
---------------------------------------------------
* A pixel belongs to a shape when its centre lies inside the shape. Polygons:
  even-odd over all rings of one Polygon (inner rings are holes, separate
  parts are unioned). A polygon of area A covers about A pixels: the square
  (5,5)-(15,15) covers exactly 100. For a simple polygon inside the image, the
  pixel count n and the area A obey |n - A| <= 1/2 * sum over edges of
  (|dx| + ceil(|dy|)), which is at most (sqrt(2) * perimeter + edges) / 2
  (proof in the property tests).
* Ties: a centre exactly on a polygon's left or top edge is inside, on its
  right or bottom edge outside (half-open spans ``xa <= c + 0.5 < xb``; an
  edge crosses row r when ``y_low <= r + 0.5 < y_high``). Two polygons that share
  an edge therefore share none of its pixels and leave no gap between them.
  Crossings are computed from each edge's lower end, so the mask does not
  change when a ring is listed from another vertex or the other way round.
* Ellipses and circles: the same centre test, boundary included (so a circle
  centred on a pixel centre is symmetric), decided exactly for circles and
  axis-aligned ellipses whose numbers are multiples of 1/4 (for instance).
* Lines and points have no area. A line covers the pixels whose centre lies
  within ``line_width / 2`` (default 1 pixel wide) of the path, ends rounded; a
  point the pixels whose centre lies within ``point_radius`` (default 0.5, so
  usually just one pixel); distance equal to the limit counts as inside, and
  each vertex always covers the pixel that contains it. A width of 1 leaves no
  gaps along a line. ``skip_lines_and_points`` leaves them out.
* Bitmaps are placed with their top-left pixel at (top, left), clipped.

labelme's convention (``convention="labelme"``)
-----------------------------------------------
labelme's own masks, made with the same Pillow calls labelme makes (see
:mod:`.labelme_compat`); lines 10 pixels wide, points of radius 5. As with
labelme itself, a few pixels can change with the Pillow version.
``convention="cityscapes"`` is the same drawing: cityscapesScripts' ``json2labelImg``
fills each polygon with Pillow's ``ImageDraw.polygon(points, fill=id)`` in file
order, which gives labelme's pixels (checked on a committed fixture of its masks).

Decisions common to both
------------------------
* Painting order: ``"file"`` (later shapes over earlier ones, labelme's and the
  default), ``"z"`` (stable by ``Shape.z``, then file order), ``"area"`` (shapes
  covering more pixels of this image first, so small ones stay visible; ties
  in file order). All deterministic.
* Shapes reaching outside the image are clipped and reported ("extends
  beyond"); shapes that paint no pixel are reported ("lies outside", "covers no
  pixel centre"); polygons with zero area (fewer than 3 distinct points, or all
  on one line) and ellipses of radius 0 draw nothing, with a warning (labelme
  would crash on the first and draw a one-pixel line for the second). NaN,
  infinite or absurd (beyond +-1e12) numbers are an :class:`AnnotationError`
  naming the file and the shape; so is an image over 2,097,150 pixels a side.
* How: shapes become runs of pixels per row (a few numbers per row, clipped to
  the image; nothing per pixel), many shapes per NumPy call; the label array is
  then written in one pass (see :mod:`.spans`). Masks that are pasted (bitmaps,
  labelme's convention) exist one at a time, so memory stays about one image.
* Values: ``label_map.id_of`` for each label; ``__ignore__`` paints the ignore
  value; an unknown label is an error, painted as ignore, or skipped
  (``unknown_label``). Background is 0. The array is uint8 when every id of the
  map and its ignore value fit, else uint16 -- the same for every image of one
  map, and never wrapped.

Results: :func:`rasterize_image` gives ``RasterResult(labels, warnings, counts)``
(``counts``: pixels per value, from the runs drawn);
:func:`rasterize_per_label` gives ``LabelMasks(masks, warnings)`` with one boolean
mask per label of the map except the background (id 0), in id order, empty
ones included, plus ``__ignore__`` when the image paints the ignore value; each
mask is the union of the label's shapes, so order plays no part. Warnings are
lines ``"<file>: <shape>: <problem>"``.
"""

from .rasterize import (
    CONVENTIONS,
    ORDERS,
    UNKNOWN_LABEL_CHOICES,
    LabelMasks,
    RasterResult,
    geometry_mask,
    rasterize_image,
    rasterize_per_label,
)

__all__ = [
    "CONVENTIONS",
    "ORDERS",
    "UNKNOWN_LABEL_CHOICES",
    "LabelMasks",
    "RasterResult",
    "geometry_mask",
    "rasterize_image",
    "rasterize_per_label",
]
