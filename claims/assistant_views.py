"""The admin's "Paste an article" page: proposed claims from a source's text, saved in one step.

Step one takes the source (a saved one, or a new one's URL, title, publisher and date) and its
text; claims.assistant proposes claims from it. Step two shows them as a formset: the editor
ticks, corrects and saves them, through the admin's model forms, all or nothing. The text is
not posted back: only the source's fields travel with the proposals.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify

from claims.assistant import TrackedCompany, TrackedMilestone, propose_claims
from claims.forms import PartialDateField, partial_date_form
from claims.models import Claim, Company, Milestone, Source

PERMISSIONS = ("claims.add_source", "claims.add_milestone", "claims.add_claim")
NEW = "new"
MAX_TEXT = 200_000

SourceForm = partial_date_form(
    Source, ["url", "title", "publisher", "kind", "published_on", "language"], ("published_on",)
)
ClaimForm = partial_date_form(
    Claim,
    ["milestone", "source", "kind", "stated_on", "speaker", "standing", "target_text"]
    + ["achieved_on", "evidence", "quote"],
    ("stated_on", "achieved_on"),
)
MilestoneForm = forms.modelform_factory(Milestone, fields=["company", "title", "slug", "kind"])


class ArticleForm(forms.Form):
    saved_source = forms.ModelChoiceField(
        Source.objects.order_by("-published_on", "title"),
        required=False,
        label="A saved source",
        help_text="Or leave empty and describe a new source below.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        max_length=MAX_TEXT,
        label="The source's text",
        help_text="Paste the article (English or Chinese).",
    )


class ProposalForm(forms.Form):
    include = forms.BooleanField(required=False, initial=True, label="save")
    company = forms.ModelChoiceField(Company.objects.all(), widget=forms.HiddenInput)
    milestone = forms.ChoiceField(required=False)
    new_milestone_title = forms.CharField(required=False, max_length=300)
    new_milestone_kind = forms.ChoiceField(choices=Milestone.Kind.choices, required=False)
    kind = forms.ChoiceField(choices=Claim.Kind.choices)
    stated_on = PartialDateField()
    speaker = forms.CharField(required=False, max_length=200)
    standing = forms.ChoiceField(choices=Claim.Standing.choices)
    target_text = forms.CharField(required=False, max_length=100)
    achieved_on = PartialDateField(required=False)
    evidence = forms.TypedChoiceField(
        choices=[("", "—"), *Claim.Evidence.choices], coerce=int, required=False, empty_value=None
    )
    quote = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 40}))

    def __init__(self, *args, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [(NEW, "New milestone (title below)")] + [
            (str(m.pk), str(m)) for m in milestones or []
        ]


ProposalFormSet = forms.formset_factory(ProposalForm, extra=0)


def _tracked() -> tuple[list[TrackedCompany], dict[int, list[Milestone]]]:
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.select_related("facility", "company").order_by("company", "title"):
        milestones.setdefault(m.company_id, []).append(m)
    companies = [
        TrackedCompany(
            id=c.pk,
            name=c.name,
            names=tuple(c.names),
            milestones=tuple(
                TrackedMilestone(
                    m.pk, m.title, m.description, m.facility.name if m.facility else "", m.kind
                )
                for m in milestones.get(c.pk, [])
            ),
            fiscal_year_start=c.fiscal_year_start_month,
        )
        for c in Company.objects.all()
    ]
    return companies, milestones


def _formset(data, initial, milestones) -> forms.BaseFormSet:
    formset = ProposalFormSet(data, initial=initial, prefix="claims")
    for form in formset.forms:
        company = form["company"].value()
        form.fields["milestone"].choices = [(NEW, "New milestone (title below)")] + [
            (str(m.pk), f"{m.title}" + (f" — {m.facility.name}" if m.facility else ""))
            for m in milestones.get(int(company) if str(company).isdigit() else 0, [])
        ]
    return formset


def paste_article(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied
    step = request.POST.get("step", "")
    article = ArticleForm(request.POST if step == "propose" else None)
    source_form = SourceForm(request.POST if step else None, prefix="source")
    companies, milestones = _tracked()
    formset = None
    if step == "propose" and article.is_valid():
        saved = article.cleaned_data["saved_source"]
        if saved is not None or source_form.is_valid():
            source = saved or source_form.instance
            proposals = propose_claims(
                article.cleaned_data["text"], companies, published_on=source.published_on
            )
            initial = [_initial(p, source) for p in proposals]
            formset = _formset(None, initial, milestones)
            for form, p in zip(formset.forms, proposals, strict=True):
                form.reasons = p.reasons
                form.company_name = p.company.name
            source_form = SourceForm(instance=saved, prefix="source") if saved else source_form
    elif step == "save":
        formset = _formset(request.POST, None, milestones)
        saved_id = request.POST.get("saved_source", "")
        saved = Source.objects.filter(pk=saved_id).first() if saved_id.isdigit() else None
        if saved is not None:
            source_form = SourceForm(instance=saved, prefix="source")
        if formset.is_valid() and (saved or source_form.is_valid()):
            count = _save(formset, saved, source_form, request.user)
            if count is not None:
                messages.success(request, f"Saved {count} claims.")
                return redirect("admin:claims_source_change", count.source_id)
        for form in formset.forms:
            form.company_name = str(form.cleaned_data.get("company", "")) if form.is_bound else ""
    context = {
        **admin.site.each_context(request),
        "title": "Paste an article",
        "article": article,
        "source_form": source_form,
        "formset": formset,
        "saved_source": request.POST.get("saved_source")
        or (
            article.cleaned_data.get("saved_source").pk
            if article.is_bound and article.is_valid() and article.cleaned_data["saved_source"]
            else ""
        ),
    }
    return TemplateResponse(request, "admin/claims/assistant.html", context)


def _initial(p, source: Source) -> dict:
    return {
        "include": True,
        "company": p.company.id,
        "milestone": str(p.milestone_id) if p.milestone_id else NEW,
        "new_milestone_title": p.new_milestone_title,
        "new_milestone_kind": p.new_milestone_kind,
        "kind": p.kind,
        "stated_on": (source.published_on, source.published_on_precision),
        "speaker": p.speaker,
        "standing": p.standing,
        "target_text": p.target_text,
        "achieved_on": p.achieved_on,
        "evidence": {
            "company_statement": 1,
            "third_party_report": 2,
            "independent_observation": 4,
        }.get(p.evidence),
        "quote": p.quote,
    }


class _Saved(int):
    source_id: int


def _save(formset, saved: Source | None, source_form, user) -> _Saved | None:
    """Save the source, any new milestones and the ticked claims, or nothing at all."""
    from django.forms.utils import ErrorList

    with transaction.atomic():
        source = saved or source_form.save()
        count = 0
        failed = False
        for form in formset.forms:
            row = form.cleaned_data
            if not row.get("include"):
                continue
            milestone_id = row["milestone"]
            if milestone_id == NEW:
                company = row["company"]
                title = row["new_milestone_title"] or ""
                slug = _free_slug(f"{company.slug}-{title}")
                m = MilestoneForm(
                    {
                        "company": company.pk,
                        "title": title,
                        "slug": slug,
                        "kind": row["new_milestone_kind"] or "other",
                    }
                )
                if not m.is_valid():
                    form._errors.setdefault("new_milestone_title", ErrorList()).extend(
                        f"{n.replace('_', ' ')}: {e}" for n, errs in m.errors.items() for e in errs
                    )
                    failed = True
                    continue
                milestone_id = m.save().pk
            data = {
                "milestone": milestone_id,
                "source": source.pk,
                "kind": row["kind"],
                "stated_on": form.data.get(form.add_prefix("stated_on"), ""),
                "speaker": row["speaker"],
                "standing": row["standing"],
                "target_text": row["target_text"],
                "achieved_on": form.data.get(form.add_prefix("achieved_on"), ""),
                "evidence": row["evidence"] or "",
                "quote": row["quote"],
            }
            claim = ClaimForm(data)
            if not claim.is_valid():
                for name, errs in claim.errors.items():
                    key = name if name in form.fields else None
                    for e in errs:
                        form.add_error(key, e if key else f"{name.replace('_', ' ')}: {e}")
                failed = True
                continue
            claim.save()
            count += 1
        if failed or not count:
            transaction.set_rollback(True)
            if not count and not failed:
                formset._non_form_errors = formset.error_class(["Tick at least one claim to save."])
            return None
    result = _Saved(count)
    result.source_id = source.pk
    return result


def _free_slug(text: str) -> str:
    base = slugify(text)[:100].strip("-") or "milestone"
    slug, n = base, 2
    while Milestone.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
