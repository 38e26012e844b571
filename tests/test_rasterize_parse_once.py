"""The rasterize pipeline parses each file once when it can, and the masks do not depend on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import segtool.pipelines.rasterize as pipeline
from segtool.io.maskio import read_mask
from segtool.pipelines.executors import LocalExecutor


def write_files(folder: Path, count: int) -> None:
    folder.mkdir()
    for number in range(count):
        square = [[2 + number, 2], [12 + number, 2], [12 + number, 9], [2 + number, 9]]
        shapes = [{"label": "car" if number % 2 else "road", "points": square, "shape_type": "polygon"}]
        document = {"shapes": shapes, "imagePath": f"{number}.jpg", "imageHeight": 12, "imageWidth": 20}
        (folder / f"f{number}.json").write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("budget", "executor", "reads_per_file"),
    [
        (pipeline.KEEP_PARSED_BYTES, LocalExecutor(1), 1),  # one job: parsed once
        (pipeline.KEEP_PARSED_BYTES, LocalExecutor(2, threads=True), 1),  # threads: parsed once
        (0, LocalExecutor(1), 2),  # over the memory budget: parsed again
    ],
)
def test_files_are_parsed_once_within_the_budget(tmp_path, monkeypatch, budget, executor, reads_per_file):
    write_files(tmp_path / "in", 4)
    reads = []
    original = pipeline.load_item

    def counting(item, options):
        reads.append(item.path)
        return original(item, options)

    monkeypatch.setattr(pipeline, "load_item", counting)
    monkeypatch.setattr(pipeline, "KEEP_PARSED_BYTES", budget)
    summary = pipeline.rasterize_to_folder([tmp_path / "in"], tmp_path / "out", executor=executor)
    assert summary.ok and summary.written == 4
    assert len(reads) == 4 * reads_per_file
    first = read_mask(tmp_path / "out" / "f3.png")
    assert first.shape == (12, 20) and (first[2:9, 5:15] != 0).all() and (first[:, :5] == 0).all()


def test_masks_are_the_same_parsed_once_or_twice(tmp_path, monkeypatch):
    write_files(tmp_path / "in", 3)
    pipeline.rasterize_to_folder([tmp_path / "in"], tmp_path / "once", executor=LocalExecutor(1))
    monkeypatch.setattr(pipeline, "KEEP_PARSED_BYTES", 0)
    pipeline.rasterize_to_folder([tmp_path / "in"], tmp_path / "twice", executor=LocalExecutor(1))
    for number in range(3):
        name = f"f{number}.png"
        assert (read_mask(tmp_path / "once" / name) == read_mask(tmp_path / "twice" / name)).all()
