"""Compare prediction folders of several models on the same ground truth, image by image.

Pipeline: score each prediction folder against ``gt_dir`` with
:func:`~segtool.pipelines.score.score_folders` (keeping every image's per-class
counts and metric values, ``keep_cells``) -> keep the images scored for every
model -> per class and for the macro mean, each model's score in both
aggregations and its difference from the baseline (the first folder), with
bootstrap intervals, p-values, Holm's adjustment and a verdict
(:mod:`segtool.metrics.paired` states every statistical rule).

Rules:

* **Pairing**: only images scored for every model are compared. An image missing
  from some prediction folder is listed in :attr:`CompareResult.missing`; with
  ``missing="empty"`` it is scored as an all-background prediction instead. An
  image that failed for some model (a bad file) is listed in ``failures`` and
  left out for all.
* **Rows** (:data:`COMPARE_COLUMNS`): one per compared model (not the baseline),
  metric, aggregation and class, then the mean row (``class_name`` ``mean``, no
  ``class_id``): :attr:`CompareResult.class_rows` are the CSV's, :attr:`CompareResult.mean_rows`
  the JSON summary's.
  The confusion metrics have both aggregations, boundary metrics per image only.
* **Tests**: dataset rows carry the bootstrap p-value (``test`` ``bootstrap``),
  per-image rows Wilcoxon's signed-rank test on the paired per-image values
  (``wilcoxon``; the mean row on the per-image macro means). Holm's adjustment
  is over the classes with a p-value of one model, metric and aggregation; the
  mean row is one hypothesis of its own (not adjusted).
* **Same draws everywhere**: one set of resamples (``seed``) serves every model,
  metric and aggregation, so their intervals are comparable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from ..errors import SegtoolError
from ..io.storage import RemotePath, as_path
from ..labels import LabelMap
from ..limits import DEFAULT_MAX_PIXELS
from ..metrics import METRICS, class_scores
from ..metrics.paired import (
    bootstrap_p_value,
    dataset_differences,
    dataset_scores,
    holm,
    holm_confidences,
    image_differences,
    image_means,
    percentile_interval,
    percentile_intervals,
    verdicts,
    weight_chunks,
    wilcoxon_signed_rank,
    wins_ties_losses,
)
from ..metrics.registry import metric_info
from .jobs import Failure
from .pairing import PairLayout
from .score import ImageMetrics, ScoreResult, score_folders

__all__ = [
    "COMPARE_COLUMNS",
    "COMPARE_PER_IMAGE_COLUMNS",
    "CompareMissing",
    "CompareResult",
    "WorseGate",
    "compare_folders",
]

CompareMissing = Literal["error", "skip", "empty"]
COMPARE_MISSING_RULES: tuple[CompareMissing, ...] = get_args(CompareMissing)
DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 0
MEAN_NAME = "mean"

#: The CSV columns of ``segtool compare``, in order (documented in docs/compare.md).
COMPARE_COLUMNS = (
    "model",
    "baseline",
    "metric",
    "aggregation",
    "class_id",
    "class_name",
    "n_images",
    "baseline_score",
    "model_score",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "test",
    "p_holm",
    "adjusted_confidence",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "n_paired",
    "wins",
    "ties",
    "losses",
    "verdict",
)
COMPARE_PER_IMAGE_COLUMNS = ("image", "model", "class_id", "class_name", "tp", "fp", "fn", *METRICS)
HOLM_RULE = (
    "Holm-Bonferroni across the classes of each model, metric and aggregation: p_holm is the adjusted "
    "p-value; the class with the k-th smallest of m p-values gets an interval at confidence "
    "1 - (1 - confidence) / (m - k + 1); a class is better or worse only when p_holm < 1 - confidence "
    "and that adjusted interval excludes 0. The mean row is one hypothesis of its own (not adjusted)"
)
INTERVAL_RULE = (
    "B - A (model minus baseline) with percentile bootstrap intervals: the images are resampled with "
    "replacement, both models' values of a drawn image together (paired); dataset rows sum the drawn "
    "images' tp, fp, fn and score them, per-image rows average the paired differences over the drawn "
    "images where both are defined. Fewer than two images: the interval cannot be estimated"
)
TEST_RULE = (
    "p_value: dataset rows, twice the smaller share of resampled differences on either side of 0 "
    "(bootstrap); per-image rows, Wilcoxon's signed-rank test on the paired per-image values (zeros "
    "dropped, average ranks for ties; exact up to 50 untied differences, else the normal approximation "
    "with the tie correction)"
)
WINS_RULE = (
    "wins/ties/losses: the images where the model is better than, equal to, or worse than the baseline "
    "(both defined; for distances lower is better)"
)


@dataclass(frozen=True)
class _ModelCells:
    """One model's cells over the compared images, dense: (n_images, n_classes) arrays."""

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    values: dict[str, np.ndarray]  # per-image values per metric, NaN where undefined

    @property
    def counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.tp, self.fp, self.fn


@dataclass
class CompareResult:
    """A comparison of models on the same images: plain data, nothing printed.

    ``rows`` are keyed by :data:`COMPARE_COLUMNS`; ``models`` and ``folders`` list
    the models in the order given (the first is the baseline); ``images`` the
    compared images; ``missing`` maps each model to the ground-truth images its
    folder lacks; ``scores`` each model's own :class:`ScoreResult` (over all of
    its images).
    """

    models: list[str]
    folders: list[str]
    images: list[str]
    rows: list[dict[str, Any]]
    scores: list[ScoreResult]
    confidence: float
    resamples: int
    seed: int | None
    missing_rule: str
    missing: dict[str, list[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    cells: list[_ModelCells] = field(default_factory=list, repr=False)
    class_ids: list[int] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        return self.models[0]

    @property
    def failed(self) -> bool:
        """True when an image failed for some model, or lacked a prediction with ``missing="error"``."""
        return bool(self.failures) or (self.missing_rule == "error" and any(self.missing.values()))

    def rules(self) -> list[str]:
        """The comparison's rules in words, then the scoring rules (the table notes)."""
        return [
            f"{INTERVAL_RULE}; {self.resamples} resamples, seed {self.seed}, "
            f"{100 * self.confidence:g}% confidence.",
            f"{TEST_RULE}.",
            f"{HOLM_RULE}.",
            f"{WINS_RULE}.",
            *self.scores[0].settings.rules(),
        ]

    def settings_document(self) -> dict[str, Any]:
        return {
            "ground_truth": self.scores[0].settings.ground_truth,
            "baseline": self.baseline,
            "confidence": self.confidence,
            "resamples": self.resamples,
            "seed": self.seed,
            "missing": self.missing_rule,
            "intervals": INTERVAL_RULE,
            "tests": TEST_RULE,
            "multiple_comparisons": HOLM_RULE,
            "wins": WINS_RULE,
            "scoring": self.scores[0].settings.to_json(),
        }

    @property
    def class_rows(self) -> list[dict[str, Any]]:
        """The rows of the classes: what the CSV and the JSON ``rows`` hold."""
        return [row for row in self.rows if row["class_id"] is not None]

    @property
    def mean_rows(self) -> list[dict[str, Any]]:
        """The macro mean's row of each model, metric and aggregation: the JSON ``summary``'s ``means``
        and the tables' last rows (never in the CSV, whose rows are all classes)."""
        return [row for row in self.rows if row["class_id"] is None]

    def to_document(self) -> dict[str, Any]:
        """Everything, for JSON: ``settings``, ``rows`` (the class rows, the CSV's columns as keys),
        ``summary`` (images compared, the mean rows), then models, columns and images."""
        return {
            "settings": self.settings_document(),
            "rows": _in_column_order(self.class_rows),
            "summary": {"images_compared": len(self.images), "means": _in_column_order(self.mean_rows)},
            "models": [
                {"name": name, "predictions": folder, "baseline": index == 0}
                for index, (name, folder) in enumerate(zip(self.models, self.folders, strict=True))
            ],
            "columns": list(COMPARE_COLUMNS),
            "images": {
                "compared": len(self.images),
                "missing": self.missing,
                "failed": [{"image": failure.name, "error": failure.message} for failure in self.failures],
            },
        }

    def per_image_rows(self) -> Iterable[dict[str, Any]]:
        """One row per compared image, model and class present in that model's image (ground truth or
        prediction): :data:`COMPARE_PER_IMAGE_COLUMNS` plus the per-image boundary metrics."""
        for index, image in enumerate(self.images):
            for name, cells in zip(self.models, self.cells, strict=True):
                present = np.flatnonzero((cells.tp[index] + cells.fp[index] + cells.fn[index]) > 0)
                for position in present.tolist():
                    row: dict[str, Any] = {
                        "image": image,
                        "model": name,
                        "class_id": self.class_ids[position],
                        "class_name": self.class_names[position],
                        "tp": int(cells.tp[index, position]),
                        "fp": int(cells.fp[index, position]),
                        "fn": int(cells.fn[index, position]),
                    }
                    row.update({metric: float(v[index, position]) for metric, v in cells.values.items()})
                    yield row

    @property
    def per_image_columns(self) -> tuple[str, ...]:
        extra = [name for name in (self.cells[0].values if self.cells else {}) if name not in METRICS]
        return COMPARE_PER_IMAGE_COLUMNS + tuple(extra)


def _in_column_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the keys of :data:`COMPARE_COLUMNS`, in the CSV's order."""
    return [{key: row.get(key) for key in COMPARE_COLUMNS} for row in rows]


def compare_folders(
    gt_dir: str | Path | RemotePath,
    pred_dirs: Sequence[str | Path | RemotePath],
    *,
    names: Sequence[str] | None = None,
    labels: LabelMap | str | Path | RemotePath | None = None,
    ignore: Iterable[int] | None = None,
    include_background: bool = False,
    missing: CompareMissing = "error",
    binary: bool = False,
    layout: PairLayout = "auto",
    image_metrics: Sequence[ImageMetrics] = (),
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    jobs: int = 1,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    images: str | Path | RemotePath | None = None,
    progress: Callable[[str, int], Callable[..., None]] | None = None,
    debug: bool = False,
) -> CompareResult:
    """Compare each prediction folder after the first (the baseline) with the first, on ``gt_dir``.

    Parameters
    ----------
    gt_dir : folder
        Ground-truth masks.
    pred_dirs : sequence of folders
        At least two; the first is the baseline.
    names : sequence of str, optional
        One name per folder (default: the folder names, or the paths when two share a name).
    labels, ignore, include_background, binary, layout, image_metrics, jobs, max_pixels, debug
        As :func:`~segtool.pipelines.score.score_folders`.
    images : folder, optional
        Photos matched to the ground truth by name, as for
        :func:`~segtool.pipelines.score.score_folders`: every model's pairs carry them, so that
        the report draws the error maps over them (:mod:`segtool.reports.compare_html`).
    missing : {"error", "skip", "empty"}
        An image of ``gt_dir`` missing from some prediction folder is left out and
        listed: the run fails (``error``) or not (``skip``); ``empty`` scores it as an
        all-background prediction instead.
    confidence : float
        Of the intervals, between 0.5 and 0.9999.
    resamples : int
        Bootstrap resamples (0: estimates only, no interval).
    seed : int, optional
        Seed of the resamples (None: different every run).
    progress : callable, optional
        As :func:`~segtool.pipelines.score.score_folders`, once per model.

    Raises
    ------
    ValueError
        For fewer than two folders, a bad option or names of the wrong number.
    SegtoolError
        For a bad label map or a folder that does not exist.
    """
    if len(pred_dirs) < 2:
        raise ValueError("compare needs at least two prediction folders (the first is the baseline)")
    if missing not in COMPARE_MISSING_RULES:
        raise ValueError(f"missing must be one of {', '.join(COMPARE_MISSING_RULES)}, got {missing!r}")
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence must lie in [0.5, 1), got {confidence}")
    if resamples < 0:
        raise ValueError(f"resamples must be 0 or more, got {resamples}")
    model_names = list(names) if names is not None else default_names(pred_dirs)
    if len(model_names) != len(pred_dirs) or len(set(model_names)) != len(model_names):
        raise ValueError(f"give one distinct name per prediction folder, got {model_names}")
    scores = [
        score_folders(
            pred_dir,
            gt_dir,
            labels=labels,
            ignore=ignore,
            include_background=include_background,
            missing="empty" if missing == "empty" else "error",
            binary=binary,
            layout=layout,
            jobs=jobs,
            image_metrics=image_metrics,
            keep_cells=True,
            max_pixels=max_pixels,
            images=images,
            progress=progress,
            debug=debug,
        )
        for pred_dir in pred_dirs
    ]
    scored = [_scored_names(result) for result in scores]
    failures = [
        Failure(failure.name, f"{name}: {failure.message}")
        for name, result in zip(model_names, scores, strict=True)
        for failure in result.failures
    ]
    failed = {failure.name for failure in failures}
    common = set.intersection(*(set(names_) for names_ in scored)) - failed
    compared = [name for name in scored[0] if name in common]
    missing_images = {
        name: [image for image in result.missing_predictions if image not in result.scored_as_empty]
        for name, result in zip(model_names, scores, strict=True)
    }
    class_ids = sorted({class_id for result in scores for class_id in result.confusion_class_ids})
    class_names = _class_names(scores, class_ids)
    cells = [
        _dense_cells(result, order, compared, class_ids) for result, order in zip(scores, scored, strict=True)
    ]
    in_mean = np.array([class_id != 0 or include_background for class_id in class_ids], bool)
    rows = _comparison_rows(
        model_names,
        cells,
        class_ids,
        class_names,
        in_mean,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
    )
    return CompareResult(
        models=model_names,
        folders=[str(folder) for folder in pred_dirs],
        images=compared,
        rows=rows,
        scores=scores,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        missing_rule=missing,
        missing={name: images_ for name, images_ in missing_images.items() if images_},
        failures=failures,
        cells=cells,
        class_ids=class_ids,
        class_names=class_names,
    )


def default_names(folders: Sequence[str | Path | RemotePath]) -> list[str]:
    """The folders' own names, or the paths as given when two folders share a name.

    >>> default_names(["runs/a/pred", "runs/b/pred"]), default_names(["base", "ours/"])
    (['runs/a/pred', 'runs/b/pred'], ['base', 'ours'])
    """
    names = [as_path(folder).name or str(folder) for folder in folders]
    return names if len(set(names)) == len(names) else [str(folder) for folder in folders]


def _scored_names(result: ScoreResult) -> list[str]:
    """The images of ``result.cells`` in their order: the pairs scored, in file order."""
    assert result.pairing is not None and result.cells is not None
    not_scored = {failure.name for failure in result.failures}
    not_scored.update(set(result.missing_predictions) - set(result.scored_as_empty))
    names = [pair.name for pair in result.pairing.pairs if pair.name not in not_scored]
    if len(names) != result.cells.n_images:
        raise RuntimeError(f"{len(names)} images named but {result.cells.n_images} scored")
    return names


def _class_names(scores: list[ScoreResult], class_ids: list[int]) -> list[str]:
    names = {row["class_id"]: row["class_name"] for result in reversed(scores) for row in result.classes}
    return [str(names.get(class_id, class_id)) for class_id in class_ids]


def _dense_cells(
    result: ScoreResult, order: list[str], images: list[str], class_ids: list[int]
) -> _ModelCells:
    """``result.cells`` as (compared image, class) arrays; absent cells are 0 counts and NaN values."""
    assert result.cells is not None
    arrays = result.cells.arrays()
    where = {name: index for index, name in enumerate(order)}
    row_of = np.full(len(order), -1, np.int64)
    row_of[[where[name] for name in images]] = np.arange(len(images))
    rows = row_of[arrays["image"]]
    keep = rows >= 0
    rows = rows[keep]
    columns = np.searchsorted(class_ids, arrays["class_id"][keep])
    shape = (len(images), len(class_ids))
    counts = []
    for name in ("tp", "fp", "fn"):
        dense = np.zeros(shape, np.int64)
        dense[rows, columns] = arrays[name][keep]
        counts.append(dense)
    values = class_scores(*counts)  # the per-image scores score reports (NaN where undefined)
    for name, cell_values in arrays.items():
        if name not in ("image", "class_id", "tp", "fp", "fn"):
            dense_values = np.full(shape, np.nan)
            dense_values[rows, columns] = cell_values[keep]
            values[name] = dense_values
    return _ModelCells(counts[0], counts[1], counts[2], values)


# -- rows ---------------------------------------------------------------------------------
def _comparison_rows(
    model_names: list[str],
    cells: list[_ModelCells],
    class_ids: list[int],
    class_names: list[str],
    in_mean: np.ndarray,
    *,
    confidence: float,
    resamples: int,
    seed: int | None,
) -> list[dict[str, Any]]:
    baseline = cells[0]
    n_images = baseline.tp.shape[0]
    metrics = list(baseline.values)
    count_metrics = [metric for metric in metrics if metric in METRICS]
    samples: dict[tuple[int, str, str], list[tuple[np.ndarray, np.ndarray]]] = {}
    for weights in weight_chunks(n_images, resamples=resamples, seed=seed) if n_images else ():
        for index, model in enumerate(cells[1:], start=1):
            differences = {
                (metric, "dataset"): pair
                for metric, pair in dataset_differences(
                    baseline.counts, model.counts, weights, metrics=count_metrics, in_mean=in_mean
                ).items()
            }
            differences.update(
                {
                    (metric, "image"): pair
                    for metric, pair in image_differences(
                        baseline.values, model.values, weights, in_mean=in_mean
                    ).items()
                }
            )
            for (metric, aggregation), pair in differences.items():
                samples.setdefault((index, metric, aggregation), []).append(pair)
    rows: list[dict[str, Any]] = []
    for index, model in enumerate(cells[1:], start=1):
        for metric in metrics:
            for aggregation in ("dataset", "image") if metric in METRICS else ("image",):
                parts = samples.get((index, metric, aggregation), [])
                class_samples = (
                    np.concatenate([part[0] for part in parts]) if parts else np.empty((0, len(class_ids)))
                )
                mean_samples = np.concatenate([part[1] for part in parts]) if parts else np.empty(0)
                compared = _Compared(baseline, model, metric, aggregation, in_mean)
                rows += compared.rows(
                    class_samples,
                    mean_samples,
                    names=(model_names[index], model_names[0]),
                    classes=(class_ids, class_names),
                    confidence=confidence,
                )
    return rows


@dataclass(frozen=True)
class _Compared:
    """One model against the baseline for one metric and aggregation."""

    baseline: _ModelCells
    model: _ModelCells
    metric: str
    aggregation: str
    in_mean: np.ndarray

    def scores(self, cells: _ModelCells) -> tuple[np.ndarray, float]:
        if self.aggregation == "dataset":
            return dataset_scores(*cells.counts, metric=self.metric, in_mean=self.in_mean)
        return image_means(cells.values[self.metric], in_mean=self.in_mean)

    def rows(
        self,
        class_samples: np.ndarray,
        mean_samples: np.ndarray,
        *,
        names: tuple[str, str],
        classes: tuple[list[int], list[str]],
        confidence: float,
    ) -> list[dict[str, Any]]:
        n_images = self.baseline.tp.shape[0]
        higher_is_better = metric_info(self.metric).higher_is_better
        (class_a, mean_a), (class_b, mean_b) = self.scores(self.baseline), self.scores(self.model)
        a_values, b_values = self.baseline.values[self.metric], self.model.values[self.metric]
        paired = ~np.isnan(a_values) & ~np.isnan(b_values)
        if self.aggregation == "dataset":
            class_difference = class_b - class_a
            class_p = bootstrap_p_value(class_samples, n_items=n_images)
            mean_p = float(bootstrap_p_value(mean_samples, n_items=n_images))
            test = "bootstrap"
        else:
            differences = np.where(paired, b_values - a_values, np.nan)
            class_difference = image_means(differences, in_mean=self.in_mean)[0]
            class_p = np.array([wilcoxon_signed_rank(column) for column in differences.T])
            class_p[~paired.any(axis=0)] = np.nan
            image_macro = [image_macro_means(values, self.in_mean) for values in (a_values, b_values)]
            mean_p = wilcoxon_signed_rank(image_macro[1] - image_macro[0])
            test = "wilcoxon"
        class_p = np.where(np.isnan(class_difference), np.nan, class_p)
        p_holm = holm(class_p)
        levels = holm_confidences(class_p, confidence)
        (low, high), (adjusted_low, adjusted_high) = percentile_intervals(
            class_samples, [confidence, levels], n_items=n_images
        )
        class_verdicts = verdicts(
            adjusted_low, adjusted_high, p_holm, confidence=confidence, higher_is_better=higher_is_better
        )
        mean_low, mean_high = percentile_interval(mean_samples, confidence, n_items=n_images)
        mean_verdict = verdicts(
            np.atleast_1d(mean_low),
            np.atleast_1d(mean_high),
            np.array([mean_p]),
            confidence=confidence,
            higher_is_better=higher_is_better,
        )[0]
        common = {
            "model": names[0],
            "baseline": names[1],
            "metric": self.metric,
            "aggregation": self.aggregation,
            "n_images": n_images,
            "test": test,
        }
        is_image = self.aggregation == "image"
        wins, ties, losses = wins_ties_losses(a_values, b_values, higher_is_better=higher_is_better)
        rows = []
        for position, (class_id, class_name) in enumerate(zip(*classes, strict=True)):
            rows.append(
                {
                    **common,
                    "class_id": class_id,
                    "class_name": class_name,
                    "baseline_score": float(class_a[position]),
                    "model_score": float(class_b[position]),
                    "difference": float(class_difference[position]),
                    "ci_low": float(low[position]),
                    "ci_high": float(high[position]),
                    "p_value": float(class_p[position]),
                    "p_holm": float(p_holm[position]),
                    "adjusted_confidence": float(levels[position]),
                    "adjusted_ci_low": float(adjusted_low[position]),
                    "adjusted_ci_high": float(adjusted_high[position]),
                    "n_paired": int(paired[:, position].sum()) if is_image else None,
                    "wins": int(wins[position]) if is_image else None,
                    "ties": int(ties[position]) if is_image else None,
                    "losses": int(losses[position]) if is_image else None,
                    "verdict": class_verdicts[position],
                }
            )
        if is_image:
            macro_a, macro_b = (image_macro_means(v, self.in_mean) for v in (a_values, b_values))
            macro_wins = wins_ties_losses(
                macro_a[:, None], macro_b[:, None], higher_is_better=higher_is_better
            )
            macro_paired = int(np.count_nonzero(~np.isnan(macro_a) & ~np.isnan(macro_b)))
        rows.append(
            {
                **common,
                "class_id": None,
                "class_name": MEAN_NAME,
                "baseline_score": mean_a,
                "model_score": mean_b,
                "difference": mean_b - mean_a,
                "ci_low": float(mean_low),
                "ci_high": float(mean_high),
                "p_value": mean_p,
                "p_holm": mean_p,
                "adjusted_confidence": confidence,
                "adjusted_ci_low": float(mean_low),
                "adjusted_ci_high": float(mean_high),
                "n_paired": macro_paired if is_image else None,
                "wins": int(macro_wins[0][0]) if is_image else None,
                "ties": int(macro_wins[1][0]) if is_image else None,
                "losses": int(macro_wins[2][0]) if is_image else None,
                "verdict": mean_verdict,
            }
        )
        return rows


def image_macro_means(values: np.ndarray, in_mean: np.ndarray) -> np.ndarray:
    """Each image's macro mean over the classes of ``in_mean`` defined in it (NaN for none)."""
    chosen = values[:, in_mean]
    defined = ~np.isnan(chosen)
    count = defined.sum(axis=1)
    total = np.where(defined, chosen, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


# -- the CI gate --------------------------------------------------------------------------
_GATE = re.compile(
    r"^\s*(?P<per_class>class:)?(?:(?P<aggregation>dataset|image):)?(?P<metric>[a-z_0-9.]+)\s*=\s*(?P<margin>\S+)\s*$"
)


@dataclass(frozen=True)
class WorseGate:
    """``--fail-if-worse [class:][dataset:|image:]METRIC=MARGIN``: a non-inferiority test.

    It passes when every compared model is shown not worse than the baseline by
    more than ``margin``: the lower end of the interval of B − A lies above
    ``-margin`` (for distances, the upper end below ``+margin``). On the macro
    mean, or with ``class:`` on every class (their Holm-adjusted intervals). An
    interval that cannot be estimated shows nothing, so it fails.
    """

    metric: str
    aggregation: str
    margin: float
    per_class: bool = False

    @classmethod
    def parse(cls, text: str) -> WorseGate:
        """Parse the option's value; ``ValueError`` naming the problem.

        >>> WorseGate.parse("class:dice=0.01")
        WorseGate(metric='dice', aggregation='dataset', margin=0.01, per_class=True)
        """
        match = _GATE.match(text.lower())
        if not match:
            raise ValueError(
                f"{text!r} is not [class:][dataset:|image:]METRIC=MARGIN (for example dice=0.01)"
            )
        try:
            info = metric_info(match["metric"])
        except ValueError:
            raise ValueError(f"{text!r}: unknown metric {match['metric']!r}") from None
        aggregation = match["aggregation"] or info.aggregations[0]
        if aggregation not in info.aggregations or (aggregation == "dataset" and info.name not in METRICS):
            raise ValueError(f"{text!r}: compare has no {aggregation} aggregation of {info.name}")
        try:
            margin = float(match["margin"])
        except ValueError:
            raise ValueError(f"{text!r}: {match['margin']!r} is not a number") from None
        if not margin >= 0:
            raise ValueError(f"{text!r}: the margin must be 0 or more")
        return cls(info.name, aggregation, margin, bool(match["per_class"]))

    def failures(self, result: CompareResult) -> list[str]:
        """One message per model and row that fails the gate; empty when it passes."""
        if not any(row["metric"] == self.metric for row in result.rows):
            raise SegtoolError(f"--fail-if-worse {self.metric}: the metric was not scored (see --metrics)")
        higher_is_better = metric_info(self.metric).higher_is_better
        messages = []
        for row in result.rows:
            if row["metric"] != self.metric or row["aggregation"] != self.aggregation:
                continue
            if (row["class_id"] is None) == self.per_class:
                continue
            low, high = row["adjusted_ci_low"], row["adjusted_ci_high"]
            bound = low if higher_is_better else high
            shown = bound > -self.margin if higher_is_better else bound < self.margin
            if not shown:  # NaN (not estimable) shows nothing either
                where = "mean" if row["class_id"] is None else f"class {row['class_name']}"
                messages.append(
                    f"{row['model']} vs {row['baseline']}: {self.aggregation} {self.metric} {where}: "
                    f"B - A interval [{low:.4g}, {high:.4g}] does not show it is at most {self.margin:g} "
                    f"worse ({100 * row['adjusted_confidence']:g}% confidence)"
                )
        return messages
