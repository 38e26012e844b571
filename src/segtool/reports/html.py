"""Self-contained HTML reports: one file to open, share and archive.

Everything is inside the file: charts are inline SVG (:mod:`segtool.reports.svg`),
pictures are ``data:`` URIs, the style sheet is inline. There is no JavaScript
and nothing is fetched from the network; links to the scored files are the only
references outside the file, and they are relative unless the caller passes
absolute ones. The builders take plain data (numbers, names, encoded pictures)
and return the HTML text; writing it is the caller's job
(:func:`segtool.io.atomic.write_bytes_atomic`).

The size of a report depends on the number of classes and on the pictures
passed in, not on the number of images scored: per-image scores are drawn as
binned distributions, and only the worst images the caller picked are embedded
(pass thumbnails, see :func:`segtool.viz.image.thumbnail`).

Metrics that exist per image only (boundary metrics: HD95, ASSD, NSD...; see
:class:`PerImageMetric`) have no dataset aggregation: the score report shows
them as extra columns of the per-class table (mean, standard deviation and
number of images), as distributions (scores on 0..1, distances on an axis from
the data, see :mod:`segtool.reports.svg`), and beside the worst images; column
headers, charts and the summary say which way is better and give the unit of
distances (the captions of the worst images are kept short). The worst images stay
ranked by one metric (``ranked_by``), and the page says so.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np

from ..io.imagesize import image_size
from ..metrics.registry import metric_title
from ..words import plural
from .svg import MISSING, Series, bar_chart, distribution_chart, heatmap, number, number_column

DATASET_COLOUR = "#0072B2"
PER_IMAGE_COLOUR = "#E69F00"


@dataclass(frozen=True)
class ClassScores:
    """The scores of one class in both aggregations, keyed by metric name (``"dice"``, ``"iou"``...).

    ``dataset`` comes from the summed confusion matrix; ``per_image_mean`` and
    ``per_image_std`` from the per-image scores, over ``per_image_count``
    images where the metric is defined. NaN means undefined. ``in_mean`` is
    False for classes left out of the macro mean (the background, by default).
    """

    class_id: int
    name: str
    dataset: Mapping[str, float]
    per_image_mean: Mapping[str, float]
    per_image_std: Mapping[str, float]
    per_image_count: Mapping[str, int]
    in_mean: bool = True


@dataclass(frozen=True)
class PerImageMetric:
    """A metric that exists per image only (a boundary metric): which way is better, its unit and axis.

    Its values are read from :class:`ClassScores` ``per_image_mean``,
    ``per_image_std`` and ``per_image_count`` (``dataset`` has none).
    ``higher_is_better`` is None when unknown; ``unit`` names the unit of a
    distance ("pixels"; "" for scores); ``maximum`` ends its distribution axis
    (1 for scores in [0, 1]; None: from the values, see
    :func:`segtool.reports.svg.distribution_chart`).
    """

    name: str
    higher_is_better: bool | None = None
    unit: str = ""
    maximum: float | None = None

    @property
    def direction(self) -> str:
        """ "higher is better", "lower is better", or "" when unknown."""
        return (
            ""
            if self.higher_is_better is None
            else f"{'higher' if self.higher_is_better else 'lower'} is better"
        )

    @property
    def qualifier(self) -> str:
        """Which way is better and the unit, e.g. "lower is better, pixels" (may be "")."""
        return ", ".join(part for part in (self.direction, self.unit) if part)


@dataclass(frozen=True)
class Picture:
    """An encoded picture (PNG or JPEG bytes) and what it shows.

    ``close_up``: an enlarged part of another picture, drawn with its pixels kept square.
    """

    caption: str
    data: bytes
    close_up: bool = False


@dataclass(frozen=True)
class Legend:
    """Colour swatches with names (no swatch where the colour is None), and notes under them."""

    title: str
    entries: Sequence[tuple[str, tuple[int, int, int] | None]]
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class ImageEntry:
    """One image shown in the report: its name, a link to its file, its scores and pictures."""

    name: str
    scores: Mapping[str, float]
    pictures: Sequence[Picture] = ()
    href: str | None = None


@dataclass(frozen=True)
class ImageGroup:
    """A titled list of images, e.g. the worst images overall, or for one class."""

    title: str
    images: Sequence[ImageEntry]


@dataclass(frozen=True)
class Confusion:
    """A pixel count matrix: rows are ground-truth classes, columns predicted ones."""

    matrix: np.ndarray
    row_names: Sequence[str]
    column_names: Sequence[str]


@dataclass(frozen=True)
class Section:
    """One part of a report: an anchor, a heading, and its HTML body."""

    anchor: str
    heading: str
    body: str
    notes: Sequence[str] = field(default_factory=tuple)


# -- building blocks ----------------------------------------------------------------------
_MIME_BY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)


def data_uri(data: bytes) -> str:
    """``data:`` URI of PNG, JPEG or GIF bytes (the type is read from the bytes)."""
    mime = next((mime for magic, mime in _MIME_BY_MAGIC if data.startswith(magic)), None)
    if mime is None:
        raise ValueError("pictures must be PNG, JPEG or GIF bytes")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


#: CSS pixels a picture's longer side is shown at least: a smaller one (a 1 x 1 or 1 x 8 mask's
#: thumbnails) is shown enlarged by a whole factor, each pixel a square.
MIN_SHOWN_SIDE = 64


def _picture(picture: Picture) -> str:
    height, width = image_size(picture.data)
    kind = "pic close-up" if picture.close_up else "pic"
    factor = -(-MIN_SHOWN_SIDE // max(height, width))
    enlarged = ' class="enlarged"' if factor > 1 else ""
    factor = max(1, factor)
    return (
        f'<figure class="{kind}"><img src="{data_uri(picture.data)}" width="{width * factor}" '
        f'height="{height * factor}"{enlarged} alt="{escape(picture.caption)}">'
        f"<figcaption>{escape(picture.caption)}</figcaption></figure>"
    )


def legend_html(legend: Legend) -> str:
    """A legend box: one line per entry, a swatch before its name; then the notes."""
    lines = "".join(
        "<li>"
        + (
            f'<span class="swatch" style="background:rgb{tuple(colour)}"></span>'
            if colour is not None
            else ""
        )
        + f"{escape(name)}</li>"
        for name, colour in legend.entries
    )
    notes = "".join(f"<p>{escape(note)}</p>" for note in legend.notes)
    return f'<aside class="legend"><h4>{escape(legend.title)}</h4><ul>{lines}</ul>{notes}</aside>'


def _definition_list(items: Mapping[str, object]) -> str:
    """Names and values; a value that is itself a mapping becomes a nested list."""
    rows = "".join(
        f"<dt>{escape(str(key).replace('_', ' '))}</dt><dd>"
        + (_definition_list(value) if isinstance(value, Mapping) else escape(_display(value)))
        + "</dd>"
        for key, value in items.items()
    )
    return f'<dl class="kv">{rows}</dl>'


def _display(value: object) -> str:
    if isinstance(value, float):
        return number(value, 4)
    if isinstance(value, (list, tuple)):
        return ", ".join(_display(item) for item in value) or "none"
    return MISSING if value is None else str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, row_classes: Sequence[str] = ()) -> str:
    """An HTML table of escaped headers (a newline breaks a header's line) and cells that are HTML already."""
    head = "".join(
        f"<th>{'<br>'.join(escape(line) for line in header.splitlines())}</th>" for header in headers
    )
    body = []
    for index, row in enumerate(rows):
        css = row_classes[index] if index < len(row_classes) and row_classes[index] else ""
        cells = "".join(f"<td>{cell}</td>" for cell in row)
        body.append(f'<tr class="{css}">{cells}</tr>' if css else f"<tr>{cells}</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def page(title: str, sections: Sequence[Section], *, subtitle: str = "") -> str:
    """The whole HTML document: style, a table of contents, then the sections."""
    toc = "".join(
        f'<li><a href="#{section.anchor}">{escape(section.heading)}</a></li>' for section in sections
    )
    parts = []
    for section in sections:
        notes = "".join(f'<p class="note">{escape(note)}</p>' for note in section.notes)
        parts.append(
            f'<section id="{section.anchor}"><h2>{escape(section.heading)}</h2>{notes}'
            f"{section.body}</section>"
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>'
        f'<p class="sub">made by segtool {escape(_version())}</p>'
        f"<nav><ol>{toc}</ol></nav></header><main>{''.join(parts)}</main></body></html>\n"
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("segtool")
    except PackageNotFoundError:
        return "(development)"


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:16px 24px}
h1{margin:0 0 4px;font-size:22px}h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:18px 0 8px}
.sub{margin:2px 0;color:#555;font-size:13px}
nav ol{margin:8px 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px}
main{max-width:1180px;padding:8px 24px 40px}
section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:14px 18px;margin:16px 0}
.note{color:#444;font-size:13px;margin:4px 0 8px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;font-size:13px;margin:0}
dl.kv dt{color:#555}dl.kv dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
ul.rules{font-size:13px;padding-left:20px;margin:6px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #e5e5e5;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f3f3f3;position:sticky;top:0}
td:first-child,th:first-child{text-align:left}
tr.aside td{color:#777;font-style:italic}
svg.chart{max-width:100%;height:auto;display:block;margin:6px 0 14px}
.gallery{display:flex;flex-wrap:wrap;gap:12px}
.entry{border:1px solid #e2e2e2;border-radius:4px;padding:6px;background:#fff;max-width:100%}
.pics{display:flex;gap:6px;flex-wrap:wrap}
figure.pic{margin:0;min-width:90px}
figure.pic img{display:block;max-width:100%;height:auto;image-rendering:auto}
figure.pic figcaption{font-size:11px;color:#666;width:0;min-width:100%}
figure.pic img.enlarged{image-rendering:pixelated}
figure.close-up img{image-rendering:pixelated;outline:1px solid #999}.pair{display:flex;gap:6px}
.with-legend{display:flex;gap:12px;align-items:flex-start}
.with-legend>.entry,.with-legend>.scroll{flex:0 1 auto;min-width:0}
.pics,aside.legend{white-space:normal;text-align:left}
aside.legend{flex:0 0 170px;font-size:12px;border:1px solid #e2e2e2;border-radius:4px;padding:6px 8px}
aside.legend h4{margin:0 0 4px;font-size:12px}aside.legend ul{list-style:none;margin:0;padding:0}
aside.legend li{margin:3px 0}aside.legend p{margin:6px 0 0;color:#444}
.entry .name{font-size:12px;font-family:ui-monospace,monospace;word-break:break-all;margin-top:4px}
.entry .scores{font-size:12px;color:#333}
.swatch{display:inline-block;width:14px;height:14px;border:1px solid #555;vertical-align:middle;
margin-right:5px}
"""


# -- score report -------------------------------------------------------------------------
def score_report(
    *,
    settings: Mapping[str, object],
    classes: Sequence[ClassScores],
    metrics: Sequence[str] = ("dice", "iou"),
    per_image: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    confusion: Confusion | None = None,
    worst: Sequence[ImageGroup] = (),
    summary: Mapping[str, object] | None = None,
    rules: Sequence[str] = (),
    title: str = "Segmentation scores",
    image_metrics: Sequence[PerImageMetric] = (),
    ranked_by: str = "dice",
    legend: Legend | None = None,
) -> str:
    """The HTML report of a scoring run.

    Parameters
    ----------
    settings
        The run's options, shown as they are (folders, ignore values, label map...).
    classes
        One :class:`ClassScores` per class, in display order.
    metrics
        The metric names charted and tabled in both aggregations, keys of the :class:`ClassScores` mappings.
    per_image
        ``per_image[metric][class name]``: that class's score on every image (NaN where undefined),
        drawn as distributions (for ``metrics`` and ``image_metrics``).
    confusion
        The summed pixel confusion matrix, drawn as a heat map.
    worst
        Groups of images to show with their pictures (e.g. worst overall, worst per class).
    summary
        Headline numbers (e.g. ``{"mean Dice, dataset": 0.81}``), shown first.
    rules
        The conventions behind the numbers, shown with the settings.
    image_metrics
        Metrics that exist per image only (boundary metrics), tabled after ``metrics`` (mean, std and
        number of images, which way is better, unit) and drawn as distributions; no bar chart.
    ranked_by
        The metric the ``worst`` images were ranked by; named on the page when ``image_metrics`` are
        shown, which do not rank them.
    legend
        The colours of the pictures, shown beside the first image of ``worst``.
    """
    sections = []
    if summary:
        sections.append(Section("summary", "Summary", _definition_list(summary)))
    sections.append(
        Section(
            "settings",
            "Settings and rules",
            _definition_list(settings)
            + '<ul class="rules">'
            + "".join(f"<li>{escape(rule)}</li>" for rule in rules)
            + "</ul>",
        )
    )
    image_only = (
        (
            f"{_titles(image_metrics)} exist per image only: the table gives their mean \u00b1 "
            f"standard deviation over the images where they are defined, and that number of images; "
            f"they have no dataset aggregation and no bar chart. Which way is better is written in "
            f"each column's header.",
        )
        if image_metrics
        else ()
    )
    sections.append(
        Section(
            "per-class",
            "Per-class scores",
            _class_charts(classes, metrics) + _class_table(classes, metrics, image_metrics),
            notes=(
                "Blue: dataset aggregation (summed confusion matrix). Orange: mean over "
                "images where the score is defined, the line spans \u00b1 one standard "
                "deviation. Classes in italics are left out of the macro mean.",
                *image_only,
            ),
        )
    )
    if per_image:
        sections.append(
            Section(
                "distributions",
                "Distribution of per-image scores",
                _distributions(classes, metrics, per_image)
                + _image_metric_distributions(classes, image_metrics, per_image),
                notes=(
                    "Per class: histogram of the per-image scores (shaded), box from the "
                    "first to the third quartile with the median, whiskers to the most "
                    "extreme scores within 1.5 IQR, diamond = mean. Undefined scores are "
                    "not drawn; their count is given on the right.",
                    *_axis_notes(image_metrics, per_image),
                ),
            )
        )
    if confusion is not None:
        sections.append(
            Section(
                "confusion",
                "Confusion matrix",
                heatmap(
                    confusion.matrix,
                    confusion.row_names,
                    confusion.column_names,
                    title="Pixel confusion matrix",
                ),
                notes=(
                    "Pixels summed over all images, ignore pixels excluded. Each row (ground-truth class) is "
                    "coloured by the share of its pixels predicted as each column; hover for counts.",
                ),
            )
        )
    if worst:
        ranking = (
            (
                f"Ranked by {metric_title(ranked_by)} only; {_titles(image_metrics)} are shown beside "
                f"each image of a class but do not rank them.",
            )
            if image_metrics
            else ()
        )
        sections.append(
            Section(
                "worst",
                "Worst images",
                "".join(
                    _image_group(group, legend=legend if index == 0 else None)
                    for index, group in enumerate(worst)
                ),
                notes=("The lowest-scoring images; names link to the files.", *ranking),
            )
        )
    return page(title, sections, subtitle=plural(len(classes), "class", "classes"))


def _titles(image_metrics: Sequence[PerImageMetric]) -> str:
    """``"HD95 and NSD"``, ``"HD95, ASSD and NSD"``."""
    titles = [metric_title(metric.name) for metric in image_metrics]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _class_charts(classes: Sequence[ClassScores], metrics: Sequence[str]) -> str:
    names = [item.name for item in classes]
    charts = []
    for metric in metrics:
        series = [
            Series("dataset", [item.dataset.get(metric, math.nan) for item in classes], DATASET_COLOUR),
            Series(
                "per image: mean \u00b1 std",
                [item.per_image_mean.get(metric, math.nan) for item in classes],
                PER_IMAGE_COLOUR,
                errors=[item.per_image_std.get(metric, math.nan) for item in classes],
            ),
        ]
        charts.append(
            f"<h3>{escape(metric_title(metric))}</h3>"
            + bar_chart(names, series, title=f"{metric_title(metric)} per class", maximum=1.0)
        )
    return "".join(charts)


def _class_table(
    classes: Sequence[ClassScores], metrics: Sequence[str], image_metrics: Sequence[PerImageMetric] = ()
) -> str:
    headers = ["class", "id"]
    for metric in metrics:
        title = metric_title(metric)
        headers += [f"{title} dataset", f"{title} per image", "\u00b1 std", "images"]
    for image_metric in image_metrics:
        qualifier = image_metric.qualifier
        headers += [
            f"{metric_title(image_metric.name)} per image" + (f"\n{qualifier}" if qualifier else ""),
            "\u00b1 std",
            "images",
        ]
    columns: list[list[str]] = []
    for metric in metrics:
        columns += [
            number_cells([item.dataset.get(metric, math.nan) for item in classes]),
            *_per_image_columns(classes, metric),
        ]
    for image_metric in image_metrics:
        columns += _per_image_columns(classes, image_metric.name)
    rows = [
        [escape(item.name), str(item.class_id), *(column[index] for column in columns)]
        for index, item in enumerate(classes)
    ]
    row_classes = ["" if item.in_mean else "aside" for item in classes]
    return _table(headers, rows, row_classes=row_classes)


def number_cells(values: Sequence[float], digits: int = 3) -> list[str]:
    """A column's cells, every one in the column's one format (:func:`~.svg.number_column`)."""
    shown = number_column(values, digits)
    return [shown(value, missing=MISSING) for value in values]


def _per_image_columns(classes: Sequence[ClassScores], metric: str) -> list[list[str]]:
    """Three columns: the mean, standard deviation (a dash over fewer than two images) and number of
    images of each class's per-image scores."""
    counts = [item.per_image_count.get(metric) for item in classes]
    # a spread of fewer than two values says nothing: a dash, as in the terminal's table
    stds = [
        item.per_image_std.get(metric, math.nan) if (count or 0) >= 2 else math.nan
        for item, count in zip(classes, counts, strict=True)
    ]
    return [
        number_cells([item.per_image_mean.get(metric, math.nan) for item in classes]),
        number_cells(stds),
        [MISSING if count is None else str(count) for count in counts],
    ]


def _distributions(
    classes: Sequence[ClassScores],
    metrics: Sequence[str],
    per_image: Mapping[str, Mapping[str, Sequence[float]]],
) -> str:
    parts = []
    for metric in metrics:
        by_class = per_image.get(metric)
        if not by_class:
            continue
        names = [item.name for item in classes if item.name in by_class]
        parts.append(
            f"<h3>{escape(metric_title(metric))}</h3>"
            + distribution_chart(
                names, [by_class[name] for name in names], title=f"Per-image {metric_title(metric)} per class"
            )
        )
    return "".join(parts)


def _image_metric_distributions(
    classes: Sequence[ClassScores],
    image_metrics: Sequence[PerImageMetric],
    per_image: Mapping[str, Mapping[str, Sequence[float]]],
) -> str:
    """Per-image-only metrics: scores on their fixed axis, distances on an axis from the data, labelled."""
    parts = []
    for metric in image_metrics:
        by_class = per_image.get(metric.name)
        if not by_class:
            continue
        title = metric_title(metric.name)
        heading = f"{title} ({metric.qualifier})" if metric.qualifier else title
        names = [item.name for item in classes if item.name in by_class]
        parts.append(
            f"<h3>{escape(heading)}</h3>"
            + distribution_chart(
                names,
                [by_class[name] for name in names],
                title=f"Per-image {title} per class",
                maximum=metric.maximum,
                axis_label=_axis_label(metric),
            )
        )
    return "".join(parts)


def _axis_label(metric: PerImageMetric) -> str:
    """Under the axis: the unit and an arrow towards the better end."""
    unit = f"{metric_title(metric.name)} in {metric.unit}" if metric.unit else metric_title(metric.name)
    if metric.higher_is_better is None:
        return unit
    return f"{unit}; {metric.direction} " + ("\u2192" if metric.higher_is_better else "\u2190")


def _axis_notes(
    image_metrics: Sequence[PerImageMetric], per_image: Mapping[str, Mapping[str, Sequence[float]]]
) -> tuple[str, ...]:
    charted = [metric for metric in image_metrics if per_image.get(metric.name)]
    from_data = [metric for metric in charted if metric.maximum is None]
    if not from_data:
        return ()
    return (
        f"{_titles(from_data)}: the axis runs from 0 to the largest upper whisker or mean of the rows, "
        f"rounded up, so that every box, whisker and mean is drawn where it is. Larger values (outliers, "
        f"such as a missed structure scored the image diagonal) are not dropped: each row counts them on "
        f"the right (\u201ck > end\u201d) and marks them with a triangle at the axis end. Hover for exact "
        f"numbers.",
    )


def _image_group(group: ImageGroup, *, legend: Legend | None = None) -> str:
    """A group's heading and its entries; ``legend`` beside the first entry."""
    entries = [_image_entry(entry) for entry in group.images]
    if legend is not None and entries:
        entries[0] = f'<div class="with-legend">{entries[0]}{legend_html(legend)}</div>'
    return f'<h3>{escape(group.title)}</h3><div class="gallery">{"".join(entries)}</div>'


def _image_entry(entry: ImageEntry) -> str:
    name = escape(entry.name)
    link = f'<a href="{escape(entry.href)}">{name}</a>' if entry.href else name
    scores = " \u00b7 ".join(
        f"{escape(metric_title(key))} {number(value)}" for key, value in entry.scores.items()
    )
    pictures = "".join(_pictures_with_close_ups(entry.pictures))
    return (
        f'<div class="entry"><div class="pics">{pictures}</div><div class="name">{link}</div>'
        f'<div class="scores">{scores}</div></div>'
    )


def _pictures_with_close_ups(pictures: Sequence[Picture]) -> list[str]:
    """The pictures' HTML; a picture followed by its close-up is kept with it on one line."""
    parts: list[str] = []
    for index, picture in enumerate(pictures):
        if picture.close_up and index > 0 and not pictures[index - 1].close_up:
            parts[-1] = f'<div class="pair">{parts[-1]}{_picture(picture)}</div>'
        else:
            parts.append(_picture(picture))
    return parts


# -- stats report -------------------------------------------------------------------------
STATS_WEIGHTS = (
    ("weight_inverse_frequency", "Inverse frequency"),
    ("weight_median_frequency", "Median-frequency balancing"),
    ("weight_generalised_dice", "Generalised Dice (1/n\u00b2, normalised)"),
)


def stats_report(
    *,
    rows: Sequence[Mapping[str, Any]],
    settings: Mapping[str, object],
    summary: Mapping[str, object] | None = None,
    notes: Sequence[str] = (),
    title: str = "Class balance",
) -> str:
    """The HTML report of ``segtool stats``.

    ``rows`` are the stats rows (keys ``class_id``, ``class_name``, ``pixels``,
    ``share``, ``images`` and the ``weight_*`` columns of :data:`STATS_WEIGHTS`);
    ``notes`` explain the weights.
    """
    names = [str(row["class_name"]) for row in rows]
    shares = Series("share of valid pixels", [float(row["share"]) for row in rows], DATASET_COLOUR)
    balance = bar_chart(names, [shares], title="Share of valid pixels per class", digits=4)
    present = [row for row in rows if int(row["pixels"]) > 0]
    weights = "".join(
        f"<h3>{escape(heading)}</h3>"
        + bar_chart(
            [str(row["class_name"]) for row in present],
            [Series(heading, [float(row[key]) for row in present], PER_IMAGE_COLOUR)],
            title=heading,
            digits=4,
        )
        for key, heading in STATS_WEIGHTS
    )
    headers = ["class", "id", "pixels", "share", "images", *(heading for _, heading in STATS_WEIGHTS)]
    share_cells = number_cells([float(row["share"]) for row in rows], 4)
    weight_columns = [number_cells([float(row[key]) for row in rows], 4) for key, _ in STATS_WEIGHTS]
    table = _table(
        headers,
        [
            [
                escape(str(row["class_name"])),
                str(row["class_id"]),
                f"{int(row['pixels']):,}",
                share_cells[index],
                str(row["images"]),
                *(column[index] for column in weight_columns),
            ]
            for index, row in enumerate(rows)
        ],
    )
    sections = []
    if summary:
        sections.append(Section("summary", "Summary", _definition_list(summary)))
    sections += [
        Section("settings", "Settings", _definition_list(settings)),
        Section("balance", "Class balance", balance + table),
        Section(
            "weights",
            "Suggested loss weights",
            weights,
            notes=(*notes, "Only the classes with pixels are charted."),
        ),
    ]
    return page(title, sections, subtitle=plural(len(rows), "class", "classes"))
