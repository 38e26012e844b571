"""Pictures and reports: overlay, error map and class-balance costs per image; report size and build time.

Data: generated 2048x1024 scenes with 19 classes (blocky regions plus small
objects) as palette PNG label maps written by segtool, predictions made by
shifting the ground truth a few pixels, and a JPEG "photo" (blurred noise:
smooth like a photo, so PNG compresses it about as much) per image.

Per image, one process, OpenCV told to use one thread, medians of CPU time:

(a) floor     read the photo and the mask, write the photo back as PNG: the I/O every overlay pays.
(b) overlay   ``segtool.pipelines.overlay.overlay_file`` with outlines and a legend (PNG).
(b') overlay  the same with ``outline=False`` (``--no-outline``): what the outline costs.
(c) overlay   the same as (b) written as JPEG.
(d) errors    read both masks and the photo, ``error_map`` over the photo, write it as PNG.
(e) stats     ``segtool.pipelines.stats.count_mask``: read a mask and count its classes.
(f) thumbnail  a report's error-map thumbnail drawn as before ``--error-style``: the ``all``
               style, not thickened, shrunk to 240 pixels, JPEG (masks and photo in memory).
(g) thumbnail  the same in the ``errors`` style, mistakes thickened for display, plus the
               close-up of the largest error region (:func:`segtool.reports.pictures.error_pictures`).

Then the score report for 19 classes, 5,000 images (per-image scores for the
distributions), the worst 8 images overall and 4 per class with three 240-pixel
thumbnails each: time to build the HTML (pictures already encoded) and its size.

Run: ``.venv/bin/python benchmarks/bench_viz.py [--images 6] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from segtool.io.maskio import read_label_ids, write_mask
from segtool.labels import LabelMap
from segtool.pipelines.overlay import OverlayOptions, overlay_file
from segtool.pipelines.photos import PhotoSource
from segtool.pipelines.stats import count_mask
from segtool.reports.html import ClassScores, Confusion, ImageEntry, ImageGroup, Picture, score_report
from segtool.reports.pictures import error_pictures, thumbnail_picture
from segtool.viz.errormap import error_categories, error_map
from segtool.viz.image import encode_image, read_image, thumbnail, write_image

WIDTH, HEIGHT, CLASSES = 2048, 1024, 19
LABELS = LabelMap.from_names([f"class_{index:02d}" for index in range(1, CLASSES)])


def scene(rng: np.random.Generator) -> np.ndarray:
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    for _ in range(12):  # large regions
        x, y = rng.integers(0, WIDTH - 400), rng.integers(0, HEIGHT - 300)
        labels[y : y + rng.integers(100, 300), x : x + rng.integers(200, 400)] = rng.integers(1, 6)
    for _ in range(60):  # objects
        centre = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        axes = (int(rng.integers(5, 60)), int(rng.integers(5, 60)))
        cv2.ellipse(labels, centre, axes, 0, 0, 360, int(rng.integers(6, CLASSES)), -1)
    return labels


def make_data(folder: Path, count: int) -> list[tuple[Path, Path, Path]]:
    rng = np.random.default_rng(0)
    items = []
    for index in range(count):
        truth = scene(rng)
        gt, pred, photo = folder / f"gt{index}.png", folder / f"pred{index}.png", folder / f"photo{index}.jpg"
        write_mask(gt, truth, palette=LABELS.palette())
        write_mask(pred, np.roll(truth, 4, axis=1), palette=LABELS.palette())
        noise = rng.integers(0, 255, (HEIGHT, WIDTH, 3), np.uint8)
        Image.fromarray(cv2.GaussianBlur(noise, (0, 0), 3)).save(photo, quality=90)
        items.append((gt, pred, photo))
    return items


def cpu_median(func, items, rounds: int) -> float:
    times = []
    for round_index in range(rounds + 1):
        for item in items:
            start = time.process_time()
            func(*item)
            if round_index:  # the first round warms up
                times.append(time.process_time() - start)
    return statistics.median(times)


def bench_pictures(items, out: Path, rounds: int) -> None:
    png, jpeg = (
        OverlayOptions(label_map=LABELS, outline=True),
        OverlayOptions(label_map=LABELS, outline=True, image_format="jpeg"),
    )

    def floor(gt, pred, photo):
        read_label_ids(gt)
        write_image(out / "floor.png", read_image(photo))

    def errors(gt, pred, photo):
        picture = error_map(read_label_ids(gt), read_label_ids(pred), image=read_image(photo))
        write_image(out / "errors.png", picture)

    loaded = {gt: (read_label_ids(gt), read_label_ids(pred), read_image(photo)) for gt, pred, photo in items}

    def old_thumbnail(gt, pred, photo):
        truth, guess, image = loaded[gt]
        thumbnail_picture("errors", error_map(truth, guess, image=image, style="all"), over_photo=True)

    def new_pictures(gt, pred, photo):
        truth, guess, image = loaded[gt]
        error_pictures(error_categories(truth, guess), "errors", image=image, max_side=240, style="errors")

    variants = {
        "(a) floor: read + write PNG": floor,
        "(b) overlay + outline + legend, PNG": lambda gt, pred, photo: overlay_file(
            PhotoSource(gt.name, file=photo), gt, out / "o.png", png
        ),
        "(b') the same without the outline": lambda gt, pred, photo: overlay_file(
            PhotoSource(gt.name, file=photo), gt, out / "o.png", replace(png, outline=False)
        ),
        "(c) the same as (b), JPEG": lambda gt, pred, photo: overlay_file(
            PhotoSource(gt.name, file=photo), gt, out / "o.jpg", jpeg
        ),
        "(d) error map over the photo, PNG": errors,
        "(e) stats: read + count one mask": lambda gt, pred, photo: count_mask(gt, ignore=(255,)),
        "(f) report error thumbnail, all style": old_thumbnail,
        "(g) errors style, thickened + close-up": new_pictures,
    }
    print(f"{'variant':40} {'CPU ms / image':>15}")
    for name, func in variants.items():
        print(f"{name:40} {1000 * cpu_median(func, items, rounds):15.1f}")


def bench_report(items) -> None:
    rng = np.random.default_rng(1)
    gt, pred, photo = items[0]
    truth, guess, image = read_label_ids(gt), read_label_ids(pred), read_image(photo)
    start = time.process_time()
    pictures = [
        Picture(caption, encode_image(thumbnail(picture, max_side=240), image_format="jpeg", quality=80))
        for caption, picture in (
            ("ground truth", image),
            ("prediction", image),
            ("errors", error_map(truth, guess, image=image)),
        )
    ]
    picture_time = time.process_time() - start
    names = [label.name for label in LABELS]
    classes = [
        ClassScores(
            label.id,
            label.name,
            {"dice": 0.7, "iou": 0.55},
            {"dice": 0.6, "iou": 0.5},
            {"dice": 0.2, "iou": 0.2},
            {"dice": 5000, "iou": 5000},
            in_mean=label.id != 0,
        )
        for label in LABELS
    ]
    per_image = {
        metric: {name: rng.beta(5, 2, 5000).tolist() for name in names} for metric in ("dice", "iou")
    }
    entry = ImageEntry("city/image_00001.png", {"dice": 0.31}, pictures, href="gt/city/image_00001.png")
    worst = [ImageGroup("overall", [entry] * 8)] + [ImageGroup(name, [entry] * 4) for name in names[1:]]
    confusion = Confusion(rng.integers(0, 10**6, (CLASSES, CLASSES)), names, names)
    start = time.process_time()
    html = score_report(
        settings={"predictions": "pred/"},
        classes=classes,
        per_image=per_image,
        confusion=confusion,
        worst=worst,
    )
    build = time.process_time() - start
    embedded = sum(len(picture.data) for picture in pictures)
    print(f"\nreport: 19 classes, 5,000 images, {8 + 4 * 18} worst entries x 3 thumbnails")
    print(f"  three thumbnails of one image: {1000 * picture_time:.0f} ms CPU, {embedded / 1024:.0f} KiB")
    print(f"  HTML build: {1000 * build:.0f} ms CPU; size {len(html) / 2**20:.1f} MiB")
    without = score_report(settings={}, classes=classes, per_image=per_image, confusion=confusion)
    print(f"  without pictures: {len(without) / 1024:.0f} KiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv or [])
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        items = make_data(folder, args.images)
        bench_pictures(items, folder, args.rounds)
        bench_report(items)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
