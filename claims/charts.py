"""Geometry for the server-rendered SVG charts: pure functions of the data, no ORM, no request.

`timeline_chart`: milestones on one time axis (first and current target, claims, achievement).
`revisions_chart`: milestone trend analysis (x = date a target was stated, y = when it falls
due; a rising line is a slip). The templates `includes/timeline_svg.html` and
`includes/revisions_chart.html` only print the coordinates and paths computed here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from claims.axes import (
    PLOT_GUTTER,
    AxisTick,
    DateScale,
    SplitChart,
    anchor,
    n,
    year_span,
    year_ticks,
)
from claims.dates import format_span
from claims.status import (
    CANCELLATION,
    CLARIFICATION,
    MilestoneStatus,
    Status,
    Target,
    achieved_label,
    add_months,
    revision_direction,
    visible,
)

#: The timeline's rows and the header above them (the as-of label, the year labels), in
#: pixels: the label column beside the plot has the same (static/css/site.css, .tl-keys).
ROW_HEIGHT = 44
HEADER = 40
LABEL_WIDTH = 316  # the plot's axis starts here, right of the label column


class MilestoneLike(Protocol):
    title: str
    company: Any  # has .name
    claims: Any  # prefetched: .all() gives claims with kind, stated_on, stated_label

    def get_absolute_url(self) -> str: ...


def day_label(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def as_of_label(as_of: date, today: date | None) -> str:
    return "today" if as_of == (today or date.today()) else f"as of {day_label(as_of)}"


# Marker outlines as unit polygons: the status badges' shapes, and the revision directions.
_STAR = tuple(  # five points, alternating outer (1) and inner (0.45) radius, from the top
    (radius * math.cos(angle), radius * math.sin(angle))
    for i in range(10)
    for radius, angle in [(0.45 if i % 2 else 1, math.pi * i / 5 - math.pi / 2)]
)
SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    Status.OVERDUE: ((0, -1), (1, 1), (-1, 1)),  # triangle
    Status.DELAYED: ((0, -1), (1, 0), (0, 1), (-1, 0)),  # diamond
    Status.ON_TRACK: ((-1, -1), (1, 0), (-1, 1)),  # right-pointing triangle
    Status.CANCELLED: ((-1, -0.3), (1, -0.3), (1, 0.3), (-1, 0.3)),  # bar
    "later": ((0, -1), (1, 0.8), (-1, 0.8)),
    "earlier": ((0, 1), (1, -0.8), (-1, -0.8)),
    "same": ((-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)),
    "star": _STAR,
}


def shape(name: str, cx: float, cy: float, r: float = 5) -> str:
    """A path for a named marker; a circle for any other name (achieved, undated, first)."""
    if name not in SHAPES:
        return f"M{n(cx - r)},{n(cy)}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"
    return "M" + "L".join(f"{n(cx + dx * r)},{n(cy + dy * r)}" for dx, dy in SHAPES[name]) + "Z"


# Timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A target period as a bar; an open-ended one runs to the axis end, with an arrow."""

    x: float
    width: float
    target: Target
    arrow_d: str = ""
    label = property(lambda self: self.target.label)
    stated = property(lambda self: self.target.text)
    open_ended = property(lambda self: not self.target.is_dated)


@dataclass(frozen=True)
class ClaimTick:
    x: float
    group: str  # "statement", "clarification" or "cancellation": a line, dashes, a cross
    d: str
    title: str  # "2 Sep 2025: Announcement, target Dec 2026"


@dataclass(frozen=True)
class TimelineRow:
    y: float
    milestone: Any
    result: MilestoneStatus
    note: str  # the company, on a chart of several companies
    first: Window | None
    current: Window | None  # only when it differs from the first
    claims: list[ClaimTick]
    achieved_x: float | None

    height = ROW_HEIGHT
    title = property(lambda self: self.milestone.title)
    url = property(lambda self: self.milestone.get_absolute_url())
    status = property(lambda self: self.result.status.value)
    status_label = property(lambda self: self.result.status.label)
    status_text = property(
        lambda self: f"{self.status_label} · {self.note}" if self.note else self.status_label
    )
    status_d = property(lambda self: shape(self.status, 0, 0))  # its mark, centred on 0,0
    claim_count = property(lambda self: len(self.claims))
    mid = property(lambda self: self.y + ROW_HEIGHT / 2)
    first_y = property(lambda self: self.mid - 10)  # outlined box, 20 high
    current_y = property(lambda self: self.mid - 5)  # filled box, 10 high
    open_label_y = property(lambda self: self.mid - 12)


@dataclass(frozen=True)
class TimelineChart(SplitChart):
    width: int
    height: int
    rows: list[TimelineRow]
    ticks: list[AxisTick]
    as_of_x: float
    as_of_label: str
    start: date
    end: date
    title: str
    description: str
    plot_left: float
    plot_right: float

    grid_top, year_label_y, as_of_label_y, as_of_line_top = HEADER - 4, HEADER - 10, 13, 17
    plot_x = LABEL_WIDTH - PLOT_GUTTER
    grid_bottom = property(lambda self: self.height - 4)
    as_of_anchor = property(lambda self: anchor(self.as_of_x, self.plot_left, self.plot_right))


def _span(target: Target | None) -> tuple[date, date | None] | None:
    """A target's drawn period: "by X" (no earliest) is drawn as the month before X."""
    if target is None or (target.earliest is None and target.latest is None):
        return None
    return target.earliest or add_months(target.latest, -1), target.latest


def _window(target: Target | None, scale: DateScale, mid: float) -> Window | None:
    if (span := _span(target)) is None:
        return None
    x, latest = scale(span[0]), span[1]
    if latest is not None:
        return Window(x, round(max(scale(latest) - x, 3), 1), target)
    end = scale.hi - 8
    arrow = f"M{n(end)},{n(mid - 7)}L{n(scale.hi)},{n(mid)}L{n(end)},{n(mid + 7)}Z"
    return Window(x, round(max(end - x, 3), 1), target, arrow)


def _claim_tick(claim: Any, x: float, mid: float) -> ClaimTick:
    title = f"{claim.stated_label}: {claim.get_kind_display()}"
    if target := getattr(claim, "target_label", ""):
        title += f", target {target}"
    if claim.kind == CANCELLATION:
        return ClaimTick(x, "cancellation", f"M{n(x - 5)},{n(mid - 5)}l10,10m0,-10l-10,10", title)
    group = "clarification" if claim.kind == CLARIFICATION else "statement"
    return ClaimTick(x, group, f"M{n(x)},{n(mid - 13)}V{n(mid + 13)}", title)


def _seen(milestone: MilestoneLike, as_of: date) -> list[Any]:
    return visible(milestone.claims.all(), as_of)


def _timeline_dates(items: Sequence[tuple[MilestoneLike, MilestoneStatus]], as_of: date):
    yield as_of
    for milestone, result in items:
        yield from (c.stated_on for c in _seen(milestone, as_of))
        for span in filter(None, (_span(result.first_target), _span(result.current_target))):
            yield from (span[0], span[1] or add_months(span[0], 12))
        if result.achieved_on:
            yield result.achieved_on


def _row(
    y: float,
    milestone: MilestoneLike,
    result: MilestoneStatus,
    scale: DateScale,
    as_of: date,
    several: bool,
) -> TimelineRow:
    mid, first, current = y + ROW_HEIGHT / 2, result.first_target, result.current_target
    if first and current and (first.earliest, first.latest) == (current.earliest, current.latest):
        current = None  # the current target is drawn only when it moved
    return TimelineRow(
        y=y,
        milestone=milestone,
        result=result,
        note=milestone.company.name if several else "",
        first=_window(first, scale, mid),
        current=_window(current, scale, mid),
        claims=[_claim_tick(c, scale(c.stated_on), mid) for c in _seen(milestone, as_of)],
        achieved_x=scale(result.achieved_on) if result.achieved_on else None,
    )


def timeline_span(
    items: Sequence[tuple[MilestoneLike, MilestoneStatus]], as_of: date
) -> tuple[date, date]:
    """The yearly axis a timeline of these items spans: give it to several charts to draw
    them on one axis."""
    return year_span(list(_timeline_dates(items, as_of)))


def timeline_chart(
    items: Sequence[tuple[MilestoneLike, MilestoneStatus]],
    as_of: date,
    *,
    width: int = 960,
    title: str = "Milestone timeline",
    today: date | None = None,
    span: tuple[date, date] | None = None,
) -> TimelineChart | None:
    """One row per (milestone, status) on a shared yearly axis; None without items.

    `span`: the axis's (start, end), to draw several charts on one axis (timeline_span)."""
    if not items:
        return None
    start, end = span or timeline_span(items, as_of)
    scale = DateScale(start, end, LABEL_WIDTH, width - 16)
    several = len({m.company.name for m, _ in items}) > 1
    rows = [
        _row(HEADER + i * ROW_HEIGHT, milestone, result, scale, as_of, several)
        for i, (milestone, result) in enumerate(items)
    ]
    counts = Counter(r.status for _, r in items)
    summary = ", ".join(f"{counts[s]} {s.label.lower()}" for s in Status if counts[s])
    years = str(start.year) if end.year - start.year == 1 else f"{start.year}–{end.year - 1}"
    description = (
        f"{len(rows)} milestone{'s' if len(rows) != 1 else ''} on a time axis, {years}, as of "
        f"{day_label(as_of)}: {summary}. Outlined box: first target; filled box: current "
        "target; circle: achieved; ticks: dated claims."
    )
    return TimelineChart(
        width=width,
        height=HEADER + len(rows) * ROW_HEIGHT + 8,
        rows=rows,
        ticks=year_ticks(scale, min_gap=40),
        as_of_x=scale(as_of),
        as_of_label=as_of_label(as_of, today),
        start=start,
        end=end - timedelta(days=1),
        title=title,
        description=description,
        plot_left=scale.lo,
        plot_right=scale.hi,
    )


# Target revisions ----------------------------------------------------------------------------

CHANGE_WORDS = {"first": "First", "later": "Later", "earlier": "Earlier", "same": "Unchanged"}


@dataclass(frozen=True)
class RevisionPoint:
    x: float
    y: float
    target: Target
    direction: str  # "first", "later", "earlier" or "same"
    d: str  # circle first, up triangle later, down triangle earlier, square same, arrow open
    at_top: bool = False  # no room above the point: its label goes below

    stated_on = property(lambda self: self.target.stated_on)
    stated_label = property(
        lambda self: format_span(self.target.stated_on, self.target.stated_latest)
    )
    target_label = property(lambda self: self.target.label)
    target_text = property(lambda self: self.target.text)
    open_ended = property(lambda self: not self.target.is_dated)
    label = property(
        lambda self: f"Stated {self.stated_label}: {self.target_label} ({self.direction})"
    )
    change = property(lambda self: CHANGE_WORDS[self.direction])
    show_label = property(lambda self: self.direction != "same" or self.open_ended)
    label_x = property(lambda self: self.x + 7)
    label_y = property(lambda self: self.y + 12 if self.open_ended or self.at_top else self.y - 7)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    d: str
    label: str


@dataclass(frozen=True)
class RevisionsChart(SplitChart):
    width: int
    height: int
    points: list[RevisionPoint]
    path_d: str
    diagonal: Line  # target == date stated: "due the day it was said"
    x_ticks: list[AxisTick]
    y_ticks: list[AxisTick]
    as_of_x: float
    as_of_label: str
    achieved: Marker | None
    title: str
    description: str
    left: float
    right: float
    top: float
    bottom: float

    frame_width = property(lambda self: self.right - self.left)
    frame_height = property(lambda self: self.bottom - self.top)
    x_label_y = property(lambda self: self.bottom + 16)
    x_title_x = property(lambda self: (self.left + self.right) / 2)
    x_title_y = property(lambda self: self.bottom + 36)
    plot_x = property(lambda self: self.left - PLOT_GUTTER)  # the y axis's labels left of it
    y_label_x = property(lambda self: self.plot_x - 4)
    y_title_y = property(lambda self: (self.top + self.bottom) / 2)
    as_of_label_y = property(lambda self: self.top - 20)
    as_of_line_top = property(lambda self: self.top - 16)
    as_of_anchor = property(lambda self: anchor(self.as_of_x, self.left, self.right))


def _open_arrow(x: float, top: float) -> str:
    head = f"M{n(x - 5)},{n(top + 6)}L{n(x)},{n(top)}L{n(x + 5)},{n(top + 6)}"
    return f"M{n(x)},{n(top + 14)}V{n(top)}{head}"


def revisions_chart(
    result: MilestoneStatus, *, width: int = 640, height: int = 360, today: date | None = None
) -> RevisionsChart | None:
    """Each stated target (y) against the date it was stated (x); None without a dated one."""
    targets, as_of, achieved_on = result.targets, result.as_of, result.achieved_on
    if not any(t.is_dated for t in targets):
        return None
    ends = [as_of, *(t.stated_on for t in targets), *filter(None, [achieved_on])]
    x_start, x_end = year_span(ends)
    y_start, y_end = year_span([x_start, *ends, *(t.latest for t in targets if t.is_dated)])
    left, right, top, bottom = 64.0, width - 24.0, 36.0, height - 48.0
    sx, sy = DateScale(x_start, x_end, left, right), DateScale(y_start, y_end, bottom, top)
    points = []
    for index, target in enumerate(targets):
        direction = revision_direction(targets[index - 1], target) if index else "first"
        x, y = sx(target.stated_on), sy(target.latest) if target.is_dated else top
        d = shape(direction, x, y) if target.is_dated else _open_arrow(x, top)
        points.append(RevisionPoint(x, y, target, direction, d, at_top=y < top + 18))
    path_d = f"M{n(points[0].x)},{n(points[0].y)}"
    path_d += "".join(f"H{n(p.x)}V{n(p.y)}" for p in points[1:])
    path_d += f"H{n(max(points[-1].x, sx(achieved_on or as_of)))}"  # held until achieved / as of
    achieved = None
    if achieved_on:
        ax, ay = sx(achieved_on), sy(achieved_on)
        achieved = Marker(ax, ay, shape("star", ax, ay, 8), f"Achieved {achieved_label(result)}")
    return RevisionsChart(
        width=width,
        height=height,
        points=points,
        path_d=path_d,
        diagonal=Line(sx(x_start), sy(x_start), sx(x_end), sy(x_end)),
        x_ticks=year_ticks(sx, min_gap=40),
        y_ticks=year_ticks(sy, min_gap=16),
        as_of_x=sx(as_of),
        as_of_label=as_of_label(as_of, today),
        achieved=achieved,
        title="Target revisions",
        description=_revisions_summary(points, achieved),
        left=left,
        right=right,
        top=top,
        bottom=bottom,
    )


def _revisions_summary(points: list[RevisionPoint], achieved: Marker | None) -> str:
    """ "Target moved 4 times, from 2020 to 2027–28; latest statement 12 Oct 2023." """
    moves = sum(p.direction in ("later", "earlier") for p in points)
    first, last = points[0], points[-1]
    if len(points) == 1:
        text = f"Target stated once: {first.target_label}, on {first.stated_label}"
    elif moves == 0:
        text = f"Target stated {len(points)} times, never moved: {first.target_label}"
    else:
        text = f"Target moved {moves} time{'s' if moves != 1 else ''}, from "
        text += f"{first.target_label} to {last.target_label}"
    if len(points) > 1:
        text += f"; latest statement {last.stated_label}"
    if achieved:
        text += f"; achieved {achieved.label.removeprefix('Achieved ')}"
    return text + "."
