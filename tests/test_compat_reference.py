"""--compat parity against the peers themselves, run again (``make reference``).

Each test runs one peer (installed from benchmarks/requirements-reference.txt) on the pairs of
compat_pairs.py and checks its output equals the committed fixture tests/fixtures/compat/peers.json,
which tests/test_compat.py checks segtool against on every ``make test``. A peer that is not
installed is skipped; DAVIS is not packaged, so only its fixture is checked (by test_compat).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import compat_peers
from compat_pairs import make_pairs
from segtool.labelsets import CITYSCAPES_CLASSES, CITYSCAPES_IGNORED

pytestmark = pytest.mark.reference

PEERS = json.loads((Path(__file__).parent / "fixtures" / "compat" / "peers.json").read_text())


def _same(live, committed, tolerance):
    if isinstance(committed, dict):
        assert set(live) == set(committed)
        for key in committed:
            _same(live[key], committed[key], tolerance)
        return
    as_array = lambda values: np.array(values, dtype=float)  # None -> nan  # noqa: E731
    np.testing.assert_allclose(as_array(live), as_array(committed), rtol=0, atol=tolerance, equal_nan=True)


@pytest.mark.parametrize(
    ("peer", "package", "tolerance"),
    [("monai", "monai", 1e-6), ("torchmetrics", "torchmetrics", 1e-6), ("medpy", "medpy", 1e-12)],
)
def test_peer_output_matches_the_fixture(peer, package, tolerance):
    pytest.importorskip(package)
    live = getattr(compat_peers, f"run_{peer}")(make_pairs())
    _same(live, PEERS[peer], tolerance)


def test_cityscapes_output_matches_the_fixture():
    pytest.importorskip("cityscapesscripts")
    _same(compat_peers.run_cityscapes(), PEERS["cityscapes"], 1e-12)


def test_builtin_cityscapes_table_is_cityscapesscripts():
    labels = pytest.importorskip("cityscapesscripts.helpers.labels")
    evaluated = [(label.id, label.name, label.category) for label in labels.labels if not label.ignoreInEval]
    ignored = [label.id for label in labels.labels if label.ignoreInEval and label.id >= 0]
    assert evaluated == list(CITYSCAPES_CLASSES)
    assert sorted(ignored) == list(CITYSCAPES_IGNORED)
