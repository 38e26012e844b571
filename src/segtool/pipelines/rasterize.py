"""Annotation files to a folder of label masks: the ``segtool rasterize`` pipeline.

Two passes over the inputs, both parallel over files:

1. *survey*: parse every file, collect its labels and output names. This finds
   bad files, builds the label map when none is given (so that the same label
   has the same id in every output) and finds two inputs that would write the
   same output file, all before anything is written.
2. *convert*: rasterize, write each mask atomically. The files are parsed once:
   the survey's parsed images are kept for this pass while their arrays fit in
   :data:`KEEP_PARSED_BYTES` and both passes run in this process (one job, or
   threads); other files, and every file on worker processes or Dask, are
   parsed again here (sending parsed shapes between processes is no cheaper).

Between the two, the run's label map is settled (:mod:`segtool.pipelines.label_plan`: the map
already in OUT is the start and its ids never change; COCO's declared ids are the
default) and written to OUT first, atomically, so that an interrupted run leaves a
folder whose masks and map agree, ready to resume with ``skip_existing``. When every file
failed before drawing, nothing is written: not even the map (``RasterizeSummary.map_written``).
When the map cannot be written (a full disk), no mask is drawn: each is listed as not written.

Outputs go to ``OUT/<name>.png`` (``index`` layout) or ``OUT/<label>/<name>.png``
(``binary`` layout, one 0/255 mask per non-background label per image), where
``name`` is the safe relative name the reader gave the image. The label map is
``OUT/labels.txt`` and ``OUT/labels.csv``. With ``options.viz`` each
mask is also drawn over the image its annotation references (or embeds), into a
folder that mirrors OUT (:mod:`segtool.pipelines.rasterize_viz`).
"""

from __future__ import annotations

import contextlib
import shlex
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal, get_args

import numpy as np

from ..annotations import AnnotatedImage, find_annotation_files, load_annotation_file, load_document
from ..annotations.registry import ReaderOptions, parse_document
from ..errors import AnnotationError, OutputError, OutputPlacementError, UnknownFormatError, shown
from ..io.atomic import check_no_linked_folder, is_written_output
from ..io.files import check_picture_folder
from ..io.maskio import replace_problem, write_mask
from ..io.storage import Location, LocationLike, as_path
from ..labels import LABEL_FILE_NAMES, LabelMap, label_folder, label_name_problem
from ..raster import rasterize_image, rasterize_per_label
from ..raster.rasterize import Convention, Order, UnknownLabel
from ..words import plural
from .executors import Executor, LocalExecutor, executor_for
from .jobs import Failure, Progress, run_jobs
from .label_plan import DeclaredIds, Relabel, plan_label_map, read_folder_map, unknown_label_report
from .rasterize_viz import overlay_rasterized

STDIN = Path("-")
#: The survey pass keeps the files' parsed shapes for the convert pass up to this many bytes of arrays.
KEEP_PARSED_BYTES = 128 << 20
#: One PNG of ids per image, or one 0/255 PNG per label and image.
Layout = Literal["index", "binary"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)


@dataclass(frozen=True)
class RasterizeOptions:
    """How masks are drawn and written. See ``segtool rasterize --help`` for each option."""

    layout: Layout = "index"
    palette: bool = True
    order: Order = "file"
    convention: Convention = "centre"
    unknown_label: UnknownLabel = "error"
    line_width: float | None = None  # None: the convention's default (see segtool.raster)
    point_radius: float | None = None
    skip_lines_and_points: bool = False
    input_format: str | None = None
    # "declared": follow the ids a format declares; "sorted": ignore them (segtool.pipelines.label_plan)
    relabel: Relabel = "declared"
    exclude: tuple[str, ...] = ()  # globs of input files and folders to leave out (see is_excluded)
    reader: ReaderOptions = ReaderOptions()
    skip_existing: bool = False
    overwrite: bool = False  # replace existing files that are not label masks (photos...) too
    debug: bool = False
    viz: LocationLike | None = None  # folder of overlays over the images (None: none)
    viz_outline: bool = True  # the overlays' dark-and-light outline (segtool.viz.overlays)

    def to_json(self) -> dict[str, Any]:
        """The options as the JSON ``settings`` of a run (plain types; ``debug`` is no setting)."""
        reader = self.reader
        return {
            "layout": self.layout,
            "palette": self.palette,
            "order": self.order,
            "convention": self.convention,
            "unknown_label": self.unknown_label,
            "line_width": self.line_width,
            "point_radius": self.point_radius,
            "skip_lines_and_points": self.skip_lines_and_points,
            "input_format": self.input_format,
            "relabel": self.relabel,
            "exclude": list(self.exclude),
            "images": None if reader.images_dir is None else str(reader.images_dir),
            "via_label_attribute": reader.via_label_attribute,
            "annotator": reader.annotator,
            "coco_crowd": reader.coco_crowd,
            "max_pixels": reader.max_pixels,
            "skip_existing": self.skip_existing,
            "overwrite": self.overwrite,
            "viz": None if self.viz is None else str(self.viz),
        }


@dataclass(frozen=True)
class WorkItem:
    """One annotation file to read: a path, or bytes already read (stdin).

    ``in_folder``: found by searching a folder (not named by the user), so that a file
    that is no annotation document is skipped with a note instead of failing.
    """

    path: Location
    rel: PurePosixPath
    data: bytes | None = None
    in_folder: bool = False


@dataclass
class FileOutcome:
    """What happened to one annotation file."""

    path: Location
    labels: Counter = field(default_factory=Counter)  # label -> shapes of it
    first_shapes: dict[str, str] = field(default_factory=dict)  # label -> where its first shape is
    declared_labels: set[str] = field(default_factory=set)
    declared_ids: list[DeclaredIds] = field(default_factory=list)
    names: list[PurePosixPath] = field(default_factory=list)
    images: int = 0
    shapes: int = 0
    written: list[Location] = field(default_factory=list)
    skipped: int = 0
    pixels: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    photo_warnings: list[str] = field(default_factory=list)  # --viz drawn without a photo: never a failure
    error: str | None = None
    not_annotation: str | None = None  # found in a folder, no annotation document: why it is skipped
    failed_images: list[str] = field(default_factory=list)  # images of the file that cannot be drawn
    failed_overlays: list[str] = field(default_factory=list)  # images whose masks were written, not overlays
    parsed: list[AnnotatedImage] | None = None  # the images as the survey read them, for the convert pass


@dataclass
class RasterizeSummary:
    """The result of a run: counts, the label map used, and every warning and failure."""

    label_map: LabelMap
    files: int = 0
    images: int = 0
    shapes: int = 0
    written: int = 0
    skipped: int = 0
    pixels: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    photo_warnings: list[str] = field(default_factory=list)  # --viz drawn without a photo: never a failure
    # one line per problem that failed a file (nothing of it written), or failed the run (the label map)
    failures: list[str] = field(default_factory=list)
    failed_images: list[str] = field(default_factory=list)  # images that failed in files with others written
    failed_overlays: list[str] = field(default_factory=list)  # overlays not written (their masks were)
    not_annotations: list[str] = field(default_factory=list)  # found in folders and skipped: one note each
    unknown_labels: list[str] = field(default_factory=list)  # one line per label missing from the given map
    unknown_label_files: int = 0  # files that failed for them (nothing of them written)
    # the files behind `failures` (a line may name two)
    failed_files: set[Location] = field(default_factory=set)
    map_written: bool = False  # False when no file got as far as drawing: then OUT holds nothing new
    # images that failed, by file, until `settle` knows which files have something on disk
    _image_failures: dict[Location, list[str]] = field(default_factory=dict, repr=False)
    _on_disk: set[Location] = field(default_factory=set, repr=False)  # files with a mask written or there

    @property
    def ok(self) -> bool:
        return not (self.failures or self.failed_images or self.failed_overlays or self.unknown_labels)

    @property
    def files_failed(self) -> int:
        """Files of which nothing was written: they failed, or named a label missing from the given map."""
        return len(self.failed_files) + self.unknown_label_files

    def totals(self) -> dict[str, int]:
        """The run in numbers: the JSON ``summary`` of ``segtool rasterize``."""
        return {
            "files": self.files,
            "images": self.images,
            "shapes": self.shapes,
            "masks_written": self.written,
            "masks_already_there": self.skipped,
            "files_failed": self.files_failed,
            "images_failed": len(self.failed_images),
            "overlays_failed": len(self.failed_overlays),
            "files_skipped": len(self.not_annotations),
            "warnings": len(self.warnings),
            "pixels": sum(self.pixels.values()),
        }

    def add(self, outcome: FileOutcome) -> None:
        """Count one converted file in."""
        if outcome.error:
            self.failures.append(outcome.error)
            self.failed_files.add(outcome.path)
            return
        self.images += outcome.images
        self.shapes += outcome.shapes
        self.written += len(outcome.written)
        self.skipped += outcome.skipped
        self.add_image_failures(outcome.path, outcome.failed_images)
        if outcome.written or outcome.skipped:
            self._on_disk.add(outcome.path)
        self.failed_overlays.extend(outcome.failed_overlays)
        self.pixels.update(outcome.pixels)
        self.warnings.extend(outcome.warnings)
        self.photo_warnings.extend(outcome.photo_warnings)

    def add_image_failures(self, path: Location, lines: list[str]) -> None:
        """Images of the file ``path`` that failed (one line each), sorted out by :meth:`settle`."""
        if lines:
            self._image_failures.setdefault(path, []).extend(lines)

    def settle(self, drawn: set[Location]) -> None:
        """Sort the failed images once the run is over: a file's outcome is what is on disk.

        In a file with a mask on disk they are ``failed_images`` (images that failed in files
        whose other images were written). A file with nothing on disk failed: its lines go to
        ``failures``, and it counts among ``failed_files`` when it went to drawing (``drawn``;
        the files that did not are counted already, by why they stopped).
        """
        for path, lines in self._image_failures.items():
            if path in self._on_disk:
                self.failed_images.extend(lines)
                continue
            self.failures.extend(lines)
            if path in drawn:
                self.failed_files.add(path)
        self._image_failures.clear()


class RasterizeInterrupted(KeyboardInterrupt):
    """Ctrl-C while masks were being drawn: the masks this run wrote (the outputs on disk written
    since the pass began, where the storage tells modification times; else those whose files'
    results came back), those found already there (``skip_existing``), and the masks the run was
    to write in all. The label map was written first, so the folder is consistent and a run with
    ``skip_existing`` resumes it."""

    def __init__(self, written: int, already_there: int, total: int) -> None:
        super().__init__(f"{written} of {total} masks written")
        self.written, self.already_there, self.total = written, already_there, total


# -- one file -------------------------------------------------------------------------------
def load_item(item: WorkItem, options: RasterizeOptions) -> list[AnnotatedImage]:
    """The images of one annotation file, those whose masks OUT cannot hold refused
    (:func:`refuse_label_map_names`). Both passes read files through here, so they agree."""
    if item.data is not None:
        images = load_document(
            parse_document(item.data, item.path),
            item.path,
            item.rel,
            input_format=options.input_format,
            options=options.reader,
        )
    else:
        images = load_annotation_file(
            item.path, item.rel, input_format=options.input_format, options=options.reader
        )
    return refuse_label_map_names(images) if options.layout == "index" else images


def refuse_label_map_names(images: list[AnnotatedImage]) -> list[AnnotatedImage]:
    """Images whose mask would lie under ``OUT/labels.csv/`` or ``OUT/labels.txt/`` fail.

    Those are the label map's files, written before any mask: such a mask could never be
    written, and refusing it while reading says why, naming the image. In a
    file of many images, each such image fails alone (its ``problem``); a file of one
    image fails whole (an :class:`~segtool.errors.AnnotationError`). Names are compared
    as they are (``Labels.csv/c`` passes; see docs/robustness.md on case-insensitive file
    systems). In the binary layout masks lie in label folders, which never take these
    names (:func:`~segtool.labels.label_folder`).
    """
    checked = []
    for image in images:
        if len(image.name.parts) > 1 and image.name.parts[0] in LABEL_FILE_NAMES:
            error = AnnotationError(
                f"image {shown(str(image.name))}: its mask would go in a folder {image.name.parts[0]} "
                "of the output folder, where the label map is written; rename the image",
                path=image.source,
            )
            if len(images) == 1:
                raise error
            image = AnnotatedImage.failed(image.source, image.name, error)
        checked.append(image)
    return checked


def output_paths(
    name: PurePosixPath, out: Location, label_map: LabelMap, options: RasterizeOptions
) -> list[Location]:
    """Where the masks of the image called ``name`` go.

    ``a.v2`` -> ``a.v2.png``: names have no suffix left.
    """
    filename = name.parent / f"{name.name}.png"
    if options.layout == "binary":
        return [out / label_folder(label.name) / filename for label in label_map if label.id != 0]
    return [out / filename]


def rasterize_one(
    image: AnnotatedImage, out: Location, label_map: LabelMap, options: RasterizeOptions
) -> FileOutcome:
    """Rasterize one image and write its mask(s); return counts and warnings.

    A mask that cannot be written (a full disk, a link on the way, a photo in its
    place) makes the image fail (``failed_images``); ``written`` lists exactly the
    files that were written, and ``pixels`` counts only theirs.
    """
    outcome = FileOutcome(path=image.source, images=1, shapes=len(image.shapes))
    targets = output_paths(image.name, out, label_map, options)
    if options.skip_existing and all(map(is_written_output, targets)):
        outcome.skipped = 1
        return outcome
    raster_options: dict[str, Any] = dict(
        order=options.order,
        convention=options.convention,
        unknown_label=options.unknown_label,
        line_width=options.line_width,
        point_radius=options.point_radius,
        skip_lines_and_points=options.skip_lines_and_points,
    )
    if options.layout == "binary":
        del raster_options["order"]  # each label is its own mask: nothing paints over anything
        masks = rasterize_per_label(image, label_map, **raster_options)
        outcome.warnings.extend(masks.warnings)
        covered = np.zeros((image.height, image.width), dtype=np.bool_)
        for label, target in zip((label for label in label_map if label.id != 0), targets, strict=True):
            mask = masks.masks[label.name]
            if _write(target, mask.view(np.uint8) * np.uint8(255), None, out, options, outcome):
                outcome.pixels[label.id] += int(np.count_nonzero(mask))
            covered |= mask
        if not outcome.failed_images:  # the background: pixels that no label's mask covers
            outcome.pixels[0] += covered.size - int(np.count_nonzero(covered))
    else:
        # Padded labels are the PNG rows as they are compressed: no copy on the way to the file.
        drawn = rasterize_image(image, label_map, padded=True, **raster_options)
        outcome.warnings.extend(drawn.warnings)
        palette = label_map.palette() if options.palette else None
        if _write(targets[0], drawn.labels, palette, out, options, outcome):
            outcome.pixels.update(drawn.counts)
    outcome.warnings.extend(image.warnings)
    if outcome.failed_images:
        first, more = outcome.failed_images[0], len(outcome.failed_images) - 1
        outcome.failed_images = [
            f"{image.source}: {first}" + (f" (and {more} more of its masks)" if more else "")
        ]
    return outcome


def _write(
    target: Location,
    labels: np.ndarray,
    palette: bytes | None,
    out: Location,
    options: RasterizeOptions,
    outcome: FileOutcome,
) -> bool:
    """Write one mask under ``out`` into ``outcome.written``, or say why not in ``outcome.failed_images``."""
    try:
        check_no_linked_folder(target, out)
        problem = None if options.overwrite else replace_problem(target)
        if problem is None:
            write_mask(target, labels, palette=palette)
    except OutputError as exc:
        problem = exc.message
    except OSError as exc:
        problem = exc.strerror or str(exc)
    if problem is not None:
        outcome.failed_images.append(f"cannot write {target}: {problem}")
        return False
    outcome.written.append(target)
    return True


def _check_label_names(image: AnnotatedImage) -> None:
    """Labels that labels.txt could not hold, or that are not text, fail their file (naming the shape).

    Each distinct name is checked once: thousands of shapes often share one label.
    """
    checked: set[str] = set()
    for shape in image.shapes:
        if shape.label not in checked:
            problem = label_name_problem(shape.label)
            if problem:
                raise AnnotationError(
                    f"{shape.where}: label {shown(shape.label)} {problem}", path=image.source
                )
            checked.add(shape.label)
    for label in image.declared_labels:
        problem = label_name_problem(label)
        if problem:
            raise AnnotationError(f"declared label {shown(label)} {problem}", path=image.source)


# -- the two passes, run in worker processes -------------------------------------------------
def _work_on_file(
    item: WorkItem,
    options: RasterizeOptions,
    work: Callable[[list[AnnotatedImage], FileOutcome], None],
    images: list[AnnotatedImage] | None = None,
) -> FileOutcome:
    """Run ``work`` on the images of one file (read now unless given).

    A file found in a folder that is no annotation document is skipped with a note;
    any other error fails the file (:func:`_outcomes` turns it into ``outcome.error``).
    """
    outcome = FileOutcome(path=item.path)
    try:
        work(load_item(item, options) if images is None else images, outcome)
    except UnknownFormatError as exc:
        if not item.in_folder:
            raise
        outcome.not_annotation = f"{exc}; skipped"
    return outcome


def survey_file(job: tuple[WorkItem, RasterizeOptions, bool]) -> FileOutcome:
    """Read one file: its labels, output names and problems; with ``keep``, its images too."""
    item, options, keep = job

    def collect(images: list[AnnotatedImage], outcome: FileOutcome) -> None:
        for image in images:
            if image.problem:
                outcome.failed_images.append(image.problem)
                continue
            _check_label_names(image)
            outcome.names.append(image.name)
            for shape in image.shapes:
                outcome.labels[shape.label] += 1
                outcome.first_shapes.setdefault(shape.label, shape.where)
            outcome.declared_labels.update(image.declared_labels)
            if image.declared_ids and (
                not outcome.declared_ids or outcome.declared_ids[-1].ids != image.declared_ids
            ):
                outcome.declared_ids.append(DeclaredIds(image.source, image.declared_ids))
        if keep:
            outcome.parsed = images

    return _work_on_file(item, options, collect)


def convert_file(
    job: tuple[WorkItem, Location, LabelMap, RasterizeOptions, list[AnnotatedImage] | None],
) -> FileOutcome:
    """Draw and write the masks of one file (its images as the survey kept them, or read again)."""
    item, out, label_map, options, images = job

    def convert(images: list[AnnotatedImage], outcome: FileOutcome) -> None:
        for image in images:
            if image.problem:  # reported by the survey pass
                continue
            done = rasterize_one(image, out, label_map, options)
            if options.viz is not None and not done.failed_images:
                try:
                    done.photo_warnings.extend(
                        _overlay(
                            image,
                            out,
                            as_path(options.viz),
                            label_map,
                            options,
                            missing_only=bool(done.skipped),
                            document=item.data,
                        )
                    )
                except OutputError as exc:
                    outcome.failed_overlays.append(
                        f"{exc} (the overlay of image {shown(str(image.name))} of {image.source}; "
                        "its mask was written)"
                    )
            outcome.failed_images.extend(done.failed_images)
            outcome.images += done.images
            outcome.shapes += done.shapes
            outcome.skipped += done.skipped
            outcome.written.extend(done.written)
            outcome.pixels.update(done.pixels)
            outcome.warnings.extend(done.warnings)
            outcome.photo_warnings.extend(done.photo_warnings)

    return _work_on_file(item, options, convert, images)


def _overlay(
    image: AnnotatedImage,
    out: Location,
    viz: Location,
    label_map: LabelMap,
    options: RasterizeOptions,
    *,
    missing_only: bool,
    document: bytes | None,
) -> list[str]:
    """Draw the masks of ``image`` over its photo into ``viz`` (same layout as ``out``).

    ``document`` is the content of an annotation file read from stdin (its embedded image is read from it).
    """
    label_ids = [label.id for label in label_map if label.id != 0] if options.layout == "binary" else None
    return overlay_rasterized(
        image,
        output_paths(image.name, out, label_map, options),
        output_paths(image.name, viz, label_map, options),
        label_map=label_map,
        label_ids=label_ids,
        missing_only=missing_only,
        document=document,
        outline=options.viz_outline,
        inside=viz,
    )


# -- the whole run ---------------------------------------------------------------------------
def collect_items(
    inputs: Iterable[LocationLike], *, stdin: bytes | None = None, exclude: tuple[str, ...] = ()
) -> list[WorkItem]:
    """The annotation files named by ``inputs`` (files, folders searched recursively, ``-``),
    less those an ``exclude`` glob matches (:func:`~segtool.annotations.registry.is_excluded`)."""
    items: list[WorkItem] = []
    paths = []
    for entry in inputs:
        if str(entry) == "-":
            items.append(WorkItem(STDIN, PurePosixPath("stdin.json"), stdin or b""))
        else:
            paths.append(as_path(entry))
    for entry in paths:
        in_folder = entry.is_dir()
        for path, rel in find_annotation_files([entry], exclude=exclude):
            items.append(WorkItem(path, rel, in_folder=in_folder))
    return items


def rasterize_to_folder(
    inputs: Iterable[LocationLike],
    out: LocationLike,
    *,
    label_map: LabelMap | None = None,
    options: RasterizeOptions = RasterizeOptions(),
    jobs: int = 1,
    executor: Executor | None = None,
    stdin: bytes | None = None,
    ignore_value: int | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> RasterizeSummary:
    """Rasterize every annotation file under ``inputs`` into ``out``; see the module docstring.

    ``progress(description, total)`` may return a function called with the number
    of files done; the command line passes a progress bar. Bad files are listed in
    ``summary.failures`` and do not stop the others. Files are read and masks written
    on ``jobs`` local processes, or on ``executor`` (see :mod:`segtool.pipelines.executors`);
    inputs and ``out`` may be fsspec URLs (see :mod:`segtool.io.storage`).

    The label map is settled by :func:`segtool.pipelines.label_plan.plan_label_map` from the map in
    ``out``, ``label_map`` (``--labels``), the ids the files declare and the labels found;
    ``ignore_value`` is the value asked for (None: the folder's, else 255). Conflicts are a
    :class:`~segtool.errors.LabelMapError` before anything is written. A KeyboardInterrupt once
    the map is written comes out as :class:`RasterizeInterrupted`, with the masks written so far.
    """
    out = as_path(out)
    inputs = list(inputs)
    executor = executor_for(executor or LocalExecutor(jobs), [*inputs, out, options.reader.images_dir])
    if options.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    items = collect_items(inputs, stdin=stdin, exclude=options.exclude)
    missing = [item.path for item in items if item.data is None and not item.path.exists()]
    if missing:
        raise OutputError(f"input not found: {', '.join(map(str, missing))}")
    if not items:
        raise OutputError(_nothing_found(inputs, options.exclude))
    _make_folder(out, "output folder")
    folder_map = read_folder_map(out)
    if options.viz is not None:
        check_picture_folder(
            options.viz,
            [out],
            what="the overlay folder",
            input_folders=[
                *{item.path.parent for item in items if item.data is None},
                options.reader.images_dir,
            ],
        )
        _make_folder(as_path(options.viz), "overlay folder")

    # Parsed once: the survey's images are kept for the convert pass, up to a memory budget, when both
    # passes run in this process (worker processes would send them back and forth).
    keep = isinstance(executor, LocalExecutor) and not executor.uses_worker_processes
    budget = _ParsedBudget(KEEP_PARSED_BYTES)
    surveys = [
        budget.admit(outcome)
        for outcome in _outcomes(
            survey_file, [(item, options, keep) for item in items], executor, progress, "Reading", options
        )
    ]
    skipped = [s.not_annotation for s in surveys if s.not_annotation]
    if len(skipped) == len(items):
        raise OutputError(
            f"no annotation files in the inputs "
            f"({plural(len(skipped), 'file')} skipped: not annotation files"
            f"{_excluded(inputs, options.exclude, sum(item.data is None for item in items), '; ')})"
        )
    read = [s for s in surveys if s.error is None and not s.not_annotation]
    plan = plan_label_map(
        set().union(*(s.labels.keys() | s.declared_labels for s in read)),
        folder_map=folder_map,
        given=label_map,
        declared=[declared for s in read for declared in s.declared_ids],
        used=set().union(*(s.labels.keys() for s in read)),
        ignore_value=ignore_value,
        relabel=options.relabel,
    )
    summary = RasterizeSummary(label_map=plan.label_map, warnings=list(plan.added), not_annotations=skipped)
    summary.files = len(items)
    failed: set[Location] = {s.path for s in surveys if s.error or s.not_annotation}
    if label_map is not None and options.unknown_label == "error":
        summary.unknown_labels, unknown_in = unknown_label_report(
            {s.path: s.labels for s in read},
            plan.label_map,
            first_shapes={s.path: s.first_shapes for s in read},
            map_name=label_map.source,
        )
        summary.unknown_label_files = len(unknown_in - failed)
        failed |= unknown_in
    summary.failures.extend(s.error for s in surveys if s.error)
    summary.failed_files.update(s.path for s in surveys if s.error)
    for survey in surveys:
        summary.add_image_failures(survey.path, survey.failed_images)
    failed |= _check_collisions(surveys, summary)

    todo = [item for item in items if item.path not in failed]
    if options.layout == "binary":
        first_shapes: dict[str, str] = {}
        for survey in read:
            for label, where in survey.first_shapes.items():
                first_shapes.setdefault(label, f"{survey.path}: {where}")
        map_source = (label_map or folder_map or summary.label_map).source  # --labels, else OUT's map
        _check_label_folders(summary.label_map, first_shapes, map_source)
        options = replace(options, palette=False)
    per_image = len(output_paths(PurePosixPath("x"), out, summary.label_map, options))
    todo_paths = {item.path for item in todo}
    total = per_image * sum(len(s.names) for s in read if s.path in todo_paths)
    started = time.time_ns()
    results: Generator[FileOutcome, None, None] | None = None
    try:
        if todo:  # a run that draws nothing leaves OUT as it was: no map (it would pin the next run's ids)
            try:
                summary.label_map.write(out)
                summary.map_written = True
            except OutputError as exc:
                summary.failures.append(str(exc))
                _fail_without_map([s for s in read if s.path in todo_paths], out, options, summary)
        if summary.map_written:
            kept = {s.path: s.parsed for s in read if s.parsed is not None}
            work = [(item, out, summary.label_map, options, kept.pop(item.path, None)) for item in todo]
            for survey in surveys:
                survey.parsed = None  # each file's images are now referenced by its work item alone
            results = _outcomes(convert_file, work, executor, progress, "Rasterizing", options)
            for result in results:
                summary.add(result)
    except KeyboardInterrupt:
        if results is not None:
            results.close()  # stop the workers (they finish the file at hand: writes are atomic)
        targets = (
            target
            for s in read
            if s.path in todo_paths
            for name in s.names
            for target in output_paths(name, out, summary.label_map, options)
        )
        written = max(summary.written, _written_since(targets, started))
        raise RasterizeInterrupted(written, summary.skipped * per_image, total) from None
    summary.settle(todo_paths)
    return summary


def _fail_without_map(
    surveys: list[FileOutcome], out: Location, options: RasterizeOptions, summary: RasterizeSummary
) -> None:
    """The label map could not be written (a full disk, a read-only OUT): no mask is drawn.

    A mask without its map holds ids nobody can name, and ids a later run's map may give
    other labels; on a full disk it would fail too. So every mask the run was to write is
    a line naming its annotation file and the mask, and a file with nothing on disk fails
    (issue 16, B22). With ``skip_existing``, images whose masks are all there are skipped, as usual.
    """
    for survey in surveys:
        outcome = FileOutcome(path=survey.path)
        for name in survey.names:
            targets = output_paths(name, out, summary.label_map, options)
            if options.skip_existing and all(map(is_written_output, targets)):
                outcome.skipped += 1
                continue
            outcome.failed_images.extend(
                f"{survey.path}: {target} not written: no mask is drawn without its label map"
                for target in targets
            )
        summary.add(outcome)


def _nothing_found(inputs: list[LocationLike], exclude: tuple[str, ...]) -> str:
    """Why no input is left: all excluded, or none found."""
    excluded = _excluded(inputs, exclude, 0, "")
    if excluded:
        return f"no annotation files: {excluded}"
    return "no annotation files (.json, .xml, YOLO .txt below labels/) found in the inputs"


def _excluded(inputs: list[LocationLike], exclude: tuple[str, ...], kept: int, before: str) -> str:
    """``N files excluded by --exclude 'x'`` after ``before`` (counted by a search without the
    globs, less the ``kept`` files found with them); empty when none was excluded."""
    paths = [entry for entry in inputs if str(entry) != "-"]  # stdin is never excluded
    excluded = sum(1 for _ in find_annotation_files(paths)) - kept if exclude else 0
    if not excluded:
        return ""
    options = " ".join(f"--exclude {shlex.quote(pattern)}" for pattern in exclude)
    return f"{before}{plural(excluded, 'file')} excluded by {options}"


def _written_since(targets: Iterable[Location], started_ns: int) -> int:
    """How many of ``targets`` were written at or after ``started_ns`` (0 where times are unknown)."""
    count = 0
    for target in targets:
        if not isinstance(target, Path):
            return 0
        with contextlib.suppress(OSError):
            count += target.stat().st_mtime_ns >= started_ns
    return count


def _make_folder(folder: Location, what: str) -> None:
    """Create the output (or overlay) folder before anything is written, or say in one line why it
    cannot be one."""
    if folder.exists() and not folder.is_dir():
        raise OutputPlacementError(f"a file, not a folder: it cannot be the {what}", path=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the {what}: {exc.strerror or exc}", path=folder) from None


def _check_label_folders(label_map: LabelMap, first_shapes: dict[str, str], map_source: str | None) -> None:
    """Two labels whose binary-layout folders would be one (``a/b`` and ``a_b``): an error.

    Checked before any write. ``first_shapes`` says where each label's first shape is
    (``file: shape``): the error starts with one label's, and names the other's in the
    message; labels of the map alone are named by the map's file, ``map_source``.
    """
    owners: dict[str, str] = {}
    for label in label_map:
        if label.id == 0:
            continue
        folder = label_folder(label.name)
        if folder in owners:
            first, second = sorted((owners[folder], label.name), key=lambda name: name in first_shapes)
            where = first_shapes.get(second)
            first_at = f" ({first_shapes[first]})" if first in first_shapes else ""
            raise OutputError(
                f"{where + ': ' if where else ''}label {shown(second)} would share the folder "
                f"{shown(folder)} of the binary layout with label {shown(first)}{first_at}; rename one",
                path=None if where else map_source,
            )
        owners[folder] = label.name


def _outcomes(
    func: Callable[[Any], FileOutcome],
    jobs_list: list,
    executor: Executor,
    progress: Progress | None,
    description: str,
    options: RasterizeOptions,
) -> Generator[FileOutcome, None, None]:
    """``func`` over the jobs through the one job runner (:mod:`segtool.pipelines.jobs`), in order:
    a file whose work raised becomes an outcome with its one-line ``error``."""
    for job, outcome in run_jobs(
        func,
        jobs_list,
        executor=executor,
        name_of=_job_file,
        progress=progress,
        description=description,
        debug=options.debug,
    ):
        yield (
            FileOutcome(path=job[0].path, error=outcome.message) if isinstance(outcome, Failure) else outcome
        )


def _job_file(job: tuple) -> str:
    return str(job[0].path)


class _ParsedBudget:
    """Lets the survey's parsed images be kept while their arrays fit in ``limit`` bytes; drops the rest.

    Files beyond the budget are parsed again by the convert pass, so memory stays bounded
    whatever the number of files.
    """

    def __init__(self, limit: int) -> None:
        self.left = limit

    def admit(self, outcome: FileOutcome) -> FileOutcome:
        """The outcome, its parsed images kept if they fit in what is left of the budget."""
        if outcome.parsed is None:
            return outcome
        size = sum(_parsed_bytes(shape.geometry) for image in outcome.parsed for shape in image.shapes)
        if size > self.left:
            outcome.parsed = None
        else:
            self.left -= size
        return outcome


def _parsed_bytes(geometry: object) -> int:
    """About what one parsed shape holds: its arrays, and a few hundred bytes of objects."""
    size = 256
    for value in vars(geometry).values():
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, np.ndarray):
                size += part.nbytes
    return size


def _check_collisions(surveys: list[FileOutcome], summary: RasterizeSummary) -> set[Location]:
    """Two images that would write the same output file, or one whose mask would be the folder of
    the other's (``a.png`` and ``a.png/b.png``): both files fail, nothing is overwritten or half done.

    Both fail, not the later one: which one is "later" depends on the order the files are
    found and on the workers, and the user has to rename one of the two anyway.
    """
    owners: dict[str, list[Location]] = {}  # a mask's path under OUT -> the files that would write it
    for survey in surveys:
        for name in survey.names:
            owners.setdefault(f"{name}.png", []).append(survey.path)
    held: dict[str, list[str]] = {}  # a mask -> the masks that would lie in it
    for mask in owners:
        folder = mask
        while (cut := folder.rfind("/")) > 0:
            folder = folder[:cut]
            if folder in owners:
                held.setdefault(folder, []).append(mask)
    failed: set[Location] = set()

    def fail(paths: Iterable[Location], problem: str) -> None:
        paths = set(paths)
        summary.failures.append(f"{' and '.join(sorted(map(str, paths)))}: {problem}")
        failed.update(paths)

    for mask, paths in owners.items():
        if len(paths) > 1:
            fail(paths, f"both would write {mask}; rename one image or annotate it once")
    for folder, masks in held.items():
        first, more = min(masks), len(masks) - 1
        inside = f"{first} and {plural(more, 'more mask')}" if more else first
        fail(
            [*owners[folder], *(path for mask in masks for path in owners[mask])],
            f"{folder} would be both a mask and the folder of {inside}; rename one of the images",
        )
    summary.failed_files |= failed
    return failed
