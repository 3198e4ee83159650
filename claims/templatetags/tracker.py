import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for looking up a row's figures in a dict."""
    return mapping.get(key) if mapping else None


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
def status_badge(result):
    """A status in words with its shape, how late or how far it slipped, and whether the
    tracker has heard nothing for long (a claims.status.MilestoneStatus).

    A tag rather than an include: lists show one per row, and it is the commonest fragment.
    """
    html = format_html(
        '<span class="badge badge-{}"><span class="badge-shape" aria-hidden="true"></span>{}'
        "</span>",
        result.status,
        result.status.label,
    )
    if result.late:
        months = f"{result.slip_months} mo" if result.slip_months else "< 1 mo"
        html += format_html(' <span class="note">{} late</span>', months)
    elif result.status == "overdue":
        months = f"{result.overdue_months} mo" if result.overdue_months else "< 1 mo"
        html += format_html(' <span class="note">by {}</span>', months)
    elif result.status == "delayed" and result.slip_months:
        html += format_html(' <span class="note">+{} mo</span>', result.slip_months)
    if result.stale:
        html += format_html(
            ' <span class="stale">no news since <time datetime="{}">{}</time></span>',
            result.last_claim_on.isoformat(),
            f"{result.last_claim_on:%b %Y}",
        )
    return html


@register.simple_tag
def milestone_row(row, as_of_query="", show_company=False):
    """One row of the milestone table (includes/milestone_table.html): the milestone, its
    company if asked, its status, first and current target, and when it was achieved.

    A tag rather than template markup: lists and company pages show dozens of rows, and the
    template engine's per-variable cost made them most of a page's time.
    """
    milestone, result = row["milestone"], row["result"]
    detail = milestone.get_kind_display()
    if milestone.facility:
        detail = f"{detail} · {milestone.facility.name}"
    cells = [
        format_html(
            '<th scope="row"><a href="{}{}">{}</a>\n        <div class="muted">{}</div></th>',
            milestone.get_absolute_url(),
            as_of_query,
            milestone.title,
            detail,
        )
    ]
    if show_company:
        company = milestone.company
        cells.append(
            format_html(
                '<td><a href="{}{}">{}</a><div class="muted">{}</div></td>',
                company.get_absolute_url(),
                as_of_query,
                company.name,
                company.country.name,
            )
        )
    cells.append(format_html("<td>{}</td>", status_badge(result)))
    first = result.first_target.label if result.first_target else "—"
    cells.append(format_html('<td class="num">{}</td>', first or "—"))
    current = result.current_target
    if current is None:
        cells.append(mark_safe('<td class="num">—</td>'))
    elif current.text and current.text != current.label:
        cells.append(
            format_html(
                '<td class="num">{}<div class="muted">“{}”</div></td>', current.label, current.text
            )
        )
    else:
        cells.append(format_html('<td class="num">{}</td>', current.label))
    if result.achieved_on:
        day = result.achieved_on
        cells.append(
            format_html(
                '<td class="num"><time datetime="{}">{}</time></td>',
                day.isoformat(),
                f"{day.day} {day:%b %Y}",
            )
        )
    else:
        cells.append(mark_safe('<td class="num">—</td>'))
    return mark_safe("<tr>\n      " + "\n      ".join(cells) + "\n    </tr>")  # noqa: S308


@register.simple_tag
def source_cite(source):
    """A source as cited beside a claim: title, publisher, date, who reported it, original."""
    html = format_html(
        '<a href="{}">{}</a>, {}, <time datetime="{}">{}</time>',
        source.get_absolute_url(),
        source.title,
        source.publisher,
        source.published_on.isoformat(),
        source.published_label,
    )
    if source.via:
        html += format_html(
            ', via <a href="{}">{}</a>', source.via.get_absolute_url(), source.via.publisher
        )
    if source.url:
        html += format_html(
            ' · <a href="{}" rel="noopener nofollow" class="external">original</a>', source.url
        )
    return html


@register.simple_tag
def claim_item(claim, show_milestone=False, show_company=False, as_of_query=""):
    """One claim of a claim list (includes/claim_list.html): when and what was said, by
    whom, the target or the achievement, the quote and the source."""
    head = format_html(
        '<time datetime="{}">{}</time>\n      · <strong>{}</strong>',
        claim.stated_on.isoformat(),
        claim.stated_label,
        claim.get_kind_display(),
    )
    if show_milestone:
        milestone = claim.milestone
        company = format_html("{}: ", milestone.company.name) if show_company else ""
        head += format_html(
            ' · {}<a href="{}{}">{}</a>',
            company,
            milestone.get_absolute_url(),
            as_of_query,
            milestone.title,
        )
    said = claim.speaker or "The source"
    if claim.has_target:
        if claim.target_precision == "none":
            what = mark_safe(" gave no date.")
        else:
            what = format_html(" stated a target of <strong>{}</strong>", claim.target_label)
            if claim.target_text and claim.target_text != claim.target_label:
                what += format_html(" (“{}”)", claim.target_text)
            what += mark_safe(".")
    elif claim.kind == "achievement":
        what = format_html(
            ' reported it achieved {} {} <span class="evidence">(evidence: {})</span>.',
            "on" if claim.achieved_on_precision == "day" else "in",
            claim.achieved_label,
            claim.get_evidence_display().lower(),
        )
    elif claim.kind == "cancellation":
        what = mark_safe(" cancelled it or made it moot.")
    else:
        what = mark_safe(" clarified:")
    quote = format_html("<blockquote>{}</blockquote>", claim.quote) if claim.quote else ""
    return format_html(
        '<li class="claim claim-{}" id="claim-{}">\n    <p class="claim-head">{}</p>\n'
        "    <p>{}{}</p>\n    {}\n"
        '    <p class="cite">{}</p>\n  </li>',
        claim.kind,
        claim.pk,
        head,
        said,
        what,
        quote,
        source_cite(claim.source),
    )
