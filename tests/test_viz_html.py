"""HTML reports: parsed with html.parser, checked for their sections, embedded pictures, no outside resources."""

import base64
import doctest
import importlib
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from segtool.viz.html import (ClassScores, Confusion, ImageEntry, ImageGroup, Picture, data_uri, score_report,
                              stats_report)
from segtool.viz.image import encode_image
from segtool.viz.svg import Distribution, heatmap, nice_ticks, number

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
        ClassScores(0, "_background_", {"dice": 0.98, "iou": 0.96}, {"dice": 0.97, "iou": 0.95},
                    {"dice": 0.01, "iou": 0.02}, {"dice": 3, "iou": 3}, in_mean=False),
        ClassScores(1, "car <fast> & \"red\"", {"dice": 0.5, "iou": 1 / 3}, {"dice": 0.4, "iou": 0.3},
                    {"dice": 0.2, "iou": 0.1}, {"dice": 2, "iou": 2}),
        ClassScores(2, "tree", {"dice": NAN, "iou": NAN}, {"dice": NAN, "iou": NAN},
                    {"dice": NAN, "iou": NAN}, {"dice": 0, "iou": 0}),
    ]


def report(per_image_values=(0.2, 0.6, NAN)):
    names = [item.name for item in classes()]
    per_image = {metric: {name: list(per_image_values) for name in names} for metric in ("dice", "iou")}
    worst = [ImageGroup("Worst overall", [
        ImageEntry("city/a.png", {"dice": 0.1}, [Picture("image", JPEG), Picture("errors", PNG)], href="gt/city/a.png"),
        ImageEntry("b.png", {"dice": NAN}, [Picture("errors", PNG)])])]
    confusion = Confusion(np.array([[90, 5, 0], [10, 40, 0], [0, 3, 0]]), names, names)
    return score_report(settings={"predictions": "pred/", "ignore": [255]}, classes=classes(),
                        per_image=per_image, confusion=confusion, worst=worst,
                        summary={"mean Dice, dataset": 0.5})


def test_doctests():
    assert doctest.testmod(importlib.import_module("segtool.viz.svg")).failed == 0


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
    assert sources[0].startswith("data:image/jpeg;base64,") and sources[1].startswith("data:image/png;base64,")
    # the img carries the picture's size, so the page does not jump while loading
    assert (page.of("img")[1]["width"], page.of("img")[1]["height"]) == ("12", "8")


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
    rows = [{"class_id": 0, "class_name": "bg", "pixels": 90, "share": 0.9, "images": 2,
             "weight_inverse_frequency": 0.55, "weight_median_frequency": 0.2, "weight_generalised_dice": 0.01},
            {"class_id": 1, "class_name": "car", "pixels": 10, "share": 0.1, "images": 1,
             "weight_inverse_frequency": 5.0, "weight_median_frequency": 1.8, "weight_generalised_dice": 0.99},
            {"class_id": 2, "class_name": "absent", "pixels": 0, "share": 0.0, "images": 0,
             "weight_inverse_frequency": NAN, "weight_median_frequency": NAN, "weight_generalised_dice": NAN}]
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
    assert number(NAN) == "\u2013" and number(0.12345) == "0.123" and number(0.00001) == "1.00e-05"


def test_heatmap_checks_its_names_and_draws_only_non_empty_cells():
    with pytest.raises(ValueError, match="row names"):
        heatmap(np.zeros((2, 2)), ["a"], ["a", "b"], title="t")
    svg = heatmap(np.array([[3, 1], [0, 0]]), ["a", "b"], ["a", "b"], title="t")
    cells = re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg)
    assert cells == ["ground truth a \u2192 prediction a: 3 (75.00% of the row)",
                     "ground truth a \u2192 prediction b: 1 (25.00% of the row)"]
