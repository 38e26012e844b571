"""The HTML report renders in a real browser (headless Chromium); skipped when none is installed."""

import math
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from segtool.reports.html import ClassScores, Confusion, ImageEntry, ImageGroup, Picture, score_report
from segtool.viz.image import encode_image

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((path for path in map(shutil.which, BROWSERS) if path), None)
MAGENTA = (255, 0, 255)  # the embedded picture
DATASET_BLUE = (0, 114, 178)  # the dataset bars of the SVG charts (#0072B2)


def screenshot(html_path, png_path, tmp_path):
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={png_path}",
        "--window-size=1200,4000",
        html_path.as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return np.asarray(Image.open(png_path).convert("RGB"))


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (Debian: apt-get install chromium)")
def test_report_renders_charts_and_embedded_pictures(tmp_path):
    picture = encode_image(np.full((60, 80, 3), MAGENTA, np.uint8))
    names = ["_background_", "car", "road"]
    classes = [
        ClassScores(
            index,
            name,
            {"dice": 0.9 - 0.3 * index, "iou": 0.8 - 0.3 * index},
            {"dice": 0.8 - 0.3 * index, "iou": 0.7 - 0.3 * index},
            {"dice": 0.1, "iou": 0.1},
            {"dice": 3, "iou": 3},
            in_mean=index > 0,
        )
        for index, name in enumerate(names)
    ]
    per_image = {"dice": {name: [0.2, 0.5, 0.9, math.nan] for name in names}}
    html = score_report(
        settings={"predictions": "pred/"},
        classes=classes,
        per_image=per_image,
        confusion=Confusion(np.array([[50, 2, 1], [3, 20, 0], [0, 1, 9]]), names, names),
        worst=[
            ImageGroup("Worst overall", [ImageEntry("a.png", {"dice": 0.2}, [Picture("errors", picture)])])
        ],
    )
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    pixels = screenshot(page, tmp_path / "report.png", tmp_path)

    packed = (
        (pixels[..., 0].astype(np.uint32) << 16) | (pixels[..., 1].astype(np.uint32) << 8) | pixels[..., 2]
    )
    assert len(np.unique(packed)) > 50  # not blank: text, charts, colours
    assert np.all(pixels == DATASET_BLUE, axis=2).sum() > 500  # the SVG bars are drawn
    # the embedded 80x60 picture is shown at its size (some rows may be scaled by the device ratio)
    assert np.all(pixels == MAGENTA, axis=2).sum() >= 0.9 * 80 * 60
