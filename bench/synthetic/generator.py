"""The synthetic rows: companies, facilities, relations, sources, milestones and claims."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.text import slugify

from bench.synthetic.vocabulary import (
    CHUNK,
    COORDS,
    COUNTRIES,
    CURRENCIES,
    EVIDENCE_WEIGHTS,
    FIRST_DAY,
    FIRST_NAMES,
    GIVEN_NAMES,
    GLOBAL_PUBLISHERS,
    MILESTONE_KINDS,
    NAME_ENDS,
    NAME_ROOTS,
    NATIVE,
    ROLES,
    SLUG_PREFIX,
    SOURCE_KINDS,
    SOURCE_PREFIX,
    SPEAKER_TITLES,
    SUFFIXES,
    weighted,
)
from bench.synthetic.writer import write
from claims.models import (
    CapacityUnit,
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    Source,
    Technology,
)
from claims.periods import parse_period


@dataclass
class Report:
    companies: int = 0
    facilities: int = 0
    relations: int = 0
    sources: int = 0
    milestones: int = 0
    claims: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items()))
        return (
            f"{self.companies} companies, {self.facilities} facilities, {self.relations} "
            f"relations, {self.sources} sources, {self.milestones} milestones, {self.claims} "
            f"claims ({kinds})"
        )


class _Targets:
    """Target texts for a year, parsed once each (parse_period is the admin's parser)."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple] = {}

    def period(self, text: str) -> tuple:
        if text not in self._parsed:
            p = parse_period(text)
            self._parsed[text] = (p.stated, p.earliest, p.latest, str(p.precision))
        return self._parsed[text]

    @staticmethod
    def text(rng: random.Random, year: int) -> str:
        form = rng.choices(
            ["dec", "h1", "h2", "q", "year", "by", "range", "around", "end"],
            weights=[10, 8, 14, 8, 30, 10, 6, 4, 10],
        )[0]
        match form:
            case "dec":
                return f"Dec {year}"
            case "h1":
                return f"H1 {year}"
            case "h2":
                return f"H2 {year}"
            case "q":
                return f"Q{rng.randint(1, 4)} {year}"
            case "by":
                return f"by {year}"
            case "range":
                return f"{year}–{(year + 1) % 100:02d}"
            case "around":
                return f"around {year}"
            case "end":
                return f"end of {year}"
        return str(year)

    def loose(self, rng: random.Random, year: int) -> str:
        """A target without a dated end: never overdue."""
        return rng.choice(["not stated", f"after {year + 2}", f"{year // 10 * 10 + 10}s"])


class Generator:
    def __init__(self, *, seed: int, until: date, batch_size: int, log: Callable[[str], None]):
        self.rng = random.Random(seed)
        self.until = until
        self.batch = batch_size
        self.log = log
        self.targets = _Targets()
        self.report = Report()
        self.technologies = list(Technology.objects.order_by("slug"))
        self.tag = f"s{seed}"

    # -- companies, facilities, relations, sources ----------------------------------------

    def native_name(self, code: str) -> str:
        if code not in NATIVE:
            return ""
        chars, suffix = NATIVE[code]
        return "".join(self.rng.sample(chars, 2)) + suffix

    def companies(self, n: int) -> list[Company]:
        rng = self.rng
        rows = []
        for i in range(n):
            code, _, cities, _, _ = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
            role = weighted(rng, ROLES)
            name = f"{rng.choice(NAME_ROOTS)}{rng.choice(NAME_ENDS)} {rng.choice(SUFFIXES[role])}"
            rows.append(
                Company(
                    name=name,
                    native_name=self.native_name(code),
                    aliases=f"{name.split()[0]}\n{name} Co., Ltd." if rng.random() < 0.4 else "",
                    slug=f"{SLUG_PREFIX}{self.tag}-{i}-{slugify(name)}"[:100],
                    country=code,
                    role=role,
                    hq_city=rng.choice(cities),
                    website=f"https://www.{slugify(name)}-{i}.example",
                    tickers=f"{100000 + i}.SZ" if code == "CN" and rng.random() < 0.3 else "",
                    description=f"A synthetic {role.label.lower()} for performance tests.",
                )
            )
        companies = Company.objects.bulk_create(rows, batch_size=self.batch)
        links = []
        through = Company.technologies.through
        for c in companies:
            for tech in rng.sample(self.technologies, k=rng.choice([0, 1, 1, 1, 2, 2, 3])):
                links.append(through(company_id=c.pk, technology_id=tech.pk))
        through.objects.bulk_create(links, batch_size=self.batch)
        self.report.companies = len(companies)
        return companies

    def facilities(self, companies: list[Company]) -> dict[int, list[Facility]]:
        rng = self.rng
        rows = []
        for n, c in enumerate(companies):
            for j in range(rng.choices([0, 1, 2, 3], weights=[30, 40, 20, 10])[0]):
                kind = rng.choice(Facility.Kind.values)
                city = rng.choice(next(x[2] for x in COUNTRIES if x[0] == c.country.code))
                coords = {}
                if rng.random() < 0.6:
                    lat, lng = COORDS[c.country.code]
                    coords = {
                        "latitude": Decimal(f"{lat + rng.uniform(-3, 3):.5f}"),
                        "longitude": Decimal(f"{lng + rng.uniform(-3, 3):.5f}"),
                        "location_accuracy": rng.choice(Facility.Accuracy.values),
                    }
                capacity = {}
                if rng.random() < 0.7:
                    capacity = {
                        "capacity_value": Decimal(rng.choice([0.1, 0.5, 1, 2, 5, 10, 20, 40])),
                        "capacity_unit": CapacityUnit.GWH_PER_YEAR,
                    }
                investment = {}
                if rng.random() < 0.5:
                    investment = {
                        "investment_amount": Decimal(rng.randrange(50, 20000) * 1_000_000),
                        "investment_currency": CURRENCIES.get(c.country.code, "USD"),
                    }
                rows.append(
                    Facility(
                        company_id=c.pk,
                        name=f"{c.name} {city} {Facility.Kind(kind).label.lower()} {j + 1}",
                        slug=f"{SLUG_PREFIX}{self.tag}-f{n}-{j}",
                        kind=kind,
                        status=rng.choice(Facility.Status.values),
                        country=c.country.code,
                        city=city,
                        technology=rng.choice([None, *self.technologies]),
                        **coords,
                        **capacity,
                        **investment,
                    )
                )
        by_company: dict[int, list[Facility]] = {}
        for f in Facility.objects.bulk_create(rows, batch_size=self.batch):
            by_company.setdefault(f.company_id, []).append(f)
        self.report.facilities = len(rows)
        return by_company

    def sources(self, n: int) -> tuple[list[date], list[int]]:
        """n sources across the years, the newer years busier; (dates, ids) sorted by date."""
        rng = self.rng
        span = (self.until - FIRST_DAY).days
        rows = []
        for i in range(n):
            day = FIRST_DAY + timedelta(days=int(rng.triangular(0, span, span)))
            code, _, _, publishers, language = rng.choices(
                COUNTRIES, weights=[c[1] for c in COUNTRIES]
            )[0]
            publisher = rng.choice(publishers + GLOBAL_PUBLISHERS[:1])
            rows.append(
                Source(
                    url=f"{SOURCE_PREFIX}{self.tag}/{slugify(publisher)}/{i}",
                    title=f"Solid-state battery round-up {i}: {code} makers' plans",
                    publisher=publisher,
                    kind=weighted(rng, SOURCE_KINDS),
                    published_on=day,
                    published_on_latest=day,
                    language=language if publisher not in GLOBAL_PUBLISHERS else "en",
                    accessed_on=day + timedelta(days=rng.randint(0, 30))
                    if rng.random() < 0.3
                    else None,
                )
            )
        created = Source.objects.bulk_create(rows, batch_size=self.batch)
        # A few company posts known only through an article that reported them.
        via = [
            Source(
                url="",
                title=f"Company post reported in {s.title}",
                publisher="WeChat",
                kind=Source.Kind.COMPANY_RELEASE,
                published_on=s.published_on,
                published_on_latest=s.published_on,
                language="zh",
                via_id=s.pk,
            )
            for s in created
            if rng.random() < 0.03
        ]
        created += Source.objects.bulk_create(via, batch_size=self.batch)
        self.report.sources = len(created)
        official = (Source.Kind.REGULATORY_FILING, Source.Kind.GOVERNMENT_NOTICE)
        self.official_sources = {s.pk for s in created if s.kind in official}
        ordered = sorted((s.published_on, s.pk) for s in created)
        return [d for d, _ in ordered], [pk for _, pk in ordered]

    def relations(self, companies: list[Company], source_ids: list[int]) -> None:
        rng = self.rng
        seen = set()
        rows = []
        for _ in range(len(companies) * 3 // 5):
            a, b = rng.sample(companies, 2)
            kind = rng.choice(CompanyRelation.Kind.values)
            if (a.pk, kind, b.pk) in seen:
                continue
            seen.add((a.pk, kind, b.pk))
            rows.append(
                CompanyRelation(
                    from_company_id=a.pk,
                    to_company_id=b.pk,
                    kind=kind,
                    source_id=rng.choice(source_ids),
                )
            )
        CompanyRelation.objects.bulk_create(rows, batch_size=self.batch)
        self.report.relations = len(rows)

    # -- milestones and their claims ------------------------------------------------------

    def milestone(self, index: int, company: Company, facilities: list[Facility]) -> dict:
        rng = self.rng
        kind = weighted(rng, MILESTONE_KINDS)
        facility = rng.choice(facilities) if facilities and rng.random() < 0.6 else None
        metrics: dict = {}
        if kind in (Milestone.Kind.CAPACITY_PHASE, Milestone.Kind.PRODUCTION_START):
            value = rng.choice([50, 100, 200, 500, 1000, 2000, 8000])
            metrics = {"capacity_value": Decimal(value), "capacity_unit": "mwh_per_year"}
            title = f"{Milestone.Kind(kind).label}: {value:,} MWh/yr"
        elif kind in (Milestone.Kind.SAMPLE_DELIVERY, Milestone.Kind.PRODUCT_LINE_OFF):
            density = rng.choice([300, 350, 400, 450, 500])
            metrics = {"energy_density_wh_kg": Decimal(density)}
            if rng.random() < 0.5:
                metrics["cell_ah"] = Decimal(rng.choice([10, 20, 40, 60, 100]))
            title = f"{Milestone.Kind(kind).label}: {density} Wh/kg cells"
        else:
            title = Milestone.Kind(kind).label
        where = f" at {facility.city}" if facility else ""
        technology = rng.choice([None, None, *self.technologies])
        return {
            "company_id": company.pk,
            "facility_id": facility.pk if facility else None,
            "country": (facility or company).country.code,
            "slug": f"{SLUG_PREFIX}{self.tag}-m{index}",
            "title": f"{title}{where} (#{index})",
            "kind": kind,
            "technology_id": technology.pk if technology else None,
            **metrics,
        }

    def history(self, milestone_id: int) -> list[dict]:
        """One to six claims, oldest first, on distinct days up to `until`."""
        rng = self.rng
        span = (self.until - FIRST_DAY).days - 30
        day = FIRST_DAY + timedelta(days=int(rng.triangular(0, span, span * 0.9)))
        extra = rng.choices([0, 1, 2, 3, 4, 5], weights=[6, 16, 26, 24, 16, 12])[0]
        claims = []
        year = day.year + rng.choices([0, 1, 2, 3, 4], weights=[10, 30, 30, 20, 10])[0]
        text = (
            self.targets.loose(rng, day.year)
            if rng.random() < 0.06
            else self.targets.text(rng, year)
        )
        claims.append(self._claim(milestone_id, Claim.Kind.ANNOUNCEMENT, day, text))
        state = "open"  # open, achieved, cancelled
        for _ in range(extra):
            gap = rng.randint(30, 540)
            previous, day = day, day + timedelta(days=gap)
            if day > self.until:
                break
            latest = self.targets.period(text)[2]
            r = rng.random()
            if state == "achieved":
                kind = Claim.Kind.CLARIFICATION
            elif state == "cancelled":
                if r < 0.4:
                    kind = Claim.Kind.ANNOUNCEMENT
                    text = self.targets.text(rng, day.year + rng.randint(1, 3))
                    state = "open"
                else:
                    kind = Claim.Kind.CLARIFICATION
            elif latest is not None and latest < day:  # past due
                kind = rng.choices(
                    [
                        Claim.Kind.ACHIEVEMENT,
                        Claim.Kind.REVISION,
                        Claim.Kind.CANCELLATION,
                        Claim.Kind.CLARIFICATION,
                    ],
                    weights=[45, 32, 8, 15],
                )[0]
            else:
                kind = rng.choices(
                    [
                        Claim.Kind.REAFFIRMATION,
                        Claim.Kind.REVISION,
                        Claim.Kind.ACHIEVEMENT,
                        Claim.Kind.CLARIFICATION,
                        Claim.Kind.CANCELLATION,
                    ],
                    weights=[35, 30, 14, 12, 9],
                )[0]
            if kind == Claim.Kind.REVISION:
                base = latest.year if latest else day.year
                if rng.random() < 0.12 and latest and latest.year > day.year + 1:
                    text = self.targets.text(rng, rng.randint(day.year + 1, latest.year - 1))
                else:  # a slip
                    text = self.targets.text(rng, max(base, day.year) + rng.randint(1, 2))
            if kind == Claim.Kind.ACHIEVEMENT:
                achieved = day - timedelta(days=rng.randint(0, min(gap - 1, 180)))
                claims.append(
                    self._claim(milestone_id, kind, day, achieved_on=max(achieved, previous))
                )
                state = "achieved"
                continue
            if kind == Claim.Kind.CANCELLATION:
                state = "cancelled"
            claims.append(
                self._claim(milestone_id, kind, day, text if kind in Claim.TARGET_KINDS else "")
            )
        return claims

    def _claim(self, milestone_id, kind, day, text="", achieved_on=None) -> dict:
        rng = self.rng
        i = bisect_left(self.source_dates, day)
        i = min(i + rng.randint(0, 3), len(self.source_ids) - 1)
        target = {}
        if kind in Claim.TARGET_KINDS:
            stated, earliest, latest, precision = self.targets.period(text)
            target = {
                "target_text": stated,
                "target_earliest": earliest,
                "target_latest": latest,
                "target_precision": precision,
            }
        if achieved_on:
            evidence = weighted(rng, EVIDENCE_WEIGHTS)
            if evidence == 3 and self.source_ids[i] not in self.official_sources:
                evidence = 2  # an official record known only through a report
            target = {
                "achieved_on": achieved_on,
                "achieved_on_latest": achieved_on,
                "evidence": evidence,
                # Only someone else observes a company's site independently.
                "standing": "third_party" if evidence == 4 else "company",
            }
        self.report.kinds[kind] = self.report.kinds.get(kind, 0) + 1
        return dict(
            milestone_id=milestone_id,
            kind=kind,
            stated_on=day,
            stated_on_latest=day,
            speaker=(
                f"{rng.choice(GIVEN_NAMES)} {rng.choice(FIRST_NAMES)}, {rng.choice(SPEAKER_TITLES)}"
                if rng.random() < 0.6
                else ""
            ),
            source_id=self.source_ids[i],
            quote=rng.choice(
                [
                    "",
                    "",
                    "We are on schedule.",
                    "The line is being commissioned.",
                    "Samples have been sent to customers.",
                    "Plans remain unchanged.",
                ]
            ),
            **target,
        )

    def milestones(self, n: int, companies: list[Company], facilities: dict) -> None:
        rng = self.rng
        # Few companies make most of the news: a capped Pareto share for each.
        weights = [min(rng.paretovariate(1.2), 15.0) for _ in companies]
        owners = rng.choices(companies, weights=weights, k=n)
        for start in range(0, n, CHUNK):
            rows = [
                self.milestone(i, c, facilities.get(c.pk, []))
                for i, c in enumerate(owners[start : start + CHUNK], start=start)
            ]
            ids = write(Milestone, rows, batch_size=self.batch, ids=True)
            claims = [claim for pk in ids for claim in self.history(pk)]
            write(Claim, claims, batch_size=self.batch)
            self.report.milestones += len(ids)
            self.report.claims += len(claims)
            self.log(f"  {self.report.milestones} milestones, {self.report.claims} claims")
