"""Geometry of the capacity pipeline's chart (includes/pipeline_chart.html): horizontal
stacked bars, one per row of the pipeline's table. Pure functions of the figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claims.axes import PLOT_GUTTER, AxisTick, SplitChart, linear_ticks

PIPE_LABEL_WIDTH = 190
#: The rows and the header above them, in pixels: the label column beside the plot has the
#: same (static/css/site.css, .pp-keys).
PIPE_ROW = 28
PIPE_TOP = 34
PIPE_BAR = 18
PIPE_WIDTH = 720
PIPE_RIGHT_ROOM = 80  # the row's total, right of its bar
#: The axis's steps: 1, 2, 2.5 or 5 times a power of ten (GWh figures run 25, 50, 75, …).
QUARTER_STEPS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class PipeSegment:
    stage: str
    x: float
    width: float
    label: str  # its <title>: "2026, planned: 15 GWh/yr"


@dataclass(frozen=True)
class PipeBar:
    label: str
    y: float
    text_y: float  # the middle of the bar, for its total
    segments: tuple[PipeSegment, ...]
    total_x: float
    total_label: str


@dataclass(frozen=True)
class PipelineChart(SplitChart):
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bar_height: float
    bars: tuple[PipeBar, ...]
    x_ticks: tuple[AxisTick, ...]

    plot_x = property(lambda self: self.left - PLOT_GUTTER)


def gwh_label(value: float) -> str:
    """GWh with as many decimals as small values need: "15", "0.1", "0.005"."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def pipeline_chart(
    rows: Sequence[tuple[str, dict[str, float]]],
    stages: Sequence[str],
    stage_labels: dict[str, str],
    *,
    title: str,
    description: str,
) -> PipelineChart | None:
    """Horizontal stacked bars: one bar per row (its label in the column left of the plot, on
    the same line), one segment per stage with capacity, in `stages` order. None without any
    capacity."""
    largest = max((sum(by_stage.values()) for _, by_stage in rows), default=0)
    if largest <= 0:
        return None
    left, right = PIPE_LABEL_WIDTH, PIPE_WIDTH - PIPE_RIGHT_ROOM
    axis, ticks = linear_ticks(largest, left, right, 5, steps=QUARTER_STEPS, label=gwh_label)
    scale = (right - left) / axis.most
    bars = []
    for i, (label, by_stage) in enumerate(rows):
        y = PIPE_TOP + i * PIPE_ROW + (PIPE_ROW - PIPE_BAR) / 2
        x = float(left)
        segments = []
        for stage in stages:
            value = by_stage.get(stage, 0)
            if value <= 0:
                continue
            width = value * scale
            segments.append(
                PipeSegment(
                    stage,
                    round(x, 1),
                    round(max(width, 1), 1),
                    f"{label}, {stage_labels[stage].lower()}: {gwh_label(value)} GWh/yr",
                )
            )
            x += width
        total = sum(by_stage.values())
        bars.append(
            PipeBar(
                label,
                round(y, 1),
                round(y + PIPE_BAR / 2, 1),
                tuple(segments),
                round(x + 6, 1),
                f"{gwh_label(total)} GWh/yr",
            )
        )
    return PipelineChart(
        title=title,
        description=description,
        width=PIPE_WIDTH,
        height=PIPE_TOP + len(rows) * PIPE_ROW + 10,
        left=left,
        right=right,
        top=PIPE_TOP,
        bar_height=PIPE_BAR,
        bars=tuple(bars),
        x_ticks=tuple(ticks),
    )
