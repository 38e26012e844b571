"""``score`` options that reproduce other tools' numbers: ``--compat PEER``, one option per rule, and
``--compare-conventions``; their tables.

``--compat`` only sets defaults: each rule it sets can be given as a plain option
too (``--aggregation``, ``--empty-truth``, ``--absent``, ``--no-value``,
``--percent``, ``--include-background``), and a rule given as an option wins.
"""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import IO, Annotated, Any

import typer

from ..metrics.boundary import parse_boundary_metric
from ..metrics.conventions import (
    BUNDLES,
    COUNT_METRICS,
    PER_METRIC_RULES,
    Bundle,
    Rules,
    compare_conventions,
    custom_bundle,
)
from ..pipelines.score import ScoreResult
from ..reports.numbers import format_number
from ..reports.rows import Column, command_document, row_objects, write_rows
from ..words import plural

PANEL = "Conventions of other tools (docs/compat.md)"

Compat = enum.Enum("Compat", {name: name for name in BUNDLES}, type=str)  # type: ignore[misc]


def _rule_option(name: str, text: str) -> Any:
    """The ``Annotated`` type of the option setting per-metric rule ``name``."""
    choices = ", ".join(PER_METRIC_RULES[name])
    return Annotated[
        list[str] | None,
        typer.Option(
            "--" + name.replace("_", "-"),
            metavar="[METRIC=]RULE",
            show_default=False,
            rich_help_panel=PANEL,
            help=f"{text} One of {choices}; METRIC=RULE sets one metric's rule (repeatable).",
        ),
    ]


CompatOption = Annotated[
    Compat | None,
    typer.Option(
        "--compat",
        metavar="PEER",
        show_default=False,
        rich_help_panel=PANEL,
        help=f"Also print the numbers of another tool, under its column names: {', '.join(BUNDLES)}. "
        "Sets the defaults of the rule options below (and of --include-background; medpy: "
        "--edge-is-boundary; davis: adds bf_davis; cityscapes: the built-in labelIds table); recorded in the "
        "JSON settings.",
    ),
]
AggregationOption = _rule_option(
    "aggregation",
    "How the convention table averages: dataset (sum counts, then score), class (per class over images, then "
    "over classes), image (per image over classes, then over images), cells (over every image-class pair).",
)
EmptyTruthOption = _rule_option(
    "empty_truth",
    "A class with empty ground truth in an image: scored (a prediction scores 0) or undefined (its false "
    "positives vanish, as MONAI's ignore_empty).",
)
AbsentOption = _rule_option("absent", "A class absent from both masks: undefined or one.")
NoValueOption = _rule_option(
    "no_value",
    "A class without any defined value, in a mean over classes: drop it, nan (the mean is NaN), zero, "
    "minus_one (per-class values only).",
)
OneEmptyOption = _rule_option(
    "one_empty",
    "A boundary metric where one mask is empty: worst (the image diagonal, or 0 for scores), nan (left out "
    "of means, as MONAI's percentile Hausdorff), inf (as MONAI's Hausdorff and surface distance).",
)
PercentOption = Annotated[
    bool,
    typer.Option(
        "--percent",
        rich_help_panel=PANEL,
        help="Convention table in percent, rounded to 2 decimals (as mmseg prints).",
    ),
]
CompareOption = Annotated[
    bool,
    typer.Option(
        "--compare-conventions",
        rich_help_panel=PANEL,
        help="Print the macro mean Dice and IoU under segtool's rules and every --compat bundle, side by "
        "side, then one line per rule that moves a bundle's number away from segtool's.",
    ),
]


def _parse_rule(name: str, values: list[str]) -> dict[str, str]:
    option = "--" + name.replace("_", "-")
    choices = PER_METRIC_RULES[name]
    parsed: dict[str, str] = {}
    for value in values:
        metric, _, rule = value.rpartition("=")
        rule = rule.strip().lower().replace("-", "_")
        if rule not in choices:
            raise typer.BadParameter(
                f"{value!r}: the rule must be one of {', '.join(choices)}", param_hint=option
            )
        metric = metric.strip().lower() or "*"
        if metric not in ("*", *COUNT_METRICS) and not _is_boundary_metric(metric):
            raise typer.BadParameter(
                f"{value!r}: {metric!r} is not a metric ({', '.join(COUNT_METRICS)} or a boundary metric)",
                param_hint=option,
            )
        parsed[metric] = rule
    return parsed


def _is_boundary_metric(name: str) -> bool:
    try:
        parse_boundary_metric(name)
    except ValueError:
        return False
    return True


def resolve_bundle(
    compat: Compat | None,
    *,
    aggregation: list[str] | None,
    empty_truth: list[str] | None,
    absent: list[str] | None,
    no_value: list[str] | None,
    one_empty: list[str] | None,
    percent: bool,
    include_background: bool,
) -> Bundle | None:
    """The bundle ``--compat`` names with the rules given as options laid over it (None when neither is)."""
    given = {
        name: _parse_rule(name, values)
        for name, values in (
            ("aggregation", aggregation),
            ("empty_truth", empty_truth),
            ("absent", absent),
            ("no_value", no_value),
            ("one_empty", one_empty),
        )
        if values
    }
    if compat is None and not given and not percent:
        return None
    bundle = BUNDLES[compat.value] if compat is not None else custom_bundle(Rules())
    rules = bundle.rules
    for name, values in given.items():
        merged = dict(getattr(rules, name))
        if "*" in values:
            merged = {"*": values["*"]}
        merged.update(values)
        rules = rules.with_rule(name, merged)
    if include_background:
        rules = replace(rules, include_background=True)
    if percent:
        rules = replace(rules, percent=True)
    if rules == bundle.rules:
        return bundle
    return replace(bundle, rules=rules, name=bundle.name if compat is None else f"{bundle.name} (modified)")


def write_convention(result: ScoreResult, output_format: str, stream: IO[str]) -> None:
    """The bundle's table: one row per class under the peer's column names, then its summary.

    CSV has the class rows only (as every CSV: docs/formats.md); the table and Markdown
    show the class rows and the summary as a line under them; JSON has the summary as
    ``summary`` (:meth:`ScoreResult.to_document`).
    """
    convention = result.convention
    assert convention is not None
    bundle = convention.bundle
    class_keys = convention.columns
    digits = 2 if bundle.rules.percent else 4
    summary = ", ".join(f"{key} {format_number(value, digits)}" for key, value in convention.summary.items())
    notes = [f"{bundle.summary_name}: {summary}."]
    if convention.categories:
        categories = ", ".join(
            f"{name} {format_number(value, digits)}" for name, value in convention.categories.items()
        )
        notes.append(f"Category IoU: {categories}.")
    notes.append(f"{bundle.peer}: {bundle.checked}." if bundle.checked else f"{bundle.peer}.")
    notes.append("Rules: " + "; ".join(f"{key} {value}" for key, value in _rule_words(bundle.rules)) + ".")
    notes.extend(f"{note}." for note in bundle.notes)
    write_rows(
        result.convention_rows(),
        ["class_id", "class_name", *class_keys],
        output_format,
        stream,
        title=f"{bundle.name} convention",
        notes=notes,
        table_columns=[Column("class_id", "id"), Column("class_name", "class"), *class_keys],
        json_document=result.to_document(),
        digits=digits,
    )


def _rule_words(rules: Rules) -> list[tuple[str, str]]:
    words = []
    for name in PER_METRIC_RULES:
        values = getattr(rules, name)
        words.append(
            (
                name,
                ", ".join(
                    value if metric == "*" else f"{metric}={value}" for metric, value in values.items()
                ),
            )
        )
    background = rules.include_background.items()  # type: ignore[union-attr]
    words.append(
        (
            "background",
            ", ".join(
                ("in" if value else "out") if metric == "*" else f"{metric}={'in' if value else 'out'}"
                for metric, value in background
            ),
        )
    )
    return words


def write_comparison(result: ScoreResult, output_format: str, stream: IO[str]) -> None:
    """Every bundle's macro means side by side, then one line per rule that moves them."""
    cells = result.cells
    assert cells is not None
    rows, differences = compare_conventions(cells.arrays(), result.confusion_class_ids, cells.n_images)
    columns = [
        "convention",
        "peer",
        "dice",
        "iou",
        "include_background",
        "aggregation",
        "empty_truth",
        "absent",
        "no_value",
    ]
    table_columns = [
        Column("convention"),
        Column("dice", "Dice"),
        Column("iou", "IoU"),
        Column("include_background", "background"),
        Column("aggregation"),
    ]
    notes = [
        f"{plural(result.n_images, 'image')}; every convention's rules on the same per-image counts; "
        "values are fractions. Rules of each: --format json or csv. Each line below changes one rule, "
        "from segtool's towards the convention's, in the order background, aggregation, empty_truth, "
        "absent, no_value:",
        *(difference.describe() for difference in differences),
    ]
    write_rows(
        rows,
        columns,
        output_format,
        stream,
        title="Macro means under each convention",
        notes=notes,
        table_columns=table_columns,
        json_document=command_document(
            result.settings.to_json(),
            row_objects(rows, columns),
            {"images": result.n_images},
            differences=[vars(difference) for difference in differences],
        ),
    )
