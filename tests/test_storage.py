"""segtool.io.storage: URLs as RemotePath, atomic remote writes, plain paths untouched (no fsspec import)."""

import json
import subprocess
import sys
import uuid
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from segtool.annotations import find_annotation_files
from segtool.io.atomic import open_atomic, write_bytes_atomic
from segtool.io.maskio import read_mask
from segtool.io.storage import RemotePath, as_path, is_url
from segtool.viz.image import read_image, write_image

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def bucket():
    """A fresh memory:// folder (the memory file system is shared by the whole test process)."""
    root = f"memory://test-{uuid.uuid4().hex}"
    yield root
    fsspec.filesystem("memory").rm(as_path(root).key, recursive=True)


def test_plain_paths_and_file_urls_stay_local_paths():
    assert as_path("masks/a.png") == Path("masks/a.png")
    assert as_path("file:///data/masks") == Path("/data/masks")
    assert not is_url("C:\\data\\masks") and is_url("s3://bucket/key")


def test_remote_path_is_named_like_a_path():
    path = as_path("memory://bucket/masks/city/a.png")
    assert isinstance(path, RemotePath)
    assert str(path) == "memory://bucket/masks/city/a.png"
    assert (path.name, path.stem, path.suffix) == ("a.png", "a", ".png")
    assert str(path.parent / "b.npy") == "memory://bucket/masks/city/b.npy"
    assert path.relative_to(as_path("memory://bucket/masks")) == PurePosixPath("city/a.png")


def test_remote_write_read_and_listing(bucket):
    write_bytes_atomic(f"{bucket}/masks/b.png", b"b")
    write_bytes_atomic(f"{bucket}/masks/sub/a.png", b"a")
    root = as_path(f"{bucket}/masks")
    files = sorted(path for path in root.rglob("*.png"))
    assert [str(path.relative_to(root)) for path in files] == ["b.png", "sub/a.png"]
    assert files[0].read_bytes() == b"b" and files[0].is_file() and not files[0].is_dir()
    assert (root / "sub").is_dir() and not (root / "missing.png").exists()


def test_remote_output_appears_only_when_complete(bucket):
    target = f"{bucket}/scores.csv"
    with pytest.raises(RuntimeError), open_atomic(target, "w", encoding="utf-8") as handle:
        handle.write("half,")
        raise RuntimeError("interrupted")
    assert not as_path(target).exists()
    with open_atomic(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("a,b\n1,2\n")
    assert as_path(target).read_text() == "a,b\n1,2\n"


def test_masks_read_the_same_from_a_url(tmp_path, bucket):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    np.save(tmp_path / "a.npy", array)
    write_bytes_atomic(f"{bucket}/a.npy", (tmp_path / "a.npy").read_bytes())
    assert np.array_equal(read_mask(f"{bucket}/a.npy"), array)


def test_remote_annotation_files_come_in_local_walk_order(tmp_path, bucket):
    # os.walk order: a folder's own files (sorted), then each subfolder (sorted); hidden ones skipped
    names = ["z.json", "a/y.json", "a/b/x.xml", "b.json", ".hidden/w.json", "a/.v.json", "notes.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
        write_bytes_atomic(f"{bucket}/{name}", b"{}")
    local = [str(rel) for _, rel in find_annotation_files([tmp_path])]
    remote = [str(rel) for _, rel in find_annotation_files([bucket])]
    assert local == ["b.json", "z.json", "a/y.json", "a/b/x.xml"]
    assert remote == local


def test_a_local_run_imports_neither_fsspec_nor_dask(tmp_path):
    script = (
        "import sys, numpy as np\n"
        "from segtool.io.maskio import write_mask\n"
        "from segtool.pipelines.score import score_folders\n"
        f"root = {str(tmp_path)!r}\n"
        "write_mask(root + '/gt/a.png', np.zeros((2, 2), np.uint8))\n"
        "write_mask(root + '/pred/a.png', np.zeros((2, 2), np.uint8))\n"
        "import segtool.cli\n"
        "assert score_folders(root + '/pred', root + '/gt').n_images == 1\n"
        "print(sorted(name for name in ('fsspec', 'dask', 'distributed') if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_pictures_are_written_to_a_url(bucket):
    """Error maps and overlays under a URL (score --error-maps s3://..., rasterize --viz s3://...)."""
    picture = np.zeros((2, 3, 3), np.uint8)
    write_image(as_path(f"{bucket}/maps/a.png"), picture)
    write_image(f"{bucket}/maps/b.jpg", picture)
    assert read_image(f"{bucket}/maps/a.png").shape == (2, 3, 3)
    assert as_path(f"{bucket}/maps/b.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_memory_urls_are_worked_on_threads_not_processes_whose_writes_would_vanish(tmp_path, bucket):
    """memory:// lives in this process: two worker processes drew 2 overlays and 2 masks, counted
    them as written, and left nothing in the caller's memory file system."""
    from segtool.pipelines.overlay import overlay_folder
    from segtool.pipelines.rasterize import rasterize_to_folder

    memory = fsspec.filesystem("memory")
    shape = {"label": "cat", "points": [[1, 1], [5, 1], [5, 5]], "shape_type": "polygon"}
    for name in ("a", "b"):
        document = {"shapes": [shape], "imageHeight": 8, "imageWidth": 8, "imagePath": f"{name}.jpg"}
        memory.pipe(f"{as_path(bucket).key}/ann/{name}.json", json.dumps(document).encode())
        write_image(f"{bucket}/images/{name}.png", np.full((8, 8, 3), 100, np.uint8))
    summary = rasterize_to_folder([f"{bucket}/ann"], f"{bucket}/masks", jobs=2)
    assert summary.written == 2 and memory.exists(f"{as_path(bucket).key}/masks/b.png")
    drawn = overlay_folder(f"{bucket}/images", f"{bucket}/masks", f"{bucket}/overlays", jobs=2)
    assert len(drawn.written) == 2 and memory.exists(f"{as_path(bucket).key}/overlays/b.png")


def test_memory_urls_on_a_cluster_are_refused():
    from segtool.errors import SegtoolError
    from segtool.pipelines.executors import executor_for

    class Cluster:
        uses_worker_processes = True

    with pytest.raises(SegtoolError, match="memory:// is this process's memory"):
        executor_for(Cluster(), ["memory://x/masks"])
