"""Score throughput: segtool against its floor, where the time goes, one vs two workers, today's main, peers.

Data: generated 1024x2048 label maps with 19 classes plus 255 (ignore):
piecewise-constant regions (bands and ~60 random polygons, an ignored "ego
vehicle" strip), and predictions that move every boundary by a smooth random
displacement of a few pixels plus a few wrong blobs, so the files compress like
real ones. ``--distinct`` pairs are generated; more pairs are hard links to them.
Each set is written twice: with segtool's own writer (no row filter, zlib level 1,
RLE) and with Pillow's defaults (adaptive filters, zlib level 6).

Variants, timed per pair on one core (OpenCV told to use one thread), median of
``--rounds`` rounds after a warm-up; rounds take turns between variants:

read        read both files' bytes.
decode      read both files and decode them with the fastest index-preserving
            decoder measured (OpenCV for grayscale, Pillow, or a plain inflate
            with the stock zlib or zlib-ng for files without row filters).
count       ``joint_counts`` of the decoded pair (in memory, as segtool decodes
            it: a view of the inflated rows for files without row filters).
segtool     ``score_folders(..., jobs=1)``: pairing, reading, counting, reducing.
baseline    with ``--baseline SRC``: the same call of another checkout (today's
            main), taking turns with the others (see ``benchmarks/baseline.py``).
numpy loop  what users write: Pillow decode, then per class ``(gt == c) & (pred == c)``...
cityscapes  cityscapesScripts' ``evaluatePair`` as installed from PyPI (its Cython
            helper is not in the wheel, so it takes its NumPy ``np.unique`` path);
            plus, when Cython and a C compiler are there, a compiled per-pixel loop
            in the manner of its ``addToConfusionMatrix`` helper (our reimplementation).
medpy       Pillow decode, then ``medpy.metric.binary.dc`` per class.

Also: ``score_folders`` wall time with ``jobs=2`` against ``jobs=1`` on the same
pairs (the fastest round: other jobs on a shared machine slow both down), the CPU
time of the whole run with ``jobs=2``, all threads (what parallelism costs, whatever the load),
and the peak memory (VmHWM) of a fresh process scoring 1x, 4x and 16x the pairs
with a per-image CSV streamed to disk.

Where the time goes, per pair: read, inflate/decode (decode - read), count, and
bookkeeping (segtool - decode - count: pairing, headers, per-image scores, sums).
The floor: for files segtool wrote, read both + zlib-ng inflate + count; for
other PNGs, the fastest decode (OpenCV: their row filters need a full decoder).

Targets (issue 14): segtool-written pairs within 1.4x of their floor and at
least 3x faster than today's main; other PNGs within 1.15x of the decode floor
and no slower than today's main; two workers at least 1.8x one; at least 4x
faster than cityscapesScripts' compiled approach and 10x faster than MedPy on
the same pairs; memory flat in the number of images.

Run: ``.venv/bin/python benchmarks/bench_score.py [--distinct 8] [--pairs 96] [--rounds 5] [--baseline SRC]``.
Peers are optional: ``pip install cityscapesscripts medpy`` (and ``cython`` for the
compiled loop) into the virtualenv; missing ones are reported as skipped.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from zlib_ng import zlib_ng

from segtool.io.maskio import _iter_chunks, decode_png, encode_png, read_png_header
from segtool.io.memory import keep_freed_memory
from segtool.metrics.confusion import joint_counts
from segtool.pipelines.score import score_folders

HEIGHT, WIDTH = 1024, 2048
N_CLASSES = 19
IGNORE = 255
TARGET_FLOOR_RATIO = {"segtool": 1.4, "pillow": 1.15}
TARGET_TWO_CORES = 1.8
TARGET_BASELINE_SPEEDUP = {"segtool": 3.0, "pillow": 1.0}


# -- data ---------------------------------------------------------------------------------
def make_pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A ground-truth label map and a prediction whose boundaries are a few pixels off."""
    rng = np.random.default_rng(seed)
    truth = np.zeros((HEIGHT, WIDTH), np.uint8)
    truth[: HEIGHT // 3] = 10
    truth[HEIGHT // 3 : 2 * HEIGHT // 3] = 2
    for _ in range(60):
        centre = rng.uniform((0, 0), (WIDTH, HEIGHT))
        corners = int(rng.integers(3, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
        radii = rng.uniform(20, 250) * rng.uniform(0.5, 1.0, corners)
        outline = centre + np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
        cv2.fillPoly(truth, [outline.astype(np.int32)], int(rng.integers(0, N_CLASSES)))
    truth[HEIGHT - 120 :, 300 : WIDTH - 300] = IGNORE
    coarse = rng.normal(0, 1, (2, HEIGHT // 64, WIDTH // 64)).astype(np.float32)
    dx, dy = (cv2.resize(plane, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC) * 3 for plane in coarse)
    xs, ys = np.meshgrid(np.arange(WIDTH, dtype=np.float32), np.arange(HEIGHT, dtype=np.float32))
    prediction = cv2.remap(truth, xs + dx, ys + dy, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
    prediction[prediction == IGNORE] = 0  # models predict a class everywhere
    for _ in range(8):
        centre = tuple(int(v) for v in rng.uniform((0, 0), (WIDTH, HEIGHT)))
        cv2.circle(prediction, centre, int(rng.integers(5, 40)), int(rng.integers(0, N_CLASSES)), -1)
    return truth, prediction


def pillow_png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def write_dataset(root: Path, pairs: list[tuple[np.ndarray, np.ndarray]], total: int) -> dict[str, Path]:
    """Folders ``<writer>/{gt,pred}`` for the two writers.

    ``total`` pairs each, hard links beyond the distinct ones.
    """
    folders = {}
    for writer, encode in (("segtool", encode_png), ("pillow", pillow_png)):
        for index in range(total):
            for role, array in zip(("gt", "pred"), pairs[index % len(pairs)], strict=True):
                path = root / writer / role / f"image_{index:05d}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                first = root / writer / role / f"image_{index % len(pairs):05d}.png"
                if index < len(pairs):
                    path.write_bytes(encode(array))
                else:
                    os.link(first, path)
        folders[writer] = root / writer
    return folders


# -- the floor: decoding alone ------------------------------------------------------------
def decode_opencv(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)


def decode_pillow(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


def inflate_rows(inflate: Callable[[bytes], bytes]) -> Callable[[bytes], np.ndarray]:
    """A plain-inflate decoder: right only for 8-bit grayscale files whose rows all use filter 0 (checked)."""

    def decode(data: bytes) -> np.ndarray:
        header = read_png_header(data)
        raw = inflate(
            b"".join(payload for kind, payload, _, _ in _iter_chunks(data, None) if kind == b"IDAT")
        )
        rows = np.frombuffer(raw, np.uint8).reshape(header.height, header.width + 1)
        if rows[:, 0].any():
            raise ValueError("row filters in use")
        return rows[:, 1:]

    return decode


DECODERS = {
    "opencv": decode_opencv,
    "pillow": decode_pillow,
    "zlib": inflate_rows(zlib.decompress),
    "zlib-ng": inflate_rows(zlib_ng.decompress),
}


def usable_decoders(sample: Path) -> dict[str, Callable[[bytes], np.ndarray]]:
    """The decoders that return the stored indices of this kind of file."""
    data = sample.read_bytes()
    expected = decode_pillow(data)
    usable = {}
    for name, decode in DECODERS.items():
        try:
            if np.array_equal(decode(data), expected):
                usable[name] = decode
        except ValueError:
            pass
    return usable


# -- peers: what users do today -----------------------------------------------------------
def read_pillow(path: Path) -> np.ndarray:
    return np.array(Image.open(path))


def numpy_loop(gt_path: Path, pred_path: Path) -> np.ndarray:
    truth, guess = read_pillow(gt_path), read_pillow(pred_path)
    valid = truth != IGNORE
    counts = np.zeros((N_CLASSES, 3), np.int64)
    for c in range(N_CLASSES):
        in_truth, in_guess = (truth == c) & valid, (guess == c) & valid
        counts[c] = (np.sum(in_truth & in_guess), np.sum(~in_truth & in_guess), np.sum(in_truth & ~in_guess))
    return counts


def medpy_loop(gt_path: Path, pred_path: Path) -> list[float]:
    from medpy.metric.binary import dc

    truth, guess = read_pillow(gt_path), read_pillow(pred_path)
    valid = truth != IGNORE
    with np.errstate(all="ignore"):  # MedPy divides 0 by 0 for absent classes
        return [dc((guess == c) & valid, (truth == c) & valid) for c in range(N_CLASSES)]


def cityscapes_evaluator() -> Callable[[Path, Path], object] | None:
    try:
        import cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling as evaluation
    except ImportError:
        return None
    args = evaluation.args
    args.evalInstLevelScore = False
    args.evalLabels = list(range(256))
    matrix = np.zeros((256, 256), np.ulonglong)

    def evaluate(gt_path: Path, pred_path: Path):
        return evaluation.evaluatePair(str(pred_path), str(gt_path), matrix, {}, {}, args)

    return evaluate


COMPILED_LOOP = """
# cython: boundscheck=False, wraparound=False
import numpy as np
cimport numpy as cnp

def add_to_confusion_matrix(unsigned char[:, :] prediction, unsigned char[:, :] truth,
                            unsigned long long[:, :] matrix):
    cdef Py_ssize_t y, x
    for y in range(truth.shape[0]):
        for x in range(truth.shape[1]):
            matrix[truth[y, x], prediction[y, x]] += 1
    return matrix
"""


def compiled_loop(build_dir: Path) -> Callable[[Path, Path], object] | None:
    """A per-pixel compiled loop after cityscapesScripts' Cython helper (our own few lines)."""
    try:
        import pyximport
    except ImportError:
        return None
    source = build_dir / "cs_confusion_loop.pyx"
    source.write_text(textwrap.dedent(COMPILED_LOOP))
    sys.path.insert(0, str(build_dir))
    try:
        pyximport.install(
            setup_args={"include_dirs": np.get_include()},
            build_dir=str(build_dir / "build"),
            language_level=3,
        )
        import cs_confusion_loop
    except Exception:  # no compiler, or Cython cannot build: report as skipped
        return None
    matrix = np.zeros((256, 256), np.ulonglong)

    def evaluate(gt_path: Path, pred_path: Path):
        return cs_confusion_loop.add_to_confusion_matrix(read_pillow(pred_path), read_pillow(gt_path), matrix)

    return evaluate


# -- timing -------------------------------------------------------------------------------
def cpu_time(function: Callable[[], object]) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def all_processes_cpu_time(function: Callable[[], object]) -> float:
    """CPU time of this process (all its threads) and of any worker processes it started and waited for."""
    before = os.times()
    function()
    after = os.times()
    return sum(after[index] - before[index] for index in range(4))


def wall_time(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def take_turns(
    variants: dict[str, Callable[[], object]], rounds: int, clock: Callable[[Callable[[], object]], Any]
) -> dict[str, list[Any]]:
    """``clock(variant)`` of each variant in each of ``rounds`` rounds, variants taking turns in rotating
    order; a first round warms up caches and imports and is not kept."""
    times: dict[str, list[Any]] = {name: [] for name in variants}
    names = list(variants)
    for round_index in range(rounds + 1):
        for name in names[round_index % len(names) :] + names[: round_index % len(names)]:
            measured = clock(variants[name])
            if round_index:
                times[name].append(measured)
    return times


def per_pair_times(
    variants: dict[str, Callable[[], object]],
    n_pairs: dict[str, int],
    rounds: int,
    clock: Callable[[Callable[[], object]], float] = cpu_time,
    pick: Callable[[list[float]], float] = statistics.median,
) -> dict[str, float]:
    """``pick`` (median) over rounds of each variant's time per pair (see :func:`take_turns`)."""
    return {
        name: pick([value / n_pairs[name] for value in values])
        for name, values in take_turns(variants, rounds, clock).items()
    }


def peak_memory_mb(pred: Path, gt: Path, per_image: Path) -> float:
    """Peak resident memory (VmHWM) of a fresh process that scores the folders and streams the per-image CSV.

    VmHWM, not ru_maxrss: the latter keeps the high-water mark of the forking parent across exec.
    """
    script = textwrap.dedent(f"""
        from pathlib import Path
        from segtool.io.memory import keep_freed_memory
        keep_freed_memory()
        from segtool.io.atomic import open_atomic
        from segtool.reports.rows import CsvRowWriter
        from segtool.pipelines.score import PER_IMAGE_COLUMNS, score_folders
        with open_atomic({str(per_image)!r}, "w", newline="") as handle:
            rows = CsvRowWriter(handle, PER_IMAGE_COLUMNS)
            score_folders({str(pred)!r}, {str(gt)!r}, jobs=1, on_image=rows.write)
        status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
        print(status.split()[0])
    """)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(output.stdout.split()[-1]) / 1024


# -- report -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=8, help="distinct generated pairs")
    parser.add_argument("--pairs", type=int, default=96, help="pairs scored (hard links beyond the distinct)")
    parser.add_argument("--peer-pairs", type=int, default=2, help="pairs the (slow) peers are timed on")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument(
        "--baseline", help="src folder of another checkout to measure alongside (today's main)"
    )
    options = parser.parse_args(argv)
    cv2.setNumThreads(1)
    keep_freed_memory()  # as `segtool score` does; every variant measured here runs with it
    baseline = baseline_score_folders(options.baseline) if options.baseline else None

    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        root = Path(tmp)
        pairs = [make_pair(seed) for seed in range(options.distinct)]
        wrong = np.mean([np.mean((t != p)[t != IGNORE]) for t, p in pairs])
        folders = write_dataset(root / "data", pairs, options.pairs)
        print(
            f"Load average before: {', '.join(f'{value:.1f}' for value in os.getloadavg())}. "
            f"{options.pairs} pairs of {WIDTH}x{HEIGHT} label PNGs ({options.distinct} distinct), "
            f"{N_CLASSES} classes + {IGNORE} ignore; {wrong:.1%} of valid pixels predicted wrong. "
            f"Python {platform.python_version()}, NumPy {np.__version__}, OpenCV {cv2.__version__}, "
            f"Pillow {Image.__version__}; {os.cpu_count()} cores. Times per pair: CPU time, median of "
            f"{options.rounds} rounds; wall times (--jobs): the fastest of {options.rounds} rounds.\n"
        )
        rows = [_measure_writer(writer, folder, options, baseline) for writer, folder in folders.items()]
        _print_time_budget(rows, baseline is not None)
        _print_parallel(rows)
        for writer, folder in folders.items():
            _print_peers(writer, folder, options, root)
        _print_memory(folders["segtool"], options, root)
        print(f"Load average after: {', '.join(f'{value:.1f}' for value in os.getloadavg())}.")


def baseline_score_folders(src: str) -> Callable[..., object]:
    """``score_folders`` of the checkout under ``src`` (before the layout moves: ``segtool.scoring``)."""
    from baseline import baseline_attribute, load_baseline

    load_baseline(src)
    return baseline_attribute("pipelines.score:score_folders", "scoring:score_folders")


def _pair_paths(folder: Path, count: int) -> list[tuple[Path, Path]]:
    names = sorted(path.name for path in (folder / "gt").iterdir())[:count]
    return [(folder / "gt" / name, folder / "pred" / name) for name in names]


def _measure_writer(writer: str, folder: Path, options, baseline: Callable[..., object] | None) -> dict:
    paths = _pair_paths(folder, options.pairs)
    size = statistics.mean(path.stat().st_size for pair in paths[: options.distinct] for path in pair)
    decoders = usable_decoders(paths[0][0])
    # Counted as segtool counts: on the arrays its reader returns (views of the inflated rows, no copy).
    decoded = [
        (decode_png(gt.read_bytes(), copy=False), decode_png(pred.read_bytes(), copy=False))
        for gt, pred in paths[: options.distinct]
    ]

    def decode_with(decode):
        return lambda: [(decode(gt.read_bytes()), decode(pred.read_bytes())) for gt, pred in paths]

    variants = {f"decode:{name}": decode_with(decode) for name, decode in decoders.items()}
    variants["read"] = lambda: [(gt.read_bytes(), pred.read_bytes()) for gt, pred in paths]
    variants["count"] = lambda: [joint_counts(truth, guess) for truth, guess in decoded]
    variants["segtool"] = lambda: score_folders(folder / "pred", folder / "gt", jobs=1)
    if baseline is not None:
        variants["baseline"] = lambda: baseline(folder / "pred", folder / "gt", jobs=1)
    counts = dict.fromkeys(variants, len(paths))
    counts["count"] = len(decoded)
    cpu = per_pair_times(variants, counts, options.rounds)
    decoder = min((name for name in cpu if name.startswith("decode:")), key=cpu.get)
    # Wall time on a machine shared with other jobs: the fastest of several rounds is the least disturbed.
    walls = per_pair_times(
        {
            "jobs1": variants["segtool"],
            "jobs2": lambda: score_folders(folder / "pred", folder / "gt", jobs=2),
        },
        {"jobs1": len(paths), "jobs2": len(paths)},
        options.rounds,
        wall_time,
        min,
    )
    jobs2_cpu = per_pair_times(
        {"jobs2": lambda: score_folders(folder / "pred", folder / "gt", jobs=2)},
        {"jobs2": len(paths)},
        options.rounds,
        all_processes_cpu_time,
    )["jobs2"]
    floor = cpu[decoder] + (cpu["count"] if writer == "segtool" else 0.0)
    return {
        "writer": writer,
        "size": size,
        "read": cpu["read"],
        "decode": cpu[decoder],
        "decoder": decoder[7:],
        "count": cpu["count"],
        "floor": floor,
        "floor_rule": "read + inflate + count" if writer == "segtool" else f"read + decode ({decoder[7:]})",
        "decoders": {name[7:]: value for name, value in cpu.items() if name.startswith("decode:")},
        "segtool": cpu["segtool"],
        "baseline": cpu.get("baseline"),
        "jobs1": walls["jobs1"],
        "jobs2": walls["jobs2"],
        "jobs2_cpu": jobs2_cpu,
    }


def _print_time_budget(rows: list[dict], with_baseline: bool) -> None:
    print("Where the time goes, per pair, one core (ms):\n")
    print(
        "| files written by | KB per file | read | inflate/decode | count | bookkeeping | segtool --jobs 1 "
        "| floor | segtool / floor (target) |"
        + (" today's main | speed-up (target) |" if with_baseline else "")
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|" + ("---:|---:|" if with_baseline else ""))
    for row in rows:
        bookkeeping = row["segtool"] - row["decode"] - row["count"]
        line = (
            f"| {row['writer']} | {row['size'] / 1024:.0f} | {row['read'] * 1e3:.2f} "
            f"| {(row['decode'] - row['read']) * 1e3:.2f} ({row['decoder']}) | {row['count'] * 1e3:.2f} "
            f"| {bookkeeping * 1e3:.2f} | {row['segtool'] * 1e3:.2f} "
            f"| {row['floor'] * 1e3:.2f} ({row['floor_rule']}) "
            f"| {row['segtool'] / row['floor']:.2f} (<= {TARGET_FLOOR_RATIO[row['writer']]}) |"
        )
        if with_baseline:
            line += (
                f" {row['baseline'] * 1e3:.2f} | {row['baseline'] / row['segtool']:.2f}x "
                f"(>= {TARGET_BASELINE_SPEEDUP[row['writer']]}) |"
            )
        print(line)
    print()
    for row in rows:
        decoders = ", ".join(f"{name} {value * 1e3:.2f}" for name, value in sorted(row["decoders"].items()))
        print(f"Reading and decoding both files of a pair ({row['writer']} files), ms: {decoders}.")
    print()


def _print_parallel(rows: list[dict]) -> None:
    print(
        "| files written by | wall --jobs 1 (ms) | wall --jobs 2 (ms) "
        f"| speed-up (target >= {TARGET_TWO_CORES}) | CPU of the run, --jobs 2 (ms) | parallel efficiency |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['writer']} | {row['jobs1'] * 1e3:.2f} | {row['jobs2'] * 1e3:.2f} "
            f"| {row['jobs1'] / row['jobs2']:.2f} | {row['jobs2_cpu'] * 1e3:.2f} "
            f"| {row['segtool'] / row['jobs2_cpu']:.2f} |"
        )
    print(
        "\nParallel efficiency = CPU per pair with --jobs 1 / CPU per pair of the whole run with --jobs 2 "
        "(all threads: coordination, shared caches): on two idle cores the speed-up is about twice it.\n"
    )


def _print_peers(writer: str, folder: Path, options, root: Path) -> None:
    paths = _pair_paths(folder, options.peer_pairs)
    peers: dict[str, Callable[[Path, Path], object] | None] = {
        "per-class NumPy loop": numpy_loop,
        "cityscapesScripts evaluatePair (PyPI, NumPy path)": cityscapes_evaluator(),
        "compiled per-pixel loop (cityscapesScripts' Cython approach, reimplemented)": compiled_loop(root),
        "MedPy dc per class": medpy_loop if _importable("medpy.metric.binary") else None,
    }
    available = {name: peer for name, peer in peers.items() if peer is not None}
    variants = {
        name: (lambda peer=peer: [peer(gt, pred) for gt, pred in paths]) for name, peer in available.items()
    }
    variants["segtool"] = lambda: score_folders(folder / "pred", folder / "gt", jobs=1)
    counts = dict.fromkeys(variants, len(paths))
    counts["segtool"] = len(_pair_paths(folder, 10**9))
    cpu = per_pair_times(variants, counts, max(1, options.rounds // 2))
    print(f"| what users do today ({writer}-written files, one core) | ms per pair | segtool is faster by |")
    print("|---|---:|---:|")
    print(f"| segtool --jobs 1 | {cpu['segtool'] * 1e3:.1f} | 1.0x |")
    for name in peers:
        if name in cpu:
            print(f"| {name} | {cpu[name] * 1e3:.1f} | {cpu[name] / cpu['segtool']:.1f}x |")
        else:
            print(f"| {name} | not installed: skipped | |")
    print()


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _print_memory(folder: Path, options, root: Path) -> None:
    base = len(_pair_paths(folder, 10**9))
    print("| images scored (--jobs 1, per-image CSV streamed) | peak memory (MB) |")
    print("|---:|---:|")
    for factor in (1, 4, 16):
        target = root / f"memory_{factor}"
        for role in ("gt", "pred"):
            (target / role).mkdir(parents=True)
            for index in range(base * factor):
                os.link(
                    folder / role / f"image_{index % base:05d}.png", target / role / f"image_{index:06d}.png"
                )
        peak = peak_memory_mb(target / "pred", target / "gt", root / f"per_image_{factor}.csv")
        print(f"| {base * factor} | {peak:.0f} |")
    print()


if __name__ == "__main__":
    main()
