"""HTML reports: parsed with html.parser.

Checked for their sections, embedded pictures, and no outside resources.
"""

import base64
import html
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from segtool.reports.html import (
    ClassScores,
    Confusion,
    ImageEntry,
    ImageGroup,
    PerImageMetric,
    Picture,
    data_uri,
    metric_title,
    score_report,
    stats_report,
)
from segtool.reports.svg import Distribution, distribution_chart, heatmap, nice_ticks, number
from segtool.viz.image import encode_image

NAN = math.nan


class Collector(HTMLParser):
    """Every start tag with its attributes, the ids, and the text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def of(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def ids(self):
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}


def parse(text):
    collector = Collector()
    collector.feed(text)
    collector.close()
    return collector


PNG = encode_image(np.full((8, 12, 3), (255, 0, 255), np.uint8))
JPEG = encode_image(np.full((6, 6, 3), 90, np.uint8), image_format="jpeg")


def classes():
    return [
        ClassScores(
            0,
            "_background_",
            {"dice": 0.98, "iou": 0.96},
            {"dice": 0.97, "iou": 0.95},
            {"dice": 0.01, "iou": 0.02},
            {"dice": 3, "iou": 3},
            in_mean=False,
        ),
        ClassScores(
            1,
            'car <fast> & "red"',
            {"dice": 0.5, "iou": 1 / 3},
            {"dice": 0.4, "iou": 0.3},
            {"dice": 0.2, "iou": 0.1},
            {"dice": 2, "iou": 2},
        ),
        ClassScores(
            2,
            "tree",
            {"dice": NAN, "iou": NAN},
            {"dice": NAN, "iou": NAN},
            {"dice": NAN, "iou": NAN},
            {"dice": 0, "iou": 0},
        ),
    ]


def report(per_image_values=(0.2, 0.6, NAN)):
    names = [item.name for item in classes()]
    per_image = {metric: {name: list(per_image_values) for name in names} for metric in ("dice", "iou")}
    worst = [
        ImageGroup(
            "Worst overall",
            [
                ImageEntry(
                    "city/a.png",
                    {"dice": 0.1},
                    [Picture("image", JPEG), Picture("errors", PNG)],
                    href="gt/city/a.png",
                ),
                ImageEntry("b.png", {"dice": NAN}, [Picture("errors", PNG)]),
            ],
        )
    ]
    confusion = Confusion(np.array([[90, 5, 0], [10, 40, 0], [0, 3, 0]]), names, names)
    return score_report(
        settings={"predictions": "pred/", "ignore": [255]},
        classes=classes(),
        per_image=per_image,
        confusion=confusion,
        worst=worst,
        summary={"mean Dice, dataset": 0.5},
    )


def test_score_report_has_every_section_and_a_table_of_contents():
    page = parse(report())
    assert {"summary", "settings", "per-class", "distributions", "confusion", "worst"} <= page.ids
    anchors = {attrs["href"] for attrs in page.of("a") if attrs["href"].startswith("#")}
    assert anchors == {"#summary", "#settings", "#per-class", "#distributions", "#confusion", "#worst"}
    # Dice and IoU: a bar chart and a distribution each, plus the heat map
    assert len(page.of("svg")) == 5


def test_pictures_are_embedded_as_data_uris_of_the_given_bytes():
    page = parse(report())
    sources = [attrs["src"] for attrs in page.of("img")]
    assert len(sources) == 3
    decoded = [base64.b64decode(source.split(",", 1)[1]) for source in sources]
    assert decoded == [JPEG, PNG, PNG]
    assert sources[0].startswith("data:image/jpeg;base64,") and sources[1].startswith(
        "data:image/png;base64,"
    )
    # the img carries the size it is shown at, so the page does not jump while loading:
    # 12 x 8 is under 64 pixels, so shown x6 (the whole factor that reaches 64), pixels square
    assert (page.of("img")[1]["width"], page.of("img")[1]["height"]) == ("72", "48")
    assert page.of("img")[1]["class"] == "enlarged"


def test_nothing_is_loaded_from_outside_the_file():
    text = report()
    page = parse(text)
    assert not page.of("script") and not page.of("link") and not page.of("iframe")
    for _, attrs in page.tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not re.match(r"^(https?:|//|ftp:)", value), (name, value)
    assert "http://" not in text and "https://" not in text and "url(" not in text


def test_file_links_and_undefined_scores():
    page = parse(report())
    links = [attrs["href"] for attrs in page.of("a") if not attrs["href"].startswith("#")]
    assert links == ["gt/city/a.png"]
    text = "".join(page.text)
    assert "b.png" in text and "Dice \u2013" in text  # the undefined score of b.png is a dash, not 0
    assert "\u2013 undefined" in text  # the bar of 'tree' (NaN) is not drawn as 0


def test_class_names_are_escaped_not_markup():
    text = report()
    assert "<fast>" not in text and "&lt;fast&gt;" in text
    assert not parse(text).of("fast")


def test_background_row_is_marked_as_left_out_of_the_mean():
    page = parse(report())
    assert [attrs.get("class") for attrs in page.of("tr")].count("aside") == 1


def test_size_does_not_grow_with_the_number_of_images():
    rng = np.random.default_rng(0)
    # 1,000 values already fill every histogram bin: beyond that only the counts' digits change
    small = report(per_image_values=rng.random(1_000))
    large = report(per_image_values=rng.random(100_000))
    assert abs(len(large) - len(small)) < 200  # histograms and boxes, not one mark per image
    assert len(large) < 60_000


def test_stats_report_charts_the_shares_and_the_weights_of_present_classes():
    rows = [
        {
            "class_id": 0,
            "class_name": "bg",
            "pixels": 90,
            "share": 0.9,
            "images": 2,
            "weight_inverse_frequency": 0.55,
            "weight_median_frequency": 0.2,
            "weight_generalised_dice": 0.01,
        },
        {
            "class_id": 1,
            "class_name": "car",
            "pixels": 10,
            "share": 0.1,
            "images": 1,
            "weight_inverse_frequency": 5.0,
            "weight_median_frequency": 1.8,
            "weight_generalised_dice": 0.99,
        },
        {
            "class_id": 2,
            "class_name": "absent",
            "pixels": 0,
            "share": 0.0,
            "images": 0,
            "weight_inverse_frequency": NAN,
            "weight_median_frequency": NAN,
            "weight_generalised_dice": NAN,
        },
    ]
    page = parse(stats_report(rows=rows, settings={"masks": "m/"}, notes=["how weights are made"]))
    assert {"settings", "balance", "weights"} <= page.ids
    svgs = page.of("svg")
    assert len(svgs) == 4  # share, and one per weight
    text = "".join(page.text)
    assert "how weights are made" in text and "absent" in text
    assert not page.of("img")


def test_data_uri_refuses_bytes_that_are_not_a_picture():
    with pytest.raises(ValueError):
        data_uri(b"<svg/>")


def test_distribution_summary_is_hand_checkable():
    stats = Distribution.of([0.0, 0.25, 0.5, 0.75, 1.0, NAN], bins=4)
    assert (stats.count, stats.missing, stats.mean) == (5, 1, 0.5)
    assert stats.quartiles == (0.25, 0.5, 0.75) and stats.whiskers == (0.0, 1.0)
    assert stats.histogram.tolist() == [1, 1, 1, 2]  # 1.0 falls in the last bin with 0.75
    # an outlier beyond 1.5 IQR is not a whisker end: quartiles 0.8/0.8/0.9, reach 0.15
    assert Distribution.of([0.8, 0.8, 0.8, 0.9, 0.9, 0.0]).whiskers == (0.8, 0.9)


def test_axis_ticks_and_number_display():
    assert nice_ticks(0.0) == (1.0, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert nice_ticks(87.3)[0] == 100.0
    assert number(NAN) == "\u2013" and number(0.12345) == "0.123"
    # one value on its own follows the column rule: more decimals, then scientific notation
    assert number(0.00001) == "0.00001" and number(1e-9) == "1.00e-09"


def test_heatmap_checks_its_names_and_draws_only_non_empty_cells():
    with pytest.raises(ValueError, match="row names"):
        heatmap(np.zeros((2, 2)), ["a"], ["a", "b"], title="t")
    svg = heatmap(np.array([[3, 1], [0, 0]]), ["a", "b"], ["a", "b"], title="t")
    cells = re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg)
    assert cells == [
        "ground truth a \u2192 prediction a: 3 (75.00% of the row)",
        "ground truth a \u2192 prediction b: 1 (25.00% of the row)",
    ]


# -- metrics that exist per image only (boundary metrics) --------------------------------------------
def test_distances_get_an_axis_from_whiskers_and_means_and_outliers_are_counted():
    # row a: quartiles 2 and 4, so the whiskers reach 1..4 (100 lies beyond 4 + 1.5 * 2 = 7); mean
    # (1 + 2 + 3 + 4 + 100) / 5 = 22. Row b: whisker 1.5, mean 1. Axis end: max(4, 22, 1.5, 1) = 22,
    # rounded up to 30 (ticks every 10).
    svg = distribution_chart(
        ["a", "b"],
        [[1.0, 2.0, 3.0, 4.0, 100.0, NAN], [0.5, 1.5]],
        title="t",
        maximum=None,
        axis_label="HD95 in pixels; lower is better",
    )
    ticks = re.findall(r'text-anchor="middle" dominant-baseline="central" fill="#555">([^<]*)</text>', svg)
    assert ticks == ["0", "10", "20", "30"]
    labels = [html.unescape(label) for label in re.findall(r">(n=[^<]*)</text>", svg)]
    assert labels == ["n=5, 1 > 30, 1 undefined", "n=2"]  # 100 is beyond the axis, counted, not dropped
    assert svg.count("<title>1 value above 30, beyond the axis</title>") == 1
    # the mean of a is drawn where it is: 60 px of names + 460 px * 22 / 30 = 397.3
    assert '<polygon points="397.3,' in svg
    assert "HD95 in pixels; lower is better" in svg
    stats = Distribution.of([1.0, 2.0, 3.0, 4.0, 100.0, NAN], bins=20, value_range=(0.0, 30.0))
    # bins 1.5 wide: 1 -> bin 0, 2 -> bin 1, 3 and 4 -> bin 2; 100 is the overflow
    assert stats.histogram[:3].tolist() == [1, 1, 2] and stats.histogram.sum() == 4 and stats.overflow == 1


def boundary_classes():
    """hd95 and nsd per image only (no dataset value); tree has none defined."""
    return [
        ClassScores(
            1,
            "car",
            {"dice": 0.5},
            {"dice": 0.4, "hd95": 6.5, "nsd": 0.98, "custom": 3.0},
            {"dice": 0.2, "hd95": 5.5, "nsd": 0.02, "custom": 0.0},
            {"dice": 2, "hd95": 2, "nsd": 2, "custom": 1},
        ),
        ClassScores(
            2,
            "tree",
            {"dice": NAN},
            {"dice": NAN, "hd95": NAN, "nsd": NAN, "custom": NAN},
            {"dice": NAN, "hd95": NAN, "nsd": NAN, "custom": NAN},
            {"dice": 0, "hd95": 0, "nsd": 0, "custom": 0},
        ),
    ]


def boundary_page(**options):
    metrics = [
        PerImageMetric("hd95", higher_is_better=False, unit="pixels"),
        PerImageMetric("nsd", higher_is_better=True, maximum=1.0),
        PerImageMetric("custom"),
    ]
    per_image = {
        "dice": {"car": [0.2, 0.6]},
        "hd95": {"car": [1.0, 12.0]},
        "nsd": {"car": [0.96, 1.0]},
        "custom": {"car": [3.0]},
    }
    worst = [ImageGroup("Worst images: car", [ImageEntry("a.png", {"dice": 0.2, "hd95": 12.0, "nsd": NAN})])]
    return score_report(
        settings={},
        classes=boundary_classes(),
        metrics=("dice",),
        per_image=per_image,
        worst=worst,
        image_metrics=metrics,
        **options,
    )


def test_per_image_metrics_are_tabled_with_direction_unit_and_dashes():
    text = boundary_page()
    cells = re.findall(r"<t[dh]>(.*?)</t[dh]>", text)
    header, car, tree = cells[:15], cells[15:30], cells[30:45]
    assert header[6:] == [
        "HD95 per image<br>lower is better, pixels",
        "\u00b1 std",
        "images",
        "NSD per image<br>higher is better",
        "\u00b1 std",
        "images",
        "custom per image",
        "\u00b1 std",
        "images",
    ]  # direction unknown: nothing claimed
    assert car[6:] == ["6.500", "5.500", "2", "0.980", "0.020", "2", "3.000", "\u2013", "1"]  # std of one: -
    assert tree[6:] == ["\u2013", "\u2013", "0"] * 3
    page = parse(text)
    body = "".join(page.text)
    assert "HD95, NSD and custom exist per image only" in body
    assert "HD95 12.000 \u00b7 NSD \u2013" in body  # an undefined value beside a worst image is a dash
    assert "Ranked by Dice only; HD95, NSD and custom are shown beside each image" in body
    # distributions: Dice, then HD95 (axis from the data), NSD (0..1) and custom; the note explains the axis
    assert len(page.of("svg")) == 1 + 1 + 3
    assert "HD95 and custom: the axis runs from 0 to the largest upper whisker or mean" in body
    assert "NSD; higher is better \u2192" in body and "HD95 in pixels; lower is better \u2190" in body


def test_ranking_names_the_given_metric():
    assert "Ranked by IoU only;" in "".join(parse(boundary_page(ranked_by="iou")).text)


def test_reports_without_per_image_metrics_claim_no_direction():
    body = "".join(parse(report()).text)
    assert "better" not in body and "Ranked by" not in body and "exist per image only" not in body


def test_metric_titles():
    assert [metric_title(name) for name in ("hd95", "hd99_pooled", "hd", "biou", "bf", "some_score")] == [
        "HD95",
        "HD99 pooled",
        "HD",
        "Boundary IoU",
        "Boundary F",
        "some score",
    ]


def test_html_tables_write_each_column_in_one_format():
    """A std of 0.000109 beside 0.2 (3 decimals), a weight of 1e-9 beside 0.99: no column mixes formats."""
    scores = classes()[:2]
    scores[0] = ClassScores(0, "sky", {"dice": 0.99}, {"dice": 0.99}, {"dice": 0.000109}, {"dice": 2})
    page = score_report(settings={}, classes=scores, per_image={}, summary={})
    cells = [re.sub("<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", page)]
    assert "0.0001" in cells and "0.2000" in cells and not any("e-" in cell for cell in cells)
    one_image = ClassScores(3, "cat", {"dice": 0.5}, {"dice": 0.5}, {"dice": 0.0}, {"dice": 1})
    page = score_report(settings={}, classes=[one_image], per_image={}, summary={})
    cells = [re.sub("<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", page)]
    assert cells[:6] == ["cat", "3", "0.500", "0.500", "\u2013", "1"]  # no std over one image
    rows = [
        {"class_id": 0, "class_name": "bg", "pixels": 9, "share": 0.9, "images": 1}
        | {key: 1e-9 for key in ("weight_inverse_frequency", "weight_median_frequency")}
        | {"weight_generalised_dice": 1e-9},
        {"class_id": 1, "class_name": "car", "pixels": 1, "share": 0.1, "images": 1}
        | {"weight_inverse_frequency": 5.0, "weight_median_frequency": 1.8, "weight_generalised_dice": 0.99},
    ]
    page = stats_report(rows=rows, settings={})
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert cells[3] == "0.9000" and cells[-3:] == ["5.000e+00", "1.800e+00", "9.900e-01"]
