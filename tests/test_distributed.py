"""score and rasterize on a real Dask cluster (two worker processes) and on fsspec URLs.

Every test compares with a local run on the same data: the numbers, the CSV
bytes, the masks and the messages must be identical, whatever the batch size,
and also when a worker process dies in the middle of the run.
"""

import io
import json
import os
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from segtool.cli import app
from segtool.errors import SegtoolError
from segtool.io.maskio import write_mask
from segtool.pipelines.executors import DaskExecutor, LocalExecutor, open_executor
from segtool.pipelines.score import PER_IMAGE_COLUMNS, score_folders
from segtool.reports.rows import write_csv

pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
fsspec = pytest.importorskip("fsspec")
cloudpickle = pytest.importorskip("cloudpickle")

N_IMAGES = 24  # valid pairs; one more pair has a broken prediction
SHAPE = (40, 56)


# -- data -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def masks(tmp_path_factory) -> Path:
    """gt/ and pred/ with 24 scorable pairs (classes 0..3, 255 ignored) and one broken prediction."""
    root = tmp_path_factory.mktemp("masks")
    rng = np.random.default_rng(8)
    for index in range(N_IMAGES):
        truth = rng.integers(0, 4, SHAPE, dtype=np.uint8)
        truth[:3] = 255
        noise = rng.integers(0, 4, SHAPE, dtype=np.uint8)
        guess = np.where(rng.random(SHAPE) < 0.6 + index / 100, truth, noise).astype(np.uint8)
        guess[guess == 255] = 0
        folder = f"set{index % 3}"
        write_mask(root / "gt" / folder / f"im{index:02d}.png", truth)
        write_mask(root / "pred" / folder / f"im{index:02d}.png", guess)
    write_mask(root / "gt" / "broken.png", np.zeros(SHAPE, np.uint8))
    (root / "pred" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not a png")
    return root


@pytest.fixture(scope="module")
def annotations(tmp_path_factory) -> Path:
    """LabelMe files with overlapping polygons of three labels, and one file that is not JSON."""
    root = tmp_path_factory.mktemp("annotations")
    rng = np.random.default_rng(9)
    for index in range(12):
        shapes = [
            {
                "label": str(rng.choice(["cat", "dog", "tree"])),
                "shape_type": "polygon",
                "points": (rng.random((5, 2)) * [60, 40]).round(2).tolist(),
            }
            for _ in range(4)
        ]
        document = {"shapes": shapes, "imageHeight": 40, "imageWidth": 60, "imagePath": f"im{index}.jpg"}
        path = root / f"part{index % 2}" / f"im{index:02d}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(document))
    (root / "part0" / "bad.json").write_text("{not json")
    return root


@pytest.fixture(scope="module")
def client():
    """A real cluster, as ``--executor dask`` starts it: two worker processes of one thread each."""
    with open_executor("dask", jobs=2) as executor:
        yield executor.client


def run(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], env={"COLUMNS": "80"}, terminal_width=80)


def files_under(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def score_csv(masks: Path, executor) -> tuple[str, str, list]:
    """The class rows and the per-image rows as CSV text, and the failures."""
    per_image = io.StringIO()
    rows: list[dict] = []
    result = score_folders(masks / "pred", masks / "gt", executor=executor, on_image=rows.extend)
    write_csv(rows, PER_IMAGE_COLUMNS, per_image)
    classes = io.StringIO()
    write_csv(result.rows(), result.columns, classes)
    return classes.getvalue(), per_image.getvalue(), result.failures


# -- score ----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 5, 100])
def test_score_on_dask_is_identical_whatever_the_batch_size(masks, client, batch_size):
    expected = score_csv(masks, LocalExecutor(1))
    got = score_csv(masks, DaskExecutor(client, batch_size=batch_size, window=3))
    assert got == expected
    classes, per_image, failures = got
    # 4 classes + the mean row, under a header; the broken prediction is the only failure
    assert len(classes.splitlines()) == 1 + 4 + 1
    assert [failure.name for failure in failures] == ["broken"]
    assert len({line.split(",")[0] for line in per_image.splitlines()[1:]}) == N_IMAGES


def test_score_cli_on_a_scheduler_writes_the_same_bytes_and_messages(masks, client, tmp_path):
    local = run(
        "score", masks / "pred", masks / "gt", "-f", "csv", "--per-image", tmp_path / "local.csv", "-j", "2"
    )
    remote = run(
        "score",
        masks / "pred",
        masks / "gt",
        "-f",
        "csv",
        "--per-image",
        tmp_path / "dask.csv",
        "--executor",
        "dask",
        "--scheduler",
        client.scheduler.address,
    )
    assert remote.exit_code == local.exit_code == 1  # the broken prediction fails the run
    assert remote.stdout == local.stdout
    assert remote.stderr == local.stderr and "broken.png" in remote.stderr
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


class DieOnce:
    """An image metric whose first call, in the whole run, kills its worker process (no columns)."""

    names = ()

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, mask_true, mask_pred, *, class_ids, ignore):
        try:
            handle = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return {}
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        os._exit(1)


def test_a_worker_killed_mid_run_loses_and_double_counts_nothing(masks, client, tmp_path):
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    marker = tmp_path / "killed"
    expected = score_csv(masks, LocalExecutor(1))
    per_image: list[dict] = []
    result = score_folders(
        masks / "pred",
        masks / "gt",
        image_metrics=[DieOnce(marker)],
        on_image=per_image.extend,
        executor=DaskExecutor(client, batch_size=2),
    )
    killed_pid = int(marker.read_text())
    assert killed_pid not in client.run(os.getpid).values()  # that worker process is gone
    classes = io.StringIO()
    write_csv(result.rows(), result.columns, classes)
    rows = io.StringIO()
    write_csv(per_image, PER_IMAGE_COLUMNS, rows)
    assert (classes.getvalue(), rows.getvalue()) == expected[:2]
    assert result.n_images == N_IMAGES


def test_stats_cli_on_a_scheduler_prints_the_same_rows(masks, client):
    local = run("stats", masks / "gt", "-f", "csv")
    remote = run(
        "stats", masks / "gt", "-f", "csv", "--executor", "dask", "--scheduler", client.scheduler.address
    )
    assert remote.exit_code == local.exit_code == 0
    assert remote.stdout == local.stdout
    # 24 masks of 40 x 56 pixels whose first 3 rows are ignored, and broken.png's 40 x 56 zeros
    pixels = sum(int(line.split(",")[2]) for line in remote.stdout.splitlines()[1:])
    assert pixels == 24 * 37 * 56 + 40 * 56


def always_die(item):
    os._exit(1)


def test_a_batch_that_kills_every_worker_stops_the_run_naming_its_first_file():
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    items = [(Path("masks/first.png"), None), (Path("masks/second.png"), None)]
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        open_executor("dask", jobs=1, batch_size=2) as executor,
        pytest.raises(SegtoolError, match=r"workers died .* batch of 2 items starting with masks/first.png"),
    ):
        list(executor.map_in_order(always_die, items))


# -- rasterize ------------------------------------------------------------------------------
def test_rasterize_on_a_scheduler_writes_the_same_masks_and_messages(annotations, client, tmp_path):
    local = run("rasterize", annotations, "-o", tmp_path / "local", "-f", "csv", "-j", "2")
    remote = run(
        "rasterize",
        annotations,
        "-o",
        tmp_path / "dask",
        "-f",
        "csv",
        "--executor",
        "dask",
        "--scheduler",
        client.scheduler.address,
    )
    assert remote.exit_code == local.exit_code == 1  # bad.json fails
    assert remote.stdout == local.stdout
    assert remote.stderr == local.stderr and "bad.json" in remote.stderr
    masks = files_under(tmp_path / "dask")
    assert masks == files_under(tmp_path / "local")
    assert len([name for name in masks if name.endswith(".png")]) == 12


# -- fsspec URLs ----------------------------------------------------------------------------
def test_urls_read_and_written_by_dask_workers(masks, annotations, client, tmp_path):
    # local:// is fsspec's local file system: a URL that separate worker processes can share
    scheduler = ("--executor", "dask", "--scheduler", client.scheduler.address)
    local = run("rasterize", annotations, "-o", tmp_path / "plain")
    remote = run("rasterize", f"local://{annotations}", "-o", f"local://{tmp_path}/url", *scheduler)
    assert remote.exit_code == local.exit_code == 1
    assert files_under(tmp_path / "url") == files_under(tmp_path / "plain")
    local = run("score", masks / "pred", masks / "gt", "-f", "csv")
    remote = run(
        "score",
        f"local://{masks}/pred",
        f"local://{masks}/gt",
        "-f",
        "csv",
        "-o",
        f"local://{tmp_path}/scores.csv",
        *scheduler,
    )
    assert remote.exit_code == local.exit_code == 1
    assert (tmp_path / "scores.csv").read_text(encoding="utf-8") == local.stdout


def test_memory_urls_in_and_out(masks, annotations, tmp_path):
    # memory:// lives in one process: the local executor in this process reads and writes it
    bucket = f"memory://segtool-{uuid.uuid4().hex}"
    memory = fsspec.filesystem("memory")
    memory.put(str(masks), f"{bucket}/masks", recursive=True)
    memory.put(str(annotations), f"{bucket}/annotations", recursive=True)
    local = run("score", masks / "pred", masks / "gt", "-f", "csv", "--per-image", tmp_path / "per_image.csv")
    remote = run(
        "score",
        f"{bucket}/masks/pred",
        f"{bucket}/masks/gt",
        "-f",
        "csv",
        "-j",
        "1",
        "-o",
        f"{bucket}/out/scores.csv",
        "--per-image",
        f"{bucket}/out/per_image.csv",
    )
    assert remote.exit_code == local.exit_code == 1
    assert memory.cat_file(f"{bucket}/out/scores.csv").decode() == local.stdout
    assert memory.cat_file(f"{bucket}/out/per_image.csv") == (tmp_path / "per_image.csv").read_bytes()
    run("rasterize", annotations, "-o", tmp_path / "masks")
    run("rasterize", f"{bucket}/annotations", "-o", f"{bucket}/masks_out", "-j", "1")
    prefix = memory._strip_protocol(f"{bucket}/masks_out") + "/"
    written = {path.removeprefix(prefix): memory.cat_file(path) for path in memory.find(prefix)}
    assert written == files_under(tmp_path / "masks")
    memory.rm(bucket, recursive=True)
