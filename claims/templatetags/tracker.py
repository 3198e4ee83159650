import json
from decimal import Decimal

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
    """A schema.org JSON-LD block, as django.utils.html.json_script writes one (which knows
    only type="application/json"): <, > and & become JSON escapes, so no text in the data
    can end the script element, and the JSON needs no HTML escaping of its own."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def gwh(value) -> str:
    """GWh a year without trailing zeros: 15, 0.1, 0.005."""
    from claims.pipeline_chart import gwh_label

    return "" if value is None else gwh_label(float(value))


@register.filter
def plain_number(value) -> str:
    """A decimal in full, without trailing zeros or exponent form: 3.7, 60, 0.0034632."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
