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
        html += format_html(' <span class="note">{} mo late</span>', result.slip_months)
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
