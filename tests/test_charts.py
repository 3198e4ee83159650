"""The SVG charts: timeline and target-revision geometry, and their templates. No database."""

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import count

from django.template.loader import render_to_string

from claims.charts import DateScale, revisions_chart, timeline_chart, year_ticks
from claims.periods import format_period, parse_period
from claims.status import Status, derive_status

D = date.fromisoformat
AS_OF = D("2025-09-05")
_ids = count(1)

KIND_LABELS = {
    "announcement": "Announcement",
    "reaffirmation": "Reaffirmation",
    "revision": "Revision of the target",
    "achievement": "Achievement report",
    "clarification": "Clarification or denial",
    "cancellation": "Cancellation or strategy change",
}


@dataclass
class FakeClaim:
    kind: str
    stated_on: date
    target_text: str = ""
    target_earliest: date | None = None
    target_latest: date | None = None
    target_precision: str = "none"
    achieved_on: date | None = None
    id: int = field(default_factory=lambda: next(_ids))
    standing: str = "company"

    @property
    def stated_on_latest(self) -> date:
        return self.stated_on

    @property
    def achieved_on_latest(self) -> date | None:
        return self.achieved_on

    @property
    def stated_label(self) -> str:
        return f"{self.stated_on.day} {self.stated_on:%b %Y}"

    @property
    def target_label(self) -> str:
        if self.target_precision == "none":
            return ""
        return format_period(self.target_earliest, self.target_latest, self.target_precision)

    def get_kind_display(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class FakeClaims:
    items: list

    def all(self) -> list:
        return self.items


@dataclass
class FakeCompany:
    name: str


@dataclass
class FakeMilestone:
    title: str
    claims: FakeClaims
    company: FakeCompany = field(default_factory=lambda: FakeCompany("EVE Energy"))
    id: int = field(default_factory=lambda: next(_ids))

    def get_absolute_url(self) -> str:
        return f"/milestones/{self.id}/"


def said(kind: str, stated_on: str, target: str | None = None, achieved: str | None = None):
    period = parse_period(target) if target is not None else None
    return FakeClaim(
        kind=kind,
        stated_on=D(stated_on),
        target_text=target or "",
        target_earliest=period.earliest if period else None,
        target_latest=period.latest if period else None,
        target_precision=str(period.precision) if period else "none",
        achieved_on=D(achieved) if achieved else None,
    )


def milestone(title: str, *claims: FakeClaim, company: str = "EVE Energy", as_of: date = AS_OF):
    m = FakeMilestone(title, FakeClaims(list(claims)), FakeCompany(company))
    return m, derive_status(m.claims.all(), as_of)


def one_of_each_status(as_of: date = AS_OF):
    return [
        milestone(
            "Phase 1 line-off",
            said("announcement", "2023-03-01", "Dec 2024"),
            said("achievement", "2025-01-10", achieved="2024-12-20"),
        ),
        milestone(
            "Pilot line",
            said("announcement", "2022-05-01", "2023"),
            said("cancellation", "2024-02-01"),
            company="QuantumScape",
        ),
        milestone("Sample delivery", said("announcement", "2022-01-10", "H1 2024")),
        milestone(
            "Mass production",
            said("announcement", "2021-06-01", "2025"),
            said("revision", "2024-06-01", "2027–28"),
        ),
        milestone("Phase 2 capacity", said("announcement", "2025-09-02", "Dec 2026")),
        milestone("Commercialisation", said("announcement", "2024-04-01", "not stated")),
    ]


def row_for(chart, title):
    return next(row for row in chart.rows if row.title == title)


# Scale -------------------------------------------------------------------------------------


def test_date_scale_maps_start_and_end_to_the_ends_of_the_range():
    scale = DateScale(D("2020-01-01"), D("2030-01-01"), 100, 900)
    assert scale(D("2020-01-01")) == 100
    assert scale(D("2030-01-01")) == 900
    assert 100 < scale(D("2025-01-01")) < 900


def test_date_scale_runs_upwards_for_a_y_axis():
    scale = DateScale(D("2020-01-01"), D("2030-01-01"), 300, 20)
    assert scale(D("2028-01-01")) < scale(D("2022-01-01"))


def test_date_scale_clamps_dates_outside_its_domain():
    scale = DateScale(D("2020-01-01"), D("2030-01-01"), 100, 900)
    assert scale(D("2010-01-01")) == 100
    assert scale(D("2040-01-01")) == 900


def test_year_ticks_thin_labels_on_a_crowded_axis():
    scale = DateScale(D("2000-01-01"), D("2040-01-01"), 0, 400)
    labels = [t.label for t in year_ticks(scale, min_gap=40) if t.label]
    assert labels == [str(y) for y in range(2000, 2040, 5)]


# Timeline geometry --------------------------------------------------------------------------


def test_no_timeline_without_milestones():
    assert timeline_chart([], AS_OF) is None


def test_as_of_line_lies_between_axis_start_and_end():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    assert chart.start == D("2021-01-01")
    assert chart.end == D("2028-12-31")
    assert chart.plot_left < chart.as_of_x < chart.plot_right
    assert chart.as_of_label == "as of 5 Sep 2025"


def test_as_of_label_says_today_when_viewing_today():
    chart = timeline_chart(one_of_each_status(), AS_OF, today=AS_OF)
    assert chart.as_of_label == "today"


def test_axis_has_a_labelled_gridline_per_year():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    labels = [t.label for t in chart.ticks if t.label]
    assert labels == [str(y) for y in range(2021, 2029)]
    assert [t.x for t in chart.ticks] == sorted(t.x for t in chart.ticks)


def test_later_target_sits_further_right():
    items = [
        milestone("Early", said("announcement", "2024-01-01", "2025")),
        milestone("Late", said("announcement", "2024-01-01", "2027")),
    ]
    chart = timeline_chart(items, AS_OF)
    early, late = row_for(chart, "Early"), row_for(chart, "Late")
    assert late.first.x > early.first.x
    assert late.first.x + late.first.width > early.first.x + early.first.width
    assert late.y > early.y  # one row each, in the given order


def test_first_and_current_windows_of_a_delayed_milestone():
    items = [one_of_each_status()[3]]  # 2025, revised to 2027–28
    chart = timeline_chart(items, AS_OF)
    row = chart.rows[0]
    assert row.status == Status.DELAYED
    assert row.first.label == "2025"
    assert row.current.label == "2027–28"
    assert row.current.x > row.first.x
    assert row.current.width > row.first.width  # two years against one


def test_current_window_is_not_drawn_when_the_target_never_moved():
    chart = timeline_chart([one_of_each_status()[4]], AS_OF)
    assert chart.rows[0].first.label == "Dec 2026"
    assert chart.rows[0].current is None


def test_target_without_earliest_is_drawn_as_its_last_month():
    chart = timeline_chart(
        [milestone("By", said("announcement", "2024-01-01", "before 2027"))], AS_OF
    )
    window = chart.rows[0].first
    assert window.label == "before 2027"
    assert 0 < window.width < 20


def test_open_ended_target_reaches_the_axis_end():
    item = milestone(
        "Someday",
        said("announcement", "2022-01-01", "2026"),
        said("revision", "2024-01-01", "after 2030"),
    )
    chart = timeline_chart([item], AS_OF)
    current = chart.rows[0].current
    assert current.open_ended
    assert current.label == "after 2030"
    assert chart.end.year >= 2031
    assert current.x + current.width + 8 == chart.plot_right
    assert current.arrow_d
    assert not chart.rows[0].first.open_ended


def test_achievement_marker_only_when_achieved():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    achieved = [row for row in chart.rows if row.achieved_x is not None]
    assert [row.title for row in achieved] == ["Phase 1 line-off"]
    assert achieved[0].first.x < achieved[0].achieved_x < chart.as_of_x


def test_claim_ticks_by_kind_with_date_and_kind_in_their_title():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    pilot = row_for(chart, "Pilot line")
    assert [t.group for t in pilot.claims] == ["statement", "cancellation"]
    assert pilot.claims[0].title == "1 May 2022: Announcement, target 2023"
    assert pilot.claims[1].title == "1 Feb 2024: Cancellation or strategy change"
    assert pilot.claims[0].x < pilot.claims[1].x


def test_claims_stated_after_as_of_are_left_out():
    item = milestone(
        "Phase 2",
        said("announcement", "2023-01-01", "2026"),
        said("revision", "2025-10-01", "2027"),
        as_of=D("2025-01-01"),
    )
    chart = timeline_chart([item], D("2025-01-01"))
    assert chart.rows[0].claim_count == 1
    assert chart.end == D("2026-12-31")


def test_company_is_named_only_on_a_chart_of_several_companies():
    several = timeline_chart(one_of_each_status(), AS_OF)
    assert row_for(several, "Pilot line").note == "QuantumScape"
    one = timeline_chart(one_of_each_status()[2:], AS_OF)
    assert all(row.note == "" for row in one.rows)


def test_status_line_names_the_status_and_on_a_chart_of_several_the_company():
    long_name = "China government (MIIT-led all-solid-state battery project)"
    items = [
        *one_of_each_status(),
        milestone("Funding", said("announcement", "2024-01-01", "2026"), company=long_name),
    ]
    chart = timeline_chart(items, AS_OF)
    assert row_for(chart, "Pilot line").status_text == "Cancelled · QuantumScape"
    # Whole: the label column cuts it short to its width (static/css/site.css).
    assert row_for(chart, "Funding").status_text == f"On track · {long_name}"
    one = timeline_chart(one_of_each_status()[2:], AS_OF)
    assert row_for(one, "Sample delivery").status_text == "Overdue"


def test_description_counts_milestones_by_status():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    assert chart.description.startswith("6 milestones on a time axis, 2021–2028, as of 5 Sep")
    for word in ("1 achieved", "1 cancelled", "1 overdue", "1 delayed", "1 on track"):
        assert word in chart.description


# Revisions geometry -------------------------------------------------------------------------


def slipping(as_of: date = AS_OF):
    return derive_status(
        [
            said("announcement", "2019-06-01", "2020"),
            said("revision", "2020-03-01", "2022"),
            said("reaffirmation", "2021-05-01", "2022"),
            said("revision", "2022-02-01", "H1 2022"),
            said("revision", "2023-06-13", "2027–28"),
            said("clarification", "2024-01-01"),
        ],
        as_of,
    )


def test_no_revisions_chart_without_a_dated_target():
    undated = derive_status([said("announcement", "2024-01-01", "not stated")], AS_OF)
    assert revisions_chart(undated) is None
    open_only = derive_status([said("announcement", "2024-01-01", "after 2030")], AS_OF)
    assert revisions_chart(open_only) is None


def test_revision_points_are_in_stated_order():
    chart = revisions_chart(slipping())
    assert [p.stated_label for p in chart.points] == [
        "1 Jun 2019",
        "1 Mar 2020",
        "1 May 2021",
        "1 Feb 2022",
        "13 Jun 2023",
    ]
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs)
    assert chart.left <= xs[0] and xs[-1] <= chart.right


def test_a_later_target_is_higher_on_screen_so_has_smaller_svg_y():
    first, later, same, earlier, latest = revisions_chart(slipping()).points
    assert later.y < first.y
    assert same.y == later.y
    assert earlier.y > later.y
    assert latest.y < first.y


def test_revision_directions_are_labelled():
    chart = revisions_chart(slipping())
    assert [p.direction for p in chart.points] == ["first", "later", "same", "earlier", "later"]
    assert chart.points[-1].label == "Stated 13 Jun 2023: 2027–28 (later)"
    assert [p.change for p in chart.points][:3] == ["First", "Later", "Unchanged"]


def test_step_line_passes_through_every_point():
    chart = revisions_chart(slipping())
    assert chart.path_d.startswith(f"M{chart.points[0].x:g},{chart.points[0].y:g}")
    assert chart.path_d.count("V") == len(chart.points) - 1


def test_diagonal_runs_from_bottom_left_to_top_right():
    chart = revisions_chart(slipping())
    line = chart.diagonal
    assert line.x1 == chart.left and line.x2 == chart.right
    assert line.y1 > line.y2  # later dates higher on screen
    assert chart.top <= line.y2 and line.y1 <= chart.bottom


def test_as_of_is_marked_on_the_date_axis():
    chart = revisions_chart(slipping())
    assert chart.points[-1].x < chart.as_of_x <= chart.right
    assert chart.as_of_label == "as of 5 Sep 2025"


def test_achievement_sits_on_the_diagonal():
    result = derive_status(
        [
            said("announcement", "2021-01-01", "2023"),
            said("revision", "2022-06-01", "2024"),
            said("achievement", "2024-12-01", achieved="2024-11-15"),
        ],
        AS_OF,
    )
    chart = revisions_chart(result)
    marker, line = chart.achieved, chart.diagonal
    assert marker.label == "Achieved 15 Nov 2024"
    slope = (line.y2 - line.y1) / (line.x2 - line.x1)
    assert abs(line.y1 + slope * (marker.x - line.x1) - marker.y) < 2


def test_no_achievement_marker_before_achievement():
    assert revisions_chart(slipping()).achieved is None


def test_open_ended_revision_is_an_arrow_at_the_top_edge():
    result = derive_status(
        [said("announcement", "2022-01-01", "2026"), said("revision", "2024-01-01", "after 2030")],
        AS_OF,
    )
    chart = revisions_chart(result)
    first, opened = chart.points
    assert opened.open_ended and opened.y == chart.top
    assert opened.direction == "later"
    assert opened.target_label == "after 2030"


def test_revisions_description_summarises_the_moves():
    chart = revisions_chart(slipping())
    assert chart.description == (
        "Target moved 3 times, from 2020 to 2027–28; latest statement 13 Jun 2023."
    )
    once = revisions_chart(derive_status([said("announcement", "2025-09-02", "Dec 2026")], AS_OF))
    assert once.description == "Target stated once: Dec 2026, on 2 Sep 2025."


# Templates ----------------------------------------------------------------------------------


def svg_of(html: str) -> str:
    """The chart's plot: the SVG that has the chart's title."""
    start = html.rindex("<svg", 0, html.index("<title id="))
    return html[start : html.index("</svg>", start)]


def keys_of(html: str) -> str:
    """The chart's label column: the list beside the plot."""
    start = html.index('<ul class="chart-keys')
    return html[start : html.index("</ul>", start)]


def test_timeline_names_each_row_with_its_status_in_words_beside_an_accessible_plot():
    html = render_to_string(
        "includes/timeline_svg.html", {"chart": timeline_chart(one_of_each_status(), AS_OF)}
    )
    svg = svg_of(html)
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">Milestone timeline</title>' in svg
    assert '<desc id="timeline-desc">6 milestones' in svg
    assert "<title>1 Feb 2024: Cancellation or strategy change</title>" in svg
    # The rows' names, links and statuses are HTML in the label column, in the rows' order.
    keys = keys_of(html)
    assert keys.count("<li") == 6
    for status in Status:
        assert f"> {status.label}" in keys
        assert f"chart-status-{status.value}" in keys
    assert keys.index("Phase 1 line-off") < keys.index("Pilot line") < keys.index("Sample")
    assert 'href="/milestones/' in keys and "href" not in svg


def test_plot_shows_the_chart_right_of_its_label_column_at_one_unit_a_pixel():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    html = render_to_string("includes/timeline_svg.html", {"chart": chart})
    width, height = chart.width - chart.plot_x, chart.height
    assert chart.plot_x < chart.plot_left
    assert (
        f'viewBox="{chart.plot_x} 0 {width} {height}" width="{width}" height="{height}"'
        in svg_of(html)
    )


def test_label_column_holds_whole_titles():
    title = "Phase 2 of the Chengdu base delivers 100 MWh a year of all-solid-state cells"
    chart = timeline_chart([milestone(title, said("announcement", "2025-09-02", "2026"))], AS_OF)
    html = render_to_string("includes/timeline_svg.html", {"chart": chart})
    assert f">{title}</a>" in keys_of(html)


def test_timeline_table_has_a_row_per_milestone():
    html = render_to_string(
        "includes/timeline_svg.html", {"chart": timeline_chart(one_of_each_status(), AS_OF)}
    )
    assert "<summary>Timeline as a table</summary>" in html
    table = html[html.index("<table") :]
    assert table.count("<tr>") == 1 + 6
    for heading in ("Milestone", "Status", "First target", "Current target", "Achieved", "Claims"):
        assert f'<th scope="col">{heading}</th>' in table
    assert "2027–28" in table
    assert '<time datetime="2024-12-20">20 Dec 2024</time>' in table


def test_chart_id_makes_ids_unique_per_page():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    html = render_to_string("includes/timeline_svg.html", {"chart": chart, "chart_id": "tl-2"})
    assert 'id="tl-2-title"' in html and 'id="tl-2-desc"' in html
    assert 'id="timeline-title"' not in html


def test_links_keep_a_past_as_of_date():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    html = render_to_string(
        "includes/timeline_svg.html", {"chart": chart, "is_past": True, "as_of": AS_OF}
    )
    assert "?as_of=2025-09-05" in keys_of(html)


def test_nothing_is_rendered_without_a_chart():
    assert render_to_string("includes/timeline_svg.html", {"chart": None}).strip() == ""
    assert render_to_string("includes/revisions_chart.html", {"chart": None}).strip() == ""


def test_revisions_chart_renders_titles_and_table():
    html = render_to_string("includes/revisions_chart.html", {"chart": revisions_chart(slipping())})
    assert 'aria-labelledby="revisions-title revisions-desc"' in html
    assert '<desc id="revisions-desc">Target moved 3 times' in html
    assert "<title>Stated 13 Jun 2023: 2027–28 (later)</title>" in html
    assert 'class="rv-diagonal"' in svg_of(html)
    table = html[html.index("<table>") :]
    for heading in ("Stated", "Target as stated", "Target", "Change"):
        assert f'<th scope="col">{heading}</th>' in table
    assert table.count("<tr>") == 1 + 5
    assert '<time datetime="2023-06-13">13 Jun 2023</time>' in table


def test_revisions_chart_keeps_its_y_axis_labels_apart_from_the_plot():
    chart = revisions_chart(slipping())
    html = render_to_string("includes/revisions_chart.html", {"chart": chart})
    axis = html[
        html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-keys"') :
    ]
    axis = axis[: axis.index("</svg>")]
    assert 'aria-hidden="true"' in axis and f'width="{chart.plot_x}"' in axis
    year_labels = [t.label for t in chart.y_ticks if t.label]
    assert year_labels and all(f">{label}</text>" in axis for label in year_labels)
    assert "Target: when it falls due" in axis
    assert f'viewBox="{chart.plot_x} 0 {chart.width - chart.plot_x} {chart.height}"' in svg_of(html)


def test_charts_have_no_style_attributes_and_no_script():
    timeline = render_to_string(
        "includes/timeline_svg.html", {"chart": timeline_chart(one_of_each_status(), AS_OF)}
    )
    revisions = render_to_string(
        "includes/revisions_chart.html", {"chart": revisions_chart(slipping())}
    )
    for html in (timeline, revisions):
        assert not re.search(r"\sstyle=", html)
        assert "<script" not in html.lower()


def test_coordinates_are_short_and_not_localised():
    chart = timeline_chart(one_of_each_status(), AS_OF)
    from django.utils import translation

    with translation.override("de"):
        html = render_to_string("includes/timeline_svg.html", {"chart": chart})
    assert not re.search(r'(?:x|y|width)="\d+,\d', html)
    assert not re.search(r'\d\.\d\d+"', html)  # one decimal at most


def test_titles_are_escaped():
    item = milestone(
        '<script>alert("x")</script> line-off', said("announcement", "2024-01-01", "2026")
    )
    html = render_to_string("includes/timeline_svg.html", {"chart": timeline_chart([item], AS_OF)})
    assert "<script" not in html
    assert "&lt;script&gt;" in html
