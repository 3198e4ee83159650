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
