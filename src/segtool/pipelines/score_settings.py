"""The settings of a scoring run, typed, and the run's rules in words, worded once.

:class:`ScoreSettings` is what :attr:`~segtool.pipelines.score.ScoreResult.settings`
holds. Every output reads it:

* :meth:`ScoreSettings.to_json` is the JSON ``settings`` object (keys documented
  in ``docs/score.md``; the rule texts under ``aggregations``, ``macro_mean``,
  ``empty_rule``, ``missing_rule`` and ``boundary_metrics`` come from here);
* :meth:`ScoreSettings.rules` is the list of sentences printed under the table
  and shown in the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..metrics.boundary import AGGREGATION_RULE as BOUNDARY_AGGREGATION_RULE
from ..metrics.boundary import EMPTY_RULE as BOUNDARY_EMPTY_RULE
from ..metrics.boundary import BoundaryScorer, Tolerances
from ..metrics.conventions import Bundle
from ..metrics.registry import CONFUSION_METRICS, MetricInfo, metric_info

__all__ = ["AGGREGATION_RULES", "UNDEFINED_RULE", "BoundarySettings", "ScoreSettings"]

AGGREGATION_RULES = {
    "dataset": "tp, fp, fn summed over all images, then scored (the mmseg / Cityscapes number)",
    "image": "scored per image, then mean and population standard deviation (ddof=0) over the images "
    "where the score is defined, with their number (the nnU-Net / MONAI number)",
}
UNDEFINED_RULE = (
    "a score whose denominator is 0 (a class absent from both masks) is undefined: "
    "null in JSON, empty in CSV, a dash in tables, and left out of every mean; "
    "a class predicted where the ground truth has none scores 0"
)
COUNTS_RULE = (
    "Per class c: TP = predicted c where the ground truth is c, FP = predicted c elsewhere, "
    "FN = c missed. " + "; ".join(info.convention for info in CONFUSION_METRICS.values()) + "."
)
BOUNDARY_DISTANCES = "exact Euclidean between pixel centres, in spacing units (pixel height, width)"


@dataclass(frozen=True)
class BoundarySettings:
    """The boundary metrics of a run: which, with which spacing, tolerances and edge rule."""

    metrics: tuple[MetricInfo, ...]
    spacing: tuple[float, float]
    edge_is_boundary: bool
    tolerances: Tolerances

    @classmethod
    def of(cls, scorer: BoundaryScorer) -> BoundarySettings:
        return cls(
            metrics=tuple(metric_info(name, scorer.tolerances) for name in scorer.names),
            spacing=scorer.spacing or (1.0, 1.0),
            edge_is_boundary=scorer.edge_is_boundary,
            tolerances=scorer.tolerances,
        )

    @property
    def distance_unit(self) -> str:
        return "pixels" if self.spacing == (1.0, 1.0) else "spacing units"

    @property
    def boundary_rule(self) -> str:
        edge = "make a boundary (edge_is_boundary)" if self.edge_is_boundary else "make no boundary"
        return (
            "inner border of each class mask (pixels with a 4-neighbour outside it); "
            f"the image edge and ignored pixels {edge}"
        )

    def to_json(self) -> dict[str, Any]:
        sy, sx = self.spacing
        return {
            "metrics": [
                {"name": info.name, "higher_is_better": info.higher_is_better, "convention": info.convention}
                for info in self.metrics
            ],
            "spacing": [sy, sx],
            "edge_is_boundary": self.edge_is_boundary,
            "tolerances": {
                "nsd": self.tolerances.nsd,
                "biou_width": self.tolerances.biou_width,
                "bf": self.tolerances.bf,
            },
            "boundary": self.boundary_rule,
            "distances": BOUNDARY_DISTANCES,
            "aggregation": BOUNDARY_AGGREGATION_RULE,
            "empty_rule": BOUNDARY_EMPTY_RULE,
        }

    def rules(self, *, background: str) -> list[str]:
        """The boundary metrics' rules in words (``background`` says whether class 0 is in the mean)."""
        names = ", ".join(info.name for info in self.metrics)
        lower = [info.name for info in self.metrics if not info.higher_is_better]
        higher = [info.name for info in self.metrics if info.higher_is_better]
        direction = " ".join(
            text
            for text in (
                f"Lower is better: {', '.join(lower)} (distances)." if lower else "",
                f"Higher is better: {', '.join(higher)} (shares, from 0 to 1)." if higher else "",
            )
            if text
        )
        sy, sx = self.spacing
        return [
            f"Boundary metrics ({names}): {BOUNDARY_AGGREGATION_RULE}. Their summary value is the macro "
            f"mean of the per-class means, {background}.",
            direction,
            *(f"Convention: {info.convention}." for info in self.metrics),
            f"Boundaries: {self.boundary_rule}.",
            f"Distances and tolerances: {BOUNDARY_DISTANCES}: here {sy:g} x {sx:g}, so in "
            f"{self.distance_unit}.",
            f"Empty masks (boundary metrics): {BOUNDARY_EMPTY_RULE}.",
        ]


@dataclass(frozen=True)
class ScoreSettings:
    """What a scoring run was asked to do and found out about its inputs.

    ``label_map`` names the map used (its file, ``"label folders"`` for the
    binary layout, or None when every value found is a class). ``image_metrics``
    lists the per-image metric columns; ``boundary`` describes the boundary
    metrics among them, when :class:`~segtool.metrics.boundary.BoundaryScorer`
    computed them; ``compat`` the other tool's convention asked for (``--compat``).
    """

    predictions: str
    ground_truth: str
    layout: str
    label_map: str | None
    ignore_values: tuple[int, ...]
    binary: bool
    include_background: bool
    missing: str
    image_metrics: tuple[str, ...] = ()
    boundary: BoundarySettings | None = None
    compat: Bundle | None = None  # the --compat bundle (or rule options), with its rules

    @property
    def missing_rule(self) -> str:
        if self.missing == "empty":
            return "a missing prediction is scored as an all-background mask"
        if self.missing == "skip":
            return "a missing prediction is left out of every number, and listed"
        return "a missing prediction fails the run"

    @property
    def background_rule(self) -> str:
        return "background included" if self.include_background else "background (id 0) left out"

    @property
    def macro_mean_rule(self) -> str:
        return f"mean over classes where the score is defined, {self.background_rule}"

    def to_json(self) -> dict[str, Any]:
        """The JSON ``settings`` object (plain types, rule texts included)."""
        document: dict[str, Any] = {
            "predictions": self.predictions,
            "ground_truth": self.ground_truth,
            "layout": self.layout,
            "label_map": self.label_map,
            "ignore_values": list(self.ignore_values),
            "binary": self.binary,
            "include_background": self.include_background,
            "missing": self.missing,
            "missing_rule": self.missing_rule,
            "aggregations": AGGREGATION_RULES,
            "macro_mean": self.macro_mean_rule,
            "empty_rule": UNDEFINED_RULE,
            "image_metrics": list(self.image_metrics),
        }
        if self.boundary is not None:
            document["boundary_metrics"] = self.boundary.to_json()
        if self.compat is not None:
            document["compat"] = {**self.compat.describe(), "rules": self.compat.rules.describe()}
        return document

    def rules(self, *, ignored_pixels: str | None = None, general: bool = True) -> list[str]:
        """Every rule of the run in words, one sentence or two each: the table notes and the report.

        ``ignored_pixels`` (for example ``"1 of 6 pixels, 16.7%"``) is shown beside the ignore values.
        ``general=False`` leaves out the rules that read the same on every run (how tp, fp, fn and
        the ratios are counted, the undefined rule, both aggregations): what the table shows by
        default, with ``--rules`` for all of them.
        """
        ignored = ", ".join(str(value) for value in self.ignore_values) or "none"
        if ignored_pixels is not None:
            ignored += f" ({ignored_pixels})"
        same_on_every_run = [
            COUNTS_RULE,
            f"Undefined (-): {UNDEFINED_RULE}.",
            f"Dataset aggregation: {AGGREGATION_RULES['dataset']}.",
            f"Per-image aggregation: {AGGREGATION_RULES['image']}.",
        ]
        rules = [
            f"Ignored ground-truth values: {ignored}. Pixels whose ground truth holds an ignore value are "
            "not scored; prediction values never mask anything.",
            *(same_on_every_run if general else []),
            f"Macro mean (the mean row): {self.macro_mean_rule}.",
            f"Missing predictions: {self.missing_rule}.",
        ]
        if self.boundary is not None:
            rules += self.boundary.rules(background=self.background_rule)
        return rules
