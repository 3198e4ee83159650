"""A large, realistic, deterministic synthetic data set, for measuring performance at scale.

`generate(companies=5000, milestones=200000, seed=1)` writes companies across about twenty
countries (with roles, technology routes, facilities and relations), milestones with one to
six claims each (announcements, reaffirmations, revisions that slip or pull in, achievement
reports with evidence, clarifications, cancellations and revivals), and sources that many
claims share. The same seed always gives the same rows.

Rows are written in bulk (bulk_create in batches; on PostgreSQL, COPY for the milestones and
claims, several times faster), bypassing model validation, save() and signals for speed, so
django-simple-history records no history for them. Every row still satisfies
every constraint and clean(): targets are parsed by claims.periods.parse_period (each distinct
text once), achievements are dated on or before the day they were reported, and facilities of
a milestone belong to its company. Every slug starts with `syn-` and every source URL with
SOURCE_PREFIX, so the set sits beside the demo data and `clear()` removes exactly it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import connection, transaction

from bench.synthetic.generator import Generator, Report
from bench.synthetic.vocabulary import BATCH, DEFAULT_UNTIL, SLUG_PREFIX, SOURCE_PREFIX
from claims.facts import refresh_facts
from claims.models import (
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    MilestoneFacts,
    Source,
)

__all__ = ["BATCH", "DEFAULT_UNTIL", "SLUG_PREFIX", "SOURCE_PREFIX", "Report", "clear", "generate"]


def generate(
    *,
    companies: int,
    milestones: int,
    seed: int = 1,
    until: date = DEFAULT_UNTIL,
    batch_size: int = BATCH,
    log: Callable[[str], None] = lambda message: None,
) -> Report:
    """Write the synthetic data set in one transaction and return what was written."""
    until = min(until, date.today())
    gen = Generator(seed=seed, until=until, batch_size=batch_size, log=log)
    with transaction.atomic():
        made = gen.companies(companies)
        log(f"  {len(made)} companies")
        facilities = gen.facilities(made)
        gen.source_dates, gen.source_ids = gen.sources(max(50, milestones // 3))
        gen.relations(made, gen.source_ids)
        log(f"  {gen.report.sources} sources, {gen.report.facilities} facilities")
        if made:
            gen.milestones(milestones, made, facilities)
            if connection.vendor == "postgresql":
                # Statistics for the rows just written, so that deriving their facts runs
                # on index probes rather than on the plans for empty tables.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE claims_milestone, claims_claim")
            refresh_facts(Milestone.objects.filter(slug__startswith=SLUG_PREFIX))
            log("  stored the milestones' status facts")
    return gen.report


def clear() -> dict[str, int]:
    """Delete every synthetic row (and nothing else); the counts deleted, by table.

    Raw deletes: the ORM's delete() would load every row to send signals and cascade.
    """
    milestones = Milestone.objects.filter(slug__startswith=SLUG_PREFIX)
    companies = Company.objects.filter(slug__startswith=SLUG_PREFIX)
    sources = Source.objects.filter(url__startswith=SOURCE_PREFIX)
    through = Company.technologies.through
    steps = [
        ("claims", Claim.objects.filter(milestone__in=milestones)),
        ("facts", MilestoneFacts.objects.filter(milestone__company__in=companies)),
        ("facts", MilestoneFacts.objects.filter(milestone__in=milestones)),
        ("milestones", Milestone.objects.filter(company__in=companies)),
        ("milestones", milestones),
        ("facilities", Facility.objects.filter(company__in=companies)),
        ("relations", CompanyRelation.objects.filter(source__in=sources)),
        ("relations", CompanyRelation.objects.filter(from_company__in=companies)),
        ("relations", CompanyRelation.objects.filter(to_company__in=companies)),
        ("technologies", through.objects.filter(company__in=companies)),
        ("companies", companies),
        ("sources", Source.objects.filter(url="", via__in=sources)),
        ("sources", sources),
    ]
    counts: dict[str, int] = {}
    with transaction.atomic():
        for name, queryset in steps:
            deleted = queryset._raw_delete(queryset.db)
            counts[name] = counts.get(name, 0) + deleted
    return counts
