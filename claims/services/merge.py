"""Merging duplicate sources: the claims of the others move to the one kept, with the reason in
their history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.locking import lock_rows
from claims.models import Claim, CompanyRelation, Facility, Milestone, Source


class MergeRefused(Exception):
    """A merge that would lose or break something; nothing was changed."""


@dataclass
class MergeResult:
    kept: Source
    deleted: list[int]
    claims: int = 0
    relations: int = 0
    facilities: int = 0
    reported: int = 0


def merge_reason(keep: Source) -> str:
    return f"merged into source #{keep.pk}"


@transaction.atomic
def merge_sources(
    *,
    keep: Source,
    merge: Sequence[Source],
    versions: Mapping[int, int] | None = None,
    user=None,
) -> MergeResult:
    """Merge `merge` into `keep`: every claim, relation and facility citing them, and every
    source reported via them, then cites `keep`; they are deleted. Each change is saved with
    its history (change reason "merged into source #N", by `user`).

    One transaction; the rows are locked first in the one lock order (claims/locking.py) and
    checked against `versions` (source id → the version the editor saw). Refused, with nothing
    changed, when a source changed meanwhile, when two claims would become one statement (same
    milestone, kind and date from one source), when `keep` is reported via a source it absorbs,
    or when a moved claim would break a rule with its new source (an official record cited from
    a news report).
    """
    ids = sorted({s.pk for s in merge} - {keep.pk})
    if not ids:
        raise MergeRefused("Choose at least one other source to merge into the one you keep.")
    every = [keep.pk, *ids]
    claims = Claim.objects.filter(source_id__in=ids)
    relations = CompanyRelation.objects.filter(source_id__in=ids)
    facilities = Facility.objects.filter(source_id__in=ids)
    reported = Source.objects.filter(via_id__in=ids).exclude(pk__in=ids)
    lock_rows(
        {
            Source: [*every, *reported.values_list("pk", flat=True)],
            CompanyRelation: relations.values_list("pk", flat=True),
            Facility: facilities.values_list("pk", flat=True),
            Milestone: claims.values_list("milestone_id", flat=True),
            Claim: claims.values_list("pk", flat=True),
        }
    )
    sources = {s.pk: s for s in Source.objects.filter(pk__in=every)}
    if len(sources) != len(every):
        gone = sorted(set(every) - set(sources))
        raise MergeRefused(
            f"Source #{gone[0]} no longer exists (another editor deleted or merged it): "
            "nothing was merged."
        )
    for pk, seen in (versions or {}).items():
        if pk in sources and sources[pk].version != seen:
            raise MergeRefused(
                f"Source #{pk} was changed by another editor while you were choosing: nothing "
                "was merged. Open the merge again to see the current sources."
            )
    keep = sources[keep.pk]
    if keep.via_id in ids:
        raise MergeRefused(
            f"Source #{keep.pk} is reported via source #{keep.via_id}, which this merge would "
            "delete: keep that one instead, or change the “via” first."
        )
    _refuse_colliding_claims(keep, ids)
    reason = merge_reason(keep)
    result = MergeResult(kept=keep, deleted=ids)
    problems = []
    for claim in claims.select_related("milestone__company", "source").order_by("pk"):
        claim.source = keep
        try:
            claim.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            text = " ".join(m for messages in exc.message_dict.values() for m in messages)
            problems.append(f"claim #{claim.pk} ({claim}): {text}")
            continue
        _save_with_reason(claim, reason, user)
        result.claims += 1
    if problems:
        raise MergeRefused(
            "Some claims would break a rule with the kept source, so nothing was merged: "
            + "; ".join(problems)
        )
    for relation in relations.order_by("pk"):
        relation.source = keep
        _save_with_reason(relation, reason, user)
        result.relations += 1
    for facility in facilities.order_by("pk"):
        facility.source = keep
        _save_with_reason(facility, reason, user)
        result.facilities += 1
    for source in reported.order_by("pk"):
        source.via = keep
        _save_with_reason(source, reason, user)
        result.reported += 1
    # Merged sources reported via one another: each loses its "via" before any is deleted.
    for pk in ids:
        source = sources[pk]
        if source.via_id in ids:
            source.via = keep
            _save_with_reason(source, reason, user)
    for pk in ids:
        source = sources[pk]
        source._change_reason = reason
        source._history_user = user
        source.delete()
    return result


def _refuse_colliding_claims(keep: Source, ids: list[int]) -> None:
    """Two claims of the same milestone, kind and date would become one source's two
    statements: the unique constraint refuses that, so the merge says which first."""
    seen: dict[tuple, Claim] = {}
    clashes = []
    claims = Claim.objects.filter(source_id__in=[keep.pk, *ids]).select_related(
        "milestone__company"
    )
    for claim in claims.order_by("source_id", "pk"):
        key = (claim.milestone_id, claim.kind, claim.stated_on)
        if key in seen:
            first = seen[key]
            clashes.append(
                f"claim #{first.pk} (source #{first.source_id}) and claim #{claim.pk} (source "
                f"#{claim.source_id}) are both a {claim.get_kind_display().lower()} of "
                f"“{claim.milestone}” stated {claim.stated_label}"
            )
        else:
            seen[key] = claim
    if clashes:
        raise MergeRefused(
            "These claims would become the same statement of one source, so nothing was "
            "merged: " + "; ".join(clashes) + ". Delete or correct one of each pair first."
        )


def _save_with_reason(instance: models.Model, reason: str, user) -> None:
    instance._change_reason = reason
    instance._history_user = user
    instance.save()
