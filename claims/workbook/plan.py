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

from django.db import transaction
from django.utils import timezone

from claims.imports.rows import CLAIM_DERIVED, CLAIM_FIELDS, StaleImportError, note_errors
from claims.locking import lock_rows
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source, Technology
from claims.urlnorm import normalise_url
from claims.workbook.rows import (
    RowOutcome,
    SheetRows,
    WorkbookReport,
    form_changes,
    shown,
)
from claims.workbook.sheets import SHEET_NAMES


class WorkbookPlan(SheetRows):
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
            note_errors(form, what, out)
            return False
        record = form.instance
        changes = form_changes(form) if instance is not None else []
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
        return [(name, shown(old and show(old)), shown(new and show(new)))]

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
