"""Overlays for whole folders: images and masks matched by relative path, written in parallel.

An image ``IMAGES/a/b.jpg`` goes with the mask ``MASKS/a/b.png`` (or ``.npy``)
and the overlay is written to ``OUT/a/b.png`` (``.jpg`` with JPEG output). A
mask without an image, a name with several images or masks, an unreadable file
or an image whose size differs from its mask's is a failure named in
:attr:`OverlaySummary.failures`; the other pairs are still drawn. Images
without a mask are only counted (an image folder often holds more images than
were annotated). OUT may not be the mask folder, lie inside it or hold it, nor be
or hold the image folder: the overlays would overwrite the files of the same
name (:func:`segtool.io.files.check_picture_folder`); no overlay is written through
a symbolic link to a folder inside OUT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..io.files import check_picture_folder, pair_by_key
from ..io.maskio import MASK_SUFFIXES, read_label_ids
from ..io.maskpair import check_same_size
from ..io.storage import Location, LocationLike, as_path
from ..labels import LabelMap
from ..viz.image import IMAGE_SUFFIXES, PictureFormat, read_image, write_image
from ..viz.overlays import overlay
from .executors import Executor, LocalExecutor, executor_for
from .jobs import Failure, Progress, run_jobs

_SUFFIX = {"png": ".png", "jpeg": ".jpg"}


@dataclass(frozen=True)
class OverlayOptions:
    """How each overlay is drawn and saved (see :func:`segtool.viz.overlays.overlay`)."""

    label_map: LabelMap | None = None
    opacity: float = 0.5
    outline: bool = False
    outline_width: int = 1
    legend: bool = True
    include_background: bool = False
    image_format: PictureFormat = "png"
    quality: int = 90


@dataclass
class OverlaySummary:
    """What a folder run did: overlays written, failures (one message each), images without a mask."""

    written: list[Location] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    images_without_mask: int = 0


def overlay_file(
    image_path: LocationLike,
    mask_path: LocationLike,
    out_path: LocationLike,
    options: OverlayOptions,
    *,
    inside: Location | None = None,
) -> None:
    """Draw one mask over its image and write the result; :class:`SegtoolError` on bad input.

    ``inside``: the output folder ``out_path`` lies in, never left through a link.
    """
    image = read_image(image_path)
    labels = read_label_ids(mask_path, label_map=options.label_map)
    check_same_size(
        image_path, image.shape, f"the mask {mask_path}", labels.shape, what="the image (as displayed)"
    )
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


def _overlay_job(job: tuple[Location, Location, Location, OverlayOptions, Location]) -> Location:
    image, mask, out_path, options, out = job
    overlay_file(image, mask, out_path, options, inside=out)
    return out_path


def _job_mask(job: tuple[Location, Location, Location, OverlayOptions, Location]) -> str:
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
    """Draw every mask under ``masks`` over its image under ``images`` into ``out``.

    Folders may be fsspec URLs. The pairs are drawn on ``jobs`` processes, or on
    ``executor``, through :func:`~segtool.pipelines.jobs.run_jobs` (``progress``
    and ``debug`` as there). An :class:`~segtool.errors.OutputError` when ``out``
    would mix overlays with the masks or the images.
    """
    check_picture_folder(out, [masks], what="the overlay folder", input_folders=[images])
    pairing = pair_by_key(images, masks, left_suffixes=IMAGE_SUFFIXES, right_suffixes=MASK_SUFFIXES)
    summary = OverlaySummary(images_without_mask=len(pairing.only_left))
    summary.failures += [Failure(key, message) for key, message in pairing.ambiguous]
    summary.failures += [
        Failure(str(path), f"{path}: no image with this name under {images}") for path in pairing.only_right
    ]
    suffix = _SUFFIX[options.image_format]
    root = as_path(out)
    work = [(image, mask, root / f"{key}{suffix}", options, root) for key, image, mask in pairing.pairs]
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
            summary.written.append(outcome)
    return summary
