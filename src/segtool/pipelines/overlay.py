"""Overlays for whole folders: masks drawn over their photos, matched by relative path, written in parallel.

The mask ``MASKS/a/b.png`` (or ``.npy``) is drawn over the photo found by the
rule of :mod:`segtool.pipelines.photos`: ``IMAGES/a/b.<image suffix>``, else
the image embedded in ``IMAGES/a/b.json`` (LabelMe's ``imageData``). The
overlay is written to ``OUT/a/b.png`` (``.jpg`` with JPEG output). A mask
without a usable photo (none, several, unreadable, another size) is drawn on
gray with one warning in :attr:`OverlaySummary.photo_warnings`: it is not a
failure. A name with several masks or an unreadable mask is a failure named in
:attr:`OverlaySummary.failures`; the other masks are still drawn. Images
without a mask are only counted (an image folder often holds more images than
were annotated). OUT may not be the mask folder, lie inside it or hold it, nor be
or hold the image folder: the overlays would overwrite the files of the same
name (:func:`segtool.io.files.check_picture_folder`); no overlay is written through
a symbolic link to a folder inside OUT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..io.files import check_picture_folder, files_by_key, is_named_file
from ..io.maskio import MASK_SUFFIXES, read_label_ids
from ..io.storage import Location, LocationLike, as_path
from ..labels import LabelMap
from ..viz.image import PictureFormat, write_image
from ..viz.overlays import overlay
from .executors import Executor, LocalExecutor, executor_for
from .jobs import Failure, Progress, run_jobs
from .photos import PhotoFolder, PhotoSource, load_photo

_SUFFIX = {"png": ".png", "jpeg": ".jpg"}


@dataclass(frozen=True)
class OverlayOptions:
    """How each overlay is drawn and saved (see :func:`segtool.viz.overlays.overlay`)."""

    label_map: LabelMap | None = None
    opacity: float = 0.5
    outline: bool = True
    outline_width: int = 1
    legend: bool = True
    include_background: bool = False
    image_format: PictureFormat = "png"
    quality: int = 90


@dataclass
class OverlaySummary:
    """What a folder run did: overlays written, failures (one message each), images without a mask,
    and one warning per overlay drawn without a photo."""

    written: list[Location] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    images_without_mask: int = 0
    photo_warnings: list[str] = field(default_factory=list)


def overlay_file(
    photo: PhotoSource,
    mask_path: LocationLike,
    out_path: LocationLike,
    options: OverlayOptions,
    *,
    inside: Location | None = None,
) -> str | None:
    """Draw one mask over its photo and write the result; return the warning when drawn without one.

    A bad mask raises its :class:`SegtoolError`. ``inside``: the output folder
    ``out_path`` lies in, never left through a link.
    """
    labels = read_label_ids(mask_path, label_map=options.label_map)
    image, warning = load_photo(photo, labels.shape)
    picture = overlay(
        image,
        labels,
        label_map=options.label_map,
        opacity=options.opacity,
        outline=options.outline,
        outline_width=options.outline_width,
        legend=options.legend,
        include_background=options.include_background,
    )
    write_image(out_path, picture, quality=options.quality, inside=inside)
    return warning


_Job = tuple[PhotoSource, Location, Location, OverlayOptions, Location]


def _overlay_job(job: _Job) -> tuple[Location, str | None]:
    photo, mask, out_path, options, out = job
    return out_path, overlay_file(photo, mask, out_path, options, inside=out)


def _job_mask(job: _Job) -> str:
    return str(job[1])


def overlay_folder(
    images: LocationLike,
    masks: LocationLike,
    out: LocationLike,
    *,
    options: OverlayOptions = OverlayOptions(),
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
    debug: bool = False,
) -> OverlaySummary:
    """Draw every mask under ``masks`` over its photo under ``images`` into ``out``.

    Folders may be fsspec URLs; a single image (or LabelMe file) and a single
    mask go together whatever their names. The masks are drawn on ``jobs``
    processes, or on ``executor``, through :func:`~segtool.pipelines.jobs.run_jobs`
    (``progress`` and ``debug`` as there). An :class:`~segtool.errors.OutputError`
    when ``out`` would mix overlays with the masks or the images.
    """
    check_picture_folder(out, [masks], what="the overlay folder", input_folders=[images])
    images, masks = as_path(images), as_path(masks)
    found = files_by_key(masks, MASK_SUFFIXES)
    photos = PhotoFolder.read(images, any_name=is_named_file(images) and is_named_file(masks))
    unused = set() if photos.any_name else photos.keys - set(found.unique) - set(found.ambiguous)
    summary = OverlaySummary(images_without_mask=len(unused))
    summary.failures += [Failure(key, message) for key, message in found.problems()]
    suffix = _SUFFIX[options.image_format]
    root = as_path(out)
    work = [
        (photos.source(key, subject=str(mask)), mask, root / f"{key}{suffix}", options, root)
        for key, mask in found.unique.items()
    ]
    for _, outcome in run_jobs(
        _overlay_job,
        work,
        executor=executor_for(executor or LocalExecutor(jobs), [images, masks, out]),
        name_of=_job_mask,
        progress=progress,
        description="Drawing",
        debug=debug,
    ):
        if isinstance(outcome, Failure):
            summary.failures.append(outcome)
        else:
            written, warning = outcome
            summary.written.append(written)
            if warning:
                summary.photo_warnings.append(warning)
    return summary
