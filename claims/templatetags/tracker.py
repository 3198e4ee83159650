import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from claims.charts import escape_text as escape
from claims.dates import datetime_attr, format_span
from claims.models import STANDING_LABELS
from claims.status import achieved_label, slip_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for looking up a row's figures in a dict."""
    return mapping.get(key) if mapping else None


@register.filter
def duration_words(delta) -> str:
    """A timedelta in words, to the minute: "15 minutes", "1 hour", "2 hours 30 minutes"."""
    if delta is None:
        return ""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A schema.org JSON-LD block, escaped so no text can close the script element."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def timeline_rows(chart, as_of):
    """The rows of a timeline chart as SVG (claims.charts.TimelineChart.rows_svg), their
    links to a past date's view when given one."""
    return chart.rows_svg(f"?as_of={as_of:%Y-%m-%d}" if as_of else "")


@register.simple_tag
def status_badge(result) -> SafeString:
    """A status in words with its shape, how late or how far it slipped, and whether the
    tracker has heard nothing for long (a claims.status.MilestoneStatus).

    This tag and the next ones build a row's HTML in Python rather than in template markup:
    lists and company pages show dozens of rows, and the template engine's cost per
    variable and per include made them most of a page's time. Every text goes through
    escape(); the tests render each fragment with hostile text.
    """
    status = result.status
    out = (
        f'<span class="badge badge-{escape(status)}"><span class="badge-shape" '
        f'aria-hidden="true"></span>{escape(status.label)}</span>'
    )
    if result.late:
        out += f' <span class="note">{escape(slip_label(result))} late</span>'
    elif result.cant_tell:
        out += (
            ' <span class="note" title="The source is not precise enough to tell">on time or '
            "late: can’t tell</span>"
        )
    elif status == "overdue":
        months = f"{result.overdue_months} mo" if result.overdue_months else "< 1 mo"
        out += f' <span class="note">by {escape(months)}</span>'
    elif status == "delayed" and result.slip_months:
        out += f' <span class="note">+{result.slip_months} mo</span>'
    if result.stale:
        since, until = result.last_claim_from or result.last_claim_on, result.last_claim_on
        out += (
            f' <span class="stale">no news since <time datetime="{datetime_attr(since, until)}">'
            f"{escape(format_span(since, until))}</time></span>"
        )
    return mark_safe(out)  # noqa: S308


@register.simple_tag
def milestone_row(row, as_of_query="", show_company=False) -> SafeString:
    """One row of the milestone table (includes/milestone_table.html): the milestone, its
    company if asked, its status, first and current target, and when it was achieved."""
    milestone, result = row["milestone"], row["result"]
    query = escape(as_of_query)
    detail = milestone.get_kind_display()
    if milestone.facility:
        detail = f"{detail} · {milestone.facility.name}"
    cells = [
        f'<th scope="row"><a href="{escape(milestone.get_absolute_url())}{query}">'
        f"{escape(milestone.title)}</a>\n"
        f'        <div class="muted">{escape(detail)}</div></th>'
    ]
    if show_company:
        company = milestone.company
        cells.append(
            f'<td><a href="{escape(company.get_absolute_url())}{query}">{escape(company.name)}'
            f'</a><div class="muted">{escape(company.country.name)}</div></td>'
        )
    cells.append(f"<td>{status_badge(result)}</td>")
    first = result.first_target.label if result.first_target else ""
    cells.append(f'<td class="num">{escape(first or "—")}</td>')
    current = result.current_target
    if current is None:
        cells.append('<td class="num">—</td>')
    elif current.text and current.text != current.label:
        cells.append(
            f'<td class="num">{escape(current.label)}<div class="muted">“{escape(current.text)}”'
            "</div></td>"
        )
    else:
        cells.append(f'<td class="num">{escape(current.label)}</td>')
    if result.achieved_on:
        first, last = result.achieved_on, result.achieved_latest or result.achieved_on
        cells.append(
            f'<td class="num"><time datetime="{datetime_attr(first, last)}">'
            f"{escape(achieved_label(result))}</time></td>"
        )
    else:
        cells.append('<td class="num">—</td>')
    return mark_safe("<tr>\n      " + "\n      ".join(cells) + "\n    </tr>")  # noqa: S308


@register.simple_tag
def source_cite(source) -> SafeString:
    """A source as cited beside a claim: title, publisher, date, who reported it, original."""
    out = (
        f'<a href="{escape(source.get_absolute_url())}">{escape(source.title)}</a>, '
        f"{escape(source.publisher)}, "
        f'<time datetime="{datetime_attr(source.published_on, source.published_on_latest)}">'
        f"{escape(source.published_label)}</time>"
    )
    if source.via:
        via = source.via
        out += f', via <a href="{escape(via.get_absolute_url())}">{escape(via.publisher)}</a>'
    if source.url:
        out += (
            f' · <a href="{escape(source.url)}" rel="noopener nofollow" class="external">'
            "original</a>"
        )
    return mark_safe(out)  # noqa: S308


@register.simple_tag
def claim_item(claim, show_milestone=False, show_company=False, as_of_query="") -> SafeString:
    """One claim of a claim list (includes/claim_list.html): when and what was said, by
    whom, the target or the achievement, the quote and the source."""
    head = (
        f'<time datetime="{datetime_attr(claim.stated_on, claim.stated_on_latest)}">'
        f"{escape(claim.stated_label)}</time>\n"
        f"      · <strong>{escape(claim.get_kind_display())}</strong>"
    )
    standing = STANDING_LABELS.get(claim.standing, "")
    if not claim.counts:
        head += (
            f' · <span class="standing">{escape(standing)}: not counted in status or slip</span>'
        )
    elif claim.standing != "company":
        head += f' · <span class="standing">{escape(standing)}</span>'
    if show_milestone:
        milestone = claim.milestone
        company = f"{escape(milestone.company.name)}: " if show_company else ""
        head += (
            f' · {company}<a href="{escape(milestone.get_absolute_url())}'
            f'{escape(as_of_query)}">{escape(milestone.title)}</a>'
        )
    if claim.kind == "view":
        what = ", in a view of its own:"
        if claim.target_precision != "none":
            what = (
                f" gave a view of its own, putting it at <strong>{escape(claim.target_label)}"
                "</strong>:"
            )
    elif claim.has_target:
        if claim.target_precision == "none":
            what = " gave no date."
        else:
            what = f" stated a target of <strong>{escape(claim.target_label)}</strong>"
            if claim.target_text and claim.target_text != claim.target_label:
                what += f" (“{escape(claim.target_text)}”)"
            what += "."
    elif claim.kind == "achievement":
        when = "on" if claim.achieved_on_precision == "day" else "in"
        evidence = str(claim.get_evidence_display()).lower()
        what = (
            f" reported it achieved {when} {escape(claim.achieved_label)} "
            f'<span class="evidence">(evidence: {escape(evidence)})</span>.'
        )
    elif claim.kind == "cancellation":
        what = " cancelled it or made it moot."
    else:
        what = " clarified:"
    quote = f"<blockquote>{escape(claim.quote)}</blockquote>" if claim.quote else ""
    return mark_safe(  # noqa: S308
        f'<li class="claim claim-{escape(claim.kind)}" id="claim-{claim.pk}">\n'
        f'    <p class="claim-head">{head}</p>\n'
        f"    <p>{escape(claim.speaker or 'The source')}{what}</p>\n    {quote}\n"
        f'    <p class="cite">{source_cite(claim.source)}</p>\n  </li>'
    )
