"""Gates on a scoring run's macro means: ``--fail-under dice=0.8``, ``--fail-over hd95=10``.

A threshold is ``[dataset:|image:]METRIC=VALUE``. ``dataset`` gates the dataset
aggregation's macro mean, ``image`` the macro mean of the per-image means. Which
aggregations a metric has and which way is better come from
:mod:`segtool.metrics.registry`: the confusion metrics exist in both (default
``dataset``), the dataset summaries (pixel accuracy, mean accuracy,
frequency-weighted IoU) in the dataset aggregation only, boundary metrics per
image only (their default). A metric where higher is better takes a lower bound
(``--fail-under``), a distance an upper bound (``--fail-over``): a bound the other
way round would pass a worse model, so it is refused. An undefined score meets no
threshold. mmseg's names are accepted for the dataset aggregation's numbers:
``mIoU``, ``mDice``, ``aAcc``, ``mAcc`` (:data:`~segtool.metrics.registry.SUMMARY_ALIASES`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..metrics.registry import SUMMARY_ALIASES, metric_info
from .score import ScoreResult

__all__ = ["Threshold", "thresholds_not_met"]

Bound = Literal["lower", "upper"]
_THRESHOLD = re.compile(
    r"^\s*(?:(?P<aggregation>dataset|image):)?(?P<metric>[a-z_0-9.]+)\s*=\s*(?P<value>\S+)\s*$"
)


@dataclass(frozen=True)
class Threshold:
    """The macro mean of ``metric`` in ``aggregation`` must be at least ``value`` (``bound="lower"``)
    or at most ``value`` (``bound="upper"``)."""

    aggregation: str
    metric: str
    value: float
    bound: Bound = "lower"

    @classmethod
    def parse(cls, text: str, *, bound: Bound = "lower") -> Threshold:
        """Parse ``[dataset:|image:]METRIC=VALUE``; ``ValueError`` naming the problem.

        >>> Threshold.parse("HD95=10", bound="upper")
        Threshold(aggregation='image', metric='hd95', value=10.0, bound='upper')
        >>> Threshold.parse("mIoU=0.5")
        Threshold(aggregation='dataset', metric='iou', value=0.5, bound='lower')
        """
        if bound not in ("lower", "upper"):
            raise ValueError(f"bound must be 'lower' or 'upper', got {bound!r}")
        match = _THRESHOLD.match(text.lower())
        if not match:
            example = "dice=0.8" if bound == "lower" else "hd95=10"
            raise ValueError(f"{text!r} is not [dataset:|image:]METRIC=VALUE (for example {example})")
        metric, aggregation = match["metric"], match["aggregation"]
        if metric in SUMMARY_ALIASES:
            metric, alias_aggregation = SUMMARY_ALIASES[metric]
            if aggregation not in (None, alias_aggregation):
                raise ValueError(
                    f"{text!r}: {match['metric']} names the {alias_aggregation} aggregation's number; "
                    f"write {aggregation}:{metric}"
                )
        try:
            info = metric_info(metric)
        except ValueError:
            raise ValueError(
                f"{text!r}: unknown metric {match['metric']!r} (dice, iou, precision, recall, "
                "pixel_accuracy, mean_accuracy, frequency_weighted_iou, mIoU, mDice, aAcc, mAcc, "
                "or a boundary metric)"
            ) from None
        aggregation = aggregation or info.aggregations[0]
        if aggregation not in info.aggregations:
            raise ValueError(
                f"{text!r}: {info.name} has no {aggregation} aggregation ({info.aggregations[0]} only)"
            )
        if info.higher_is_better != (bound == "lower"):
            takes = (
                "a lower bound (--fail-under)" if info.higher_is_better else "an upper bound (--fail-over)"
            )
            raise ValueError(f"{text!r}: {info.direction} for {info.name}, so it takes {takes}")
        try:
            value = float(match["value"])
        except ValueError:
            raise ValueError(f"{text!r}: {match['value']!r} is not a number") from None
        return cls(aggregation, info.name, value, bound)

    @property
    def key(self) -> str:
        """The summary column this threshold reads."""
        return f"{self.metric}_image_mean" if self.aggregation == "image" else self.metric

    def describe(self) -> str:
        return f"{self.aggregation}:{self.metric}{'>=' if self.bound == 'lower' else '<='}{self.value:g}"

    def is_met_by(self, value: float) -> bool:
        return value >= self.value if self.bound == "lower" else value <= self.value


def thresholds_not_met(result: ScoreResult, thresholds: Iterable[Threshold]) -> list[str]:
    """One message per threshold not met; an undefined score does not meet any threshold."""
    messages = []
    for threshold in thresholds:
        value = result.summary.get(threshold.key)
        if value is None or math.isnan(value):
            messages.append(f"{threshold.describe()}: the score is undefined (no class to average)")
        elif not threshold.is_met_by(value):
            messages.append(f"{threshold.describe()}: the score is {value:.6g}")
    return messages
