"""``segtool compare --report``: one self-contained HTML page of a comparison.

For the table's metric and each compared model (B) against the baseline (A):

* a **forest plot** per aggregation: each class's difference B − A (dot) with its
  Holm-adjusted interval (line), the mean row last, a vertical line at 0;
* a **scatter** of the per-image macro means, A across and B up, with the
  diagonal (points above it: B better, for a metric where higher is better);
* the **images where B loses most** to A (per-image macro mean), with both
  models' error maps side by side (:mod:`segtool.viz.errormap`, in ``error_style``,
  errors thickened for display), each followed by a close-up of the same place:
  B's largest error region (see :mod:`segtool.reports.pictures`). With the run's
  photos (``compare --images``) every map is drawn over its image's photo, correct
  pixels the photo in gray; an image without a usable photo
  (:func:`segtool.pipelines.photos.load_photo`) is drawn without it and named once
  in :attr:`CompareReport.warnings`. The colour
  legend stands beside the table, level with its first row. Thumbnails are at most
  :data:`THUMBNAIL_SIDE` pixels, so that a row of two maps and two close-ups and the legend
  fit a page 1180 pixels wide.

No network and no external file: pictures are data URIs, charts inline SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np

from ..io.maskpair import read_mask_pair
from ..metrics.registry import metric_info
from ..pipelines.compare import CompareResult, image_macro_means
from ..pipelines.pairing import MaskPair
from ..pipelines.photos import load_photo
from ..viz.errormap import ErrorStyle, error_categories
from ..viz.regions import largest_error_region
from ..words import plural
from .html import Legend, Picture, Section, _pictures_with_close_ups, _table, legend_html, number_cells, page
from .pictures import THICKER_NOTE, close_up_picture, error_thumbnail, report_error_legend
from .svg import _svg, _text, number

__all__ = ["CompareReport", "compare_report"]

WIDTH, ROW, LEFT, RIGHT = 640, 22, 150, 20
DOT, LINE, ZERO = "#0072b2", "#56b4e9", "#999"
THUMBNAIL_SIDE = 180


CLOSE_UP_NOTE = (
    "After each error map: a close-up of B's largest error region (8-connected, any mistake), "
    "the same place in both models, each pixel a square, not thickened."
)


@dataclass
class CompareReport:
    """The report's HTML text, and one message per image drawn without its photo."""

    html: str
    warnings: list[str] = field(default_factory=list)


def compare_report(
    result: CompareResult, *, metric: str, worst: int = 6, error_style: ErrorStyle = "errors"
) -> CompareReport:
    """The HTML page for ``result``; ``metric`` is plotted, ``worst`` images shown per model.

    ``error_style``: how the error maps are drawn, ``"errors"`` or ``"all"``
    (see :mod:`segtool.viz.errormap`).
    """
    info = metric_info(metric)
    warnings: list[str] = []
    sections = []
    for index, model in enumerate(result.models[1:], start=1):
        body = []
        for aggregation in ("dataset", "image"):
            rows = [
                row
                for row in result.rows
                if row["model"] == model and row["metric"] == metric and row["aggregation"] == aggregation
            ]
            if rows:
                body.append(f"<h3>{escape(aggregation)} aggregation: B − A</h3>{_forest(rows, info.title)}")
        body.append(f"<h3>per image: {escape(info.title)} macro mean</h3>{_scatter(result, index, metric)}")
        body.append(_worst_images(result, index, metric, worst, error_style, warnings))
        sections.append(
            Section(
                f"model-{index}",
                f"{model} (B) against {result.baseline} (A)",
                "".join(body),
                notes=(f"{info.title}: {info.direction}. Lines: Holm-adjusted intervals; dots: B − A.",),
            )
        )
    sections.append(Section("rules", "Rules", "", notes=tuple(result.rules())))
    html = page(
        f"segtool compare: {', '.join(result.models[1:])} against {result.baseline}",
        sections,
        subtitle=f"{plural(len(result.images), 'image')} compared",
    )
    return CompareReport(html, list(dict.fromkeys(warnings)))  # an image shown for two models warns once


def _forest(rows: list[dict[str, Any]], title: str) -> str:
    values = [
        value
        for row in rows
        for value in (row["difference"], row["adjusted_ci_low"], row["adjusted_ci_high"])
        if _finite(value)
    ]
    reach = max((abs(value) for value in values), default=0.0) or 1.0
    plot = WIDTH - LEFT - RIGHT
    height = ROW * (len(rows) + 2)

    def x(value: float) -> float:
        return LEFT + plot * (value + reach) / (2 * reach)

    body = [
        f'<line x1="{x(0):.1f}" y1="{ROW / 2:.1f}" x2="{x(0):.1f}" y2="{height - ROW:.1f}" stroke="{ZERO}"/>',
        _text(x(-reach), height - ROW / 2, number(-reach), anchor="start"),
        _text(x(0), height - ROW / 2, "0", anchor="middle"),
        _text(x(reach), height - ROW / 2, number(reach), anchor="end"),
    ]
    for position, row in enumerate(rows):
        y = ROW * (position + 1)
        body.append(_text(LEFT - 8, y, str(row["class_name"]), anchor="end"))
        low, high, difference = row["adjusted_ci_low"], row["adjusted_ci_high"], row["difference"]
        if _finite(low) and _finite(high):
            body.append(
                f'<line x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}" '
                f'stroke="{LINE}" stroke-width="3"/>'
            )
        if _finite(difference):
            tip = f"{row['class_name']}: {number(difference, 4)} [{number(low, 4)}, {number(high, 4)}]"
            body.append(
                f'<circle cx="{x(difference):.1f}" cy="{y:.1f}" r="4" fill="{DOT}">'
                f"<title>{escape(tip)} {escape(row['verdict'])}</title></circle>"
            )
    return _svg(WIDTH, height, body, f"{title}: B − A per class with intervals")


def _scatter(result: CompareResult, index: int, metric: str) -> str:
    in_mean = np.array([class_id != 0 for class_id in result.class_ids], bool)
    if result.scores[0].settings.include_background:
        in_mean[:] = True
    a = image_macro_means(result.cells[0].values[metric], in_mean)
    b = image_macro_means(result.cells[index].values[metric], in_mean)
    shown = ~np.isnan(a) & ~np.isnan(b)
    both = np.r_[a[shown], b[shown]]
    low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    pad = (high - low) * 0.05 or 0.01  # the axes span the data (both alike), a little beyond
    low, high = low - pad, high + pad
    side, margin = 320, 30

    def at(value: float) -> float:
        return margin + (side - 2 * margin) * (value - low) / (high - low)

    body = [
        f'<rect x="{margin}" y="{margin}" width="{side - 2 * margin}" height="{side - 2 * margin}" '
        'fill="none" stroke="#999"/>',
        f'<line x1="{at(low):.1f}" y1="{side - at(low):.1f}" x2="{at(high):.1f}" y2="{side - at(high):.1f}" '
        'stroke="#999" stroke-dasharray="4 3"/>',
        _text(side / 2, side - 8, f"A: {result.baseline} ({number(low)} to {number(high)})", anchor="middle"),
        _text(12, margin - 12, f"B: {result.models[index]}", anchor="start"),
    ]
    for name, x_value, y_value in zip(np.asarray(result.images)[shown], a[shown], b[shown], strict=True):
        body.append(
            f'<circle cx="{at(x_value):.1f}" cy="{side - at(y_value):.1f}" r="3" fill="{DOT}" '
            f'fill-opacity="0.6"><title>{escape(str(name))}: A {number(x_value, 4)}, '
            f"B {number(y_value, 4)}</title></circle>"
        )
    return _svg(side, side, body, "per-image macro means, A across, B up")


def _worst_images(
    result: CompareResult, index: int, metric: str, worst: int, style: ErrorStyle, warnings: list[str]
) -> str:
    info = metric_info(metric)
    in_mean = np.array(
        [class_id != 0 or result.scores[0].settings.include_background for class_id in result.class_ids]
    )
    a = image_macro_means(result.cells[0].values[metric], in_mean)
    b = image_macro_means(result.cells[index].values[metric], in_mean)
    loss = (a - b) if info.higher_is_better else (b - a)
    order = [position for position in np.argsort(-np.nan_to_num(loss, nan=-np.inf)) if loss[position] > 0]
    if not order:
        return (
            f"<h3>images where B loses most</h3><p>B loses on no image ({escape(info.title)} macro mean).</p>"
        )
    shown = order[:worst]
    a_cells, b_cells = (number_cells([values[position] for position in shown], 4) for values in (a, b))
    rows, over_photo = [], set()
    for row, position in enumerate(shown):
        name = result.images[position]
        drawn, with_photo = _error_pictures(result, (0, index), name, style, warnings)
        over_photo.add(with_photo)
        pictures = "".join(_pictures_with_close_ups(drawn))
        rows.append([escape(name), a_cells[row], b_cells[row], f'<div class="pics">{pictures}</div>'])
    legend = Legend(
        "Error map colours",
        report_error_legend(style=style, photo=over_photo.pop() if len(over_photo) == 1 else None).entries,
        (THICKER_NOTE, CLOSE_UP_NOTE),
    )
    table = _table(["image", "A", "B", "error maps: A, then B"], rows)
    return (
        f"<h3>images where B loses most ({escape(info.title)} macro mean)</h3>"
        f'<div class="with-legend">{table}{legend_html(legend)}</div>'
    )


def _error_pictures(
    result: CompareResult, models: tuple[int, int], name: str, style: ErrorStyle, warnings: list[str]
) -> tuple[list[Picture], bool]:
    """Each model's error map of image ``name`` (all classes), captioned with the model, each followed
    by a close-up of B's largest error region (A's when B has none); and whether they are drawn over
    the image's photo (why not into ``warnings``, when the run had photos)."""
    drawn = []
    photo_source = None
    for model in models:
        score = result.scores[model]
        pairing = score.pairing
        pair = next((pair for pair in pairing.pairs if pair.name == name), None) if pairing else None
        if pairing is None or not isinstance(pair, MaskPair) or pair.pred is None:
            continue
        truth, guess = read_mask_pair(pair.gt, pair.pred, label_map=pairing.label_map)
        photo_source = photo_source or pair.photo  # the same ground truth, so the same photo
        drawn.append(
            (result.models[model], error_categories(truth, guess, ignore=score.settings.ignore_values))
        )
    found = [
        (model_name, region)
        for model_name, categories in reversed(drawn)
        if (region := largest_error_region(categories)) is not None
    ]
    photo = None
    if photo_source is not None and drawn:
        photo, warning = load_photo(photo_source, drawn[0][1].shape)
        warnings += [warning] if warning else []
    pictures = []
    for model_name, categories in drawn:
        pictures.append(
            error_thumbnail(categories, model_name, image=photo, max_side=THUMBNAIL_SIDE, style=style)
        )
        if found:
            owner, region = found[0]
            close = close_up_picture(
                categories,
                region,
                image=photo,
                max_side=THUMBNAIL_SIDE,
                style=style,
                what=f"{model_name}: " + ("largest error" if model_name == owner else "the same place"),
                described=model_name == owner,
            )
            pictures += [close] if close is not None else []
    return pictures, photo is not None


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)
