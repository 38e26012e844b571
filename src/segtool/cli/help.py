"""How ``-h`` looks: options in panels, conventional metavars, an Examples epilog per command.

Applied once to every command when the group hands it out (:class:`SegtoolGroup`), so each
command module keeps declaring its options in the plain Typer way. The rules, so that ``-h``
reads well in an 80-column terminal:

* **Metavars** are conventional and short: nothing after a flag; ``N`` for a whole number,
  ``NUMBER`` for a decimal one; ``FILE``, ``DIR``, ``NAME`` or ``TEXT`` for a string (by the
  option's name, :data:`STRING_METAVARS`); ``a|b|c`` for a choice of at most
  :data:`MAX_METAVAR` characters, else the option's name in capitals with the choices added to
  its help. A metavar set by the command is kept, but a long one is cut to its last part
  (``[dataset:|image:]METRIC=VALUE`` -> ``METRIC=VALUE``; the help text gives the prefixes).
  Arguments show their name only.
* **Panels** (Typer's ``rich_help_panel``) group the options by what they are about,
  :data:`PANELS`; an option a command already put in a panel stays there.
* **Help text** paragraphs are joined into one line each, so that Rich wraps them to the
  terminal instead of keeping the source's line breaks.
* **Examples**: :data:`EXAMPLES` gives each command two or three complete invocations, shown
  line by line under the options (a command's own ``epilog`` wins).
"""

from __future__ import annotations

import enum
import inspect
from typing import Any, get_args

from rich.markup import escape
from typer.core import TyperArgument, TyperGroup, TyperOption

#: The longest metavar shown; the metavar column is as wide as the widest one.
MAX_METAVAR = 14

#: Metavars of string options, by parameter name (others: TEXT).
STRING_METAVARS = {
    "labels": "FILE",
    "output": "FILE",
    "per_image": "FILE",
    "confusion": "FILE",
    "report": "FILE",
    "images": "DIR",
    "error_maps": "DIR",
    "viz": "DIR",
    "input_format": "FORMAT",
    "via_label_attribute": "NAME",
    "annotator": "ID",
}

INPUT, CLASSES, OUTPUT, BOUNDARY = "Input", "Classes", "Output", "Boundary metrics"
GATES, PICTURES, SCALE_OUT, DRAWING = "Gates", "Pictures", "Scale-out", "Drawing"

#: The panel of each option, by parameter name; ``(command, name)`` where commands differ.
PANELS = {
    "inputs": INPUT,
    "exclude": INPUT,
    "input_format": INPUT,
    "via_label_attribute": INPUT,
    "annotator": INPUT,
    "coco_crowd": INPUT,
    ("rasterize", "images"): INPUT,
    "missing": INPUT,
    "binary": INPUT,
    ("score", "layout"): INPUT,
    ("compare", "layout"): INPUT,
    "max_pixels": INPUT,
    "labels": CLASSES,
    "groups": CLASSES,
    "list_sets": OUTPUT,
    "ignore": CLASSES,
    "ignore_value": CLASSES,
    "include_background": CLASSES,
    "relabel": CLASSES,
    "unknown_label": CLASSES,
    "hide_absent": CLASSES,
    "output": OUTPUT,
    "output_format": OUTPUT,
    "no_mean_row": OUTPUT,
    "all_rules": OUTPUT,
    "per_image": OUTPUT,
    "confusion": OUTPUT,
    ("rasterize", "layout"): OUTPUT,
    "palette": OUTPUT,
    "skip_existing": OUTPUT,
    "overwrite": OUTPUT,
    "strict": OUTPUT,
    "table_metric": OUTPUT,
    "name": OUTPUT,
    "quiet": OUTPUT,
    "order": DRAWING,
    "convention": DRAWING,
    "line_width": DRAWING,
    "point_radius": DRAWING,
    "skip_lines_and_points": DRAWING,
    "metrics": BOUNDARY,
    "spacing": BOUNDARY,
    "nsd_tolerance": BOUNDARY,
    "biou_width": BOUNDARY,
    "bf_tolerance": BOUNDARY,
    "edge_is_boundary": BOUNDARY,
    "fail_under": GATES,
    "fail_over": GATES,
    "fail_if_worse": GATES,
    "confidence": GATES,
    "resamples": GATES,
    "seed": GATES,
    "report": PICTURES,
    "report_worst": PICTURES,
    "error_maps": PICTURES,
    "error_style": PICTURES,
    ("score", "images"): PICTURES,
    ("compare", "images"): PICTURES,
    "viz": PICTURES,
    "opacity": PICTURES,
    "outline": PICTURES,
    "outline_width": PICTURES,
    "legend": PICTURES,
    "background": PICTURES,
    "image_format": PICTURES,
    "jobs": SCALE_OUT,
    "executor": SCALE_OUT,
    "scheduler": SCALE_OUT,
}

#: Complete invocations shown under each command's options, on the bundled examples.
EXAMPLES = {
    "rasterize": [
        "segtool rasterize examples/annotations -o masks/",
        "segtool rasterize export.json --labels labels.txt -o masks/ --viz overlays/",
        "segtool rasterize annotations/ -o masks/ --layout binary --format csv",
    ],
    "score": [
        "segtool score predictions/ masks/",
        "segtool score predictions/ masks/ -f csv -o scores.csv --per-image rows.csv",
        "segtool score predictions/ masks/ --metrics dice,iou,hd95 --fail-under mIoU=0.6",
        "segtool score predictions/ masks/ --report report.html --images photos/",
    ],
    "stats": [
        "segtool stats masks/",
        "segtool stats masks/ --format csv -o balance.csv",
    ],
    "overlay": [
        "segtool overlay photos/ masks/ -o overlays/",
        "segtool overlay annotations/ masks/ -o overlays/ --no-outline --opacity 0.3",
    ],
    "labels": [
        "segtool labels --list",
        "segtool labels cityscapes-train -o labels.csv",
        "segtool score predictions/ masks/ --labels cityscapes --groups cityscapes",
    ],
}


#: The order of the panels in ``-h``; panels not listed (a command's own) come before Gates.
PANEL_ORDER = (INPUT, CLASSES, OUTPUT, DRAWING, PICTURES, BOUNDARY, None, GATES, SCALE_OUT)


class SegtoolGroup(TyperGroup):
    """Typer's group, handing out each command with :func:`tidy_help` applied."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy_help(command, cmd_name)
        return command

    def get_help_option(self, ctx: Any) -> Any:
        return _flag_metavar(super().get_help_option(ctx))

    def get_params(self, ctx: Any) -> list[Any]:
        for param in self.params:
            if isinstance(param, TyperOption):
                param.metavar = _metavar(param)
        return super().get_params(ctx)


def _usage_name(argument: TyperArgument) -> Any:
    """``PRED``, ``[NAME]`` when optional, ``INPUT...`` when repeated (once, even if the name says so)."""
    name = argument.display_name_raw
    if argument.nargs != 1 and "..." not in name:
        name += "..."
    shown = name if argument.required else f"[{name}]"
    return lambda: shown


def _flag_metavar(option: Any) -> Any:
    """``-h``/``--help`` is a flag: nothing after it."""
    if option is not None:
        option.metavar = ""
    return option


def _panel_rank(param: Any) -> int:
    panel = getattr(param, "rich_help_panel", None)
    if isinstance(param, TyperArgument):
        return -1
    return PANEL_ORDER.index(panel if panel in PANEL_ORDER else None)


def tidy_help(command: Any, name: str) -> None:
    """Panels, metavars, one-line paragraphs and the Examples of ``command`` (idempotent)."""
    if getattr(command, "_segtool_tidy", False):
        return
    command._segtool_tidy = True
    if command.help:
        command.help = _one_line_paragraphs(command.help)
    if not command.epilog and name in EXAMPLES:
        command.epilog = "Examples:\n\n" + "\n".join(f"  {escape(line)}" for line in EXAMPLES[name])
    for param in command.params:
        if isinstance(param, TyperArgument):
            # Its name says what it is: no type after it; in the usage line PRED, not {PRED}.
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
            param._usage_display_name = _usage_name(param)  # type: ignore[method-assign]
            continue
        if not isinstance(param, TyperOption):
            continue
        if getattr(param, "rich_help_panel", None) is None:
            panel = PANELS.get((name, param.name or ""), PANELS.get(param.name or ""))
            if panel is not None:
                param.rich_help_panel = panel
        if param.help:
            param.help = _one_line_paragraphs(param.help)
        param.metavar = _metavar(param)
    command.params.sort(key=_panel_rank)  # stable: the command's order within a panel
    original = command.get_help_option
    command.get_help_option = lambda ctx: _flag_metavar(original(ctx))


def _metavar(param: TyperOption) -> str:
    """The conventional metavar of an option (see the module docstring)."""
    if param.is_flag:
        return ""
    if param.metavar:
        metavar = param.metavar
        return metavar if len(metavar) <= MAX_METAVAR else metavar.rsplit("]", 1)[-1]
    described = param.type_descriptor
    if described.is_choice:
        choices = [
            str(choice.value if isinstance(choice, enum.Enum) else choice)
            for choice in described.choices or ()
        ]
        shown = "|".join(choices)
        if len(shown) <= MAX_METAVAR:
            return shown
        if param.help and not all(choice in param.help for choice in choices):
            param.help += f" One of: {', '.join(choices)}."
        return (param.name or "value").upper().removeprefix("OUTPUT_")
    kind = described.annotation
    kind = (get_args(kind) or (kind,))[0] if described.is_list else kind
    if kind is int:
        return "N"
    if kind is float:
        return "NUMBER"
    return STRING_METAVARS.get(param.name or "", "TEXT")


def _one_line_paragraphs(text: str) -> str:
    """Each paragraph of ``text`` on one line (Rich wraps it); paragraphs stay apart."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in inspect.cleandoc(text).split("\n\n"))
