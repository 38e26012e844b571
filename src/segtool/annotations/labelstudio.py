"""Label Studio JSON export (a list of tasks, or one task) and its JSON-MIN variant.

Conventions
-----------
* Coordinates are percentages of the region's ``original_width`` /
  ``original_height``; they are scaled to pixels of that size.
* ``rectanglelabels``: ``x, y`` is the top-left corner, ``width, height`` the
  size, and ``rotation`` turns the box by that many degrees clockwise about its
  top-left corner (Label Studio's convention); read as a 4-vertex polygon.
* ``ellipselabels``: ``x, y`` is the centre, ``radiusX, radiusY`` the semi-axes
  (percent of width and of height), ``rotation`` degrees clockwise.
* ``polygonlabels`` and ``keypointlabels`` (no area); ``brushlabels`` with
  ``format: rle`` (see :mod:`.labelstudio_brush`). A geometry result without
  labels (``polygon``, ``rectangle``, ...) takes them from the ``labels``
  result that has the same region id. Other result types are not shapes.
* Only ``annotations`` are read, never ``predictions``; annotations with
  ``was_cancelled`` are left out, and so are tasks with no annotation left
  (no mask is written for an image nobody annotated).
* Several annotations per task: ``ReaderOptions.annotator`` chooses
  ``"first"`` (default), ``"all"`` (one output per annotation, named
  ``<image>__annotator<id>``, plus ``-<annotation id>`` when one annotator
  has several), or one annotator by user id or email (their first
  annotation; tasks they did not annotate give no output).
* The output name is the file name in ``data.image`` (or the only text field
  of ``data``, or ``file_upload``), without URL scheme, host and query, and
  without the ``<8 hex digits>-`` prefix Label Studio adds to uploads.
* The image size comes from the regions; a task without regions needs the
  image file (next to the JSON, or in ``ReaderOptions.images_dir``): when it is
  not there or cannot be read (corrupt, no permission, a FIFO), that task fails
  (:attr:`AnnotatedImage.problem`, naming the task and the image) and the others are drawn.
* A region drawn on a rotated view (``image_rotation`` not 0) is skipped with a
  warning: its coordinates are not in the image's frame.
* A labeling config (XML with a ``<View>`` root) found among the inputs is
  recognised and gives no image.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from ..errors import SHOWN_LENGTH, AnnotationError, shown
from ..io.storage import Location
from .fields import check_pixels, finite_number, point_array, positive_int
from .geometry import box_ring, open_ring, rotate
from .imagefiles import file_name, find_image, image_file_size
from .labelstudio_brush import brush_pixel_runs
from .model import (
    AnnotatedImage,
    Bitmap,
    Ellipse,
    EncodedMask,
    Geometry,
    Points,
    Polygon,
    Shape,
    safe_relative_name,
)
from .registry import AnnotationFormat, ReaderOptions, register
from .rle import RunBox, decode_box, runs_box

KINDS = ("polygon", "rectangle", "ellipse", "keypoint", "brush")
MIN_JSON_FIELDS = ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement")
_UPLOAD_PREFIX = re.compile(r"^[0-9a-fA-F]{8}-")
_UNSAFE = re.compile(r"[^A-Za-z0-9@._-]+")


@dataclass
class _Region:
    """One region gathered from the results that share its id."""

    ident: str
    kind: str  # one of KINDS
    value: dict[str, Any]
    labels: list[Any] | None
    size: tuple[int, int] | None  # (original_height, original_width)
    rotated_view: bool


@dataclass
class _Annotation:
    """One annotation of one task, in either export variant."""

    task: str
    annotator: Any
    annotation_id: Any
    reference: str | None
    from_upload: bool
    regions: list[_Region] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_labeling_config(document: Any) -> bool:
    return isinstance(document, ElementTree.Element) and document.tag == "View"


def detect(document: Any) -> bool:
    if is_labeling_config(document):
        return True
    first = document[0] if isinstance(document, list) and document else document
    if not isinstance(first, dict):
        return False
    full = "data" in first and ("annotations" in first or "completions" in first)
    return full or _is_min_json(document)


def _is_min_json(document: Any) -> bool:
    return (
        isinstance(document, list)
        and bool(document)
        and isinstance(document[0], dict)
        and "annotation_id" in document[0]
        and "annotator" in document[0]
    )


def read(document: Any, source: Location, rel: PurePosixPath, options: ReaderOptions) -> list[AnnotatedImage]:
    """Every chosen annotation of every task, one image each; nothing for a labeling config."""
    if is_labeling_config(document):
        return []
    annotations = (
        _min_json_annotations(document, source)
        if _is_min_json(document)
        else _full_annotations(document, source)
    )
    by_task: dict[str, list[_Annotation]] = {}
    for annotation in annotations:
        by_task.setdefault(annotation.task, []).append(annotation)
    images: list[AnnotatedImage] = []
    for task_annotations in by_task.values():
        chosen = _choose(task_annotations, options.annotator)
        suffixes = _annotator_suffixes(chosen) if options.annotator == "all" else [None] * len(chosen)
        images.extend(
            _image(annotation, suffix, source, options)
            for annotation, suffix in zip(chosen, suffixes, strict=True)
        )
    return images


# -- the two export variants -> _Annotation -----------------------------------------------------
def _full_annotations(document: Any, source: Location) -> list[_Annotation]:
    tasks = document if isinstance(document, list) else [document]
    annotations = []
    for position, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            raise AnnotationError(f"task {position} is not a JSON object", path=source)
        task_name = _task_name(task.get("id", f"#{position}"))
        reference, from_upload = _reference(task.get("data"), task.get("file_upload"))
        entries = task.get("annotations", task.get("completions")) or []
        if not isinstance(entries, list):
            raise AnnotationError(
                f"{task_name}: 'annotations' must be a list, not {type(entries).__name__}", path=source
            )
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("was_cancelled"):
                continue
            annotation = _Annotation(
                task_name, entry.get("completed_by"), entry.get("id"), reference, from_upload
            )
            results = entry.get("result") or []
            if not isinstance(results, list):
                raise AnnotationError(
                    f"{task_name}: annotation {entry.get('id')}: 'result' is not a list", path=source
                )
            _collect_results(results, annotation, source)
            annotations.append(annotation)
    return annotations


def _collect_results(results: list[Any], annotation: _Annotation, source: Location) -> None:
    """Merge the results of one annotation into regions (geometry and labels may be separate results)."""
    regions: dict[str, _Region] = {}
    for position, result in enumerate(results, start=1):
        if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
            continue
        kind_name = str(result.get("type", "")).lower()
        value = result["value"]
        labels = value.get(kind_name) if kind_name.endswith("labels") else None
        kind = kind_name.removesuffix("labels") if kind_name != "labels" else _infer_kind(value)
        if kind not in KINDS:
            if kind_name.endswith("labels") and kind_name != "labels":
                annotation.warnings.append(
                    f"{source}: {_where(annotation)}: {kind_name} regions are not read; skipped"
                )
            continue
        ident = str(result.get("id") or f"#{position}")
        if labels is not None and not isinstance(labels, list):
            raise AnnotationError(
                f"{_where(annotation)} region {ident!r}: {kind_name} must be a list of label "
                f"names, not {type(labels).__name__}",
                path=source,
            )
        region = regions.get(ident)
        if region is None:
            regions[ident] = _Region(
                ident,
                kind,
                value,
                labels,
                _original_size(result, source, annotation),
                bool(result.get("image_rotation")),
            )
        elif labels and not region.labels:
            region.labels = labels
    annotation.regions.extend(regions.values())


def _min_json_annotations(document: list[Any], source: Location) -> list[_Annotation]:
    annotations = []
    for position, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            continue
        task_id = record.get("id", f"#{position}")
        data = {
            key: value
            for key, value in record.items()
            if key not in MIN_JSON_FIELDS and not isinstance(value, list)
        }
        reference, from_upload = _reference(data, None)
        annotation = _Annotation(
            _task_name(task_id), record.get("annotator"), record.get("annotation_id"), reference, from_upload
        )
        for key, items in record.items():
            if key in MIN_JSON_FIELDS or not isinstance(items, list):
                continue
            for index, value in enumerate(items):
                label_key = (
                    next((k for k in value if k.endswith("labels") and isinstance(value[k], list)), None)
                    if isinstance(value, dict)
                    else None
                )
                if label_key is None:
                    continue
                kind = label_key.removesuffix("labels") if label_key != "labels" else _infer_kind(value)
                if kind in KINDS:
                    annotation.regions.append(
                        _Region(
                            f"{key}#{index + 1}",
                            kind,
                            value,
                            value[label_key],
                            _original_size(value, source, annotation),
                            False,
                        )
                    )
        annotations.append(annotation)
    return annotations


def _infer_kind(value: dict[str, Any]) -> str | None:
    """The region kind of a plain ``labels`` result, from its geometry keys."""
    if "points" in value:
        return "polygon"
    if "rle" in value:
        return "brush"
    if "radiusX" in value:
        return "ellipse"
    if "width" in value and "height" in value:
        return "rectangle"
    if "x" in value and "y" in value:
        return "keypoint"
    return None


def _original_size(
    holder: dict[str, Any], source: Location, annotation: _Annotation
) -> tuple[int, int] | None:
    if holder.get("original_width") is None or holder.get("original_height") is None:
        return None
    where = _where(annotation)
    return (
        positive_int(holder["original_height"], source=source, where=where, field="original_height"),
        positive_int(holder["original_width"], source=source, where=where, field="original_width"),
    )


def _reference(data: Any, file_upload: Any) -> tuple[str | None, bool]:
    """The image reference of a task, and whether it is an upload (with a hash prefix)."""
    if isinstance(data, dict):
        if isinstance(data.get("image"), str):
            return data["image"], "/data/upload/" in data["image"]
        texts = [value for value in data.values() if isinstance(value, str)]
        if len(texts) == 1:
            return texts[0], "/data/upload/" in texts[0]
    if isinstance(file_upload, str):
        return file_upload, True
    return None, False


# -- choosing annotations --------------------------------------------------------------------
def _annotator_ids(annotator: Any) -> set[str]:
    if isinstance(annotator, dict):
        return {str(annotator[key]) for key in ("id", "email") if annotator.get(key) is not None}
    return set() if annotator is None else {str(annotator)}


def _choose(annotations: list[_Annotation], choice: str) -> list[_Annotation]:
    if choice == "first":
        return annotations[:1]
    if choice == "all":
        return annotations
    return [annotation for annotation in annotations if choice in _annotator_ids(annotation.annotator)][:1]


def _annotator_suffixes(annotations: list[_Annotation]) -> list[str]:
    """``annotator<id>`` per annotation; ``-<annotation id>`` added when an annotator has several."""
    names = []
    for annotation in annotations:
        annotator = annotation.annotator
        ident = annotator.get("id", annotator.get("email")) if isinstance(annotator, dict) else annotator
        names.append(_UNSAFE.sub("_", str(ident)) if ident is not None else "unknown")
    counts = Counter(names)
    return [
        f"annotator{name}"
        if counts[name] == 1
        else f"annotator{name}-{_UNSAFE.sub('_', str(a.annotation_id))}"
        for name, a in zip(names, annotations, strict=True)
    ]


def _task_name(task_id: object) -> str:
    """``task 17``; an id too long to quote in every message is cut (see :func:`shown`)."""
    text = str(task_id)
    return f"task {text if len(text) <= SHOWN_LENGTH else shown(text)}"


# -- one annotation -> AnnotatedImage -------------------------------------------------------
def _where(annotation: _Annotation) -> str:
    return (
        annotation.task
        if annotation.annotation_id is None
        else f"{annotation.task} annotation {annotation.annotation_id}"
    )


def _image(
    annotation: _Annotation, suffix: str | None, source: Location, options: ReaderOptions
) -> AnnotatedImage:
    where = _where(annotation)
    if annotation.reference is None:
        raise AnnotationError(f"{where}: no image in the task's data (expected data.image)", path=source)
    base = file_name(annotation.reference)
    if annotation.from_upload:
        base = _UPLOAD_PREFIX.sub("", base)
    try:
        name = safe_relative_name(base)
    except ValueError:
        raise AnnotationError(
            f"{where}: image reference {shown(annotation.reference)} gives no output file name", path=source
        ) from None
    if suffix:
        name = name.with_name(f"{name.name}__{suffix}")
    folders = [options.images_dir, source.parent]
    image_path = find_image(annotation.reference, folders) or find_image(base, folders)
    size = _regions_size(annotation, source)
    if size is None:
        if image_path is None:
            problem = AnnotationError(
                f"{where}: no region gives the image size and the image "
                f"{annotation.reference!r} was not found next to the JSON file; "
                "pass the image folder (--images)",
                path=source,
            )
            return AnnotatedImage.failed(source, name, problem)
        try:
            size = image_file_size(image_path, source=source, where=where)
        except AnnotationError as exc:  # this task fails alone (issue 16, B25)
            return AnnotatedImage.failed(source, name, exc)
    height, width = size
    image = AnnotatedImage(
        source=source,
        name=name,
        height=height,
        width=width,
        image_path=image_path,
        warnings=list(annotation.warnings),
    )
    for region in annotation.regions:
        labels = region.labels or []
        label = labels[0] if labels else None
        shape_where = f"{where} region {shown(region.ident)} ({region.kind}, {shown(label)})"
        if not isinstance(label, str) or not label:
            image.warnings.append(f"{source}: {shape_where}: no label; skipped")
            continue
        if len(labels) > 1:
            image.warnings.append(f"{source}: {shape_where}: {len(labels)} labels, the first is used")
        if region.rotated_view:
            image.warnings.append(
                f"{source}: {shape_where}: drawn on a rotated view (image_rotation); skipped"
            )
            continue
        size = region.size or (height, width)
        image.shapes.append(
            Shape(
                label=label,
                geometry=_geometry(region, size, source, shape_where, options.max_pixels),
                where=shape_where,
            )
        )
    return image


def _regions_size(annotation: _Annotation, source: Location) -> tuple[int, int] | None:
    """(height, width) the regions state; None when none does (the image file must tell)."""
    sizes = {region.size for region in annotation.regions if region.size is not None}
    if len(sizes) > 1:
        raise AnnotationError(
            f"{_where(annotation)}: regions give different original sizes {sorted(sizes)}", path=source
        )
    return sizes.pop() if sizes else None


def _geometry(
    region: _Region, size: tuple[int, int], source: Location, where: str, max_pixels: int
) -> Geometry:
    value = region.value
    height, width = size
    scale = np.array([width / 100.0, height / 100.0])

    def get(key: str, default: float | None = None) -> float:
        return finite_number(value.get(key, default), source=source, where=where, field=key)

    if region.kind == "polygon":
        return Polygon((open_ring(point_array(value.get("points"), source=source, where=where) * scale),))
    if region.kind == "brush":
        if value.get("format", "rle") != "rle" or "rle" not in value:
            raise AnnotationError(
                f"{where}: brush data must be 'rle' (format {value.get('format')!r})", path=source
            )
        check_pixels(height, width, max_pixels, source=source, where=where, what="the brush layer")
        try:
            runs = brush_pixel_runs(value["rle"], height, width)
        except ValueError as exc:
            raise AnnotationError(
                f"{where}: bad brush rle for a {width}x{height} image: {exc}", path=source
            ) from None
        # lines are rows; decoded when painted, over the pixels it covers (an empty brush: the layer)
        box = runs_box(runs, width) or RunBox(0, 0, width, height)
        mask = EncodedMask(box.lines, box.length, partial(decode_box, runs, width, box))
        return Bitmap(mask, left=box.first, top=box.first_line)
    x, y = get("x") * scale[0], get("y") * scale[1]
    if region.kind == "keypoint":
        return Points(np.array([[x, y]]))
    if region.kind == "ellipse":
        return Ellipse(
            x, y, abs(get("radiusX")) * scale[0], abs(get("radiusY")) * scale[1], get("rotation", 0.0)
        )
    ring = box_ring(x, y, x + get("width") * scale[0], y + get("height") * scale[1])
    return Polygon((rotate(ring, get("rotation", 0.0), (x, y)),))


FORMAT = register(
    AnnotationFormat(
        name="labelstudio",
        detect=detect,
        read=read,
        expected='a list of tasks with "data" and "annotations", or JSON-MIN records with "annotator" '
        'and "annotation_id" (or a <View> labeling config)',
        marks=("data", "annotations"),
    )
)
