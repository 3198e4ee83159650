"""Each milestone's status facts, stored beside it (MilestoneFacts) and kept current.

A milestone's status as of a date is decided on a few facts of its claims: when it was
achieved, its first and current targets, what was said last, when it was last spoken of
(MilestoneQuerySet.derived_facts). Deriving them on every request means reading the claims
of every milestone a list filters, counts or sorts. So they are stored, and rewritten from
the same derivation whenever a claim is written or deleted:

- one claim saved or deleted (admin, imports, the demo loader, a restored revision): the
  receivers below refresh its milestone, and the one it left if it moved;
- rows written in bulk (generate_synthetic, import_all): the writer calls refresh_facts().

The stored facts count as of any date on or after the latest claim's date (in practice,
today); MilestoneQuerySet.with_status derives them for earlier dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connections, transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save

from claims.cache import remember

#: The stored facts: MilestoneFacts' columns, and the annotations of derived_facts().
FACT_NAMES = (
    "achieved_on",
    "achieved_latest",
    "first_target_latest",
    "current_target_latest",
    "first_target",
    "current_target",
    "last_said",
    "last_claim_on",
    "last_claim_from",
)


def latest_statement() -> date:
    """The date of the latest claim (date.min if none), cached under the data version."""
    from claims.models import Claim

    def compute() -> date:
        return Claim.objects.aggregate(latest=Max("stated_on_latest"))["latest"] or date.min

    return remember("latest-statement", (), compute)


def stored_facts_cover(as_of: date) -> bool:
    """Whether the stored facts are the facts as of `as_of`: every claim is known by then."""
    return as_of >= latest_statement()


def refresh_facts(milestones: QuerySet | Iterable[int] | None = None, using: str = "default"):
    """Rewrite the stored facts of some milestones (a queryset or ids), or of all of them.

    Two statements whatever the number: delete their rows, then insert what
    derived_facts() finds over all their claims (a milestone without claims gets no row).
    Milestones given by id (a claim's save) are locked first, in id order (claims/locking.py:
    every writer locks a claim's milestone before the claim, so this waits on nobody who waits
    on it).
    """
    from claims.models import Milestone, MilestoneFacts

    few = milestones is not None and not isinstance(milestones, QuerySet)
    if milestones is None:
        chosen = Milestone.objects.using(using).all()
    elif few:
        chosen = Milestone.objects.using(using).filter(pk__in=list(milestones))
    else:
        chosen = milestones.using(using)
    everything = date.max
    source = (
        chosen.annotate(**chosen.derived_facts(everything), of_milestone=F("pk"))
        .filter(last_claim_on__isnull=False)
        .order_by()
        .values_list("of_milestone", *FACT_NAMES)
    )
    sql, params = source.query.sql_with_params()
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(MilestoneFacts._meta.db_table)
    columns = ", ".join(quote(c) for c in ("milestone_id", *FACT_NAMES))
    picked = ", ".join(quote(c) for c in ("of_milestone", *FACT_NAMES))
    with transaction.atomic(using=using):
        if few:
            # Two editors saving claims of one milestone at once: the second waits here for
            # the first to commit, then derives from both claims, not from what it saw.
            list(chosen.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        MilestoneFacts.objects.using(using).filter(milestone__in=chosen.values("pk")).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {picked} FROM ({sql}) AS derived",
                params,
            )


# -- keeping them current as claims are written one by one ----------------------------------


def _remember_previous_milestone(sender, instance, raw=False, **kwargs) -> None:
    """A claim about to be saved: note the milestone it belonged to, in case it moves."""
    instance._facts_previous_milestone = None
    if raw or instance.pk is None or instance._state.adding:
        return
    instance._facts_previous_milestone = (
        sender._default_manager.using(instance._state.db or "default")
        .filter(pk=instance.pk)
        .values_list("milestone_id", flat=True)
        .first()
    )


def _claim_saved(sender, instance, raw=False, using="default", **kwargs) -> None:
    if raw:  # a restore writes rows as they were; import_all refreshes at the end
        return
    ids = {instance.milestone_id, getattr(instance, "_facts_previous_milestone", None)}
    refresh_facts(ids - {None}, using=using)


def _claim_deleted(sender, instance, origin=None, using="default", **kwargs) -> None:
    # A claim deleted with its milestone (or company) needs nothing: the facts go with it.
    if isinstance(origin, sender) or isinstance(origin, QuerySet) and origin.model is sender:
        refresh_facts([instance.milestone_id], using=using)


def connect() -> None:
    from claims.models import Claim, Company, Facility

    pre_save.connect(_remember_previous_milestone, sender=Claim, dispatch_uid="facts-pre-save")
    post_save.connect(_site_moved, sender=Facility, dispatch_uid="site-facility-saved")
    post_save.connect(_site_moved, sender=Company, dispatch_uid="site-company-saved")
    post_delete.connect(_facility_removed, sender=Facility, dispatch_uid="site-facility-deleted")
    post_migrate.connect(rebuild_missing_facts, dispatch_uid="facts-after-migrate")
    post_save.connect(_claim_saved, sender=Claim, dispatch_uid="facts-saved")
    post_delete.connect(_claim_deleted, sender=Claim, dispatch_uid="facts-deleted")


# -- where milestones happen ---------------------------------------------------------------


def _site_moved(sender, instance, raw=False, using="default", **kwargs) -> None:
    """A facility or a company saved: its milestones take the site's country again (a
    milestone at a facility is in the facility's country, others in their company's)."""
    from claims.models import Company, Facility, Milestone

    if raw:
        return
    milestones = Milestone.objects.using(using)
    if isinstance(instance, Facility):
        milestones.filter(facility=instance).exclude(country=instance.country).update(
            country=instance.country
        )
    elif isinstance(instance, Company):
        milestones.filter(company=instance, facility__isnull=True).exclude(
            country=instance.country
        ).update(country=instance.country)


def _facility_removed(sender, instance, using="default", **kwargs) -> None:
    """A facility deleted: its milestones (kept, facility cleared) go back to their
    company's country."""
    from claims.models import Company, Milestone

    stray = Milestone.objects.using(using).filter(facility__isnull=True)
    stray.exclude(country=F("company__country")).update(
        country=Subquery(Company.objects.filter(pk=OuterRef("company_id")).values("country")[:1])
    )


def rebuild_missing_facts(sender, using="default", **kwargs) -> None:
    """After migrating: rebuild the stored facts if a migration dropped them."""
    from claims.models import Claim, MilestoneFacts

    if sender.name != "claims":
        return
    if not MilestoneFacts.objects.using(using).exists() and Claim.objects.using(using).exists():
        refresh_facts(using=using)
