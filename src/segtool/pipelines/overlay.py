"""Overlays for whole folders: images and masks matched by relative path, written in parallel.

An image ``IMAGES/a/b.jpg`` goes with the mask ``MASKS/a/b.png`` (or ``.npy``)
and the overlay is written to ``OUT/a/b.png`` (``.jpg`` with JPEG output). A
mask without an image, a name with several images or masks, an unreadable file
or an image whose size differs from its mask's is a failure named in
:attr:`OverlaySummary.failures`; the other pairs are still drawn. Images
without a mask are only counted (an image folder often holds more images than
were annotated). OUT may not be the mask folder, lie inside it or hold it, nor be
or hold the image folder: the overlays would overwrite the files of the same
name (:func:`segtool.files.check_picture_folder`); no overlay is written through
a symbolic link to a folder inside OUT.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SegtoolError
from ..io.files import check_picture_folder, pair_by_key
from ..io.maskio import MASK_SUFFIXES, read_label_ids
from ..io.maskpair import check_same_size
from ..io.storage import Location
from ..labels import LabelMap
from ..viz.image import IMAGE_SUFFIXES, PictureFormat, read_image, write_image
from ..viz.overlays import overlay
from .parallel import map_in_order

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

    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    images_without_mask: int = 0


def overlay_file(
    image_path: Location,
    mask_path: Location,
    out_path: Path,
    options: OverlayOptions,
    *,
    inside: Path | None = None,
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


def _overlay_job(job: tuple[Location, Location, Path, OverlayOptions, Path]) -> str | None:
    image, mask, out_path, options, out = job
    try:
        overlay_file(image, mask, out_path, options, inside=out)
    except SegtoolError as exc:
        return str(exc)
    return None


def overlay_folder(
    images: str | Path,
    masks: str | Path,
    out: str | Path,
    *,
    options: OverlayOptions = OverlayOptions(),
    jobs: int = 1,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> OverlaySummary:
    """Draw every mask under ``masks`` over its image under ``images`` into ``out``.

    ``progress(description, total)`` may return a function called with the
    number of pairs done (the command line passes a progress bar). An
    :class:`~segtool.errors.OutputError` when ``out`` would mix overlays with the
    masks or the images.
    """
    check_picture_folder(out, [masks], what="the overlay folder", input_folders=[images])
    pairing = pair_by_key(images, masks, left_suffixes=IMAGE_SUFFIXES, right_suffixes=MASK_SUFFIXES)
    summary = OverlaySummary(images_without_mask=len(pairing.only_left))
    summary.failures += pairing.ambiguous
    summary.failures += [f"{path}: no image with this name under {images}" for path in pairing.only_right]
    suffix = _SUFFIX[options.image_format]
    work = [
        (image, mask, Path(out) / f"{key}{suffix}", options, Path(out)) for key, image, mask in pairing.pairs
    ]
    advance = progress("Drawing", len(work)) if progress is not None else None
    for (_, _, out_path, _, _), failure in zip(
        work, map_in_order(_overlay_job, work, jobs=jobs), strict=True
    ):
        if advance is not None:
            advance(1)
        if failure is None:
            summary.written.append(out_path)
        else:
            summary.failures.append(failure)
    return summary
