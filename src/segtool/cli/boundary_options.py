"""``score`` options for boundary metrics (``--metrics``, ``--spacing``, tolerances, ``--edge-is-boundary``),
turned into a :class:`~segtool.metrics.boundary.BoundaryScorer`, and their table columns and notes.

Dice, IoU, precision and recall are always computed (they cost nothing next to reading
the masks); ``--metrics`` accepts their names too, and adds the boundary metrics named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer

from ..metrics import METRICS
from ..metrics.boundary import DEFAULT_NSD_TOLERANCE, BoundaryScorer, Tolerances, parse_boundary_metric
from ..pipelines.thresholds import Threshold
from ..reports.rows import Column

BOUNDARY_NAMES = (
    "hd, hd95, hd<p> (0 < p <= 100), hd<p>_pooled, assd, masd, nsd, biou, biou_chessboard, bf, bf_davis"
)
VALID_NAMES = f"{', '.join(METRICS)} (always reported), {BOUNDARY_NAMES}"
# --spacing bounds: from a nanometre to a kilometre a pixel in millimetres, and far enough inside
# float range that squared distances over the largest image, and their ratios, stay finite.
MIN_SPACING, MAX_SPACING = 1e-6, 1e6

MetricsOption = Annotated[
    str | None,
    typer.Option(
        "--metrics",
        metavar="NAMES",
        show_default=False,
        help=f"Comma-separated metrics. Default: the confusion metrics {', '.join(METRICS)}, "
        f"which are always reported. Boundary metrics, per image: {BOUNDARY_NAMES} "
        "(conventions: docs/boundary-metrics.md). "
        "Example: --metrics dice,iou,hd95,nsd",
    ),
]
SpacingOption = Annotated[
    str | None,
    typer.Option(
        "--spacing",
        metavar="SY,SX",
        show_default=False,
        help="Pixel height and width (or one number for both) for boundary metrics: distances and tolerances "
        "are in this unit, each from 1e-6 to 1e6. Default: 1,1 (pixels).",
    ),
]
NsdToleranceOption = Annotated[
    float | None,
    typer.Option(
        "--nsd-tolerance",
        min=0,
        show_default=False,
        help=f"nsd: boundary pixels within this distance of the other boundary count as matched (inclusive). "
        f"Default: {DEFAULT_NSD_TOLERANCE:g}.",
    ),
]
BiouWidthOption = Annotated[
    float | None,
    typer.Option(
        "--biou-width",
        show_default=False,
        help="biou, biou_chessboard: width of the band along each mask's boundary. Default: 2% of the image "
        "diagonal, rounded to whole pixels (at least 1).",
    ),
]
BfToleranceOption = Annotated[
    float | None,
    typer.Option(
        "--bf-tolerance",
        min=0,
        show_default=False,
        help="bf: matching distance of boundary pixels (inclusive). Default: 0.008 of the image diagonal, "
        "rounded up to whole pixels (DAVIS).",
    ),
]
EdgeIsBoundaryOption = Annotated[
    bool,
    typer.Option(
        "--edge-is-boundary",
        help="Boundary metrics: let the image edge and ignored pixels make a boundary, "
        "as MedPy and MONAI do. Default: they do not (a mask cut by the image edge goes on beyond it).",
    ),
]

#: Each tolerance option and the metrics it applies to.
_TOLERANCE_USERS = {
    "--nsd-tolerance": ("nsd",),
    "--biou-width": ("biou", "biou_chessboard"),
    "--bf-tolerance": ("bf",),
}


def boundary_scorer(
    metrics: str | None,
    *,
    spacing: str | None,
    nsd_tolerance: float | None,
    biou_width: float | None,
    bf_tolerance: float | None,
    edge_is_boundary: bool,
) -> BoundaryScorer | None:
    """The scorer the options ask for; None without boundary metrics. Usage errors for bad or idle options."""
    names = _boundary_names(metrics)
    given = {"--nsd-tolerance": nsd_tolerance, "--biou-width": biou_width, "--bf-tolerance": bf_tolerance}
    kinds = {parse_boundary_metric(name).kind for name in names}
    for option, value in given.items():
        if value is not None and not kinds.intersection(_TOLERANCE_USERS[option]):
            raise typer.BadParameter(
                f"no metric in --metrics uses it ({', '.join(_TOLERANCE_USERS[option])})", param_hint=option
            )
    if not names:
        for option, used in (("--spacing", spacing is not None), ("--edge-is-boundary", edge_is_boundary)):
            if used:
                raise typer.BadParameter(
                    "it applies to boundary metrics, and --metrics names none", param_hint=option
                )
        return None
    tolerances = Tolerances(
        nsd=DEFAULT_NSD_TOLERANCE if nsd_tolerance is None else nsd_tolerance,
        biou_width=biou_width,
        bf=bf_tolerance,
    )
    try:
        return BoundaryScorer.from_names(
            names, spacing=_parse_spacing(spacing), edge_is_boundary=edge_is_boundary, tolerances=tolerances
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def metrics_name_boundary(metrics: str | None) -> bool:
    """True when ``--metrics`` names a boundary metric (``BadParameter`` for a bad list, as later)."""
    return bool(_boundary_names(metrics))


def _boundary_names(metrics: str | None) -> list[str]:
    """Canonical boundary-metric names of ``--metrics``, in order, each once; confusion names are skipped."""
    if metrics is None:
        return []
    requested = [name.strip().lower() for name in metrics.split(",") if name.strip()]
    if not requested:
        raise typer.BadParameter(f"no metric named; valid names: {VALID_NAMES}", param_hint="--metrics")
    names: list[str] = []
    for name in requested:
        if name in METRICS:
            continue
        try:
            canonical = parse_boundary_metric(name).name
        except ValueError:
            raise typer.BadParameter(
                f"unknown metric {name!r}; valid names: {VALID_NAMES}", param_hint="--metrics"
            ) from None
        if canonical not in names:
            names.append(canonical)
    return names


def _parse_spacing(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(MIN_SPACING <= value <= MAX_SPACING for value in values):
        raise typer.BadParameter(
            f"expected SY,SX (or one number), two positive numbers from {MIN_SPACING:g} to {MAX_SPACING:g}, "
            f"got {text!r}",
            param_hint="--spacing",
        )
    return values


def check_thresholds_are_scored(thresholds: Iterable[Threshold], scorer: BoundaryScorer | None) -> None:
    """A usage error for a threshold on a boundary metric that ``--metrics`` does not ask for."""
    scored = scorer.names if scorer is not None else ()
    for threshold in thresholds:
        if (
            threshold.metric not in METRICS
            and threshold.aggregation == "image"
            and threshold.metric not in scored
        ):
            option = "--fail-under" if threshold.bound == "lower" else "--fail-over"
            raise typer.BadParameter(
                f"{threshold.metric} is not scored; add it to --metrics", param_hint=option
            )


def boundary_table_columns(scorer: BoundaryScorer | None) -> list[Column]:
    """One compact ``mean ± std`` column per boundary metric, distances marked lower-is-better."""
    if scorer is None:
        return []
    return [
        Column(
            f"{metric.name}_image_mean",
            f"{metric.name} per image\nmean ± std"
            + ("" if metric.higher_is_better else "\n(lower is better)"),
            std_key=f"{metric.name}_image_std",
            n_key=f"{metric.name}_n_images",
            stacked=True,
        )
        for metric in scorer.metrics
    ]
