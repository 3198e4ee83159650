"""An achievement report that also states the next target: the target becomes its own claim, linked
to the report."""

from __future__ import annotations

from django.db import transaction

from claims.locking import lock_rows
from claims.models import Claim, Milestone


def next_claim(*, claim: Claim, milestone: Milestone, target_text: str) -> Claim:
    """The claim an achievement report's next target becomes (unsaved): the same source,
    date, speaker, standing and quote; an announcement when the milestone has no target yet
    from its own parties, a reaffirmation when the target reads as the current one, else a
    revision. A third party's next target is its view."""
    next_one = Claim(
        milestone=milestone,
        source_id=claim.source_id,
        stated_on=claim.stated_on,
        stated_on_precision=claim.stated_on_precision,
        speaker=claim.speaker,
        standing=claim.standing,
        target_text=target_text,
        quote=claim.quote,
    )
    if claim.standing not in Claim.PARTY_STANDINGS:
        next_one.kind = Claim.Kind.VIEW
        return next_one
    earlier = (
        Claim.objects.filter(
            milestone=milestone,
            kind__in=Claim.TARGET_KINDS,
            standing__in=Claim.PARTY_STANDINGS,
        )
        .exclude(pk=claim.pk)
        .order_by("-stated_on_latest", "-stated_on", "-pk")
        .first()
        if milestone.pk
        else None
    )
    if earlier is None:
        next_one.kind = Claim.Kind.ANNOUNCEMENT
        return next_one
    next_one.kind = Claim.Kind.REVISION
    errors: dict[str, str] = {}
    next_one._clean_target(errors)  # reads the target the way a save would
    same = (next_one.target_earliest, next_one.target_latest, next_one.target_precision) == (
        earlier.target_earliest,
        earlier.target_latest,
        earlier.target_precision,
    )
    if not errors and same:
        next_one.kind = Claim.Kind.REAFFIRMATION
    return next_one


@transaction.atomic
def add_next_claim(*, claim: Claim, milestone: Milestone, target_text: str, user=None) -> Claim:
    """Save the next target an achievement report states as its own claim, linked to the
    report (`stated_with`)."""
    next_one = next_claim(claim=claim, milestone=milestone, target_text=target_text)
    next_one.source = claim.source
    next_one.stated_with = claim
    lock_rows({Milestone: [milestone.pk]})
    next_one.full_clean()
    next_one._history_user = user
    next_one.save()
    return next_one
