"""Drawing only: ``segtool.raster.rasterize_image`` against cv2.fillPoly and Pillow on the same shapes.

Data: the generated LabelMe scenes of ``bench_rasterize`` (2048x1024, about 30
polygons of 50 to 200 float vertices), parsed once into segtool's model; only
turning the shapes into a label array is timed, in file order, one thread.

Variants: segtool's centre rule (the default) and its ``order="area"``;
``cv2.fillPoly`` of the rounded vertices per shape (the fastest drawing there is,
with the wrong pixel rule); ``ImageDraw.polygon`` per shape on one canvas; and
segtool's ``convention="labelme"`` (Pillow, one image-sized canvas per shape, as
labelme does). Reported: median CPU ms per image, and each variant over fillPoly.

Run: ``.venv/bin/python benchmarks/bench_raster_draw.py [--files 6] [--rounds 10]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rasterize import labelme_document
from segtool.annotations import AnnotatedImage, load_document
from segtool.labels import LabelMap
from segtool.raster import rasterize_image


def scenes(count: int, seed: int) -> list[AnnotatedImage]:
    rng = np.random.default_rng(seed)
    return [
        load_document(labelme_document(rng, f"frame_{number}"), Path(f"frame_{number}.json"))[0]
        for number in range(count)
    ]


def fill_poly(image: AnnotatedImage, label_map: LabelMap) -> np.ndarray:
    labels = np.zeros((image.height, image.width), dtype=np.uint8)
    for shape in image.shapes:
        rings = [np.round(ring).astype(np.int32) for ring in shape.geometry.rings]
        cv2.fillPoly(labels, rings, label_map.id_of(shape.label))
    return labels


def pillow_one_canvas(image: AnnotatedImage, label_map: LabelMap) -> np.ndarray:
    canvas = Image.new("L", (image.width, image.height))
    draw = ImageDraw.Draw(canvas)
    for shape in image.shapes:
        value = label_map.id_of(shape.label)
        draw.polygon(shape.geometry.rings[0].ravel().tolist(), outline=value, fill=value)
    return np.asarray(canvas)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args([] if argv is None else argv)
    cv2.setNumThreads(1)
    images = scenes(args.files, args.seed)
    label_map = LabelMap.from_names(shape.label for image in images for shape in image.shapes)
    variants: dict[str, Callable[[AnnotatedImage, LabelMap], np.ndarray]] = {
        "segtool centre rule": lambda image, labels: rasterize_image(image, labels).labels,
        "segtool centre rule, order=area": lambda image, labels: (
            rasterize_image(image, labels, order="area").labels
        ),
        "cv2.fillPoly (rounded vertices)": fill_poly,
        "Pillow ImageDraw.polygon, one canvas": pillow_one_canvas,
        "segtool convention=labelme": lambda image, labels: (
            rasterize_image(image, labels, convention="labelme").labels
        ),
    }
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_number in range(args.rounds + 1):  # round 0 warms up
        for index, image in enumerate(images):
            shift = (round_number + index) % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.process_time()
                variants[name](image, label_map)
                if round_number:
                    seconds[name].append(time.process_time() - start)
    medians = {name: 1000 * statistics.median(values) for name, values in seconds.items()}
    reference = medians["cv2.fillPoly (rounded vertices)"]
    shapes = sum(len(image.shapes) for image in images) / len(images)
    print(
        f"{len(images)} images 2048x1024, {shapes:.0f} polygons each; {args.rounds} rounds; "
        f"NumPy {np.__version__}, OpenCV {cv2.__version__}.\n"
    )
    print("| variant | CPU ms per image (median) | x cv2.fillPoly |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} | {value / reference:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
