"""Import a workbook: every sheet's rows read, matched and checked first, then written at once.

The reading follows the claims CSV import (claims.imports): everything stored that the file
may touch is read in a few queries, each row is validated through a model form of its record
type (the admin's checks, the forms' per-row uniqueness queries left out because rows are
matched on the natural keys here), and a confirmed import writes in one short transaction,
the rows it updates locked in the one lock order and refused if another editor changed them
meanwhile, claims written in bulk with their history and the stored facts refreshed once.

Records new in the file get provisional negative ids while they are checked, so that a claim
of a new milestone is read against its new company's fiscal year and a milestone's facility
is checked against its company exactly as for stored records; the write gives them real ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from claims.dates import PartialDateError, parse_partial_date, partial_date_text
from claims.forms import PartialDatesMixin
from claims.imports import (
    CLAIM_DERIVED,
    CLAIM_FIELDS,
    ClaimRowForm,
    SourceRowForm,
    StaleImportError,
    _Fast,
    understood,
)
from claims.locking import lock_rows
from claims.models import (
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    Source,
    Technology,
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
class WorkbookReport:
    rows: list[RowOutcome]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not any(r.errors for r in self.rows)

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def counts(self) -> dict[str, int]:
        actions = ("create", "update", "unchanged", "error")
        return {a: sum(1 for r in self.rows if r.action == a) for a in actions}

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.rows)

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
        (PartialDatesMixin, _ForeignKeysSetByTheSheet, _Fast, forms.ModelForm),
        {"Meta": meta, "partial_dates": dates},
    )


COMPANY_FIELDS = ["slug", "name", "native_name", "aliases", "country", "role", "hq_city"]
COMPANY_FIELDS += ["website", "tickers", "fiscal_year_start_month", "description"]
FACILITY_FIELDS = ["slug", "name", "kind", "status", "country", "province", "city", "district"]
FACILITY_FIELDS += ["address", "latitude", "longitude", "location_accuracy", "cell_format"]
FACILITY_FIELDS += ["capacity_value", "capacity_unit", "investment_amount"]
FACILITY_FIELDS += ["investment_currency", "description"]
MILESTONE_FIELDS = ["slug", "title", "kind", "description", "capacity_value", "capacity_unit"]
MILESTONE_FIELDS += ["energy_density_wh_kg", "energy_density_wh_l", "cell_ah"]
CompanySheetForm = _form(Company, COMPANY_FIELDS)
RelationSheetForm = _form(CompanyRelation, ["kind", "note"])
FacilitySheetForm = _form(Facility, FACILITY_FIELDS)
MilestoneSheetForm = _form(Milestone, MILESTONE_FIELDS)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(LIST_SEPARATOR) if part.strip()]


def _show(value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, tuple):
        return partial_date_text(*value)
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _changes(form) -> list[tuple[str, str, str]]:
    out = []
    for name in form.changed_data:
        bound = form[name]
        old = bound.field.prepare_value(bound.initial)
        out.append((name.replace("_", " "), _show(old), _show(form.data.get(name))))
    return out


def _note_errors(form, what: str, out: RowOutcome) -> None:
    for name, messages in form.errors.items():
        label = what if name == "__all__" else f"{what} {name.replace('_', ' ')}"
        out.errors.extend(f"{label}: {m}" for m in messages)


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


class WorkbookPlan:
    """What a workbook would write, read with a few queries whatever its length."""

    def __init__(self, sheets: dict[str, list[dict[str, str]]]) -> None:
        self.sheets = sheets
        self.outcomes: list[RowOutcome] = []
        self._provisional = 0
        self.technologies = {t.slug: t for t in Technology.objects.all()}
        # Companies by every name a row may call them; several companies may share a name.
        self.companies_by_slug: dict[str, Company] = {}
        self.company_names: dict[str, dict[Company, str]] = {}
        for company in Company.objects.prefetch_related("technologies"):
            self._index_company(company)
        self.sources: dict[object, Source] = {}
        self.source_titles: dict[str, list[Source]] = {}
        self.source_pages: dict[str, list[Source]] = {}
        for source in Source.objects.select_related("via"):
            self._index_source(source)
        self.relations = {
            (r.from_company_id, r.kind, r.to_company_id): r for r in CompanyRelation.objects.all()
        }
        self.facilities = {f.slug: f for f in Facility.objects.all()}
        self.milestones: dict[str, Milestone] = {}
        self.milestone_titles: dict[tuple[int, str], Milestone] = {}
        for m in Milestone.objects.select_related("company").prefetch_related("partners"):
            self._index_milestone(m)
        self.claims: dict[tuple, Claim] = {}
        # What the write does.
        self.new: dict[type, list] = {m: [] for m in (Source, Company, CompanyRelation)}
        self.new |= {Facility: [], Milestone: [], Claim: []}
        self.changed: dict[type, dict[int, object]] = {m: {} for m in self.new}
        self.seen_versions: dict[type, dict[int, int]] = {m: {} for m in self.new}
        self.m2m: list[tuple[object, str, list]] = []
        self.touched_milestones: set = set()
        self.seen_companies: set = set()

    # -- indexes -------------------------------------------------------------------------------
    def _provisional_id(self, record) -> None:
        self._provisional -= 1
        record.pk = self._provisional

    def _index_company(self, company: Company) -> None:
        self.companies_by_slug[company.slug] = company
        names = [(company.name, "name"), (company.native_name, "native name")]
        names += [(alias, "alias") for alias in company.alias_list]
        for text, how in names:
            if text:
                self.company_names.setdefault(text.casefold(), {}).setdefault(company, how)

    def _index_source(self, source: Source) -> None:
        if source.url:
            self.sources[normalise_url(source.url)] = source
            page = normalise_url(source.url).split("?")[0]
            self.source_pages.setdefault(page, []).append(source)
        else:
            self.sources[("untitled", source.title.casefold())] = source
        self.source_titles.setdefault(" ".join(source.title.casefold().split()), []).append(source)

    def _index_milestone(self, m: Milestone) -> None:
        self.milestones[m.slug] = m
        self.milestone_titles.setdefault((m.company_id, m.title.casefold()), m)

    # -- references ----------------------------------------------------------------------------
    def company(self, text: str, out: RowOutcome, what: str = "company") -> Company | None:
        """The company a cell names: by slug, name, native name or alias, case-insensitively.
        An alias match is a warning; a cell naming two companies is an error."""
        found: dict[Company, str] = {}
        if text in self.companies_by_slug:
            found[self.companies_by_slug[text]] = "slug"
        for company, how in self.company_names.get(text.casefold(), {}).items():
            found.setdefault(company, how)
        if not found:
            out.errors.append(f"{what}: no company has the slug, name or alias “{text}”.")
            return None
        if len(found) > 1:
            names = " and ".join(sorted(c.name for c in found))
            out.errors.append(f"{what}: “{text}” names two companies, {names}: use the slug.")
            return None
        company, how = next(iter(found.items()))
        if how == "alias":
            out.warnings.append(f"{what}: “{text}” is an alias of {company.name} ({company.slug}).")
        return company

    def source(self, text: str, out: RowOutcome, what: str = "source") -> Source | None:
        key = normalise_url(text) if text.startswith(("http://", "https://")) else None
        source = self.sources.get(key) if key else self.sources.get(("untitled", text.casefold()))
        if source is None:
            out.errors.append(
                f"{what}: no source has the URL or title “{text}”; add it on the sources sheet."
            )
        return source

    # -- sheets --------------------------------------------------------------------------------
    def run(self) -> WorkbookReport:
        for name in SHEET_NAMES:
            rows = list(enumerate(self.sheets.get(name, []), start=2))
            if name == "sources":
                rows = self._via_first(rows)
            if name == "claims":
                self._existing_claims()
            for line, row in rows:
                out = RowOutcome(sheet=name, line=line, summary="")
                getattr(self, f"_{name}")(row, out)
                if out.errors:
                    out.action = "error"
                self.outcomes.append(out)
        self.outcomes.sort(key=lambda o: (SHEET_NAMES.index(o.sheet), o.line))
        return WorkbookReport(self.outcomes, dry_run=True)

    def _via_first(self, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """Sources reported via another of the file's sources come after it."""
        keys = {normalise_url(r.get("url", "")) for _, r in rows if r.get("url")}
        placed: list[tuple[int, dict]] = []
        waiting = list(rows)
        while waiting:
            ready = [
                (n, r)
                for n, r in waiting
                if not r.get("via") or normalise_url(r["via"]) not in keys
            ]
            if not ready:
                return placed + waiting  # a loop of vias: reported on its rows
            placed += ready
            waiting = [pair for pair in waiting if pair not in ready]
            keys -= {normalise_url(r.get("url", "")) for _, r in ready}
        return placed

    def _check(self, form, instance, model, out: RowOutcome, what: str, fk_changes=()) -> bool:
        """Validate; note create/update with its changes; queue the write. False on errors."""
        if not form.is_valid():
            _note_errors(form, what, out)
            return False
        record = form.instance
        changes = _changes(form) if instance is not None else []
        changes += list(fk_changes)
        if instance is None:
            out.action = "create"
            self._provisional_id(record)
            self.new[model].append(record)
        elif changes:
            out.action = "update"
            out.changes = changes
            self.changed[model][record.pk] = record
            self.seen_versions[model][record.pk] = record.version
        return True

    @staticmethod
    def _fk_change(instance, name: str, new, show=str) -> list[tuple[str, str, str]]:
        """(field, old, new) when an existing record's foreign key would point elsewhere."""
        if instance is None:
            return []
        old_id = getattr(instance, f"{name}_id")
        new_id = new.pk if new is not None else None
        if old_id == new_id:
            return []
        old = getattr(instance, name)
        return [(name, _show(old and show(old)), _show(new and show(new)))]

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
        extra = []
        if instance is not None and old_tech != new_tech:
            extra.append(
                (
                    "technologies",
                    "; ".join(sorted(old_tech)) or "(empty)",
                    "; ".join(sorted(new_tech)) or "(empty)",
                )
            )
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
        if instance is not None and instance.pk < 0:
            out.errors.append("source: this page is on the sources sheet twice.")
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
        if instance is not None and instance.pk < 0:
            out.errors.append("relation: this relation is on the sheet twice.")
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
        if instance is not None and instance.pk < 0:
            out.errors.append(f"facility: {slug} is on the sheet twice.")
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
        if instance is not None and instance.pk < 0:
            out.errors.append(f"milestone: {slug} is on the sheet twice.")
            return
        data = {name: row.get(name, "") for name in MILESTONE_FIELDS}
        form = MilestoneSheetForm(data=data, instance=instance or Milestone())
        extra = self._fk_change(instance, "company", company, lambda c: c.slug)
        extra += self._fk_change(instance, "facility", facility, lambda f: f.slug)
        extra += self._fk_change(instance, "technology", technology, lambda t: t.slug)
        old_partners = {p.slug for p in instance.partners.all()} if instance else set()
        new_partners = {p.slug for p in partners}
        if instance is not None and old_partners != new_partners:
            extra.append(
                (
                    "partners",
                    "; ".join(sorted(old_partners)) or "(empty)",
                    "; ".join(sorted(new_partners)) or "(empty)",
                )
            )
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
            key = (claim.milestone_id, claim.source_id, claim.kind, claim.stated_on)
            self.claims[key] = claim

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
            stated_on, _ = parse_partial_date(row.get("stated_on", ""))
        except PartialDateError as exc:
            out.errors.append(f"claim stated on: {exc}")
            return
        evidence = row.get("evidence", "")
        evidence_value = None
        if evidence:
            try:
                evidence_value = Claim.Evidence[evidence.upper()].value
            except KeyError:
                names = ", ".join(e.name.lower() for e in Claim.Evidence)
                out.errors.append(f"claim evidence: “{evidence}” is not one of {names}.")
                return
        data = {
            "kind": row.get("kind", ""),
            "stated_on": row.get("stated_on", ""),
            "speaker": row.get("speaker", ""),
            "standing": row.get("standing") or Claim.Standing.COMPANY,
            "target_text": row.get("target", ""),
            "achieved_on": row.get("achieved_on", ""),
            "evidence": evidence_value,
            "quote": row.get("quote", ""),
        }
        key = (milestone.pk, source.pk, row.get("kind", ""), stated_on)
        instance = self.claims.get(key)
        if instance is not None and instance.pk < 0:
            out.errors.append(
                "claim: the sheet already has a claim of this kind from this source on this "
                "date for this milestone."
            )
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

    # -- the write -----------------------------------------------------------------------------
    def write(self, user=None) -> None:
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        from claims.cache import bump_data_version_now_and_on_commit
        from claims.facts import refresh_facts

        with transaction.atomic():
            touched = {m.pk for m in self.touched_milestones if m.pk > 0}
            locked = lock_rows(
                {
                    **{model: set(rows) for model, rows in self.changed.items()},
                    Milestone: set(self.changed[Milestone]) | touched,
                }
            )
            for model, versions in self.seen_versions.items():
                for pk, version in versions.items():
                    if locked.get(model) and locked[model].get(pk) != version:
                        raise StaleImportError(
                            f"{model._meta.verbose_name} #{pk} was changed by another editor "
                            "while this workbook was being imported; nothing was imported. "
                            "Preview the file again."
                        )
            self._bulk_create(Source, self._via_order(self.new[Source]), user)
            for model in (Source, Company, CompanyRelation, Facility, Milestone):
                if model in (Company, CompanyRelation, Facility):
                    for record in self.new[model]:
                        record.pk = None
                        self._save(record, user)
                elif model is Milestone:
                    for record in self.new[model]:
                        record.country = record.site_country()
                    self._bulk_create(Milestone, [self.new[Milestone]], user)
                for record in self.changed[model].values():
                    self._save(record, user)
            for record, name, values in self.m2m:
                getattr(record, name).set([v.pk for v in values])
            claims = self.new[Claim]
            for claim in claims:
                claim.pk = None
                claim.milestone, claim.source = claim.milestone, claim.source  # real ids
                claim.fill_date_bounds()
            bulk_create_with_history(claims, Claim, batch_size=500, default_user=user)
            changed = list(self.changed[Claim].values())
            now = timezone.now()
            for claim in changed:
                claim.fill_date_bounds()
                claim.version += 1
                claim.updated_at = now
            bulk_update_with_history(
                changed,
                Claim,
                [*CLAIM_FIELDS, *CLAIM_DERIVED, "target_earliest", "target_latest"]
                + ["target_precision", "version", "updated_at"],
                batch_size=500,
                default_user=user,
            )
            if self.touched_milestones:
                refresh_facts({m.pk for m in self.touched_milestones})
            bump_data_version_now_and_on_commit()

    @staticmethod
    def _via_order(sources: list[Source]) -> list[list[Source]]:
        """New sources in batches, each reported via sources of the batches before it."""
        batches, placed, waiting = [], set(), list(sources)
        while waiting:
            batch = [s for s in waiting if s.via is None or s.via.pk > 0 or id(s.via) in placed]
            batches.append(batch)
            placed |= {id(s) for s in batch}
            waiting = [s for s in waiting if id(s) not in placed]
        return batches

    @staticmethod
    def _bulk_create(model, batches: list[list], user) -> None:
        """Insert new records with their history, their foreign keys pointing at real ids."""
        from simple_history.utils import bulk_create_with_history

        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        for batch in batches:
            for record in batch:
                record.pk = None
                for f in relations:
                    if f.is_cached(record):
                        setattr(record, f.name, getattr(record, f.name))
            bulk_create_with_history(batch, model, batch_size=500, default_user=user)

    @staticmethod
    def _save(record, user) -> None:
        """Save one record with its history, its foreign keys pointing at real ids."""
        for f in record._meta.concrete_fields:
            if f.is_relation and f.is_cached(record):
                setattr(record, f.name, getattr(record, f.name))
        record._history_user = user
        record.save()


def import_workbook(
    *, sheets: dict[str, list[dict[str, str]]], dry_run: bool, user=None
) -> WorkbookReport:
    """Create and update the records of a workbook's sheets (see claims.workbook.sheets).

    Every row is read and checked first, with a few queries for the whole file and no lock;
    a dry run stops there, and so does a file with any bad row. A confirmed import writes
    everything in one transaction.
    """
    plan = WorkbookPlan(sheets)
    report = plan.run()
    report.dry_run = dry_run
    if report.saved:
        plan.write(user=user)
    return report
