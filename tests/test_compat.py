"""--compat bundles against the peers' own numbers (committed fixtures) and restated rules.

The pairs come from tests/compat_pairs.py: classes 0..5 (5 declared, never present), 255
ignored; an FP-only class, an all-ignore image, an empty prediction, ignore bands, a far
stray pixel, a class with TP = 0, a background-only image, noise. tests/fixtures/compat/
peers.json holds MONAI's, torchmetrics', MedPy's, cityscapesScripts' and DAVIS's outputs on
them, with the versions that made them (make_peer_fixtures.py beside it). mmseg and nnU-Net
are not installed here: their rules are restated below from their source, line by line.
Float32 peers (MONAI, torchmetrics) agree to 1e-6, the others to 1e-12.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compat_pairs import CLASSES, IGNORE, boundary_cases, cityscapes_pairs, make_pairs
from compat_peers import NSD_TOLERANCE
from segtool import LabelMap, score_folders, write_mask
from segtool.labels import Label
from segtool.metrics.boundary import BoundaryScorer, Tolerances
from segtool.metrics.conventions import (
    ABSENT,
    AGGREGATIONS,
    BUNDLES,
    EMPTY_TRUTH,
    Rules,
    convention_scores,
    custom_bundle,
)
from segtool.metrics.davis import davis_boundary_f

PEERS = json.loads((Path(__file__).parent / "fixtures" / "compat" / "peers.json").read_text())
FLOAT32 = 1e-6
EXACT = 1e-12


def _write_pairs(root: Path, pairs) -> tuple[Path, Path]:
    pred, gt = root / "pred", root / "gt"
    pred.mkdir()
    gt.mkdir()
    for name, truth, guess in pairs:
        write_mask(gt / f"{name}.png", truth)
        write_mask(pred / f"{name}.png", guess)
    return pred, gt


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return _write_pairs(tmp_path_factory.mktemp("compat"), make_pairs())


def _labels(classes=CLASSES) -> LabelMap:
    return LabelMap([Label(c, f"c{c}", (c, c, c)) for c in classes])


def _score(folders, compat, classes=CLASSES):
    pred, gt = folders
    return score_folders(pred, gt, labels=_labels(classes), compat=compat).convention


def _column(convention, name):
    return np.array([row[name] for row in convention.classes], float)


def _close(actual, expected, tolerance):
    expected = np.array([np.nan if value is None else value for value in np.ravel(expected)], float)
    np.testing.assert_allclose(np.ravel(actual), expected, rtol=0, atol=tolerance, equal_nan=True)


# -- peers run from PyPI / their repository, outputs committed ---------------------------------
def test_monai_dice_metric_and_mean_iou(folders):
    convention = _score(folders, "monai")
    monai = PEERS["monai"]
    _close(convention.summary["DiceMetric"], monai["DiceMetric"], FLOAT32)
    _close(convention.summary["MeanIoU"], monai["MeanIoU"], FLOAT32)
    _close(_column(convention, "Dice"), monai["DiceMetric_mean_batch"], FLOAT32)  # class 5: 0
    _close(_column(convention, "IoU"), monai["MeanIoU_mean_batch"], FLOAT32)


def test_monai_surface_metrics(folders):
    pred, gt = folders
    scorer = BoundaryScorer.from_names(
        ["hd95", "hd", "assd", "nsd"], edge_is_boundary=True, tolerances=Tolerances(nsd=NSD_TOLERANCE)
    )
    convention = score_folders(pred, gt, labels=_labels(), compat="monai", image_metrics=[scorer]).convention
    monai = PEERS["monai"]
    for name, column in (
        ("HausdorffDistanceMetric(percentile=95)", "HD95"),  # one side empty: NaN, left out
        ("HausdorffDistanceMetric", "HD"),  # one side empty: inf
        ("SurfaceDistanceMetric(symmetric=True)", "ASSD"),
        ("SurfaceDiceMetric", "NSD"),
    ):
        np.testing.assert_allclose(convention.summary[name], monai[name], rtol=FLOAT32)
        per_class = _column(convention, column)[1:]  # MONAI's surface metrics leave the background out
        np.testing.assert_allclose(per_class, monai[f"{name}_mean_batch"], rtol=FLOAT32, atol=FLOAT32)


def test_torchmetrics_dice_score_and_mean_iou(folders):
    convention = _score(folders, "torchmetrics")
    peer = PEERS["torchmetrics"]
    _close(convention.summary["DiceScore"], peer["DiceScore"], FLOAT32)
    _close(convention.summary["MeanIoU"], peer["MeanIoU"], FLOAT32)
    _close(_column(convention, "DiceScore"), peer["DiceScore_none"], FLOAT32)
    _close(_column(convention, "MeanIoU"), peer["MeanIoU_per_class"], FLOAT32)  # class 5: -1


def test_medpy_dc_and_jc_means(folders):
    convention = _score(folders, "medpy")
    dc, jc = (np.array(PEERS["medpy"][name], float) for name in ("dc", "jc"))
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):  # class 5: dc NaN in every image
        per_class_dc = np.nanmean(dc, axis=0)
    _close(_column(convention, "dc"), per_class_dc, EXACT)
    _close(_column(convention, "jc"), jc.mean(axis=0), EXACT)  # both empty: jc = 1
    _close(convention.summary["dc"], np.nanmean(per_class_dc[1:]), EXACT)
    _close(convention.summary["jc"], jc.mean(axis=0)[1:].mean(), EXACT)


def test_davis_j_and_f(folders):
    convention = _score(folders, "davis")
    j, f = (np.array(PEERS["davis"][name], float).mean(axis=0) for name in ("J", "F"))
    _close(_column(convention, "J"), j, EXACT)
    _close(_column(convention, "F"), f, EXACT)
    _close(convention.summary["J-Mean"], j[1:].mean(), EXACT)
    _close(convention.summary["F-Mean"], f[1:].mean(), EXACT)
    _close(convention.summary["J&F-Mean"], (j[1:].mean() + f[1:].mean()) / 2, EXACT)


def test_cityscapes_on_label_ids(tmp_path):
    pred, gt = _write_pairs(tmp_path, cityscapes_pairs())
    result = score_folders(pred, gt, compat="cityscapes")
    peer = PEERS["cityscapes"]
    names = {row["class_id"]: row["class_name"] for row in result.classes}
    ours = {names[class_id]: row["IoU"] for class_id, row in zip(*_rows(result.convention), strict=True)}
    for name, value in peer["classScores"].items():  # the 34 labelIds: NaN for void ones and absent ones
        _close(ours.get(name, np.nan), value, EXACT)
    _close(result.convention.summary["averageScoreClasses"], peer["averageScoreClasses"], EXACT)
    for category, value in result.convention.categories.items():
        _close(value, peer["categoryScores"][category], EXACT)
    _close(result.convention.summary["averageScoreCategories"], peer["averageScoreCategories"], EXACT)
    # the void id predicted on valid pixels is no class: a false negative of the true class, and reported
    assert result.unknown_predictions == {"4": {"pixels": 15, "images": 1}}


def _rows(convention):
    return convention.class_ids, convention.classes


# -- rules restated from source (peers too heavy to install here) -----------------------------
def _masks(pair):
    _, truth, guess = pair
    return truth, guess


def mmseg_iou_metric(pairs, num_classes):
    """mmseg/evaluation/metrics/iou_metric.py (1.2.2), restated in float64.

    intersect_and_union: mask = label != ignore_index; histograms over 0..num_classes-1 of the
    intersection, prediction and label; union = pred + label - intersect. compute_metrics: areas
    summed over images; total_area_to_metrics: aAcc = I.sum() / L.sum(), IoU = I / U, Acc = I / L,
    Dice = 2I / (P + L), Precision = I / P, Recall = I / L, Fscore = (1 + b^2) P R / (b^2 P + R);
    summary np.round(np.nanmean(v) * 100, 2), per class np.round(v * 100, 2).
    """
    area = {key: np.zeros(num_classes) for key in ("I", "P", "L")}
    for truth, guess in map(_masks, pairs):
        keep = truth != IGNORE
        truth, guess = truth[keep], guess[keep]
        for key, values in (("I", guess[guess == truth]), ("P", guess), ("L", truth)):
            area[key] += np.bincount(values[values < num_classes], minlength=num_classes)
    intersect, pred, label = area["I"], area["P"], area["L"]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision, recall = intersect / pred, intersect / label
        per_class = {
            "IoU": intersect / (pred + label - intersect),
            "Acc": intersect / label,
            "Dice": 2 * intersect / (pred + label),
            "Fscore": 2 * precision * recall / (precision + recall),
            "Precision": precision,
            "Recall": recall,
        }
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # np.nanmean of a class that is NaN throughout
        summary = {"aAcc": np.round(intersect.sum() / label.sum() * 100, 2)}
        summary.update({f"m{key}": np.round(np.nanmean(value) * 100, 2) for key, value in per_class.items()})
    return {key: np.round(value * 100, 2) for key, value in per_class.items()}, summary


def test_mmseg_restated(folders):
    convention = _score(folders, "mmseg")
    per_class, summary = mmseg_iou_metric(make_pairs(), len(CLASSES))
    for key, values in per_class.items():
        _close(_column(convention, key), values, EXACT)
    for key, value in summary.items():
        _close(convention.summary[key], value, EXACT)
    # TP = 0 for class 2 in one pair, not in the sum; class 5 is absent: NaN, dropped from every mean
    assert np.isnan(_column(convention, "Fscore")[5]) and not np.isnan(convention.summary["mFscore"])


def test_mmseg_fscore_drops_a_class_with_no_true_positive(tmp_path):
    pairs = [p for p in make_pairs() if p[0] == "no_overlap"]
    pred, gt = _write_pairs(tmp_path, pairs)
    convention = score_folders(pred, gt, labels=_labels((0, 1, 2)), compat="mmseg").convention
    row = dict(zip(*_rows(convention), strict=True))[2]
    assert row["Dice"] == 0 and np.isnan(row["Fscore"])
    assert convention.summary["mFscore"] > convention.summary["mDice"]  # mmseg's quirk, reproduced


def nnunet_compute_metrics_on_folder(pairs, labels):
    """nnunetv2/evaluation/evaluate_predictions.py (2.8.1), restated.

    compute_metrics: per case and label, tp, fp, fn outside ignore_mask = seg_ref == ignore_label;
    Dice = 2tp / (2tp + fp + fn), IoU = tp / (tp + fp + fn) (0/0 = NaN). compute_metrics_on_folder:
    means[r][m] = np.nanmean over cases; foreground_mean[m] = np.mean over labels other than 0.
    """
    dice, iou = [], []
    for truth, guess in map(_masks, pairs):
        keep = truth != IGNORE
        counts = [
            (
                np.sum((truth == r) & (guess == r) & keep),
                np.sum((truth != r) & (guess == r) & keep),
                np.sum((truth == r) & (guess != r) & keep),
            )
            for r in labels
        ]
        with np.errstate(invalid="ignore"):
            dice.append([2 * tp / (2 * tp + fp + fn) for tp, fp, fn in counts])
            iou.append([tp / (tp + fp + fn) for tp, fp, fn in counts])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # np.nanmean of label 5, absent from every case
        means = {"Dice": np.nanmean(dice, axis=0), "IoU": np.nanmean(iou, axis=0)}
    foreground = [index for index, label in enumerate(labels) if label != 0]
    return means, {key: np.mean(values[foreground]) for key, values in means.items()}


@pytest.mark.parametrize("classes", [CLASSES, CLASSES[:-1]], ids=["label 5 declared", "labels 0-4"])
def test_nnunet_restated(folders, classes):
    convention = _score(folders, "nnunet", classes)
    means, foreground_mean = nnunet_compute_metrics_on_folder(make_pairs(), classes)
    for key in ("Dice", "IoU"):
        _close(_column(convention, key), means[key], EXACT)
        _close(convention.summary[key], foreground_mean[key], EXACT)
    # one label absent from every case makes nnU-Net's foreground_mean NaN (np.mean, not nanmean)
    assert np.isnan(convention.summary["Dice"]) == (5 in classes)


# -- the rules on tiny hand-computed cells ----------------------------------------------------
def _cells(rows):
    """rows: (image, class_id, tp, fp, fn)."""
    array = np.array(rows, np.int64).reshape(-1, 5)
    return {key: array[:, i] for i, key in enumerate(("image", "class_id", "tp", "fp", "fn"))}


# image 0: class 1 tp 3 fp 1 fn 0 (dice 6/7), class 2 FP only (dice 0); image 1: class 1 tp 1 fn 1 (2/3)
CELLS = _cells([(0, 1, 3, 1, 0), (0, 2, 0, 2, 0), (1, 1, 1, 0, 1)])


def _mean(rules, metric="dice", ids=(0, 1, 2)):
    bundle = custom_bundle(rules, (metric,))
    return convention_scores(CELLS, ids, 2, bundle).means[metric]


def test_each_rule_moves_the_mean_as_computed_by_hand():
    assert _mean(Rules()) == pytest.approx(2 * 4 / (2 * 4 + 1 + 1) / 2)  # dataset: class 1 8/10, class 2 0
    assert _mean(Rules(aggregation="class")) == pytest.approx((6 / 7 + 2 / 3) / 2 / 2)
    assert _mean(Rules(aggregation="image")) == pytest.approx((6 / 7 / 2 + 2 / 3) / 2)
    assert _mean(Rules(aggregation="cells")) == pytest.approx((6 / 7 + 0 + 2 / 3) / 3)
    # MONAI's ignore_empty: class 2's false positives vanish
    assert _mean(Rules(aggregation="image", empty_truth="undefined")) == pytest.approx((6 / 7 + 2 / 3) / 2)
    # absent = one: class 2 in image 1 scores 1
    assert _mean(Rules(aggregation="class", absent="one")) == pytest.approx(((6 / 7 + 2 / 3) / 2 + 0.5) / 2)
    # class 3 never defined: dropped, NaN (nnU-Net), 0 (MONAI)
    assert _mean(Rules(aggregation="class"), ids=(0, 1, 2, 3)) == _mean(Rules(aggregation="class"))
    assert np.isnan(_mean(Rules(aggregation="class", no_value="nan"), ids=(0, 1, 2, 3)))
    assert _mean(Rules(aggregation="class", no_value="zero"), ids=(0, 1, 2, 3)) == pytest.approx(
        (6 / 7 + 2 / 3) / 2 / 3
    )


def test_an_unknown_rule_value_is_refused():
    with pytest.raises(ValueError, match="aggregation for iou: 'median' is not one of"):
        Rules(aggregation={"iou": "median"})


def test_every_bundle_cites_its_sources():
    for bundle in BUNDLES.values():
        assert bundle.sources and bundle.checked
        assert all(source.strip() for source in bundle.sources.values())


def test_bf_davis_equals_davis_f_on_every_cell():
    scorer = BoundaryScorer.from_names(["bf_davis"])
    davis = np.array(PEERS["davis"]["F"], float)
    for (_, truth, guess), expected in zip(make_pairs(), davis, strict=True):
        ours = scorer(truth, guess, class_ids=list(CLASSES), ignore=[IGNORE])["bf_davis"]
        present = ~np.isnan(ours)  # a class absent from both (valid pixels) is undefined; DAVIS says 1
        _close(ours[present], expected[present], EXACT)
        assert np.all(expected[~present] == 1)


def test_segtool_rules_give_segtool_numbers(folders):
    """The rules' defaults are segtool's dataset aggregation; ``class`` is its per-image mean row."""
    pred, gt = folders
    result = score_folders(pred, gt, labels=_labels(), keep_cells=True)
    cells = result.cells.arrays()
    for rules, column in ((Rules(), "{}"), (Rules(aggregation="class"), "{}_image_mean")):
        bundle = custom_bundle(rules, ("dice", "iou", "precision", "recall"))
        means = convention_scores(cells, result.confusion_class_ids, result.n_images, bundle).means
        for metric, value in means.items():
            assert value == pytest.approx(result.summary[column.format(metric)], abs=EXACT)


def test_bf_davis_equals_davis_on_random_masks_void_and_tolerances():
    """120 random pairs (edges, void pixels, tolerances as a share and in whole or fractional pixels)."""
    expected = PEERS["davis"]["F_random_cases"]
    ours = [
        davis_boundary_f(truth, guess, void=void, tolerance=tolerance)
        for truth, guess, void, tolerance in boundary_cases()
    ]
    _close(ours, expected, EXACT)


def test_16_bit_ids_score_as_their_8_bit_renumbering(tmp_path, folders):
    """Ids above 255 are classes like any other (mmseg's uint8 cast would wrap 300 onto 44: not here)."""
    wide = {0: 0, 1: 300, 2: 1000, 3: 44, 4: 65000, 5: 5, IGNORE: IGNORE}
    pairs = [
        (name, np.vectorize(wide.get)(gt).astype(np.uint16), np.vectorize(wide.get)(pred).astype(np.uint16))
        for name, gt, pred in make_pairs()
    ]
    pred, gt = _write_pairs(tmp_path, pairs)
    for bundle in ("mmseg", "monai", "torchmetrics", "nnunet"):
        ours = score_folders(pred, gt, labels=_labels([wide[c] for c in CLASSES]), compat=bundle).convention
        narrow = _score(folders, bundle)
        order = np.argsort([wide[c] for c in CLASSES])  # classes sorted by their wide ids
        for column in narrow.classes[0]:
            _close(_column(ours, column), _column(narrow, column)[order], EXACT)
        _close(list(ours.summary.values()), list(narrow.summary.values()), EXACT)


@st.composite
def _random_cells(draw):
    n_images = draw(st.integers(1, 5))
    rows = []
    for image in range(n_images):
        for class_id in draw(st.sets(st.integers(0, 4), max_size=5)):
            tp, fp, fn = draw(st.tuples(*[st.integers(0, 9)] * 3).filter(lambda counts: sum(counts) > 0))
            rows.append((image, class_id, tp, fp, fn))
    return n_images, rows


_RULES = st.builds(
    Rules,
    aggregation=st.sampled_from(AGGREGATIONS),
    empty_truth=st.sampled_from(EMPTY_TRUTH),
    absent=st.sampled_from(ABSENT),
    no_value=st.sampled_from(("drop", "nan", "zero")),
    include_background=st.booleans(),
)


@given(_random_cells(), _RULES)
def test_any_rules_keep_means_in_range_dice_above_iou_and_ignore_image_order(drawn, rules):
    n_images, rows = drawn
    bundle = custom_bundle(rules, ("dice", "iou"))
    means = convention_scores(_cells(rows), range(5), n_images, bundle).means
    assert all(np.isnan(value) or 0 <= value <= 1 for value in means.values())
    assert np.isnan(means["iou"]) == np.isnan(means["dice"])
    assert np.isnan(means["iou"]) or means["dice"] >= means["iou"] - EXACT
    flipped = [(n_images - 1 - image, *rest) for image, *rest in reversed(rows)]
    again = convention_scores(_cells(flipped), range(5), n_images, bundle).means
    _close(list(again.values()), list(means.values()), EXACT)
