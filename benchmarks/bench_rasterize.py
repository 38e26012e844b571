"""Rasterize throughput: segtool's per-file path against the floor, labelme's approach and cv2.fillPoly.

Data: generated LabelMe 5.x files of 2048x1024 images, about 30 polygons each
(50 to 200 float vertices; a few large "stuff" regions, many objects of sizes
from 25 to 500 pixels, some overlapping), written to a temporary folder with
``imageData`` null and the size in the JSON, as labelme writes them.

Variants, each timed per file, one thread (OpenCV told to use one):

(a) floor     read + parse the JSON, write the very label PNG that (b) writes,
              with segtool's writer; everything but drawing.
(b) segtool   ``load_annotation_file`` + ``segtool.pipelines.rasterize.rasterize_one`` (rasterize,
              write the palette PNG, count pixels): the per-file work of
              ``segtool rasterize``. Without ``segtool.pipelines.rasterize`` it composes
              ``rasterize_image`` + ``write_mask``.
(c) labelme   what labelme's ``labelme_json_to_dataset`` / ``labelme2voc`` scripts
              do: ``json.load``, one Pillow ``ImageDraw.polygon(outline=1, fill=1)``
              per shape on its own 'L' mask, ``cls[mask] = id`` into an int32 array,
              then a palette PNG saved with Pillow's defaults (``lblsave``).
(d) fillPoly  ``json.loads``, ``cv2.fillPoly`` of the rounded vertices per shape, then
              segtool's writer: the fastest drawing there is, with the wrong pixel rule.

The variants take turns file by file, in an order that rotates, so that machine
noise hits them equally; the first round is a warm-up and is not counted. Two
more variants run in the same rounds to show where (b)'s time beyond the floor
goes: the floor with segtool's reader in place of ``json.loads``, and that plus
``rasterize_image`` (i.e. (b) without the rest of ``rasterize_one``).
Reported: medians per file of the process's CPU time (the work done on one core,
which other jobs on a shared machine disturb much less than wall time) and of
wall time, and the ratios (b)/(a), (c)/(b), (d)/(b) of the CPU medians.
Targets: (b) within 1.3x of (a), and at least 3x faster than (c).

The command line end to end (issue 14): ``python -m segtool rasterize FOLDER -o OUT
--jobs 1 --quiet`` in a subprocess, on ``--cli-files`` copies of the files (the
survey pass, the process start and the label map included), timed as the CPU
time of the child (and wall time), taking turns with today's main's command line
when ``--baseline SRC`` is given. Per file it is compared with (c), and with the
floor of issue 14: (w), "parse + exact rasterizer + zlib-ng write" in process.
The fixed cost of a run (start, imports, label map) is measured apart, by a run
on one file, and shown beside the per-file cost.
Targets: the command line at least 4x faster per file than (c), within 1.3x of (w).

Run: ``.venv/bin/python benchmarks/bench_rasterize.py [--files 10] [--rounds 8] [--cli-files 100]
[--baseline SRC]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import PIL
import PIL.Image
import PIL.ImageDraw

from segtool.annotations import load_annotation_file
from segtool.io.maskio import read_mask, write_mask
from segtool.labels import LabelMap

WIDTH, HEIGHT = 2048, 1024
CLASSES = (
    "road",
    "sidewalk",
    "building",
    "vegetation",
    "sky",
    "car",
    "person",
    "bicycle",
    "pole",
    "traffic_sign",
    "truck",
    "rider",
)
STUFF = ("road", "sidewalk", "building", "vegetation", "sky")
TARGET_FLOOR_RATIO = 1.3
TARGET_LABELME_SPEEDUP = 3.0
TARGET_CLI_LABELME_SPEEDUP = 4.0


# -- data -------------------------------------------------------------------------------------------
def wiggly_polygon(
    rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float, vertices: int
) -> list[list[float]]:
    """A star-shaped outline with a lumpy edge, clicked at irregular angles, clamped to the image."""
    angles = np.sort(rng.uniform(0, 2 * math.pi, vertices))
    radius = np.ones(vertices)
    for frequency in (2, 3, 5, 9, 17):
        radius += rng.uniform(0.02, 0.12) * (3 / frequency) * np.sin(frequency * angles + rng.uniform(0, 7))
    x = np.clip(cx + rx * radius * np.cos(angles), 0, WIDTH)
    y = np.clip(cy + ry * radius * np.sin(angles), 0, HEIGHT)
    return [[float(a), float(b)] for a, b in zip(x, y, strict=True)]


def labelme_document(rng: np.random.Generator, name: str) -> dict:
    """About 30 polygons: large regions first, then objects (later shapes cover earlier ones)."""
    shapes = []
    stuff = [
        ("sky", WIDTH / 2, 120, 1300, 260),
        ("building", 420, 330, 480, 260),
        ("building", 1600, 300, 520, 280),
        ("vegetation", 1050, 420, 300, 180),
        ("road", WIDTH / 2, 900, 1250, 260),
        ("sidewalk", 250, 720, 320, 110),
        ("sidewalk", 1800, 720, 330, 110),
    ]
    for label, cx, cy, rx, ry in stuff:
        jitter = rng.uniform(0.9, 1.1, 4)
        shapes.append(
            (
                label,
                wiggly_polygon(
                    rng,
                    cx * jitter[0],
                    cy * jitter[1],
                    rx * jitter[2],
                    ry * jitter[3],
                    int(rng.integers(100, 201)),
                ),
            )
        )
    objects = int(rng.integers(21, 26))
    for _ in range(objects):
        label = str(rng.choice([name for name in CLASSES if name not in STUFF]))
        size = math.exp(rng.uniform(math.log(25), math.log(500)))
        aspect = rng.uniform(0.4, 2.5)
        cx, cy = rng.uniform(0, WIDTH), rng.uniform(HEIGHT * 0.35, HEIGHT)
        vertices = int(np.clip(40 + size / 5 + rng.integers(0, 30), 50, 200))
        shapes.append((label, wiggly_polygon(rng, cx, cy, size * aspect / 2, size / aspect / 2, vertices)))
    return {
        "version": "5.4.1",
        "flags": {},
        "shapes": [
            {
                "label": label,
                "points": points,
                "group_id": None,
                "description": "",
                "shape_type": "polygon",
                "flags": {},
            }
            for label, points in shapes
        ],
        "imagePath": f"{name}.jpg",
        "imageData": None,
        "imageHeight": HEIGHT,
        "imageWidth": WIDTH,
    }


def write_dataset(folder: Path, count: int, seed: int) -> list[Path]:
    rng = np.random.default_rng(seed)
    paths = []
    for number in range(count):
        path = folder / f"frame_{number:04d}.json"
        path.write_text(json.dumps(labelme_document(rng, path.stem), indent=2), encoding="utf-8")
        paths.append(path)
    return paths


# -- the variants -----------------------------------------------------------------------------------
Run = Callable[[Path, Path, LabelMap], None]


def segtool_per_file() -> tuple[str, Run]:
    """segtool's per-file path: through ``segtool.pipelines.rasterize.rasterize_one`` when it exists."""
    try:
        from segtool.pipelines.rasterize import RasterizeOptions, rasterize_one
    except ImportError:
        return "load_annotation_file + rasterize_image(padded=True) + write_mask", reader_raster_write

    options = RasterizeOptions()

    def through_convert(path: Path, out: Path, label_map: LabelMap) -> None:
        for image in load_annotation_file(path):
            rasterize_one(image, out, label_map, options)

    return "load_annotation_file + convert.rasterize_one", through_convert


def floor(masks: dict[str, np.ndarray]) -> Run:
    """Read and parse the JSON, write the mask (b) made for it, drawing nothing."""

    def run(path: Path, out: Path, label_map: LabelMap) -> None:
        document = json.loads(path.read_bytes())
        stem = Path(document["imagePath"]).stem
        write_mask(out / f"{stem}.png", masks[stem], palette=label_map.palette())

    return run


def floor_with_reader(masks: dict[str, np.ndarray]) -> Run:
    """The floor, with segtool's reader (JSON to the common model) in place of ``json.loads``."""

    def run(path: Path, out: Path, label_map: LabelMap) -> None:
        for image in load_annotation_file(path):
            write_mask(out / f"{image.name}.png", masks[str(image.name)], palette=label_map.palette())

    return run


def reader_raster_write(path: Path, out: Path, label_map: LabelMap) -> None:
    """segtool's reader, rasterizer and writer, and nothing else.

    Labels are padded, as ``rasterize_one`` draws them.
    """
    from segtool.raster import rasterize_image

    for image in load_annotation_file(path):
        labels = rasterize_image(image, label_map, padded=True).labels
        write_mask(out / f"{image.name}.png", labels, palette=label_map.palette())


def labelme_approach(path: Path, out: Path, label_map: LabelMap) -> None:
    """labelme's shapes_to_label + lblsave, written out (labelme itself is not installed)."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    size = (document["imageHeight"], document["imageWidth"])
    cls = np.zeros(size, dtype=np.int32)
    for shape in document["shapes"]:
        mask = PIL.Image.fromarray(np.zeros(size, dtype=np.uint8))
        PIL.ImageDraw.Draw(mask).polygon(xy=[tuple(point) for point in shape["points"]], outline=1, fill=1)
        cls[np.array(mask, dtype=bool)] = label_map.id_of(shape["label"])
    label_image = PIL.Image.fromarray(cls.astype(np.uint8))
    label_image.putpalette(label_map.palette())  # an 'L' image with a palette becomes 'P'
    label_image.save(out / f"{path.stem}.png")


def fillpoly_approach(path: Path, out: Path, label_map: LabelMap) -> None:
    document = json.loads(path.read_bytes())
    labels = np.zeros((document["imageHeight"], document["imageWidth"]), np.uint8)
    for shape in document["shapes"]:
        vertices = np.round(np.asarray(shape["points"], dtype=np.float64)).astype(np.int32)
        cv2.fillPoly(labels, [vertices], label_map.id_of(shape["label"]))
    write_mask(out / f"{path.stem}.png", labels, palette=label_map.palette())


# -- measuring --------------------------------------------------------------------------------------
class Variant:
    """One way of turning a LabelMe file into a mask file, and its timings.

    (A plain class: ``benchmarks/run.py`` loads this file without registering it as
    a module, which dataclasses need.)
    """

    def __init__(self, key: str, name: str, description: str, run: Run, out: Path) -> None:
        self.key, self.name, self.description, self.run, self.out = key, name, description, run, out
        self.cpu_seconds: list[float] = []
        self.wall_seconds: list[float] = []

    @property
    def cpu_ms(self) -> float:
        return 1000 * statistics.median(self.cpu_seconds)

    @property
    def wall_ms(self) -> float:
        return 1000 * statistics.median(self.wall_seconds)

    def cpu_quartiles_ms(self) -> tuple[float, float]:
        q1, _, q3 = statistics.quantiles(self.cpu_seconds, n=4)
        return 1000 * q1, 1000 * q3


def measure(variants: list[Variant], files: list[Path], label_map: LabelMap, rounds: int) -> None:
    """Round 0 warms up; then each file is done by every variant, in a rotating order."""
    for round_number in range(rounds + 1):
        for file_number, path in enumerate(files):
            shift = (round_number + file_number) % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                wall, cpu = time.perf_counter(), time.process_time()
                variant.run(path, variant.out, label_map)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                if round_number:
                    variant.cpu_seconds.append(cpu)
                    variant.wall_seconds.append(wall)


def differing_pixels(variant: Variant, reference: Variant, files: list[Path]) -> float:
    """Mean number of pixels per file whose label differs from the reference's output."""
    counts = [
        int(
            np.count_nonzero(
                read_mask(variant.out / f"{path.stem}.png") != read_mask(reference.out / f"{path.stem}.png")
            )
        )
        for path in files
    ]
    return statistics.fmean(counts)


# -- report -----------------------------------------------------------------------------------------
def report(
    variants: dict[str, Variant], files: list[Path], shapes: int, vertices: int, json_kb: float, rounds: int
) -> str:
    a, b, c, d = (variants[key] for key in "abcd")
    lines = [
        f"{len(files)} LabelMe files, {WIDTH}x{HEIGHT}, {shapes / len(files):.0f} polygons and "
        f"{vertices / len(files):.0f} vertices per file on average, {json_kb:.0f} KB of JSON per file; "
        f"{rounds} rounds after a warm-up, one thread. Python {platform.python_version()}, "
        f"NumPy {np.__version__}, OpenCV {cv2.__version__}, Pillow {PIL.__version__}.",
        "",
        "| variant | what it does | CPU ms/file (median) | IQR | wall ms/file | x (b) "
        "| pixels differing from (b) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for variant in (a, b, c, d):
        q1, q3 = variant.cpu_quartiles_ms()
        if variant is a:
            diff = "0 (same mask)"
        else:
            diff = "-" if variant is b else f"{differing_pixels(variant, b, files):.0f}"
        lines.append(
            f"| ({variant.key}) {variant.name} | {variant.description} | {variant.cpu_ms:.2f} | "
            f"{q1:.2f}-{q3:.2f} | {variant.wall_ms:.2f} | {variant.cpu_ms / b.cpu_ms:.2f} | {diff} |"
        )
    floor_ratio = b.cpu_ms / a.cpu_ms
    labelme_ratio = c.cpu_ms / b.cpu_ms
    lines += [
        "",
        "| ratio (CPU time; wall time in brackets) | value | target | met |",
        "|---|---:|---|---|",
        f"| (b)/(a) segtool over the floor | {floor_ratio:.2f} ({b.wall_ms / a.wall_ms:.2f}) | "
        f"<= {TARGET_FLOOR_RATIO} | {'yes' if floor_ratio <= TARGET_FLOOR_RATIO else 'NO'} |",
        f"| (c)/(b) labelme's approach over segtool | {labelme_ratio:.2f} ({c.wall_ms / b.wall_ms:.2f}) | "
        f">= {TARGET_LABELME_SPEEDUP} | {'yes' if labelme_ratio >= TARGET_LABELME_SPEEDUP else 'NO'} |",
        f"| (d)/(b) cv2.fillPoly over segtool | {d.cpu_ms / b.cpu_ms:.2f} ({d.wall_ms / b.wall_ms:.2f}) | "
        "(reference) | |",
        "",
        "Where (b)'s time beyond the floor goes "
        "(differences of CPU medians of variants timed in the same rounds):",
        "",
        "| step | measured as | ms/file | share of the floor |",
        "|---|---|---:|---:|",
    ]
    steps = [("reader beyond json.loads", "(a+reader) - (a)", variants["r"].cpu_ms - a.cpu_ms)]
    if "w" in variants:
        steps += [
            ("rasterize", "(a+reader+raster) - (a+reader)", variants["w"].cpu_ms - variants["r"].cpu_ms),
            (
                "rest of rasterize_one (options, paths, outcome)",
                "(b) - (a+reader+raster)",
                b.cpu_ms - variants["w"].cpu_ms,
            ),
        ]
    else:
        steps += [("rasterize", "(b) - (a+reader)", b.cpu_ms - variants["r"].cpu_ms)]
    for step, how, ms in steps:
        lines.append(f"| {step} | {how} | {ms:.2f} | {ms / a.cpu_ms:.0%} |")
    return "\n".join(lines)


# -- the command line, end to end -------------------------------------------------------------------
def child_times(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds of the child process, wall seconds) of one run of ``command``."""
    before, start = os.times(), time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall, after = time.perf_counter() - start, os.times()
    return (after[2] - before[2]) + (after[3] - before[3]), wall


def measure_cli(files: list[Path], root: Path, copies: int, rounds: int, baseline: str | None) -> dict:
    """CPU and wall seconds (medians) of ``segtool rasterize --jobs 1``: per file over ``copies`` files, and
    the fixed cost of a run (start, imports, label map), from a run on one file."""
    folders = {count: root / f"cli-in-{count}" for count in (1, copies)}
    for count, folder in folders.items():
        folder.mkdir()
        for number in range(count):
            shutil.copyfile(files[number % len(files)], folder / f"copy_{number:04d}.json")
    commands: dict[tuple[str, int], tuple[list[str], dict[str, str] | None]] = {}
    versions = {"segtool": None} | ({"today's main": cli_environment(baseline)} if baseline else {})
    for name, environment in versions.items():
        for count, folder in folders.items():
            out = root / f"cli-out-{len(commands)}"
            command = [
                sys.executable,
                "-m",
                "segtool",
                "rasterize",
                str(folder),
                "-o",
                str(out),
                "-j",
                "1",
                "-q",
            ]
            commands[name, count] = (command, environment)
    times: dict[tuple[str, int], list[tuple[float, float]]] = {key: [] for key in commands}
    keys = list(commands)
    for round_number in range(rounds + 1):  # round 0 warms up the file cache
        for key in keys[round_number % len(keys) :] + keys[: round_number % len(keys)]:
            measured = child_times(*commands[key])
            if round_number:
                times[key].append(measured)
    medians = {
        key: [statistics.median(part) for part in zip(*values, strict=True)] for key, values in times.items()
    }
    result = {}
    for name in versions:
        (many_cpu, many_wall), (one_cpu, one_wall) = medians[name, copies], medians[name, 1]
        per_file = ((many_cpu - one_cpu) / (copies - 1), (many_wall - one_wall) / (copies - 1))
        result[name] = {"per_file": per_file, "fixed": (one_cpu - per_file[0], one_wall - per_file[1])}
        result[name]["with_fixed"] = (many_cpu / copies, many_wall / copies)
    return result


def cli_environment(src: str) -> dict[str, str]:
    from baseline import cli_environment as environment

    return environment(src)


def report_cli(cli: dict, variants: dict[str, Variant], copies: int) -> str:
    labelme, floor_w = variants["c"], variants["w"]
    lines = [
        f"The command line end to end, --jobs 1 (a subprocess; CPU time of the child, median of the rounds). "
        f"Per file: the slope between a run on {copies} files and a run on one; fixed: the rest of the "
        "one-file run (start, imports, label map); the last columns use the per-file CPU time:",
        "",
        f"| command | CPU ms/file | wall ms/file | fixed CPU ms per run | CPU ms/file with the fixed cost "
        f"over {copies} files | labelme's approach (c) / it (target >= {TARGET_CLI_LABELME_SPEEDUP}) "
        f"| it / floor (w) (target <= {TARGET_FLOOR_RATIO}) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, measured in cli.items():
        (cpu, wall), (fixed, _), (with_fixed, _) = (
            measured["per_file"],
            measured["fixed"],
            measured["with_fixed"],
        )
        lines.append(
            f"| {name} rasterize | {cpu * 1e3:.2f} | {wall * 1e3:.2f} | {fixed * 1e3:.0f} "
            f"| {with_fixed * 1e3:.2f} | {labelme.cpu_ms / (cpu * 1e3):.2f} "
            f"| {cpu * 1e3 / floor_w.cpu_ms:.2f} |"
        )
    lines += [
        "",
        f"(w) = {floor_w.description}: {floor_w.cpu_ms:.2f} ms/file; (c) = labelme's approach: "
        f"{labelme.cpu_ms:.2f} ms/file (in process).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10, help="generated LabelMe files (default 10)")
    parser.add_argument("--rounds", type=int, default=8, help="timed rounds over all files (default 8)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--cli-files", type=int, default=100, help="files the command line rasterizes per run"
    )
    parser.add_argument("--cli-rounds", type=int, default=3, help="timed command-line runs per variant")
    parser.add_argument(
        "--baseline", help="src folder of another checkout to measure alongside (today's main)"
    )
    args = parser.parse_args([] if argv is None else argv)
    cv2.setNumThreads(1)

    with tempfile.TemporaryDirectory(prefix="segtool-bench-rasterize-") as temp:
        root = Path(temp)
        files = write_dataset(root, args.files, args.seed)
        documents = [json.loads(path.read_bytes()) for path in files]
        label_map = LabelMap.from_names(
            shape["label"] for document in documents for shape in document["shapes"]
        )
        segtool_title, segtool_run = segtool_per_file()

        def variant(key: str, name: str, description: str, run: Run) -> Variant:
            out = root / f"out-{key}"
            out.mkdir()
            return Variant(key, name, description, run, out)

        segtool = variant("b", "segtool", segtool_title, segtool_run)
        for path in files:  # the masks (b) writes, for the floor to write too
            segtool.run(path, segtool.out, label_map)
        masks = {path.stem: read_mask(segtool.out / f"{path.stem}.png") for path in files}
        variants = {
            "a": variant(
                "a", "floor", "read + json.loads + write_mask of the same mask, no drawing", floor(masks)
            ),
            "b": segtool,
            "c": variant(
                "c",
                "labelme",
                "json.load, ImageDraw.polygon per shape, cls[mask] = id, palette PNG with Pillow defaults",
                labelme_approach,
            ),
            "d": variant(
                "d", "cv2.fillPoly", "json.loads, fillPoly of rounded vertices, write_mask", fillpoly_approach
            ),
            "r": variant(
                "r",
                "a+reader",
                "load_annotation_file + write_mask of the same mask",
                floor_with_reader(masks),
            ),
        }
        if segtool_run is not reader_raster_write:
            variants["w"] = variant(
                "w",
                "a+reader+raster",
                "load_annotation_file + rasterize_image(padded=True) + write_mask",
                reader_raster_write,
            )
        measure(list(variants.values()), files, label_map, args.rounds)
        shapes = sum(len(document["shapes"]) for document in documents)
        vertices = sum(len(shape["points"]) for document in documents for shape in document["shapes"])
        json_kb = statistics.fmean(path.stat().st_size for path in files) / 1024
        print(report(variants, files, shapes, vertices, json_kb, args.rounds))
        if "w" in variants:
            cli = measure_cli(files, root, args.cli_files, args.cli_rounds, args.baseline)
            print()
            print(report_cli(cli, variants, args.cli_files))


if __name__ == "__main__":
    main(sys.argv[1:])
