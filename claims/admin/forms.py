"""The editors forms: the target field with its live preview, claims and sources with partial
dates, merging sources."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from claims.admin.versioning import VersionedModelForm
from claims.dates import PartialDateError, date_end, format_partial_date, parse_partial_date
from claims.forms import PartialDatesMixin
from claims.models import Claim, Company, Milestone, Source
from claims.periods import PeriodError, parse_period
from claims.services import next_claim

# --- the target field with a live "understood as" preview -----------------------------------


class TargetInput(forms.TextInput):
    """A text input that asks the server, through htmx, how it reads the stated target."""

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "hx-get": reverse("admin:claims_parse_target"),
            # Again when anything else in its row changes: the row's date reads "next year".
            "hx-trigger": "input changed delay:300ms, load, change from:closest .form-row",
            "hx-target": "next .period-preview",
            "hx-swap": "innerHTML",
            # The row's stated date and milestone (or the page's company) decide relative
            # forms ("next year") and fiscal years.
            "hx-include": "closest form",
            "autocomplete": "off",
            "placeholder": "e.g. H2 2026",
        }
        return super().get_context(name, value, attrs)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<output class="period-preview" aria-live="polite"></output>', html)


@require_GET
def parse_target_preview(request: HttpRequest) -> HttpResponse:
    """What the parser understands of a stated target, as a short phrase for the editor.

    The whole form is sent (for the row's date and milestone); the field that asked is named
    by htmx's HX-Trigger-Name header, else the first target field.
    """
    name = request.headers.get("HX-Trigger-Name", "")
    if not name.endswith(TARGET_FIELDS) or name not in request.GET:
        name = next((k for k in request.GET if k.endswith(TARGET_FIELDS)), "")
    text = request.GET.get(name, "")
    prefix = next((name.removesuffix(f) for f in TARGET_FIELDS if name.endswith(f)), "")
    stated_on, against = None, "the claim's date is not given yet"
    try:
        stated_on, precision = parse_partial_date(request.GET.get(f"{prefix}stated_on", ""))
        against = f"read against the claim's date, {format_partial_date(stated_on, precision)}"
        stated_on = date_end(stated_on, precision)  # the last day it could have been said
    except PartialDateError:
        pass
    if name.endswith("next_target") and not text.strip():
        return HttpResponse("")  # most rows state no next target: nothing to say
    company = _preview_company(request.GET, prefix, next_target=name.endswith("next_target"))
    try:
        period = parse_period(
            text,
            stated_on=stated_on,
            fiscal_year_start=company.fiscal_year_start_month if company else None,
        )
    except PeriodError as exc:
        return render(request, "admin/claims/target_preview.html", {"error": exc})
    context = {"period": period, "against": against}
    return render(request, "admin/claims/target_preview.html", context)


#: The fields that state a target: the claim's own, and the next target of an achievement.
TARGET_FIELDS = ("target_text", "next_target")


def _preview_company(data, prefix: str, next_target: bool = False) -> Company | None:
    """The company whose fiscal year a target preview reads: the row's milestone's (for a next
    target, the next milestone's when one is chosen), else the page's company (a milestone's
    own page)."""
    milestone = (next_target and data.get(f"{prefix}next_milestone")) or ""
    milestone = milestone or data.get(f"{prefix}milestone") or data.get("milestone")
    if milestone and milestone.isdigit():
        return Company.objects.filter(milestones__pk=milestone).first()
    company = data.get("company")
    if company and company.isdigit():
        return Company.objects.filter(pk=company).first()
    return None


def milestone_choice_widget(**attrs) -> AutocompleteSelect:
    """The milestone picker: searches as the claim's milestone field does."""
    return AutocompleteSelect(Claim._meta.get_field("milestone"), admin.site, attrs=attrs)


# The claim's own fields, in the order the form and the claim table show them.
CLAIM_FIELDS = [
    "version",
    "milestone",
    "kind",
    "stated_on",
    "speaker",
    "standing",
    "target_text",
    "achieved_on",
    "evidence",
    "source",
    "quote",
]


class ClaimForm(PartialDatesMixin, VersionedModelForm):
    """A claim; an achievement report may also state the next target, saved as a second claim
    linked to it (claims.services.add_next_claim)."""

    partial_dates = ("stated_on", "achieved_on")

    next_milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.select_related("company", "facility"),
        required=False,
        label="next milestone",
        help_text="For an achievement report that also states the next target: the milestone "
        "it is for (empty: the same milestone).",
        widget=milestone_choice_widget(),
    )
    next_target = forms.CharField(
        required=False,
        max_length=100,
        label="next target",
        help_text="The next target the report states (“phase 2 by December 2026”): saved as a "
        "second claim with the same source, date and speaker.",
        widget=TargetInput(attrs={"size": 10}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_planned: tuple[Milestone, str] | None = None
        if "milestone" in self.fields:
            # The label names company, title and facility: fetch them with the milestone.
            self.fields["milestone"].queryset = Milestone.objects.select_related(
                "company", "facility"
            )

    def _post_clean(self):
        super()._post_clean()
        target = (self.cleaned_data.get("next_target") or "").strip()
        milestone = self.cleaned_data.get("next_milestone")
        if not target:
            if milestone is not None:
                self.add_error("next_target", "Give the next target, or clear the next milestone.")
            return
        if self.instance.kind != Claim.Kind.ACHIEVEMENT:
            self.add_error(
                "next_target",
                "A next target goes with an achievement report; enter other targets as a "
                "claim of their own.",
            )
            return
        if self.errors:
            return
        milestone = milestone or (self.instance.milestone if self.instance.milestone_id else None)
        if milestone is None:
            self.add_error("next_target", "Choose the milestone the next target is for.")
            return
        planned = next_claim(claim=self.instance, milestone=milestone, target_text=target)
        known_source = planned.source_id is not None
        try:
            planned.full_clean(
                exclude=[] if known_source else ["source"], validate_constraints=known_source
            )
        except ValidationError as exc:
            kind = planned.get_kind_display().lower()
            for messages_ in exc.message_dict.values():
                for message in messages_:
                    self.add_error("next_target", f"As the {kind} of {milestone}: {message}")
            return
        self.next_planned = (milestone, planned.target_text)

    class Meta:
        model = Claim
        fields = CLAIM_FIELDS
        widgets = {
            "target_text": TargetInput(attrs={"size": 10}),
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 24}),
            "speaker": forms.TextInput(attrs={"size": 12}),
        }


class SourceForm(PartialDatesMixin, VersionedModelForm):
    partial_dates = ("published_on",)

    class Meta:
        model = Source
        exclude = []  # noqa: DJ006 (every field, as the admin shows them)


class ClaimInlineForm(ClaimForm):
    inline = True


class MergeSourcesForm(forms.Form):
    """Which of the selected sources to keep; the versions the editor saw ride along."""

    keep = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep")

    def __init__(self, *args, sources: list[Source], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(s.pk, f"#{s.pk} {s}") for s in sources]
        self.fields["keep"].initial = sources[0].pk
        for source in sources:
            self.fields[f"version_{source.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=source.version
            )

    def versions(self) -> dict[int, int]:
        return {
            int(name.removeprefix("version_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("version_")
        }
