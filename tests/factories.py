"""One factory per model, setting only what a valid row needs."""

from datetime import date

import factory

from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source, Technology


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ["slug"]

    slug = "sulfide"
    name = "Sulfide"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    country = "CN"
    role = Company.Role.CELL_MAKER


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.com/article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "Example News"
    published_on = date(2025, 1, 1)


class CompanyRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyRelation

    from_company = factory.SubFactory(CompanyFactory)
    to_company = factory.SubFactory(CompanyFactory)
    kind = CompanyRelation.Kind.SUPPLIER
    source = factory.SubFactory(SourceFactory)


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Plant {n}")
    slug = factory.Sequence(lambda n: f"plant-{n}")
    kind = Facility.Kind.PILOT_LINE
    country = "CN"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    slug = factory.Sequence(lambda n: f"milestone-{n}")
    kind = Milestone.Kind.PRODUCTION_START


class ClaimFactory(factory.django.DjangoModelFactory):
    """An announcement; pass target_text to give it a target (parsed as the admin does)."""

    class Meta:
        model = Claim

    milestone = factory.SubFactory(MilestoneFactory)
    kind = Claim.Kind.ANNOUNCEMENT
    stated_on = date(2025, 1, 1)
    source = factory.SubFactory(SourceFactory)
    target_text = factory.LazyAttribute(
        lambda o: "not stated" if o.kind in Claim.TARGET_KINDS else ""
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        claim = model_class(*args, **kwargs)
        claim.full_clean()
        claim.save()
        return claim
