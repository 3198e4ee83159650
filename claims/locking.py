"""One lock order for every write: no two editors' saves can wait on each other in a circle.

Every path that writes tracker records (the admin's change forms and their inlines, history
reverts, CSV imports, the stored facts refresh) locks the rows it will write before writing
them, in this order of record types, each type's rows by id:

    source, company, company relation, facility, milestone, claim

so a milestone comes before any of its claims (and the demo loader, which writes its
sections in this order, agrees with everyone else). Two saves that touch the same rows therefore
queue on the first row they share instead of deadlocking; the second then sees the first's
version and is refused by the stale-edit check if it edited the same record.

Locks are FOR NO KEY UPDATE: they never block a row that only refers to the locked one (a new
claim citing a locked source).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.db import connections, models

LOCK_ORDER = ("source", "company", "companyrelation", "facility", "milestone", "claim")


def _rank(model: type[models.Model]) -> int:
    return LOCK_ORDER.index(model._meta.model_name)


def lock_rows(
    rows: Mapping[type[models.Model], Iterable[int | None]], using: str = "default"
) -> dict[type[models.Model], dict[int, int]]:
    """Lock the given rows in the one order; return each locked row's current version.

    Must run inside a transaction (a no-op on SQLite, which locks the whole database).
    """
    if not connections[using].features.has_select_for_update:
        return {model: {} for model in rows}
    locked = {}
    for model in sorted(rows, key=_rank):
        ids = sorted({int(pk) for pk in rows[model] if pk not in (None, "")})
        if not ids:
            locked[model] = {}
            continue
        queryset = (
            model._default_manager.using(using)
            .select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
        )
        fields = ["pk", "version"] if hasattr(model, "version") else ["pk", "pk"]
        locked[model] = dict(queryset.values_list(*fields))
    return locked


def lock_claims(claim_ids: Iterable[int], milestone_ids: Iterable[int] = (), using="default"):
    """Lock some claims, after the milestones they belong to (and `milestone_ids`)."""
    from claims.models import Claim, Milestone

    claim_ids = set(claim_ids) - {None}
    milestones = set(milestone_ids) - {None}
    milestones |= set(
        Claim.objects.using(using).filter(pk__in=claim_ids).values_list("milestone_id", flat=True)
    )
    return lock_rows({Milestone: milestones, Claim: claim_ids}, using=using)


def _ids(values: Iterable[str]) -> set[int]:
    return {int(v) for v in values if str(v).isdigit()}


def _posted(data: Mapping, pattern: str) -> set[int]:
    """Integer values of the posted fields whose names match `pattern` (inline rows)."""
    regex = re.compile(pattern)
    return _ids(v for k in data for v in data.getlist(k) if regex.fullmatch(k))


def lock_for_edit(model: type[models.Model], pk, data: Mapping, using="default") -> None:
    """Lock every row an admin save of `model` #pk (or a new one) with POST `data` writes:
    the record, the rows of its inlines, and the milestones of any claim it touches."""
    from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source

    if model._meta.model_name not in LOCK_ORDER:
        return
    pk = int(pk) if pk is not None and str(pk).isdigit() else None
    rows: dict[type[models.Model], set] = {}
    if model is Claim:
        claims = {pk}
        milestones = _ids(data.getlist("milestone"))
    elif model is Milestone:
        rows[Milestone] = {pk}
        claims = set(
            Claim.objects.using(using).filter(milestone_id=pk).values_list("pk", flat=True)
        )
        milestones = {pk}
    elif model is Source:
        rows[Source] = {pk}
        claims = set(Claim.objects.using(using).filter(source_id=pk).values_list("pk", flat=True))
        milestones = _posted(data, r".+-\d+-milestone")
    elif model is Company:
        rows[Company] = {pk}
        rows[Facility] = set(Facility.objects.filter(company_id=pk).values_list("pk", flat=True))
        rows[CompanyRelation] = set(
            CompanyRelation.objects.filter(
                models.Q(from_company_id=pk) | models.Q(to_company_id=pk)
            ).values_list("pk", flat=True)
        )
        lock_rows(rows, using=using)
        return
    else:
        lock_rows({model: {pk}}, using=using)
        return
    claims = (claims | _posted(data, r"claims-\d+-id")) - {None} if pk else claims - {None}
    milestones |= set(
        Claim.objects.using(using).filter(pk__in=claims).values_list("milestone_id", flat=True)
    )
    rows[Milestone] = rows.get(Milestone, set()) | milestones
    rows[Claim] = claims
    lock_rows(rows, using=using)
