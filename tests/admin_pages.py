"""What an editor's browser posts back from an admin page, read from the page's forms."""

from __future__ import annotations


def _value(bound) -> list[str]:
    value = bound.value()
    if value is None:
        return [""]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return [value.isoformat()]
    if isinstance(value, bool):
        return ["on"] if value else []
    return [str(value)]


def _form_data(form, data: dict) -> None:
    for bound in form:
        values = _value(bound)
        if values:
            data[bound.html_name] = values if len(values) > 1 else values[0]


def page_form_data(response) -> dict:
    """The change (or history revert) form of an admin page with its inlines, as posted."""
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for bound in management:
            data[bound.html_name] = str(bound.value())
        for form in formset.initial_forms:
            _form_data(form, data)
    # No extra (empty) rows: they post nothing an editor typed.
    for inline in response.context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(inline.formset.initial_forms))
    data["_save"] = "Save"
    return data
