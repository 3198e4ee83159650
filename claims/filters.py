"""GET parameters of the public pages, validated by forms: a bad value becomes a message."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import HttpRequest
from django_countries import countries

from claims.models import Company

MAX_TEXT = 100


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Give the as-of date as YYYY-MM-DD, e.g. 2025-09-05."},
    )

    def clean_as_of(self) -> date | None:
        value = self.cleaned_data.get("as_of")
        if value and value.year < 1900:
            raise forms.ValidationError("The as-of date must be after 1900.")
        return value


def read_as_of(request: HttpRequest) -> tuple[date, bool, list[str]]:
    """(as_of, whether it is a past view, messages). Today when absent or invalid."""
    form = AsOfForm(request.GET)
    today = date.today()
    if not form.is_valid():
        return today, False, [e for errors in form.errors.values() for e in errors]
    as_of = form.cleaned_data.get("as_of")
    if as_of is None or as_of >= today:
        return today, False, []
    return as_of, True, []


class CompanyFilterForm(forms.Form):
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Company.Role.choices])
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True, label="Search")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            # Country codes are case-insensitive in links: ?country=cn works like ?country=CN.
            data.setlist("country", [c.upper() for c in data.getlist("country")])
        super().__init__(data, *args, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["q"].error_messages["max_length"] = f"Search for at most {MAX_TEXT} characters."

    def filtered(self, queryset):
        """The queryset narrowed by the parameters; none at all when a parameter is invalid."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        return queryset.in_countries(data["country"]).with_role(data["role"]).search(data["q"])

    @property
    def messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]
