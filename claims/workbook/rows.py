"""The rows of a workbook: what each row did (its outcome and the report), the row forms,
and the checks of each sheet's rows (SheetRows, the half of claims.workbook.plan.WorkbookPlan
that reads one row of a sheet against what is stored and what the file has named so far)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from claims.dates import partial_date_text
from claims.forms import PartialDatesMixin
from claims.imports.files import ImportReport
from claims.imports.rows import (
    ClaimRowForm,
    FastValidation,
    SourceRowForm,
    claim_key,
    read_claim_row,
    understood,
)
from claims.models import (
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    Source,
    partial_date_bounds,
)
from claims.urlnorm import normalise_url
from claims.workbook.sheets import LIST_SEPARATOR, SHEET_NAMES, number_text

#: A claim stated this many days before its source's date is worth a second look.
LONG_BEFORE_DAYS = 365


@dataclass
class RowOutcome:
    sheet: str
    line: int
    summary: str
    action: str = "unchanged"  # "create", "update", "unchanged" or "error"
    #: (field, old, new) of an update.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class WorkbookReport(ImportReport):
    """An import report whose rows are grouped by sheet."""

    rows: list[RowOutcome]

    def sheets(self) -> list[tuple[str, list[RowOutcome]]]:
        return [(n, [r for r in self.rows if r.sheet == n]) for n in SHEET_NAMES]


class _ForeignKeysSetByTheSheet:
    """The model's clean() may refuse a foreign key the sheet set on the instance (a
    milestone's facility): its message stays on the row, named after the column."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            for name in [n for n in errors.error_dict if n != NON_FIELD_ERRORS]:
                if name not in self.fields:
                    moved = errors.error_dict.pop(name)
                    errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                        ValidationError(f"{name.replace('_', ' ')}: {m}")
                        for e in moved
                        for m in e.messages
                    )
        super()._update_errors(errors)


def _form(model, fields: list[str], dates: tuple[str, ...] = ()):
    """A model form for one sheet's row: the model's own checks, no per-row uniqueness query."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(
        f"{model.__name__}SheetForm",
        (PartialDatesMixin, _ForeignKeysSetByTheSheet, FastValidation, forms.ModelForm),
        {"Meta": meta, "partial_dates": dates},
    )


COMPANY_FIELDS = ["slug", "name", "native_name", "aliases", "country", "role", "hq_city"]
COMPANY_FIELDS += ["website", "tickers", "fiscal_year_start_month", "description"]
FACILITY_FIELDS = ["slug", "name", "kind", "status", "country", "province", "city", "district"]
FACILITY_FIELDS += ["address", "latitude", "longitude", "location_accuracy", "cell_format"]
FACILITY_FIELDS += ["cell_ah", "cell_nominal_voltage"]
FACILITY_FIELDS += ["capacity_value", "capacity_unit", "investment_amount"]
FACILITY_FIELDS += ["investment_currency", "description"]
MILESTONE_FIELDS = ["slug", "title", "kind", "description", "capacity_value", "capacity_unit"]
MILESTONE_FIELDS += ["energy_density_wh_kg", "energy_density_wh_l", "cell_ah", "cycle_life"]
CompanySheetForm = _form(Company, COMPANY_FIELDS)
RelationSheetForm = _form(CompanyRelation, ["kind", "note"])
FacilitySheetForm = _form(Facility, FACILITY_FIELDS)
MilestoneSheetForm = _form(Milestone, MILESTONE_FIELDS)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(LIST_SEPARATOR) if part.strip()]


def shown(value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, tuple):
        return partial_date_text(*value)
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def form_changes(form) -> list[tuple[str, str, str]]:
    out = []
    for name in form.changed_data:
        bound = form[name]
        old = bound.field.prepare_value(bound.initial)
        out.append((name.replace("_", " "), shown(old), shown(form.data.get(name))))
    return out


def _made_earlier(instance, message: str, out: RowOutcome) -> bool:
    """Whether an earlier row of the file made this record (then told in out.errors): a record
    the file makes has a negative primary key until it is written."""
    if instance is not None and instance.pk < 0:
        out.errors.append(message)
        return True
    return False


def _set_change(instance, name: str, old: set[str], new: set[str]) -> list[tuple[str, str, str]]:
    """The change of a stored record's many-to-many column (old and new slugs), as the
    (field, old, new) of form_changes; none for a new record or the same set."""
    if instance is None or old == new:
        return []
    return [(name, "; ".join(sorted(old)) or "(empty)", "; ".join(sorted(new)) or "(empty)")]


def _set_partners(milestone: Milestone, partners: list[Company]) -> None:
    """The milestone's partners as the claims of this file see them (the model's partner
    check reads milestone.partners, which answers from this cache without a query)."""
    rows = Company.objects.all()
    rows._result_cache = list(partners)
    rows._prefetch_done = True
    milestone._prefetched_objects_cache = {
        **getattr(milestone, "_prefetched_objects_cache", {}),
        "partners": rows,
    }


class SheetRows:
    """The checks of each sheet's rows; WorkbookPlan holds the indexes and references they use
    (self.company, self.source, self.companies_by_slug, ...) and the write."""

    def _companies(self, row: dict[str, str], out: RowOutcome) -> None:
        slug, name = row.get("slug", ""), row.get("name", "")
        out.summary = f"{name} ({slug})"
        instance = self.companies_by_slug.get(slug)
        if instance is None and name:
            found = {}
            for text in (name, row.get("native_name", "")):
                found |= self.company_names.get(text.casefold(), {}) if text else {}
            if len(found) > 1:
                names = " and ".join(sorted(c.name for c in found))
                out.errors.append(f"company: “{name}” names two companies, {names}.")
                return
            if found:
                instance, how = next(iter(found.items()))
                if how == "alias":
                    out.warnings.append(
                        f"company: “{name}” is an alias of the stored {instance.name}: the row "
                        f"updates {instance.slug}."
                    )
                if instance.slug != slug:
                    out.warnings.append(
                        f"company: matched {instance.slug} by name; its slug is kept."
                    )
                    slug = instance.slug
        elif instance is not None:
            for text in (name, row.get("native_name", "")):
                others = set(self.company_names.get(text.casefold(), {})) - {instance}
                if text and others:
                    out.errors.append(
                        f"company: the slug {slug} is {instance.name}'s, but “{text}” names "
                        f"{', '.join(sorted(c.name for c in others))}."
                    )
                    return
        if instance is not None and instance in self.seen_companies:
            out.errors.append(f"company: {instance.slug} is on this sheet twice.")
            return
        aliases = split_list(row.get("aliases", ""))
        technologies = []
        for tech in split_list(row.get("technologies", "")):
            if tech not in self.technologies:
                known = ", ".join(sorted(self.technologies))
                out.errors.append(f"company technologies: “{tech}” is not one of {known}.")
            technologies.append(self.technologies.get(tech))
        data = {
            "slug": slug,
            "name": name,
            "native_name": row.get("native_name", ""),
            # One alias a line, as stored; the stored text when the list is the same.
            "aliases": (
                instance.aliases
                if instance is not None and instance.alias_list == aliases
                else "\n".join(aliases)
            ),
            "country": row.get("country", "").upper(),
            "role": row.get("role", ""),
            "hq_city": row.get("hq_city", ""),
            "website": row.get("website", ""),
            "tickers": row.get("tickers", ""),
            "fiscal_year_start_month": row.get("fiscal_year_start_month", ""),
            "description": row.get("description", ""),
        }
        if out.errors:
            return
        form = CompanySheetForm(data=data, instance=instance or Company())
        old_tech = {t.slug for t in instance.technologies.all()} if instance else set()
        new_tech = {t.slug for t in technologies}
        extra = _set_change(instance, "technologies", old_tech, new_tech)
        if self._check(form, instance, Company, out, "company", extra):
            company = form.instance
            self.seen_companies.add(company)
            if (instance is None and technologies) or (instance and old_tech != new_tech):
                self.m2m.append((company, "technologies", technologies))
            if instance is None:
                self._index_company(company)

    def _sources(self, row: dict[str, str], out: RowOutcome) -> None:
        url, title = row.get("url", ""), row.get("title", "")
        out.summary = f"{title} ({url or 'no URL'})"
        via = self.source(row["via"], out, "source via") if row.get("via") else None
        if out.errors:
            return
        key = normalise_url(url) if url else ("untitled", title.casefold())
        instance = self.sources.get(key)
        if _made_earlier(instance, "source: this page is on the sources sheet twice.", out):
            return
        if instance is not None and url and instance.url != url:
            out.understood.append(f"the same page as the stored {instance.url}; that URL is kept")
        retitle = row.get("retitle", "").strip().lower() in ("yes", "y", "true", "1", "x")
        if instance is not None and title and title != instance.title and not retitle:
            out.warnings.append(
                f"source title: the file says “{title}”, the stored title “{instance.title}” "
                "is kept (write yes in retitle to change it)."
            )
            title = instance.title
        if instance is None:
            self._near_duplicates(url, title, out)
        data = {
            "url": instance.url if instance is not None and url else url,
            "title": title,
            "publisher": row.get("publisher", ""),
            "kind": row.get("kind") or Source.Kind.NEWS,
            "published_on": row.get("published_on", ""),
            "language": row.get("language") or "en",
            "archive_url": row.get("archive_url", ""),
            "accessed_on": row.get("accessed_on", ""),
        }
        form = SourceRowForm(data=data, instance=instance or Source())
        extra = self._fk_change(instance, "via", via, lambda s: s.url or s.title)
        form.instance.via = via
        if self._check(form, instance, Source, out, "source", extra):
            source = form.instance
            source.fill_date_bounds()
            source.fill_url_key()  # written in bulk, past save()
            out.understood.append(
                f"published {source.published_label}"
                + (
                    f" ({source.published_on:%-d %b %Y} to {source.published_on_latest:%-d %b %Y})"
                    if source.published_on_precision != "day"
                    else ""
                )
            )
            if instance is None:
                self._index_source(source)

    def _near_duplicates(self, url: str, title: str, out: RowOutcome) -> None:
        similar = list(self.source_titles.get(" ".join(title.casefold().split()), []))
        if url:
            similar += self.source_pages.get(normalise_url(url).split("?")[0], [])
        for other in dict.fromkeys(similar):
            out.warnings.append(
                f"source: looks like “{other.title}” ({other.url or 'no URL'}); if it is the "
                "same page, give that URL instead."
            )

    def _relations(self, row: dict[str, str], out: RowOutcome) -> None:
        out.summary = f"{row.get('from_company')} is {row.get('kind')} of {row.get('to_company')}"
        a = self.company(row.get("from_company", ""), out, "from company")
        b = self.company(row.get("to_company", ""), out, "to company")
        source = self.source(row.get("source", ""), out)
        if out.errors:
            return
        key = (a.pk, row.get("kind", ""), b.pk)
        instance = self.relations.get(key)
        if _made_earlier(instance, "relation: this relation is on the sheet twice.", out):
            return
        form = RelationSheetForm(
            data={"kind": row.get("kind", ""), "note": row.get("note", "")},
            instance=instance or CompanyRelation(),
        )
        extra = self._fk_change(instance, "source", source, lambda s: s.url or s.title)
        form.instance.from_company, form.instance.to_company = a, b
        form.instance.source = source
        if self._check(form, instance, CompanyRelation, out, "relation", extra) and not instance:
            self.relations[key] = form.instance

    def _optional(self, table: dict, key: str, what: str, out: RowOutcome):
        if not key:
            return None
        if key not in table:
            out.errors.append(f"{what}: there is no {what} “{key}”.")
        return table.get(key)

    def _facilities(self, row: dict[str, str], out: RowOutcome) -> None:
        slug = row.get("slug", "")
        out.summary = f"{row.get('name', '')} ({slug})"
        company = self.company(row.get("company", ""), out)
        technology = self._optional(self.technologies, row.get("technology", ""), "technology", out)
        source = self.source(row["source"], out) if row.get("source") else None
        if out.errors:
            return
        instance = self.facilities.get(slug)
        if _made_earlier(instance, f"facility: {slug} is on the sheet twice.", out):
            return
        data = {name: row.get(name, "") for name in FACILITY_FIELDS}
        data["status"] = data["status"] or Facility.Status.ANNOUNCED
        data["country"] = data["country"].upper()
        form = FacilitySheetForm(data=data, instance=instance or Facility())
        extra = self._fk_change(instance, "company", company, lambda c: c.slug)
        extra += self._fk_change(instance, "technology", technology, lambda t: t.slug)
        extra += self._fk_change(instance, "source", source, lambda s: s.url or s.title)
        form.instance.company, form.instance.technology = company, technology
        form.instance.source = source
        if self._check(form, instance, Facility, out, "facility", extra) and not instance:
            self.facilities[slug] = form.instance

    def _milestones(self, row: dict[str, str], out: RowOutcome) -> None:
        slug = row.get("slug", "")
        out.summary = f"{row.get('title', '')} ({slug})"
        company = self.company(row.get("company", ""), out)
        facility = self._optional(self.facilities, row.get("facility", ""), "facility", out)
        technology = self._optional(self.technologies, row.get("technology", ""), "technology", out)
        partners = [self.company(p, out, "partner") for p in split_list(row.get("partners", ""))]
        if out.errors:
            return
        instance = self.milestones.get(slug)
        if _made_earlier(instance, f"milestone: {slug} is on the sheet twice.", out):
            return
        data = {name: row.get(name, "") for name in MILESTONE_FIELDS}
        form = MilestoneSheetForm(data=data, instance=instance or Milestone())
        extra = self._fk_change(instance, "company", company, lambda c: c.slug)
        extra += self._fk_change(instance, "facility", facility, lambda f: f.slug)
        extra += self._fk_change(instance, "technology", technology, lambda t: t.slug)
        old_partners = {p.slug for p in instance.partners.all()} if instance else set()
        new_partners = {p.slug for p in partners}
        extra += _set_change(instance, "partners", old_partners, new_partners)
        form.instance.company, form.instance.facility = company, facility
        form.instance.technology = technology
        if self._check(form, instance, Milestone, out, "milestone", extra):
            milestone = form.instance
            if (instance is None and partners) or (instance and old_partners != new_partners):
                self.m2m.append((milestone, "partners", partners))
            _set_partners(milestone, partners)
            if instance is None:
                self._index_milestone(milestone)
            else:
                self.milestone_titles[(company.pk, milestone.title.casefold())] = milestone

    def _existing_claims(self) -> None:
        """The stored claims of the milestones the claims sheet names, in one query."""
        wanted = {r.get("milestone", "") for r in self.sheets.get("claims", [])}
        folded = {w.casefold() for w in wanted}
        ids = {m.pk for slug, m in self.milestones.items() if slug in wanted}
        ids |= {m.pk for (_, title), m in self.milestone_titles.items() if title in folded}
        ids = {pk for pk in ids if pk > 0}
        if not ids:
            return
        for claim in Claim.objects.filter(milestone_id__in=ids):
            self.claims[
                claim_key(claim.milestone_id, claim.source_id, claim.kind, claim.stated_on)
            ] = claim

    def _claims(self, row: dict[str, str], out: RowOutcome) -> None:
        out.summary = (
            f"{row.get('company', '')}: {row.get('milestone', '')} — {row.get('kind', '')} "
            f"{row.get('stated_on', '')}"
        )
        company = self.company(row.get("company", ""), out)
        source = self.source(row.get("source", ""), out)
        if out.errors:
            return
        name = row.get("milestone", "")
        milestone = self.milestones.get(name)
        if milestone is None or milestone.company_id != company.pk:
            milestone = self.milestone_titles.get((company.pk, name.casefold()))
        if milestone is None:
            out.errors.append(
                f"milestone: {company.name} has no milestone with the slug or title “{name}”; "
                "add it on the milestones sheet."
            )
            return
        try:
            stated_on, data = read_claim_row(row)
        except ValueError as exc:
            out.errors.append(f"claim {exc}")
            return
        key = claim_key(milestone.pk, source.pk, row.get("kind", ""), stated_on)
        instance = self.claims.get(key)
        twice = "claim: the sheet already has a claim of this kind from this source on this date"
        if _made_earlier(instance, f"{twice} for this milestone.", out):
            return
        form = ClaimRowForm(data=data, instance=instance or Claim())
        # Before validation: the target is read against the company's fiscal year.
        form.instance.milestone, form.instance.source = milestone, source
        if self._check(form, instance, Claim, out, "claim"):
            claim = form.instance
            out.understood = understood(claim)
            self._date_warnings(claim, source, out)
            self.touched_milestones.add(milestone)
            if instance is None:
                self.claims[key] = claim

    @staticmethod
    def _date_warnings(claim: Claim, source: Source, out: RowOutcome) -> None:
        published, published_latest = partial_date_bounds(
            source.published_on, source.published_on_precision
        )
        if published is None or claim.stated_on is None:
            return
        if claim.stated_on > published_latest:
            out.warnings.append(
                f"claim: stated {claim.stated_label}, after its source was published "
                f"({source.published_label})."
            )
        elif (published - claim.stated_on_latest).days > LONG_BEFORE_DAYS:
            months = (published - claim.stated_on_latest).days // 30
            out.warnings.append(
                f"claim: stated {claim.stated_label}, about {months} months before its source "
                f"({source.published_label}): is it the source that reported it?"
            )
