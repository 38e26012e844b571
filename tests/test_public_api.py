"""The small public API: everything in __all__ exists, and the README's Python example holds."""

from pathlib import Path

import numpy as np
import pytest

import segtool

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_all_names_exist():
    missing = [name for name in segtool.__all__ if not hasattr(segtool, name)]
    assert missing == []


def test_readme_example_rasterizes_and_scores_perfectly_against_itself(tmp_path):
    images = segtool.load_annotation_file(EXAMPLES / "annotations" / "street.json")
    label_map = segtool.LabelMap.from_names(shape.label for shape in images[0].shapes)
    labels = segtool.rasterize_image(images[0], label_map).labels
    assert labels.shape == (images[0].height, images[0].width) and labels.dtype == np.uint8
    matrix = segtool.confusion_matrix(labels, labels, n_classes=len(label_map))
    # Identical masks: everything on the diagonal, nothing off it.
    assert matrix.sum() == labels.size and np.trace(matrix) == labels.size
    summary = segtool.rasterize_to_folder([EXAMPLES / "annotations"], tmp_path / "masks", jobs=1)
    assert summary.ok and summary.written == 4
    result = segtool.score_folders(tmp_path / "masks", tmp_path / "masks")
    dice = [row["dice"] for row in result.classes if row["class_id"] != 0]
    assert dice and all(value == 1.0 for value in dice)


def test_old_module_paths_import_the_moved_modules_with_a_deprecation_warning():
    import importlib
    import sys

    import segtool.pipelines.score
    import segtool.pipelines.score_collector

    sys.modules.pop("segtool.scoring", None)
    sys.modules.pop("segtool.viz.worst", None)
    with pytest.warns(DeprecationWarning, match="segtool.scoring moved to segtool.pipelines.score"):
        old = importlib.import_module("segtool.scoring")
    assert old is segtool.pipelines.score
    with pytest.warns(DeprecationWarning, match="segtool.pipelines.score_collector"):
        from segtool.viz.worst import ScoreCollector
    assert ScoreCollector is segtool.pipelines.score_collector.ScoreCollector
