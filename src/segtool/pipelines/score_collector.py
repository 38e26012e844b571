"""What a score report needs from the per-image scores: distributions and the worst images.

:class:`ScoreCollector` takes the per-image rows of a scoring run as they
stream in (one call per image, rows keyed ``image``, ``class_id``,
``class_name`` and the metric names) and keeps, in memory proportional to the
number of images times the number of classes (floats only):

* every defined per-image score per class and metric, for the distributions;
* the ``worst`` lowest-scoring images overall and per class, by ``rank_by``
  (Dice for the report, whatever other metrics are collected), and for each
  image kept per class its value of every collected metric (e.g. its HD95 and
  NSD, shown beside it).

"Overall" is the mean, over the classes of the image that count in the macro
mean (all but the background unless ``include_background``), of the image's
defined scores. Undefined scores (NaN, None) never make an image "worst". Ties
are broken by image name, so the choice does not depend on the order of
arrival.

``score_folders(..., report_worst=N)`` runs one, ranking by Dice and collecting
:func:`report_metrics`; the report (:mod:`segtool.reports.score_html`) is built
from what it kept.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, SupportsFloat, TypeGuard

#: The metrics a report charts and tables (both aggregations of each); the first ranks the worst images.
REPORT_METRICS = ("dice", "iou")


def report_metrics(image_metric_names: Sequence[str] = ()) -> tuple[str, ...]:
    """What a report's collector keeps: :data:`REPORT_METRICS`, then the per-image metrics' names.

    >>> report_metrics(["hd95", "nsd"])
    ('dice', 'iou', 'hd95', 'nsd')
    """
    return (*REPORT_METRICS, *image_metric_names)


def _defined(value: Any) -> TypeGuard[SupportsFloat]:
    """A number that is not NaN (rows hold None or NaN where a value is undefined)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


class _Lowest:
    """The ``size`` lowest (score, name) pairs seen, kept in a bounded heap.

    ``payloads`` holds what the caller stored for a kept name; it is dropped with the name.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._heap: list[tuple[float, _Reversed]] = []  # max-heap through negated keys
        self.payloads: dict[str, dict[str, float]] = {}

    def offer(self, score: float, name: str) -> bool:
        """Keep ``name`` if it is among the lowest so far; True when it was kept."""
        item = (-score, _Reversed(name))
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            dropped = heapq.heapreplace(self._heap, item)
            self.payloads.pop(dropped[1].name, None)
        else:
            return False
        return True

    def sorted(self) -> list[tuple[str, float]]:
        return [(key.name, -negated) for negated, key in sorted(self._heap, reverse=True)]


@functools.total_ordering
class _Reversed:
    """A name ordered backwards, so that among equal scores the first name alphabetically is kept."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __lt__(self, other: _Reversed) -> bool:
        return self.name > other.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.name == other.name


class ScoreCollector:
    """Collects per-image scores for a report; pass :meth:`add` as the scoring run's per-image callback.

    >>> collector = ScoreCollector(metrics=("dice",), worst=1)
    >>> collector.add([{"image": "a", "class_id": 1, "class_name": "car", "dice": 0.5}])
    >>> collector.add([{"image": "b", "class_id": 1, "class_name": "car", "dice": 0.25},
    ...                {"image": "b", "class_id": 0, "class_name": "bg", "dice": 0.0}])
    >>> collector.worst_overall(), collector.worst_per_class()["car"]
    ([('b', 0.25)], [('b', 0.25)])
    >>> collector.per_image["dice"]["car"]
    [0.5, 0.25]

    With more metrics, images are still ranked by ``rank_by`` (default: the
    first metric); the others are kept beside each image of a class:

    >>> collector = ScoreCollector(metrics=("dice", "hd95"), worst=1)
    >>> collector.add([{"image": "a", "class_id": 1, "class_name": "car", "dice": 0.5, "hd95": 3.0}])
    >>> collector.worst_per_class()["car"], collector.scores_of("car", "a")
    ([('a', 0.5)], {'dice': 0.5, 'hd95': 3.0})
    """

    def __init__(
        self,
        *,
        metrics: Sequence[str] = ("dice", "iou"),
        rank_by: str | None = None,
        worst: int = 8,
        include_background: bool = False,
        background_id: int = 0,
    ) -> None:
        self.metrics = tuple(metrics)
        self.rank_by = rank_by or self.metrics[0]
        self.worst = worst
        self.include_background = include_background
        self.background_id = background_id
        self.per_image: dict[str, dict[str, list[float]]] = {metric: {} for metric in self.metrics}
        self._overall = _Lowest(worst)
        self._per_class: dict[str, _Lowest] = {}
        self._class_ids: dict[str, int] = {}

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Take the rows of one image (one row per class present in it)."""
        rows = list(rows)
        in_mean = []
        for row in rows:
            name, class_id = str(row["class_name"]), int(row["class_id"])
            self._class_ids.setdefault(name, class_id)
            for metric in self.metrics:
                value = row.get(metric)
                if _defined(value):
                    self.per_image[metric].setdefault(name, []).append(float(value))
            ranked = row.get(self.rank_by)
            if _defined(ranked):
                lowest = self._per_class.setdefault(name, _Lowest(self.worst))
                if lowest.offer(float(ranked), str(row["image"])):
                    lowest.payloads[str(row["image"])] = {
                        metric: float(row[metric]) if _defined(row.get(metric)) else math.nan
                        for metric in self.metrics
                    }
                if self.include_background or class_id != self.background_id:
                    in_mean.append(float(ranked))
        if in_mean:
            self._overall.offer(sum(in_mean) / len(in_mean), str(rows[0]["image"]))

    def worst_overall(self) -> list[tuple[str, float]]:
        """``(image, mean score)`` of the lowest-scoring images, worst first."""
        return self._overall.sorted()

    def worst_per_class(self) -> dict[str, list[tuple[str, float]]]:
        """Per class name (in class id order): ``(image, score)`` of its lowest-scoring images.

        Worst first.
        """
        names = sorted(self._per_class, key=lambda name: self._class_ids[name])
        return {name: self._per_class[name].sorted() for name in names}

    def scores_of(self, class_name: str, image: str) -> dict[str, float]:
        """Every collected metric of ``image`` for ``class_name`` (NaN where undefined), for an image
        among :meth:`worst_per_class`; ``{}`` for any other."""
        lowest = self._per_class.get(class_name)
        return dict(lowest.payloads.get(image, {})) if lowest is not None else {}

    def class_id_of(self, name: str) -> int:
        return self._class_ids[name]
