"""A legend panel (colour swatch + name per entry) placed to the right of a picture.

The panel never covers a pixel of the picture: the result is wider than the
input, and taller only when the picture is too short for a single column of
entries (the picture is then padded below with the panel's background).
Entries flow top to bottom, then into further columns. An entry whose colour
is None is drawn as text alone, where a swatch would be (a note such as
"correct: the photo").

A legend is bounded whatever the masks hold: at most :data:`MAX_LEGEND_ENTRIES`
entries (beyond that, the first ones and a last line "… and N more") and names
of at most :data:`MAX_NAME_CHARACTERS` characters (longer ones end in "…").
Thousands of classes beside a 60-pixel-tall mask made a picture 81,068
pixels wide, and 65,535 classes with long names would need gigabytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

Colour = tuple[int, int, int]
LegendEntry = tuple[str, Colour | None]

PANEL_BACKGROUND: Colour = (255, 255, 255)
TEXT_COLOUR: Colour = (0, 0, 0)
SWATCH_BORDER: Colour = (64, 64, 64)
#: Entries shown at most (the last one then counts the others).
MAX_LEGEND_ENTRIES = 100
#: Characters of a name shown at most (a longer one is cut and ends in "…").
MAX_NAME_CHARACTERS = 40


@lru_cache(maxsize=8)
def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def default_font_size(height: int) -> int:
    """A text height that reads well next to a picture ``height`` pixels tall: 12 to 28."""
    return int(min(28, max(12, height // 30)))


def with_legend(
    picture: np.ndarray, entries: Sequence[LegendEntry], *, font_size: int | None = None
) -> np.ndarray:
    """Return ``picture`` (RGB uint8) with a legend panel of ``entries`` on its right.

    With no entries the picture is returned unchanged.
    """
    if not entries:
        return picture
    from PIL import Image, ImageDraw

    entries = _bounded(entries)

    height, width = picture.shape[:2]
    size = font_size or default_font_size(height)
    font = _font(size)
    margin, gap = size // 2 + 2, size // 2
    row_height = size + gap
    rows_per_column = max(1, (height - 2 * margin + gap) // row_height)
    rows = min(len(entries), rows_per_column)
    columns = -(-len(entries) // rows_per_column)
    text_width = max(int(np.ceil(font.getlength(name))) for name, _ in entries)
    column_width = size + gap + text_width + margin
    panel_height = max(height, 2 * margin + rows * row_height - gap)
    panel = Image.new("RGB", (margin + columns * column_width, panel_height), PANEL_BACKGROUND)
    draw = ImageDraw.Draw(panel)
    for index, (name, colour) in enumerate(entries):
        column, row = divmod(index, rows_per_column)
        left = margin + column * column_width
        top = margin + row * row_height
        text_left = left
        if colour is not None:
            draw.rectangle(
                (left, top, left + size - 1, top + size - 1), fill=tuple(colour), outline=SWATCH_BORDER
            )
            text_left = left + size + gap
        # centred on the swatch from the text's box (anchors need FreeType; the fallback font has none)
        box_top, box_bottom = font.getbbox(name)[1::2]
        text_top = top + (size - (box_bottom - box_top)) / 2 - box_top
        draw.text((text_left, text_top), name, fill=TEXT_COLOUR, font=font)
    result = np.empty((panel_height, width + panel.width, 3), np.uint8)
    result[:height, :width] = picture
    result[height:, :width] = PANEL_BACKGROUND
    result[:, width:] = np.asarray(panel)
    return result


def _bounded(entries: Sequence[LegendEntry]) -> list[LegendEntry]:
    """``entries`` within :data:`MAX_LEGEND_ENTRIES` and their names within :data:`MAX_NAME_CHARACTERS`."""
    if len(entries) > MAX_LEGEND_ENTRIES:
        kept = MAX_LEGEND_ENTRIES - 1
        entries = [*entries[:kept], (f"\u2026 and {len(entries) - kept} more", None)]
    return [
        (name if len(name) <= MAX_NAME_CHARACTERS else name[: MAX_NAME_CHARACTERS - 1] + "\u2026", colour)
        for name, colour in entries
    ]
