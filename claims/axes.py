"""Scales, axes and ticks of the server-rendered SVG charts (claims.charts, claims.plots,
claims.pipeline_chart): pure functions of numbers and dates, no ORM, no request.

Every chart with labels or an axis at its left is drawn in two parts side by side
(`SplitChart`): that column, which stays in view when the chart scrolls sideways on a narrow
screen, and the plot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

#: Room left of a plot's first gridline, so that marks at the axis start are drawn whole.
PLOT_GUTTER = 8
#: Round steps of a linear axis: 1, 2 or 5 times a power of ten.
STEPS = (1, 2, 5, 10)


def n(value: float) -> str:
    """A number for a path: one decimal at most, no trailing zeros."""
    return f"{round(value, 1):g}"


def anchor(x: float, left: float, right: float, room: float = 70) -> str:
    """The text-anchor that keeps a label at x inside [left, right]."""
    return "end" if x > right - room else "start" if x < left + room else "middle"


class SplitChart:
    """A chart drawn as two parts side by side, one unit a pixel: its labels (an HTML column of
    one row per row of the chart) or its y axis at the left, which stay in view while the chart
    scrolls sideways, and its plot, which shows the chart's own coordinates from x = `plot_x`
    to its width. A subclass gives `plot_x`, `width` and `height`."""

    plot_width = property(lambda self: self.width - self.plot_x)


@dataclass(frozen=True)
class DateScale:
    """Maps dates in [start, end] to coordinates in [lo, hi] (lo > hi for a y axis), clamped."""

    start: date
    end: date
    lo: float
    hi: float

    def __call__(self, d: date) -> float:
        fraction = (d - self.start).days / max((self.end - self.start).days, 1)
        return round(self.lo + min(max(fraction, 0.0), 1.0) * (self.hi - self.lo), 1)


@dataclass(frozen=True)
class LinearScale:
    """Maps values in [0, most] to coordinates in [lo, hi] (lo > hi for a y axis), clamped."""

    most: float
    lo: float
    hi: float

    def __call__(self, value: float) -> float:
        fraction = min(max(value, 0.0), self.most) / self.most
        return round(self.lo + fraction * (self.hi - self.lo), 1)


@dataclass(frozen=True)
class AxisTick:
    """A gridline at pos and its label (empty when thinned out), centred at label_pos."""

    pos: float
    label: str
    label_pos: float
    x = property(lambda self: self.pos)


def year_span(dates: Sequence[date]) -> tuple[date, date]:
    """1 Jan of the earliest date's year, and 1 Jan after the latest date's year."""
    return date(min(dates).year, 1, 1), date(max(dates).year + 1, 1, 1)


def year_ticks(scale: DateScale, min_gap: float) -> list[AxisTick]:
    """Yearly gridlines on 1 January, each year's label mid-year, labelled every 1, 2, 5, 10
    or 20 years so labels are min_gap apart."""
    per_year = abs(scale(date(scale.start.year + 1, 1, 1)) - scale.lo) or 1
    step = next((s for s in (1, 2, 5, 10) if s * per_year >= min_gap), 20)
    return [
        AxisTick(
            scale(date(year, 1, 1)),
            str(year) if year < scale.end.year and year % step == 0 else "",
            scale(date(year, 7, 2)),
        )
        for year in range(scale.start.year, scale.end.year + 1)
    ]


def nice_step(span: float, count: int = 6, steps: Sequence[float] = STEPS) -> float:
    """A round step (one of `steps` times a power of ten) giving about `count` ticks over span."""
    raw = max(span, 1e-9) / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in steps if m * power >= raw)


def linear_ticks(
    top: float,
    lo: float,
    hi: float,
    count: int = 6,
    *,
    steps: Sequence[float] = STEPS,
    label: Callable[[float], str] = "{:g}".format,
) -> tuple[LinearScale, list[AxisTick]]:
    """The scale of an axis from 0 to a round value at or above `top`, mapped to [lo, hi], and
    its ticks at round steps, each labelled by `label`."""
    step = nice_step(top, count, steps)
    scale = LinearScale(step * max(math.ceil(top / step), 1), lo, hi)
    ticks, value = [], 0.0
    while value <= scale.most + step / 2:
        ticks.append(AxisTick(scale(value), label(value), scale(value)))
        value += step
    return scale, ticks
