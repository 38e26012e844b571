"""Hostile input, third round (issue 16): variants of the B20/B22/B25 fixes.

Each test is one case of docs/robustness.md ("Where segtool reads and writes"):
a name that would write a mask no later command reads, a clash whose message names
no input file, and so on.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_hostile_paths import cli, coco, labelme_file


# -- names whose masks later commands would skip ---------------------------------------------
def test_an_image_name_starting_with_a_dot_writes_a_mask_score_and_stats_read(tmp_path):
    """``.b.jpg`` wrote the hidden ``OUT/.b.png``, which score and stats skip (they skip hidden
    files and folders): rasterize said 3 masks, stats counted 1 image, exit 0."""
    source = coco(tmp_path / "in" / "c.json", ".hidden/a.jpg", ".b.jpg", "c.jpg")
    out = tmp_path / "out"
    result = cli("rasterize", source, "-o", out, "-j", "1", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    masks = sorted(str(p.relative_to(out)) for p in out.rglob("*.png"))
    assert masks == ["_.b.png", "_.hidden/a.png", "c.png"]
    stats = cli("stats", out, "-f", "json", "-q")
    assert stats.exit_code == 0, stats.stderr
    assert json.loads(stats.stdout)["summary"]["masks"] == 3
