"""GET parameters of the public pages and the API, validated by forms.

A bad value never raises: the form reports it in words and the list comes back empty.
Each list form knows how to narrow a queryset and how to count facets: the count of each
filter value under all the *other* filters, as Datasette shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django import forms
from django.db.models import Count, F, QuerySet
from django.http import HttpRequest, QueryDict
from django_countries import countries

from claims.models import Claim, Company, Milestone, Source, Technology
from claims.status import STATUS_CHOICES

MAX_TEXT = 100
MAX_VALUES = 50


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
    """(as_of, whether it is a past view, messages). Today when absent, invalid or future."""
    form = AsOfForm(request.GET)
    today = date.today()
    if not form.is_valid():
        return today, False, [e for errors in form.errors.values() for e in errors]
    as_of = form.cleaned_data.get("as_of")
    if as_of is None or as_of >= today:
        return today, False, []
    return as_of, True, []


def _upper(data: QueryDict, name: str) -> None:
    data.setlist(name, [v.upper() for v in data.getlist(name)])


class ListForm(forms.Form):
    """A list's filters. Subclasses name their facets and how each narrows a queryset."""

    #: field name -> function(queryset, cleaned value) -> queryset
    narrowers: dict[str, Callable] = {}
    sort_orders: dict[str, list[str]] = {}

    def __init__(self, data: QueryDict | None = None, **kwargs):
        if data is not None:
            data = data.copy()
            for name, field in self.base_fields.items():
                if isinstance(field, forms.MultipleChoiceField) and len(data.getlist(name)) > (
                    MAX_VALUES
                ):
                    data.setlist(name, data.getlist(name)[:MAX_VALUES])
            if "country" in self.base_fields:
                _upper(data, "country")
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault(
                "invalid_choice", "%(value)s is not one of the choices."
            )

    @property
    def messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]

    def cache_key(self) -> tuple:
        """Every filter's cleaned value (or the raw input when invalid), for cache keys."""
        if not self.is_valid():
            return ("invalid", tuple(sorted((k, tuple(v)) for k, v in self.data.lists())))
        return tuple((name, repr(self.cleaned_data.get(name))) for name in sorted(self.narrowers))

    def value(self, name: str):
        if not self.is_valid():
            return None
        return self.cleaned_data.get(name)

    def filtered(self, queryset: QuerySet, *, skip: str | None = None) -> QuerySet:
        """Narrowed by every parameter but `skip`; empty when any parameter is invalid."""
        if not self.is_valid():
            return queryset.none()
        for name, narrow in self.narrowers.items():
            value = self.cleaned_data.get(name)
            if name != skip and value not in (None, "", []):
                queryset = narrow(queryset, value)
        return queryset

    def sorted(self, queryset: QuerySet) -> QuerySet:
        sort = self.value("sort") or next(iter(self.sort_orders), None)
        return queryset.order_by(*self.sort_orders[sort]) if sort else queryset

    def facet(
        self, queryset: QuerySet, name: str, field: str, label=None, label_field=None
    ) -> list[dict]:
        """Counts of each value of `field` under all the other filters, most first.

        `label` turns a value into its display name; `label_field` reads it from the rows.
        """
        selected = self.value(name) or []
        if not isinstance(selected, list):
            selected = [selected]
        rows = (
            self.filtered(queryset, skip=name)
            .order_by()
            .values(*[f for f in (field, label_field) if f])
            .annotate(n=Count("pk", distinct=True))
        )
        facets = [
            {
                "value": str(row[field]),
                "label": (
                    row[label_field]
                    if label_field
                    else label(row[field])
                    if label
                    else str(row[field])
                ),
                "n": row["n"],
                "selected": str(row[field]) in [str(s) for s in selected],
            }
            for row in rows
            if row[field] not in (None, "")
        ]
        facets.sort(key=lambda f: (not f["selected"], -f["n"], f["label"]))
        return facets


def _technology_choices() -> list[tuple[str, str]]:
    return [("", "Any technology"), *Technology.objects.values_list("slug", "name")]


def country_name(code: str) -> str:
    return countries.name(code) or code


class CompanyFilterForm(ListForm):
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Company.Role.choices])
    technology = forms.ChoiceField(required=False, choices=_technology_choices)
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True, label="Search")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("name", "Name"),
            ("record", "Track record: most on time"),
            ("overdue", "Most overdue"),
        ],
    )

    narrowers = {
        "country": lambda qs, v: qs.in_countries(v),
        "role": lambda qs, v: qs.with_role(v),
        "technology": lambda qs, v: qs.with_technology(v),
        "q": lambda qs, v: qs.search(v),
    }
    # Sorted in the view: by name, or by track record computed from the milestones.

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["q"].error_messages["max_length"] = f"Search for at most {MAX_TEXT} characters."


class MilestoneFilterForm(ListForm):
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    company = forms.CharField(required=False, max_length=MAX_TEXT, label="Company")
    status = forms.MultipleChoiceField(required=False, choices=STATUS_CHOICES)
    kind = forms.MultipleChoiceField(required=False, choices=Milestone.Kind.choices)
    technology = forms.ChoiceField(required=False, choices=_technology_choices)
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2100,
        label="Target year",
        error_messages={"invalid": "The target year must be a year such as 2027."},
    )
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True, label="Search")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("due", "Due date"),
            ("company", "Company"),
            ("recent", "Most recent claim"),
        ],
    )

    narrowers = {
        "country": lambda qs, v: qs.in_countries(v),
        "company": lambda qs, v: qs.for_company(v),
        "status": lambda qs, v: qs.in_status(v),
        "kind": lambda qs, v: qs.filter(kind__in=v),
        "technology": lambda qs, v: qs.with_technology(v),
        "year": lambda qs, v: qs.due_in_year(v),
        "q": lambda qs, v: qs.search(v),
    }
    sort_orders = {
        # Undated last; then in the order they were entered (milestones.due_first pages
        # through this order along an index).
        "due": [F("current_target_latest").asc(nulls_last=True), "pk"],
        "company": ["company__name", "title"],
        "recent": ["-last_claim_on", "company__name", "title"],
    }

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["status"].error_messages["invalid_choice"] = (
            "%(value)s is not a status: use on_track, delayed, overdue, achieved, cancelled "
            "or undated."
        )
        self.fields["kind"].error_messages["invalid_choice"] = "%(value)s is not a milestone kind."
        self.fields["q"].error_messages["max_length"] = f"Search for at most {MAX_TEXT} characters."

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip().lower()

    #: Filters that read only a milestone's own row and its company's.
    ROW_FILTERS = ("country", "company", "kind", "technology", "q")

    def filtered_by_rows(self, queryset: QuerySet) -> QuerySet | None:
        """The queryset narrowed by the ROW_FILTERS given; None when none is given."""
        if not self.is_valid():
            return queryset.none()
        given = [n for n in self.ROW_FILTERS if self.cleaned_data.get(n) not in (None, "", [])]
        for name in given:
            queryset = self.narrowers[name](queryset, self.cleaned_data[name])
        return queryset if given else None

    #: Filters that a status census counts by; the others narrow the census query itself.
    CENSUS_FILTERS = ("country", "company", "status", "kind", "year")

    def census_base(self, queryset: QuerySet) -> QuerySet:
        """The queryset narrowed by the filters a census cannot count by (technology, q)."""
        if not self.is_valid():
            return queryset.none()
        for name in set(self.narrowers) - set(self.CENSUS_FILTERS):
            if self.cleaned_data.get(name) not in (None, "", []):
                queryset = self.narrowers[name](queryset, self.cleaned_data[name])
        return queryset

    def census_key(self) -> tuple:
        """What the census of census_base() depends on, for its cache key."""
        if not self.is_valid():
            return ("invalid",)
        others = sorted(set(self.narrowers) - set(self.CENSUS_FILTERS))
        return tuple((name, self.cleaned_data.get(name) or "") for name in others)

    def census_facets(self, census: list[tuple], companies: dict) -> tuple[dict, int]:
        """(facets, total) added up from a status census (MilestoneQuerySet.status_census).

        Each facet counts the milestones of each value under all the *other* filters, as
        facet() does; total counts those matching every filter. `companies` maps a company
        id to its (slug, name, country code); a milestone's country is where it happens.
        """
        facets: dict[str, dict] = {name: {} for name in self.CENSUS_FILTERS}
        if not self.is_valid():
            return {name: [] for name in self.CENSUS_FILTERS}, 0
        chosen = {name: self.cleaned_data.get(name) for name in self.CENSUS_FILTERS}
        wanted = {
            "country": set(chosen["country"] or []),
            "company": {chosen["company"]} if chosen["company"] else set(),
            "status": set(chosen["status"] or []),
            "kind": set(chosen["kind"] or []),
            "year": {chosen["year"]} if chosen["year"] is not None else set(),
        }
        total = 0
        for company_id, country, status, kind, year, n in census:
            slug = companies[company_id][0]
            values = {
                "country": country,
                "company": slug,
                "status": status,
                "kind": kind,
                "year": year,
            }
            misses = [name for name, want in wanted.items() if want and values[name] not in want]
            if not misses:
                total += n
            if len(misses) > 1:
                continue
            for name in misses or self.CENSUS_FILTERS:
                value = values[name]
                if value not in (None, ""):
                    counts = facets[name]
                    counts[value] = counts.get(value, 0) + n
        names = {slug: name for slug, name, _ in companies.values()}
        labels = {
            "country": country_name,
            "company": lambda slug: names.get(slug, slug),
            "status": lambda v: dict(STATUS_CHOICES)[v],
            "kind": lambda v: Milestone.Kind(v).label,
            "year": str,
        }
        result = {}
        for name, counts in facets.items():
            rows = [
                {
                    "value": str(value),
                    "label": labels[name](value),
                    "n": n,
                    "selected": value in wanted[name],
                }
                for value, n in counts.items()
            ]
            rows.sort(key=lambda f: (not f["selected"], -f["n"], f["label"]))
            result[name] = rows
        return result, total


class ClaimFilterForm(ListForm):
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    company = forms.CharField(required=False, max_length=MAX_TEXT)
    milestone = forms.IntegerField(required=False, min_value=1)
    source = forms.IntegerField(required=False, min_value=1)
    kind = forms.MultipleChoiceField(required=False, choices=Claim.Kind.choices)

    narrowers = {
        "country": lambda qs, v: qs.filter(milestone__country__in=v),
        "company": lambda qs, v: qs.filter(milestone__company__slug=v),
        "milestone": lambda qs, v: qs.filter(milestone_id=v),
        "source": lambda qs, v: qs.filter(source_id=v),
        "kind": lambda qs, v: qs.filter(kind__in=v),
    }

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["kind"].error_messages["invalid_choice"] = "%(value)s is not a claim kind."


class SourceFilterForm(ListForm):
    kind = forms.MultipleChoiceField(required=False, choices=Source.Kind.choices)
    publisher = forms.CharField(required=False, max_length=MAX_TEXT)
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True, label="Search")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("publisher", "Publisher"),
        ],
    )

    narrowers = {
        "kind": lambda qs, v: qs.filter(kind__in=v),
        "publisher": lambda qs, v: qs.filter(publisher=v),
        "q": lambda qs, v: qs.search(v),
    }
    sort_orders = {
        "newest": ["-published_on", "title"],
        "oldest": ["published_on", "title"],
        "publisher": ["publisher", "-published_on"],
    }
