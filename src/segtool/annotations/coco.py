"""COCO instance annotations (``instances_*.json``) into the common model.

One file holds many images: each entry of ``images`` becomes one
:class:`AnnotatedImage`, in file order, named after its ``file_name`` (made safe
with :func:`safe_relative_name`) and sized by its ``width``/``height``. An image
with no annotations is still an output: an all-background mask.

Annotations, in file order within their image:

* ``segmentation`` as a list of polygons ``[[x1, y1, x2, y2, ...], ...]`` -> one
  :class:`Polygon` whose rings are the parts. The parts of one COCO object do not
  overlap, so the even-odd rule draws their union.
* ``segmentation`` as RLE ``{"size": [h, w], "counts": [...] or "..."}``
  (uncompressed or compressed, see :mod:`.rle`) -> :class:`Bitmap`, cropped to the
  pixels it covers. Its size must be the image's.
* ``iscrowd: 1`` marks a region covering a crowd of objects (gaps included).
  COCO's evaluation ignores it, so by default it is drawn with the ignore label
  ``__ignore__``; ``ReaderOptions(coco_crowd="class")`` draws it as its category.
* No segmentation (only a ``bbox``): skipped with a warning. segtool draws
  segmentations; a box is not one.

``category_id`` is named through ``categories``; an id that is not there is an
error naming the annotation. Each shape's ``group_id`` is the annotation id.
Every category is a declared label of every image (used or not), and when all
category ids are whole numbers in 0..65535 they are the declared ids, which a
label map follows by default (see :mod:`segtool.pipelines.label_plan`); string ids, which
some converters write, name categories but are not pixel values.

A *results* file (a bare list of annotations, as detectors write) has no image
sizes or category names, so it cannot be read alone: it is recognised and refused
with that explanation; :func:`read_coco_results` reads it with the instances file
of the same images.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import PurePosixPath
from typing import Any, get_args

from ..errors import shown
from ..io.storage import Location, as_path
from ..labels import IGNORE_NAME
from .fields import check_pixels, fail, flat_point_array, positive_int
from .imagefiles import find_image
from .model import AnnotatedImage, Bitmap, EncodedMask, Geometry, Polygon, Shape, safe_relative_name
from .registry import AnnotationFormat, CocoCrowd, ReaderOptions, register
from .rle import decode_rle_box, rle_runs, runs_box

CROWD_CHOICES: tuple[CocoCrowd, ...] = get_args(CocoCrowd)
_RESULTS_HELP = (
    "this is a COCO results file (a list of annotations): it holds no image sizes and no "
    "category names, so it cannot be drawn alone; read it together with the instances file of the "
    "same images (segtool.annotations.coco.read_coco_results)"
)


def detect(document: Any) -> bool:
    if isinstance(document, dict):
        return isinstance(document.get("images"), list) and isinstance(document.get("annotations"), list)
    return _is_results_list(document)


def _is_results_list(document: Any) -> bool:
    return (
        isinstance(document, list)
        and bool(document)
        and isinstance(document[0], dict)
        and "image_id" in document[0]
        and "category_id" in document[0]
    )


def read_coco(
    document: Any, source: Location, rel: PurePosixPath, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """Read a parsed COCO instances document: one :class:`AnnotatedImage` per image entry.

    ``rel`` is not used: outputs are named after each image's ``file_name``.
    ``options.coco_crowd`` decides how crowd regions are drawn; ``options.images_dir``
    is searched (besides the JSON's folder) for the image files, to set ``image_path``.
    """
    source = as_path(source)
    options = options if options is not None else ReaderOptions()
    if options.coco_crowd not in CROWD_CHOICES:
        raise ValueError(f"coco_crowd must be one of {CROWD_CHOICES}, not {options.coco_crowd!r}")
    if _is_results_list(document):
        raise fail(source, "", _RESULTS_HELP)
    if not (isinstance(document, dict) and detect(document)):
        raise fail(source, "", 'not a COCO instances file: it needs "images" and "annotations" lists')
    categories = _categories(document.get("categories", []), source)
    images = _images(document["images"], source, [source.parent, options.images_dir], options.max_pixels)
    declared_labels = tuple(dict.fromkeys(categories.values()))
    declared_ids = _declared_ids(categories)
    for image in images.values():
        image.declared_labels, image.declared_ids = declared_labels, declared_ids
    for index, entry in enumerate(document["annotations"], start=1):
        _add_annotation(entry, index, categories, images, source, options.coco_crowd)
    return list(images.values())


def read_coco_results(
    results: Any, instances: Any, source: Location, *, options: ReaderOptions | None = None
) -> list[AnnotatedImage]:
    """Read a COCO results list with the images and categories of its instances document.

    ``source`` names the results file in messages. Every image of the instances
    file is an output, with only the results' shapes on it.
    """
    source = as_path(source)
    if not isinstance(results, list):
        raise fail(source, "", "a COCO results file must be a list of annotations")
    if not (isinstance(instances, dict) and isinstance(instances.get("images"), list)):
        raise fail(source, "", 'the instances document given with the results has no "images" list')
    merged = {
        "images": instances["images"],
        "categories": instances.get("categories", []),
        "annotations": results,
    }
    return read_coco(merged, source, PurePosixPath(source.name), options)


# -- categories and images ----------------------------------------------------------------
def _categories(entries: Any, source: Location) -> dict[Any, str]:
    if not isinstance(entries, list):
        raise fail(source, "", "categories must be a list")
    names: dict[Any, str] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"category {index}"
        if not isinstance(entry, dict):
            raise fail(source, where, "must be an object with id and name")
        category_id = _identifier(entry.get("id"), source, where, "id")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise fail(source, where, f"name must be a non-empty string, not {name!r}")
        if category_id in names:
            raise fail(source, where, f"id {category_id!r} is used twice")
        names[category_id] = name
    return names


def _declared_ids(categories: dict[Any, str]) -> tuple[tuple[str, int], ...]:
    """``(name, id)`` of every category when all ids can be pixel values, else none."""
    if all(isinstance(key, int) and 0 <= key <= 65535 for key in categories):
        return tuple((name, key) for key, name in categories.items())
    return ()


def _images(
    entries: Iterable[Any], source: Location, folders: list[Location | None], max_pixels: int
) -> dict[Any, AnnotatedImage]:
    """The image entries by id.

    A size above ``max_pixels`` is an error here, before an RLE of that size is decoded.
    """
    images: dict[Any, AnnotatedImage] = {}
    named: dict[PurePosixPath, Any] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"image {index}"
        if not isinstance(entry, dict):
            raise fail(source, where, "must be an object with id, file_name, width and height")
        image_id = _identifier(entry.get("id"), source, where, "id")
        where = f"image id {image_id}"
        if image_id in images:
            raise fail(source, where, "is used by two images")
        file_name = entry.get("file_name")
        if not isinstance(file_name, str):
            raise fail(source, where, f"file_name must be a string, not {file_name!r}")
        try:
            name = safe_relative_name(file_name)
        except ValueError as exc:
            raise fail(source, where, f"file_name {exc}") from None
        if name in named:
            raise fail(source, where, f"has the same output name {str(name)!r} as image id {named[name]!r}")
        named[name] = image_id
        height = positive_int(entry.get("height"), source=source, where=where, field="height")
        width = positive_int(entry.get("width"), source=source, where=where, field="width")
        check_pixels(height, width, max_pixels, source=source, where=where, what="the image")
        images[image_id] = AnnotatedImage(
            source=source, name=name, height=height, width=width, image_path=find_image(file_name, folders)
        )
    return images


def _identifier(value: Any, source: Location, where: str, field: str) -> int | str:
    """COCO ids are integers; some converters use strings. Anything else is an error."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise fail(source, where, f"{field} must be an integer (or a string), not {value!r}")
    return value


# -- annotations --------------------------------------------------------------------------
def _add_annotation(
    entry: Any,
    index: int,
    categories: dict[Any, str],
    images: dict[Any, AnnotatedImage],
    source: Location,
    crowd_mode: str,
) -> None:
    if not isinstance(entry, dict):
        raise fail(source, f"annotation {index}", "must be an object")
    annotation_id = entry.get("id")
    has_id = isinstance(annotation_id, int) and not isinstance(annotation_id, bool)
    where = f"annotation id {annotation_id}" if has_id else f"annotation {index}"
    image_id = entry.get("image_id")
    if isinstance(image_id, (list, dict)) or image_id not in images:
        raise fail(source, where, f"image_id {image_id!r} is not in images")
    category_id = entry.get("category_id")
    if isinstance(category_id, (list, dict)) or category_id not in categories:
        raise fail(source, where, f"category_id {category_id!r} is not in categories")
    category = categories[category_id]
    crowd = entry.get("iscrowd", 0)
    if crowd not in (0, 1):
        raise fail(source, where, f"iscrowd must be 0 or 1, not {crowd!r}")
    image = images[image_id]
    segmentation = entry.get("segmentation")
    kind = _kind(segmentation)
    where = f"{where} ({'crowd ' if crowd else ''}{kind} {shown(category)})"
    geometry = _geometry(segmentation, kind, image, source, where)
    if geometry is None:
        return
    label = IGNORE_NAME if crowd and crowd_mode == "ignore" else category
    image.shapes.append(
        Shape(label=label, geometry=geometry, where=where, group_id=annotation_id if has_id else None)
    )


def _kind(segmentation: Any) -> str:
    if isinstance(segmentation, dict):
        return "RLE"
    if isinstance(segmentation, list) and segmentation:
        return "polygon"
    return "bbox"


def _geometry(
    segmentation: Any, kind: str, image: AnnotatedImage, source: Location, where: str
) -> Geometry | None:
    if kind == "polygon":
        return _polygon(segmentation, source, where)
    if kind == "RLE":
        return _bitmap(segmentation, image, source, where)
    if segmentation not in (None, []):
        raise fail(
            source,
            where,
            f"segmentation must be a list of polygons or an RLE object, not {type(segmentation).__name__}",
        )
    image.warnings.append(
        f"{source}: {where}: has no segmentation (only a bbox); skipped, segtool draws segmentations"
    )
    return None


def _polygon(parts: list, source: Location, where: str) -> Polygon:
    rings = tuple(
        flat_point_array(part, source=source, where=where, field=f"polygon part {number}")
        for number, part in enumerate(parts, start=1)
    )
    return Polygon(rings=rings)  # parts without area are reported by the rasterizer


def _bitmap(rle: dict, image: AnnotatedImage, source: Location, where: str) -> Bitmap | None:
    size = rle.get("size")
    if not (isinstance(size, list) and len(size) == 2):
        raise fail(source, where, f"RLE size must be [height, width], not {size!r}")
    height = positive_int(size[0], source=source, where=where, field="RLE height")
    width = positive_int(size[1], source=source, where=where, field="RLE width")
    if (height, width) != (image.height, image.width):
        raise fail(
            source, where, f"RLE size is {height}x{width} but its image is {image.height}x{image.width}"
        )
    try:
        runs = rle_runs(rle.get("counts"), height, width)
    except ValueError as exc:
        raise fail(source, where, str(exc)) from None
    box = runs_box(runs, height)  # lines are columns: box.first is the top row, box.first_line the left
    if box is None:
        image.warnings.append(f"{source}: {where}: its mask is empty; it paints nothing")
        return None
    mask = EncodedMask(box.length, box.lines, partial(decode_rle_box, runs, height, box))
    return Bitmap(mask=mask, left=box.first_line, top=box.first)


COCO = register(
    AnnotationFormat(
        name="coco",
        detect=detect,
        read=read_coco,
        expected='"images" and "annotations" lists (and "categories")',
        marks=("images", "annotations"),
    )
)
