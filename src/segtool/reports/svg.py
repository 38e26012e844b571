"""Charts as inline SVG text, written by hand: no plotting library, no JavaScript.

Each function returns one ``<svg>`` element sized in CSS pixels, with a
``viewBox`` so that it scales down on narrow screens. Categories (classes) are
rows, so long class names fit on the left. Missing values (NaN: a score that is
undefined) are never drawn as 0: the row shows a dash. Hovering over a bar, box
or cell shows its exact numbers (SVG ``<title>`` tooltips).

The size of a chart depends on the number of classes, never on the number of
images: distributions are drawn as box plots over a fixed number of bins.

Axes start at 0. Scores in [0, 1] (Dice, IoU, NSD...) are drawn on a 0..1 axis.
Unbounded values (distances such as HD95) are drawn from 0 to the largest upper
whisker or mean of the chart's rows, rounded up to a round number
(:func:`data_axis_end`): every box, whisker and mean is drawn where it is, and
the few images whose structure was missed (scored the image diagonal) do not
squeeze the others into the first bin unless they move a mean that far. Values
beyond the axis end (outliers) are never dropped: each row counts them
(``3 > 40``) and marks them with a triangle at the end; the tooltips give the
exact numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from ..words import plural
from .numbers import NumberFormat, column_format, format_number

FONT_SIZE = 12
ROW_GAP = 8
AXIS_COLOUR = "#555"
GRID_COLOUR = "#ddd"
MISSING = "\u2013"  # en dash


@dataclass(frozen=True)
class Series:
    """One set of bars: a value per category, optional error half-widths (e.g. std)."""

    name: str
    values: Sequence[float]
    colour: str
    errors: Sequence[float] | None = None


def number(value: float | None, digits: int = 3) -> str:
    """One value for display (a tooltip, a caption), by :mod:`segtool.reports.numbers`' rule; an en
    dash when missing."""
    return format_number(None if value is None else float(value), digits, missing=MISSING)


def number_column(values: Sequence[float | None], digits: int = 3) -> NumberFormat:
    """The one format of a column of values (a table's, or a chart's value labels)."""
    return column_format((None if value is None else float(value) for value in values), digits)


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", size: int = FONT_SIZE, colour: str = "#000"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'dominant-baseline="central" fill="{colour}">{escape(content)}</text>'
    )


def _category(x: float, y: float, name: str, *, size: int = FONT_SIZE) -> str:
    """A category name right-aligned at x, cut when long (the full name is its tooltip)."""
    short = _short(name)
    tip = f"<title>{escape(name)}</title>" if short != name else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="end" '
        f'dominant-baseline="central">{tip}{escape(short)}</text>'
    )


def _label_width(names: Sequence[str], *, longest: int = 28) -> int:
    """Room for the category names on the left (about 0.6 em per character), names cut at ``longest``."""
    chars = max((min(len(name), longest) for name in names), default=4)
    return int(min(240, max(60, chars * FONT_SIZE * 0.6 + 14)))


def _short(name: str, longest: int = 28) -> str:
    return name if len(name) <= longest else name[: longest - 1] + "\u2026"


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="system-ui, sans-serif">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _axis(
    left: float, top: float, bottom: float, plot_width: float, maximum: float, ticks: Sequence[float]
) -> list[str]:
    parts = []
    for tick in ticks:
        x = left + plot_width * tick / maximum
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID_COLOUR}"/>'
        )
        parts.append(_text(x, bottom + 10, _tick_label(tick), anchor="middle", colour=AXIS_COLOUR))
    parts.append(
        f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{bottom:.1f}" stroke="{AXIS_COLOUR}"/>'
    )
    return parts


def _tick_label(tick: float) -> str:
    return f"{tick:g}" if abs(tick) >= 1e-3 or tick == 0 else f"{tick:.0e}"


def nice_ticks(maximum: float, *, count: int = 5) -> tuple[float, list[float]]:
    """A rounded axis end at or above ``maximum`` and evenly spaced ticks from 0 to it.

    >>> nice_ticks(1.0)
    (1.0, [0.0, 0.25, 0.5, 0.75, 1.0])
    >>> nice_ticks(37)
    (40.0, [0.0, 10.0, 20.0, 30.0, 40.0])
    """
    if not maximum > 0 or not math.isfinite(maximum):
        maximum = 1.0
    raw = maximum / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude * (count - 1) >= maximum
    )
    end = step * math.ceil(maximum / step - 1e-9)
    ticks = [step * index for index in range(int(round(end / step)) + 1)]
    return float(end), [float(tick) for tick in ticks]


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    maximum: float | None = None,
    digits: int = 3,
) -> str:
    """Horizontal grouped bars: one group per category, one bar per series.

    ``maximum`` fixes the axis end (1 for scores); by default it is rounded up
    from the largest value (bar plus error).
    """
    reached = [
        value + (0.0 if _missing(error) else error)
        for item in series
        for value, error in zip(item.values, item.errors or [0.0] * len(item.values), strict=True)
        if not _missing(value)
    ]
    end, ticks = nice_ticks(maximum if maximum is not None else max(reached, default=1.0))
    bar_height = 12
    group_height = bar_height * len(series) + ROW_GAP
    left = _label_width(categories)
    plot_width, right = 460, 110
    top = 12 + 18  # legend row
    bottom = top + group_height * len(categories)
    parts = _legend_row(series, left)
    parts += _axis(left, top, bottom, plot_width, end, ticks)
    labels = [number_column(item.values, digits) for item in series]  # one format per series
    for row, category in enumerate(categories):
        group_top = top + row * group_height + ROW_GAP / 2
        parts.append(_category(left - 6, group_top + bar_height * len(series) / 2, category))
        if all(_missing(item.values[row]) for item in series):
            parts.append(
                _text(
                    left + 4,
                    group_top + bar_height * len(series) / 2,
                    f"{MISSING} undefined",
                    size=10,
                    colour=AXIS_COLOUR,
                )
            )
            continue
        for index, item in enumerate(series):
            y = group_top + index * bar_height
            value = item.values[row]
            error = item.errors[row] if item.errors is not None else float("nan")
            parts.append(
                _bar(left, y, bar_height, plot_width, end, value, error, item, category, labels[index])
            )
    return _svg(left + plot_width + right, bottom + 24, parts, title)


def _missing(value: float | None) -> bool:
    return value is None or value != value


def _legend_row(series: Sequence[Series], left: float) -> list[str]:
    parts, x = [], left
    for item in series:
        parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{item.colour}"/>')
        parts.append(_text(x + 16, 12, item.name))
        x += 16 + len(item.name) * FONT_SIZE * 0.6 + 18
    return parts


def _bar(
    left: float,
    y: float,
    height: float,
    plot_width: float,
    end: float,
    value: float,
    error: float,
    item: Series,
    category: str,
    label: NumberFormat,
) -> str:
    if _missing(value):
        return _text(left + 4, y + height / 2, f"{MISSING} undefined", size=10, colour=AXIS_COLOUR)
    width = max(0.0, plot_width * min(value, end) / end)
    tip = f"{category} \u2013 {item.name}: {label(float(value))}"
    parts = [
        f'<rect x="{left:.1f}" y="{y + 1:.1f}" width="{width:.1f}" height="{height - 2:.1f}" '
        f'fill="{item.colour}"><title>{escape(tip)}</title></rect>'
    ]
    label_x = left + width
    if not _missing(error) and error > 0:
        low = left + plot_width * max(0.0, value - error) / end
        high = left + plot_width * min(end, value + error) / end
        middle = y + height / 2
        parts.append(
            f'<line x1="{low:.1f}" y1="{middle:.1f}" x2="{high:.1f}" y2="{middle:.1f}" '
            f'stroke="#222" stroke-width="1"/>'
        )
        label_x = max(label_x, high)
    parts.append(_text(label_x + 4, y + height / 2, label(float(value)), size=10))
    return "".join(parts)


@dataclass(frozen=True)
class Distribution:
    """What a box plot shows, computed once from the defined values."""

    count: int
    missing: int
    mean: float
    quartiles: tuple[float, float, float]
    whiskers: tuple[float, float]
    histogram: np.ndarray
    overflow: int = 0

    @classmethod
    def of(
        cls, values: Sequence[float], *, bins: int = 20, value_range: tuple[float, float] = (0.0, 1.0)
    ) -> Distribution:
        """Quartiles, Tukey whiskers (most extreme values within 1.5 IQR) and a histogram; NaN left out.

        The histogram covers ``value_range``; defined values above it are
        counted in ``overflow`` (the statistics include them).
        """
        array = np.asarray(values, dtype=np.float64)
        defined = array[~np.isnan(array)]
        histogram, _ = np.histogram(defined, bins=bins, range=value_range)
        if defined.size == 0:
            nan = float("nan")
            return cls(0, int(array.size), nan, (nan, nan, nan), (nan, nan), histogram)
        q1, median, q3 = (float(q) for q in np.percentile(defined, [25, 50, 75]))
        reach = 1.5 * (q3 - q1)
        inside = defined[(defined >= q1 - reach) & (defined <= q3 + reach)]
        return cls(
            int(defined.size),
            int(array.size - defined.size),
            float(defined.mean()),
            (q1, median, q3),
            (float(inside.min()), float(inside.max())),
            histogram,
            int(np.count_nonzero(defined > value_range[1])),
        )


def distribution_chart(
    categories: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    title: str,
    colour: str = "#0072B2",
    bins: int = 20,
    maximum: float | None = 1.0,
    axis_label: str = "",
) -> str:
    """One row per category over a 0..``maximum`` axis: a histogram of the values, a box plot and the mean.

    The histogram's bars are scaled to the row's fullest bin; the box spans the
    quartiles with the median as a line, whiskers reach the most extreme values
    within 1.5 IQR and the diamond is the mean. ``n`` counts the defined values
    (undefined ones, NaN, are left out and counted separately).

    ``maximum=None`` draws unbounded values (distances): the axis ends at
    :func:`data_axis_end` of the rows, rounded up, and values beyond it are
    counted and marked at the end (see the module docstring). ``axis_label``
    is written under the axis (units, which way is better).
    """
    row_height = 34
    left = _label_width(categories)
    plot_width = 460
    top = 8
    bottom = top + row_height * len(categories)
    end, ticks = nice_ticks(maximum if maximum is not None else data_axis_end(values))
    rows = [Distribution.of(row_values, bins=bins, value_range=(0.0, end)) for row_values in values]
    labels = [_count_label(stats, end) for stats in rows]
    right = 130 if maximum is not None else max(130, 12 + 6 * max(map(len, labels), default=0))
    parts = _axis(left, top, bottom, plot_width, end, ticks)
    for row, (category, stats, label) in enumerate(zip(categories, rows, labels, strict=True)):
        row_top = top + row * row_height
        middle = row_top + row_height / 2
        parts.append(_category(left - 6, middle, category))
        parts.append(_text(left + plot_width + 8, middle, label, size=10, colour=AXIS_COLOUR))
        if stats.count == 0:
            parts.append(_text(left + 4, middle, f"{MISSING} no defined value", size=10, colour=AXIS_COLOUR))
            continue
        parts.append(_histogram(stats.histogram, left, row_top + 3, plot_width, row_height - 6, colour))
        parts.append(_box(stats, left, middle, plot_width, category, end))
        if stats.overflow:
            parts.append(_overflow_mark(stats.overflow, end, left + plot_width, middle))
    height = bottom + 24
    if axis_label:
        parts.append(
            _text(left + plot_width, bottom + 28, axis_label, anchor="end", size=10, colour=AXIS_COLOUR)
        )
        height += 16
    return _svg(left + plot_width + right, height, parts, title)


def data_axis_end(values: Sequence[Sequence[float]]) -> float:
    """The largest upper whisker or mean over the rows of defined values (0 when there is none).

    An outlier moves the axis only through its row's mean: here the whisker
    ends at 4 (within 1.5 IQR of the quartiles 2 and 4), the mean is 22.

    >>> data_axis_end([[1.0, 2.0, 3.0, 4.0, 100.0], [float("nan")]])
    22.0
    """
    ends = [max(stats.whiskers[1], stats.mean) for stats in map(Distribution.of, values) if stats.count]
    return max(ends, default=0.0)


def _count_label(stats: Distribution, end: float) -> str:
    return (
        f"n={stats.count}"
        + (f", {stats.overflow} > {_tick_label(end)}" if stats.overflow else "")
        + (f", {stats.missing} undefined" if stats.missing else "")
    )


def _overflow_mark(count: int, end: float, x: float, middle: float) -> str:
    """A triangle pointing right at the axis end: ``count`` values lie beyond it.

    >>> "1 value above" in _overflow_mark(1, 1.0, 100.0, 10.0)
    True
    """
    tip = f"{plural(count, 'value')} above {_tick_label(end)}, beyond the axis"
    return (
        f'<polygon points="{x - 7:.1f},{middle - 5:.1f} {x:.1f},{middle:.1f} {x - 7:.1f},{middle + 5:.1f}" '
        f'fill="#222"><title>{escape(tip)}</title></polygon>'
    )


def _histogram(
    histogram: np.ndarray, left: float, top: float, plot_width: float, height: float, colour: str
) -> str:
    fullest = max(int(histogram.max()), 1)
    width = plot_width / len(histogram)
    parts = [f'<g fill="{colour}" fill-opacity="0.22">']
    for index, count in enumerate(histogram):
        if count:
            bar = height * count / fullest
            parts.append(
                f'<rect x="{left + index * width:.1f}" y="{top + height - bar:.1f}" '
                f'width="{width - 0.5:.1f}" height="{bar:.1f}"/>'
            )
    parts.append("</g>")
    return "".join(parts)


def _box(
    stats: Distribution, left: float, middle: float, plot_width: float, category: str, end: float
) -> str:
    def x(value: float) -> float:
        return left + plot_width * min(value, end) / end

    q1, median, q3 = stats.quartiles
    low, high = stats.whiskers
    tip = (
        f"{category}: n={stats.count}, mean {number(stats.mean)}, median {number(median)}, "
        f"quartiles {number(q1)}\u2013{number(q3)}, whiskers {number(low)}\u2013{number(high)}"
    )
    half = 6
    diamond = (
        f"{x(stats.mean):.1f},{middle - 4:.1f} {x(stats.mean) + 4:.1f},{middle:.1f} "
        f"{x(stats.mean):.1f},{middle + 4:.1f} {x(stats.mean) - 4:.1f},{middle:.1f}"
    )
    return (
        f'<g stroke="#222" fill="none"><title>{escape(tip)}</title>'
        f'<line x1="{x(low):.1f}" y1="{middle:.1f}" x2="{x(q1):.1f}" y2="{middle:.1f}"/>'
        f'<line x1="{x(q3):.1f}" y1="{middle:.1f}" x2="{x(high):.1f}" y2="{middle:.1f}"/>'
        f'<line x1="{x(low):.1f}" y1="{middle - 4:.1f}" x2="{x(low):.1f}" y2="{middle + 4:.1f}"/>'
        f'<line x1="{x(high):.1f}" y1="{middle - 4:.1f}" x2="{x(high):.1f}" y2="{middle + 4:.1f}"/>'
        f'<rect x="{x(q1):.1f}" y="{middle - half:.1f}" width="{max(x(q3) - x(q1), 1):.1f}" '
        f'height="{2 * half}" fill="#fff" fill-opacity="0.7"/>'
        f'<line x1="{x(median):.1f}" y1="{middle - half:.1f}" x2="{x(median):.1f}" '
        f'y2="{middle + half:.1f}" stroke-width="2"/>'
        f'<polygon points="{diamond}" fill="#D55E00" stroke="none"/></g>'
    )


def heatmap(
    matrix: np.ndarray,
    row_names: Sequence[str],
    column_names: Sequence[str],
    *,
    title: str,
    row_title: str = "ground truth",
    column_title: str = "prediction",
) -> str:
    """A count matrix as a heat map, each row coloured by its share of the row's total.

    Row shares are what a reader compares (of the pixels of class r, which share
    went to each column); the tooltip of a cell gives the count and the share.
    Cells are labelled with the share in percent when they are large enough.
    Empty cells are not drawn (white), which keeps big matrices small.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (len(row_names), len(column_names)):
        raise ValueError(
            f"matrix of shape {matrix.shape} does not match {len(row_names)} row names "
            f"and {len(column_names)} column names"
        )
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    cell = float(min(40, max(6, 640 / max(1, max(matrix.shape)))))
    left = _label_width(row_names) + 18
    top = _label_width(column_names) + 18
    # the column names, rotated, reach to the right of the last column
    width, height = left + cell * matrix.shape[1] + 0.5 * (top - 18) + 12, top + cell * matrix.shape[0] + 12
    parts = [
        f'<rect x="{left}" y="{top}" width="{cell * matrix.shape[1]:.1f}" '
        f'height="{cell * matrix.shape[0]:.1f}" fill="#fff" stroke="{GRID_COLOUR}"/>'
    ]
    label_size = int(min(FONT_SIZE, max(7, cell * 0.6)))
    for row, name in enumerate(row_names):
        parts.append(_category(left - 6, top + (row + 0.5) * cell, name, size=label_size))
    for column, name in enumerate(column_names):
        x, y = left + (column + 0.5) * cell, top - 6
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{label_size}" text-anchor="start" '
            f'dominant-baseline="central" transform="rotate(-60 {x:.1f} {y:.1f})">'
            f"{escape(_short(name))}</text>"
        )
    for row, column in zip(*np.nonzero(matrix), strict=True):
        share = shares[row, column]
        x, y = left + column * cell, top + row * cell
        tip = (
            f"{row_title} {row_names[row]} \u2192 {column_title} {column_names[column]}: "
            f"{int(matrix[row, column]):,} ({100 * share:.2f}% of the row)"
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
            f'fill="{_sequential(share)}"><title>{escape(tip)}</title></rect>'
        )
        if cell >= 24:
            percent = f"{100 * share:.0f}" if share >= 0.005 else "<1"
            parts.append(
                _text(
                    x + cell / 2,
                    y + cell / 2,
                    percent,
                    anchor="middle",
                    size=10,
                    colour="#fff" if share > 0.5 else "#000",
                )
            )
    footer = f"columns: {column_title}; rows: {row_title}; cell = % of the row"
    parts.append(_text(4, height - 4, footer, size=10, colour=AXIS_COLOUR))
    return _svg(max(width, len(footer) * 6 + 8), height + 8, parts, title)


def _sequential(share: float) -> str:
    """White (0) to dark blue (1), with a visible tint for any share above 0."""
    t = 0.08 + 0.92 * math.sqrt(max(0.0, min(1.0, share)))
    start, stop = (247, 251, 255), (8, 48, 107)
    red, green, blue = (round(a + (b - a) * t) for a, b in zip(start, stop, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"
