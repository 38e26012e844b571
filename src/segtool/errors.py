"""Errors a user can act on.

Every error segtool raises for bad input is a :class:`SegtoolError`. Its
message is one line that names the file (and the shape, field or class) and
the problem; the command line prints it as is, without a traceback.
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .io.storage import RemotePath

SHOWN_LENGTH = 60  # characters of a name that a message quotes


def shown(name: object) -> str:
    """``name`` as a message quotes it: its ``repr``, cut after 60 characters with the full length said.

    A name can be as long as its file allows; one copy of it in every message
    about every shape would cost the name's length times the shapes. Cutting
    before ``repr`` keeps the cost of a quote independent of the name.

    >>> shown("road"), shown("c" * 1000)
    ("'road'", "'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc'... (1000 characters)")
    """
    if isinstance(name, str) and len(name) > SHOWN_LENGTH:
        return f"{name[:SHOWN_LENGTH]!r}... ({len(name)} characters)"
    text = repr(name)
    return text if len(text) <= SHOWN_LENGTH else f"{text[:SHOWN_LENGTH]}... ({len(text)} characters)"


class SegtoolError(Exception):
    """Base class: a problem with the user's input or settings, not a bug."""

    def __init__(self, message: str, *, path: str | PathLike[str] | RemotePath | None = None) -> None:
        self.path = None if path is None else str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class InputFileError(SegtoolError):
    """A file that cannot be read or does not hold what it should."""


class AnnotationError(InputFileError):
    """An annotation file (or one shape in it) that cannot be used."""


class UnknownFormatError(AnnotationError):
    """A document that no annotation reader recognises (a config file, a score report), or
    not the format forced with ``--input-format``."""


class MaskError(InputFileError):
    """A mask file that cannot be decoded, or holds values it should not."""


class LabelMapError(SegtoolError):
    """A label map that is malformed, or a label that is not in it."""


class UnknownLabelError(LabelMapError):
    """A label name that the label map given by the user does not contain."""

    def __init__(
        self, label: str, *, path: str | PathLike[str] | RemotePath | None = None, where: str = ""
    ) -> None:
        self.label = label
        place = f"{where}: " if where else ""
        super().__init__(
            f"{place}label {shown(label)} is not in the label map "
            "(add it to --labels, or pass --unknown-label ignore|skip)",
            path=path,
        )


class SizeMismatchError(SegtoolError):
    """Two masks that should be compared have different sizes."""


class OutputError(SegtoolError):
    """An output that cannot be written where it was asked to go."""


class OutputPlacementError(OutputError):
    """An output folder that cannot be one: a file is in its place, or its files would mix with, or
    replace, the inputs (the overlay or error-map folder is a mask folder, lies inside one, or holds an
    input folder). A mistake in the command, found before anything is written: the command line exits
    2, as for other usage errors."""
