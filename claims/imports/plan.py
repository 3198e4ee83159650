"""The claims and milestones imports: what a file would write, read with a few queries whatever its
length, then written in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims.imports.files import (
    CLAIM_REQUIRED,
    MILESTONE_REQUIRED,
    ImportReport,
    RowResult,
    read_csv,
)
from claims.imports.rows import (
    CLAIM_DERIVED,
    CLAIM_FIELDS,
    SOURCE_DERIVED,
    SOURCE_FIELDS,
    ClaimRowForm,
    CompanyMatcher,
    SourceRowForm,
    StaleImportError,
    _run,
    _save,
    claim_key,
    date_warnings,
    note_errors,
    read_claim_row,
    source_warnings,
    understood,
)
from claims.locking import lock_rows
from claims.models import Claim, Facility, Milestone, Source
from claims.urlnorm import normalise_url


class _ClaimPlan:
    """What a claims file would write, read with a few queries whatever its length."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows = rows
        self.company_matcher = CompanyMatcher()
        self.milestones: dict[tuple[int, str], Milestone] = {}
        wanted = {r["company"] for r in rows}
        ids = {m.company.pk for m in map(self.company_matcher.match, wanted) if m.company}
        for m in Milestone.objects.filter(company_id__in=ids).only(
            "pk", "slug", "title", "company_id", "version"
        ):
            self.milestones[(m.company_id, m.slug)] = m
            self.milestones.setdefault((m.company_id, m.title.lower()), m)
        urls = {r.get("source_url", "") for r in rows} | {r.get("source_via_url", "") for r in rows}
        keys = {normalise_url(url) for url in urls} - {""}
        #: Sources by the key their URL is compared by (Source.url_key): a row's URL in
        #: another spelling (http, www., a ?utm_ tail) finds the same source.
        self.sources_by_key = {s.url_key: s for s in Source.objects.filter(url_key__in=keys)}
        titles = {r["source_title"] for r in rows if not r.get("source_url")}
        self.sources_by_title = {
            (s.title, s.via_id): s for s in Source.objects.filter(url="", title__in=titles)
        }
        self.new_sources: dict = {}
        self.checked_sources: dict = {}
        self.changed_sources: dict[int, Source] = {}
        self.claims: dict[tuple, Claim] = {}
        self.new_claims: list[Claim] = []
        self.changed_claims: list[Claim] = []
        self.seen_versions: dict[type, dict[int, int]] = {Source: {}, Claim: {}}
        self.touched_milestones: set[int] = set()

    def existing_claims(self) -> None:
        milestone_ids = {m.pk for m in self.milestones.values()}
        source_ids = {s.pk for s in self.sources_by_key.values()}
        source_ids |= {s.pk for s in self.sources_by_title.values()}
        for claim in Claim.objects.filter(milestone_id__in=milestone_ids, source_id__in=source_ids):
            self.claims[
                claim_key(claim.milestone_id, claim.source_id, claim.kind, claim.stated_on)
            ] = claim

    # -- one row -------------------------------------------------------------------------------
    def source(self, row: dict[str, str], result: RowResult) -> Source | None:
        via = None
        if row.get("source_via_url"):
            via = self.sources_by_key.get(normalise_url(row["source_via_url"]))
            if via is None:
                result.errors.append(
                    f"source via: no source has the URL {row['source_via_url']}; import it first."
                )
                return None
        url = row.get("source_url", "")
        url_key = normalise_url(url)
        key = url_key or (row["source_title"], via.pk if via and via.pk else id(via))
        title = row["source_title"]
        if url:
            instance = self.sources_by_key.get(url_key)
            if instance is not None:
                # The stored URL and title stay: a file changes neither by the way.
                result.warnings.extend(source_warnings(instance, url, title))
                url, title = instance.url, instance.title
        else:
            instance = self.sources_by_title.get(key) or self.new_sources.get(key)
        data = {
            "url": url,
            "title": title,
            "publisher": row["source_publisher"],
            "kind": row.get("source_kind") or "news",
            "published_on": row["source_published_on"],
            "language": row.get("source_language") or "en",
            "archive_url": instance.archive_url if instance else "",
            "accessed_on": instance.accessed_on if instance else None,
        }
        checked = self.checked_sources.get(key)
        if checked is not None and checked[0] == (data, via):
            # Another row of the same source, as the file gave it before: checked already.
            if checked[1] is not None:
                result.action = checked[1]
            return checked[2]
        target = instance if instance is not None else Source()
        form = SourceRowForm(data=data, instance=target)
        form.instance.via = via
        form.is_valid()
        if via is not None and not via.pk and not url:
            form.errors.pop("url", None)  # reported via a source this file creates first
        if form.errors:
            note_errors(form, "source", result)
            return None
        action = None
        if instance is None:
            action = "create"
            self.new_sources[key] = form.instance
            if url:
                self.sources_by_key[url_key] = form.instance
        elif form.has_changed():
            action = "update"
            if instance.pk:
                self.changed_sources[instance.pk] = form.instance
                self.seen_versions[Source][instance.pk] = instance.version
        if action:
            result.action = action
        self.checked_sources[key] = ((data, via), action, form.instance)
        return form.instance

    def claim(self, row: dict[str, str], source: Source, result: RowResult) -> None:
        company, alias, error = self.company_matcher.match(row["company"])
        if company is None:
            result.errors.append(error)
            return
        if alias:
            result.warnings.append(
                f"company “{alias}” matched {company.name} ({company.slug}) by its alias: check "
                "it is that company."
            )
        milestone = self.milestones.get((company.pk, row["milestone"])) or self.milestones.get(
            (company.pk, row["milestone"].lower())
        )
        if milestone is None:
            result.errors.append(
                f"milestone: {company.name} has no milestone with the slug or title "
                f"“{row['milestone']}”; add it in the admin first."
            )
            return
        try:
            stated_on, data = read_claim_row(row)
        except ValueError as exc:
            result.errors.append(f"{exc}")
            return
        key = claim_key(milestone.pk, source.pk or id(source), row["kind"], stated_on)
        instance = self.claims.get(key)
        if instance is not None and not instance.pk:
            result.errors.append(
                "claim: the file already has a claim of this kind from this source on this "
                "date for this milestone."
            )
            return
        form = ClaimRowForm(data=data, instance=instance if instance is not None else Claim())
        # Before validation: the target is read against the milestone's company's fiscal year.
        form.instance.milestone = milestone
        form.instance.source = source
        if not form.is_valid():
            note_errors(form, "claim", result)
            return
        result.understood = understood(form.instance)
        result.warnings.extend(date_warnings(form.instance, source))
        self.touched_milestones.add(milestone.pk)
        if instance is None:
            result.action = "create"
            self.claims[key] = form.instance
            self.new_claims.append(form.instance)
        elif form.has_changed():
            if result.action != "create":
                result.action = "update"
            self.changed_claims.append(form.instance)
            self.seen_versions[Claim][instance.pk] = instance.version

    # -- the write: short, after everything was read and checked -------------------------------
    def write(self, user=None) -> None:
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        from claims.cache import bump_data_version_now_and_on_commit
        from claims.facts import refresh_facts

        now = timezone.now()
        with transaction.atomic():
            locked = lock_rows(
                {
                    Source: self.seen_versions[Source],
                    Milestone: self.touched_milestones,
                    Claim: self.seen_versions[Claim],
                }
            )
            for model in (Source, Claim):
                for pk, version in self.seen_versions[model].items():
                    if locked.get(model) and locked[model].get(pk) != version:
                        raise StaleImportError(
                            f"{model._meta.verbose_name} #{pk} was changed by another editor "
                            "while this file was being imported; nothing was imported. "
                            "Preview the file again."
                        )
            for record in (
                *self.new_sources.values(),
                *self.changed_sources.values(),
                *self.new_claims,
                *self.changed_claims,
            ):
                record.fill_date_bounds()
            for source in (*self.new_sources.values(), *self.changed_sources.values()):
                source.fill_url_key()
            new = list(self.new_sources.values())
            for batch in (
                [s for s in new if s.via is None or s.via.pk],
                [s for s in new if s.via is not None and not s.via.pk],
            ):
                for source in batch:
                    source.via = source.via  # picks up the id of a via created just before
                bulk_create_with_history(batch, Source, batch_size=500, default_user=user)
            self._bump(self.changed_sources.values(), now)
            bulk_update_with_history(
                list(self.changed_sources.values()),
                Source,
                [*SOURCE_FIELDS, *SOURCE_DERIVED, "via", "version", "updated_at"],
                batch_size=500,
                default_user=user,
            )
            for claim in self.new_claims:
                claim.source = claim.source  # the id of a source created above
            bulk_create_with_history(self.new_claims, Claim, batch_size=500, default_user=user)
            self._bump(self.changed_claims, now)
            bulk_update_with_history(
                self.changed_claims,
                Claim,
                [*CLAIM_FIELDS, *CLAIM_DERIVED, "target_earliest", "target_latest"]
                + ["target_precision"]
                + ["version", "updated_at"],
                batch_size=500,
                default_user=user,
            )
            refresh_facts(self.touched_milestones)
            bump_data_version_now_and_on_commit()

    @staticmethod
    def _bump(records, now) -> None:
        for record in records:
            record.version = (record.version or 0) + 1
            record.updated_at = now


def import_claims_csv(*, text: str, dry_run: bool, user=None) -> ImportReport:
    """Import sources and their claims, one claim a row (see CLAIM_COLUMNS).

    Every row is read and checked first, with a few queries for the whole file and no
    lock; a dry run stops there. A confirmed import then writes everything in one short
    transaction: the rows it updates locked in the one lock order, refused if another editor
    changed one meanwhile, the rows written in bulk with their history, and the stored facts
    of the milestones it touched refreshed once.
    """
    rows = read_csv(text, CLAIM_REQUIRED)
    plan = _ClaimPlan(rows)
    plan.existing_claims()
    numbered = list(enumerate(rows, start=2))
    # Sources reported via another come after it, whatever the order of the file.
    numbered.sort(key=lambda pair: bool(pair[1].get("source_via_url")))
    results = []
    for line, row in numbered:
        result = RowResult(line=line, summary="")
        result.summary = f"{row['company']}: {row['milestone']} — {row['kind']} {row['stated_on']}"
        source = plan.source(row, result)
        if source is not None and not result.errors:
            plan.claim(row, source, result)
        if result.errors:
            result.action = "error"
        results.append(result)
    report = ImportReport(sorted(results, key=lambda r: r.line), dry_run)
    if report.saved:
        plan.write(user=user)
    return report


@transaction.atomic
def import_milestones_csv(*, text: str, dry_run: bool, user=None) -> ImportReport:
    """Import milestones, matched by slug: the /milestones/ CSV download imports back.

    Only the milestone's own fields are read; status and targets derive from claims and
    are ignored.
    """
    rows = read_csv(text, MILESTONE_REQUIRED)
    companies = CompanyMatcher()

    def handle(row: dict[str, str], result: RowResult) -> None:
        result.summary = f"{row['company_slug']}: {row['title']}"
        company, alias, error = companies.match(row["company_slug"])
        if alias:
            result.warnings.append(
                f"company “{alias}” matched {company.name} ({company.slug}) by its alias."
            )
        if company is None:
            result.errors.append(error)
        else:
            instance = Milestone.objects.filter(slug=row["slug"]).first()
            facility = None
            if row.get("facility"):
                facility = Facility.objects.filter(company=company, name=row["facility"]).first()
                if facility is None:
                    result.errors.append(
                        f"facility: {company.name} has no facility named “{row['facility']}”."
                    )
                    return
            data = {
                "company": company.pk,
                "facility": facility.pk if facility else None,
                "slug": row["slug"],
                "title": row["title"],
                "kind": row["kind"],
            }
            _save(Milestone, instance, data, result, "milestone")
        if result.errors:
            result.action = "error"

    def lock() -> None:
        # The milestones this file may update, in the one lock order, before any is written.
        slugs = [row["slug"] for row in rows]
        lock_rows(
            {Milestone: Milestone.objects.filter(slug__in=slugs).values_list("pk", flat=True)}
        )

    return _run(rows, handle, dry_run, before=lock)
