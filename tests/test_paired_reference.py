"""Wilcoxon signed-rank p-values against SciPy's ``wilcoxon`` (``make reference``; SciPy is not a
run-time dependency of segtool)."""

import numpy as np
import pytest

from segtool.metrics.paired import EXACT_WILCOXON_MAX, wilcoxon_signed_rank

pytestmark = pytest.mark.reference
stats = pytest.importorskip("scipy.stats")


def _samples():
    rng = np.random.default_rng(2026)
    for n in (1, 2, 5, 9, 20, 50, 51, 120, 500):
        yield rng.normal(0.1, 1.0, n)  # no ties: exact up to 50
        yield np.round(rng.normal(0.2, 1.0, n), 1)  # ties and zeros: normal approximation
        yield rng.integers(-2, 3, n).astype(float)  # many ties and zeros


@pytest.mark.parametrize("differences", list(_samples()), ids=lambda d: f"n{d.size}")
def test_p_values_agree_with_scipy(differences):
    nonzero = differences[differences != 0]
    if nonzero.size == 0:
        pytest.skip("SciPy gives NaN without a non-zero difference (segtool: 1.0)")
    untied = np.unique(np.abs(nonzero)).size == nonzero.size
    method = "exact" if untied and nonzero.size <= EXACT_WILCOXON_MAX else "asymptotic"
    expected = stats.wilcoxon(nonzero, zero_method="wilcox", correction=False, method=method).pvalue
    # zeros are dropped before SciPy sees them: its 'exact' keeps zeros in n otherwise
    assert wilcoxon_signed_rank(differences) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_default_scipy_call_agrees_on_untied_samples_with_zeros_dropped():
    rng = np.random.default_rng(1)
    for n in (8, 30, 80):
        differences = rng.normal(0.3, 1.0, n)
        assert wilcoxon_signed_rank(differences) == pytest.approx(
            stats.wilcoxon(differences).pvalue, rel=1e-9
        )
