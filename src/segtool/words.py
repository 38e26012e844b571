"""Words in messages: counts with their noun in the right number."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 image``, ``2 images``, ``0 images``; ``many`` for an irregular plural.

    >>> plural(1, "file"), plural(3, "class", "classes"), plural(0, "ground-truth mask")
    ('1 file', '3 classes', '0 ground-truth masks')
    """
    return f"{count} {word if count == 1 else many or word + 's'}"
