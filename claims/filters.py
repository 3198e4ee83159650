"""GET parameters of the public pages, validated by forms.

A bad value never raises: the form reports it in words and the list comes back empty.
Each list form knows how to narrow a queryset and how to count facets: the count of each
filter value under all the *other* filters, as Datasette shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django_countries import countries

from claims.models import Claim, Company, Facility, Milestone, Source, Technology
from claims.read.facilities import FacilityFilters
from claims.read.filters import MilestoneFilters
from claims.read.pipeline import GROUPS as PIPELINE_GROUPS
from claims.read.pipeline import PipelineFilters
from claims.status import STATUS_CHOICES, Status

MAX_TEXT = 100
MAX_VALUES = 50


def _upper(data: QueryDict, name: str) -> None:
    data.setlist(name, [v.upper() for v in data.getlist(name)])


#: The statuses as written in links: "on_track, delayed, … or undated".
STATUS_WORDS = ", ".join(s.value for s in list(Status)[:-1]) + f" or {list(Status)[-1].value}"


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

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["status"].error_messages["invalid_choice"] = (
            f"%(value)s is not a status: use {STATUS_WORDS}."
        )
        self.fields["kind"].error_messages["invalid_choice"] = "%(value)s is not a milestone kind."
        self.fields["q"].error_messages["max_length"] = f"Search for at most {MAX_TEXT} characters."

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip().lower()

    def filters(self) -> MilestoneFilters:
        """What the read model narrows by: the cleaned values, or nothing when any is
        invalid (the list is then empty and the messages say why)."""
        return (
            MilestoneFilters.of(self.cleaned_data) if self.is_valid() else MilestoneFilters.none()
        )


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


class FacilityFilterForm(ListForm):
    """The facility index's and the map's filters (capacity in GWh/yr)."""

    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    company = forms.CharField(required=False, max_length=MAX_TEXT, label="Company")
    status = forms.MultipleChoiceField(required=False, choices=Facility.Status.choices)
    technology = forms.ChoiceField(required=False, choices=_technology_choices)
    kind = forms.MultipleChoiceField(required=False, choices=Facility.Kind.choices)
    capacity_min = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100000,
        max_digits=12,
        decimal_places=3,
        label="Capacity from (GWh/yr)",
    )
    capacity_max = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100000,
        max_digits=12,
        decimal_places=3,
        label="Capacity up to (GWh/yr)",
    )
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True, label="Search")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("name", "Name"),
            ("company", "Company"),
            ("capacity", "Capacity, largest first"),
            ("country", "Country"),
        ],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["status"].error_messages["invalid_choice"] = (
            "%(value)s is not a facility status: use announced, pre_construction, construction, "
            "pilot_operation, operating, shelved or cancelled."
        )
        self.fields["kind"].error_messages["invalid_choice"] = "%(value)s is not a facility kind."
        self.fields["q"].error_messages["max_length"] = f"Search for at most {MAX_TEXT} characters."
        for name in ("capacity_min", "capacity_max"):
            self.fields[name].error_messages["invalid"] = (
                "Give capacities as numbers of GWh a year, e.g. 15 or 0.1."
            )

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("capacity_min"), cleaned.get("capacity_max")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(
                "The capacity range is empty: its lower end is above its upper end."
            )
        return cleaned

    def filters(self) -> FacilityFilters:
        """What the read model narrows by, or nothing when any value is invalid."""
        return FacilityFilters.of(self.cleaned_data) if self.is_valid() else FacilityFilters.none()


class PipelineFilterForm(ListForm):
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    company = forms.CharField(required=False, max_length=MAX_TEXT, label="Company")
    technology = forms.ChoiceField(required=False, choices=_technology_choices)
    group = forms.ChoiceField(required=False, choices=list(PIPELINE_GROUPS.items()), label="Rows")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["group"].error_messages["invalid_choice"] = (
            "%(value)s is not a grouping: use year, country, company or technology."
        )

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip().lower()

    def filters(self) -> PipelineFilters:
        """The cleaned values; nothing found when any is invalid (the messages say why)."""
        if not self.is_valid():
            group = self.data.get("group")
            return PipelineFilters(
                nothing=True, group=group if group in PIPELINE_GROUPS else "year"
            )
        data = self.cleaned_data
        return PipelineFilters(
            country=tuple(data.get("country") or ()),
            company=data.get("company") or "",
            technology=data.get("technology") or "",
            group=data.get("group") or "year",
        )


class ScorecardForm(ListForm):
    """/scorecards/: companies or countries, the dated targets a peer needs, the order."""

    by = forms.ChoiceField(
        required=False, choices=[("company", "Companies"), ("country", "Countries")]
    )
    min = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        label="Ranked with at least",
        error_messages={
            "invalid": "The least number of dated targets must be a whole number from 1 to 50.",
            "min_value": "The least number of dated targets must be from 1 to 50.",
            "max_value": "The least number of dated targets must be from 1 to 50.",
        },
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("rank", "Rank"),
            ("name", "Name"),
            ("kept", "Most kept on time"),
            ("slip", "Longest median slip"),
            ("dated", "Most dated targets"),
            ("overdue", "Most overdue"),
        ],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["by"].error_messages["invalid_choice"] = (
            "%(value)s is not a choice: show companies or countries."
        )
        self.fields["sort"].error_messages["invalid_choice"] = "%(value)s is not an order."

    def choice(self, name: str, default):
        """The cleaned value of `name`, or the default when it is absent or invalid."""
        self.is_valid()  # cleans: cleaned_data then holds the valid fields only
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class CompareForm(forms.Form):
    """/compare/?company=a&company=b: two to four companies, each named by its slug (as the
    page's links do) or typed as its name, whole or in part when only one company matches.

    Companies are looked up by what is given, never listed: there are thousands."""

    company = forms.Field(
        required=False, widget=forms.MultipleHiddenInput, label="Companies (two to four)"
    )

    def __init__(self, data: QueryDict | None = None, **kwargs):
        if data is not None:
            data = data.copy()
            given = [v.strip() for v in data.getlist("company") if v.strip()][:MAX_VALUES]
            data.setlist("company", list(dict.fromkeys(given)))
        super().__init__(data, **kwargs)
        #: The companies found among those given, in order, once each; the texts that named
        #: none (shown again, to correct).
        self.companies: list[Company] = []
        self.unmatched: list[str] = []

    def clean_company(self) -> list[str]:
        given = self.cleaned_data["company"] or []
        if len(given) > 4:  # refused before looking any of them up
            raise forms.ValidationError(f"Compare at most four companies ({len(given)} given).")
        unknown = []
        for text in given:
            company, problem = _company_named(text)
            if problem:
                unknown.append(problem)
                self.unmatched.append(text[:MAX_TEXT])
            elif company not in self.companies:
                self.companies.append(company)
        if unknown:
            raise forms.ValidationError(unknown)
        slugs = [c.slug for c in self.companies]
        if not slugs:
            raise forms.ValidationError("Pick two to four companies to compare.")
        if len(slugs) < 2:
            raise forms.ValidationError("Pick at least one more company: compare two to four.")
        if len(slugs) > 4:
            raise forms.ValidationError(f"Compare at most four companies ({len(slugs)} given).")
        return slugs

    @property
    def messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]


#: Companies a partial name may match before it is refused as too vague, and the shortest
#: part of a name looked for.
NAMED_AT_MOST = 5
SHORTEST_PART = 3


def _company_named(text: str) -> tuple[Company | None, str]:
    """(the company `text` names, "") or (None, why not): its slug, its whole name, or a part
    of one name only."""
    if len(text) > MAX_TEXT:
        return None, f"Type at most {MAX_TEXT} characters of a company's name."
    exact = Company.objects.filter(Q(slug=text.lower()) | Q(name__iexact=text)).first()
    if exact is not None:
        return exact, ""
    partial = []
    if len(text) >= SHORTEST_PART:
        found = Company.objects.filter(name__icontains=text).order_by("name")
        partial = list(found[: NAMED_AT_MOST + 1])
    if len(partial) == 1:
        return partial[0], ""
    if partial:
        names = ", ".join(c.name for c in partial[:NAMED_AT_MOST])
        more = " and more" if len(partial) > NAMED_AT_MOST else ""
        return None, f"“{text[:60]}” matches several companies ({names}{more}): type more of it."
    return None, f"{text[:60]} is not a company we know: type its name or part of it."


METRICS = {
    "wh_kg": ("energy_density_wh_kg", "Energy density (Wh/kg)", "Wh/kg"),
    "wh_l": ("energy_density_wh_l", "Energy density (Wh/L)", "Wh/L"),
    "ah": ("cell_ah", "Cell capacity (Ah)", "Ah"),
    "cycles": ("cycle_life", "Cycle life (cycles)", "cycles"),
}


class MetricsForm(ListForm):
    """/metrics/: the metric shown, and the milestones it is read from."""

    metric = forms.ChoiceField(
        required=False, choices=[(k, label) for k, (_, label, _) in METRICS.items()]
    )
    country = forms.MultipleChoiceField(required=False, choices=list(countries))
    company = forms.CharField(required=False, max_length=MAX_TEXT, label="Company")
    technology = forms.ChoiceField(required=False, choices=_technology_choices)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["country"].error_messages["invalid_choice"] = (
            "%(value)s is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
        self.fields["metric"].error_messages["invalid_choice"] = (
            "%(value)s is not a metric: use " + ", ".join(METRICS) + "."
        )

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip().lower()
