"""Form pieces shared by the admin, the imports and the demo loader: a date typed as precisely
as its source gives it ("2025", "2025-11", "Nov 2025", "2025年11月", "2025-11-03")."""

from __future__ import annotations

from datetime import date

from django import forms

from claims.dates import PartialDateError, parse_partial_date, partial_date_text


class PartialDateField(forms.CharField):
    """A date as the source gives it; cleans to (first day, precision) or None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"size": 11, "placeholder": "2025-11 or 2025-11-03"}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return partial_date_text(*value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def to_python(self, value):
        if isinstance(value, tuple):
            return value
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_partial_date(text)
        except PartialDateError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class PartialDatesMixin:
    """A ModelForm whose partial dates (a DateField `name` with a `name_precision` beside it)
    are one text field each. Lists the names in `partial_dates`."""

    partial_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_dates:
            if name not in self.fields:
                continue
            old = self.fields[name]
            self.fields[name] = PartialDateField(
                required=old.required, label=old.label, help_text=old.help_text
            )
            self.fields.pop(f"{name}_precision", None)
            value = getattr(self.instance, name, None)
            if self.instance.pk and value is not None:
                self.initial[name] = (value, getattr(self.instance, f"{name}_precision"))

    def clean(self):
        cleaned = super().clean()
        for name in self.partial_dates:
            if name not in self.fields or name not in cleaned:
                continue
            value = cleaned[name]
            day, precision = value if value else (None, "day")
            cleaned[name] = day
            setattr(self.instance, f"{name}_precision", precision)
        return cleaned


def partial_date_form(model, fields: list[str], dates: tuple[str, ...]):
    """A ModelForm class for `model` with these fields, `dates` typed as partial dates."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(
        f"{model.__name__}PartialForm",
        (PartialDatesMixin, forms.ModelForm),
        {"Meta": meta, "partial_dates": dates},
    )
