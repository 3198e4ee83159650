"""Geometry for the scorecards' and the cell metrics' SVG charts: pure functions of the data,
no ORM, no request (as claims.charts, whose scales and ticks they share).

`spread_chart`: the spread of slips (months past the first dated target) per company or
country: a box from the lower to the upper quartile, a line at the median, whiskers to the
least and the most, and every slip as a dot (a strip). `scatter_chart`: a cell metric over
time, claimed (hollow circles) against demonstrated (filled squares). The templates
`includes/spread_chart.html` and `includes/scatter_chart.html` only print what is computed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from claims.axes import (
    PLOT_GUTTER,
    AxisTick,
    DateScale,
    SplitChart,
    linear_ticks,
    n,
    year_span,
    year_ticks,
)
from claims.charts import day_label
from claims.status import SlipSpread

SPREAD_LABEL_WIDTH = 220
#: The spread chart's rows and header, in pixels: its label column has the same
#: (static/css/site.css, .sp-keys).
SPREAD_ROW = 30
SPREAD_HEADER = 34
SCATTER_LEFT = 64
SCATTER_TOP = 24
SCATTER_BOTTOM = 40


# Spread of slips -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadRow:
    y: float
    title: str
    url: str
    spread: SlipSpread
    least_x: float
    lower_x: float
    median_x: float
    upper_x: float
    most_x: float
    dots: list[tuple[float, float]]  # (x, y) of each slip

    height = SPREAD_ROW
    mid = property(lambda self: self.y + SPREAD_ROW / 2)
    box_y = property(lambda self: self.mid - 8)
    box_width = property(lambda self: round(max(self.upper_x - self.lower_x, 1.5), 1))
    whisker_d = property(
        lambda self: (
            f"M{n(self.least_x)},{n(self.mid)}H{n(self.lower_x)}"
            f"M{n(self.upper_x)},{n(self.mid)}H{n(self.most_x)}"
            f"M{n(self.least_x)},{n(self.mid - 5)}V{n(self.mid + 5)}"
            f"M{n(self.most_x)},{n(self.mid - 5)}V{n(self.mid + 5)}"
        )
    )
    median_d = property(lambda self: f"M{n(self.median_x)},{n(self.mid - 10)}V{n(self.mid + 10)}")


@dataclass(frozen=True)
class SpreadChart(SplitChart):
    width: int
    height: int
    rows: list[SpreadRow]
    ticks: list[AxisTick]
    title: str
    description: str
    plot_left: float
    plot_right: float

    grid_top = SPREAD_HEADER - 6
    tick_label_y = SPREAD_HEADER - 12
    plot_x = SPREAD_LABEL_WIDTH - PLOT_GUTTER
    grid_bottom = property(lambda self: self.height - 4)


#: A row shows each slip as a dot when it has no more than this many.
MAX_DOTS = 30


def spread_chart(
    items: Sequence[tuple[str, str, SlipSpread | None, Sequence[int]]],
    *,
    title: str,
    width: int = 720,
) -> SpreadChart | None:
    """One row per (label, url, spread, slips) with slips; None when no row has any."""
    items = [i for i in items if i[2] is not None]
    if not items:
        return None
    left, right = SPREAD_LABEL_WIDTH, width - 16
    x, ticks = linear_ticks(max(12.0, max(s.most for _, _, s, _ in items)), left, right)
    rows = []
    for i, (label, url, spread, slips) in enumerate(items):
        y = SPREAD_HEADER + i * SPREAD_ROW
        mid = y + SPREAD_ROW / 2
        dots = []
        if len(slips) <= MAX_DOTS:
            seen: Counter = Counter()
            for slip in slips:  # equal slips side by side, up and down from the middle
                k = seen[slip]
                seen[slip] += 1
                dots.append((x(slip), round(mid + (k % 5 - 2) * 2.5, 1)))
        rows.append(
            SpreadRow(
                y=y,
                title=label,
                url=url,
                spread=spread,
                least_x=x(spread.least),
                lower_x=x(spread.lower),
                median_x=x(spread.median),
                upper_x=x(spread.upper),
                most_x=x(spread.most),
                dots=dots,
            )
        )
    description = (
        f"Slips in months past the first dated target, for {len(rows)} "
        f"{'rows' if len(rows) != 1 else 'row'}: a box from the lower to the upper quartile, "
        "a line at the median, whiskers to the least and the most slip, a dot for each slip."
    )
    return SpreadChart(
        width=width,
        height=SPREAD_HEADER + len(rows) * SPREAD_ROW + 8,
        rows=rows,
        ticks=ticks,
        title=title,
        description=description,
        plot_left=left,
        plot_right=right,
    )


# Cell metrics over time -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScatterPoint:
    x: float
    y: float
    kind: str  # "claimed" or "demonstrated"
    title: str
    url: str
    item: Any  # what the point stands for (a metrics row)

    @property
    def d(self) -> str:
        """A hollow circle for a claim, a filled square for a demonstration."""
        if self.kind == "demonstrated":
            return f"M{n(self.x - 5)},{n(self.y - 5)}h10v10h-10Z"
        return f"M{n(self.x - 5)},{n(self.y)}a5,5 0 1,0 10,0a5,5 0 1,0 -10,0Z"


@dataclass(frozen=True)
class ScatterChart(SplitChart):
    width: int
    height: int
    points: list[ScatterPoint]
    x_ticks: list
    y_ticks: list[AxisTick]
    title: str
    description: str
    axis_title: str
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float

    x_label_y = property(lambda self: self.plot_bottom + 18)
    plot_x = SCATTER_LEFT - PLOT_GUTTER  # the y axis's labels and title left of it
    y_label_x = plot_x - 4
    axis_title_x = 8
    axis_title_y = 14


def scatter_chart(
    items: Sequence[tuple[date, float, str, str, str, Any]],
    *,
    title: str,
    axis_title: str,
    width: int = 880,
    height: int = 360,
) -> ScatterChart | None:
    """A point per (day, value, kind, title, url, item) on a yearly x axis and a linear y axis
    from 0; None without items."""
    if not items:
        return None
    start, end = year_span([i[0] for i in items])
    left, right = SCATTER_LEFT, width - 16
    top, bottom = SCATTER_TOP, height - SCATTER_BOTTOM
    xs = DateScale(start, end, left, right)
    y, y_ticks = linear_ticks(max(float(i[1]) for i in items), bottom, top)
    points = [
        ScatterPoint(xs(day), y(float(value)), kind, label, url, item)
        for day, value, kind, label, url, item in items
    ]
    kinds = Counter(p.kind for p in points)
    description = (
        f"{axis_title} over time, {start.year}–{end.year - 1}: {kinds['claimed']} claimed "
        f"(hollow circles, at the date promised), {kinds['demonstrated']} demonstrated (filled "
        f"squares, at the date achieved); up to {day_label(max(i[0] for i in items))}."
    )
    return ScatterChart(
        width=width,
        height=height,
        points=points,
        x_ticks=year_ticks(xs, min_gap=48),
        y_ticks=y_ticks,
        title=title,
        description=description,
        axis_title=axis_title,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )
