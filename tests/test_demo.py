"""The demo data: real, complete, validated like an editor's input, and idempotent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import TestCase

from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.services import DemoDataError, load_demo_data
from claims.status import Status

pytestmark = pytest.mark.django_db
ARTICLE = "https://eu.36kr.com/en/p/3457530367432070"
MODELS = (Company, CompanyRelation, Source, Facility, Milestone, Claim)


@pytest.fixture
def demo():
    return load_demo_data()


def snapshot():
    return {
        m.__name__: sorted((row.pk, getattr(row, "updated_at", None)) for row in m.objects.all())
        for m in MODELS
    } | {"history": sum(m.history.count() for m in MODELS)}


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    report = load_demo_data()
    assert not report.changed
    assert snapshot() == before


def test_load_demo_command_reports_what_it_did(capsys):
    call_command("load_demo")
    assert "created" in capsys.readouterr().out
    call_command("load_demo")
    assert "created nothing; updated nothing" in capsys.readouterr().out


def test_invalid_entry_rolls_back_everything(tmp_path):
    (tmp_path / "10.yaml").write_text(
        "sources:\n  - key: s\n    url: https://x.example/a\n    title: T\n    publisher: P\n"
        "    published_on: '2025-01-01'\n"
        "companies:\n  - slug: good\n    name: Good\n    country: CN\n    role: cell_maker\n"
        "  - slug: bad\n    name: Bad\n    country: XX\n    role: cell_maker\n",
        encoding="utf-8",
    )
    with pytest.raises(DemoDataError, match="bad.*country"):
        load_demo_data(directory=tmp_path)
    assert not Company.objects.exists()
    assert not Source.objects.exists()


class DemoDataTests(TestCase):
    """Facts of the article and of the facts file, loaded once for the class."""

    @classmethod
    def setUpTestData(cls):
        load_demo_data()

    def test_article_companies_are_present(self):
        names = " ".join(Company.objects.values_list("name", flat=True))
        for name in (
            "EVE Energy",
            "Qingtao",
            "Lead Intelligent",
            "Han's Laser",
            "CALB",
            "CATL",
            "WeLion",
            "Tianqi Lithium",
            "QuantumScape",
            "PowerCo",
            "Solid Power",
            "Factorial",
            "Mercedes-Benz",
            "SES AI",
            "Toyota",
        ):
            assert name.lower() in names.lower(), name
        assert Company.objects.search("亿纬锂能").exists()
        assert Company.objects.search("Weilan").exists()

    def test_the_article_is_a_source_and_its_cited_sources_are_reported_via_it(self):
        article = Source.objects.get(url=ARTICLE)
        assert article.published_on == date(2025, 9, 8)
        reported = article.reported.all()
        kinds = set(reported.values_list("kind", flat=True))
        assert {
            "company_release",
            "regulatory_filing",
            "government_notice",
            "site_visit",
            "interview",
        } <= kinds

    def test_eve_chengdu_base_and_its_two_phases(self):
        eve = Company.objects.get(slug="eve-energy")
        base = Facility.objects.get(company=eve, city="Chengdu")
        assert "Longquanyi" in base.district
        phases = {m.slug: m for m in base.milestones.with_claims()}
        phase1 = next(m for s, m in phases.items() if "phase-1" in s)
        phase2 = next(m for s, m in phases.items() if "phase-2" in s)
        assert phase1.derived_status(date(2025, 9, 5)).current_target.label == "Dec 2025"
        assert phase1.cell_ah == Decimal("60")
        assert phase2.derived_status(date(2025, 9, 5)).current_target.label == "Dec 2026"
        assert (phase2.capacity_value, phase2.capacity_unit) == (Decimal("100"), "mwh_per_year")
        assert phase1.derived_status(date(2025, 9, 5)).status == Status.ON_TRACK
        assert "500,000" in base.description or base.capacity_value == Decimal("500000")

    def test_longquan_no_2_cell(self):
        cell = Milestone.objects.get(slug="eve-longquan-2-line-off")
        assert (cell.cell_ah, cell.energy_density_wh_kg, cell.energy_density_wh_l) == (
            Decimal("10"),
            Decimal("300"),
            Decimal("700"),
        )
        assert cell.derived_status(date(2025, 9, 5)).status == Status.ACHIEVED

    def test_qingtao_southwest_base(self):
        base = Facility.objects.get(company__slug="qingtao-energy", district__icontains="Pixian")
        assert "Mituo" in base.address + base.description
        assert (base.investment_amount, base.investment_currency) == (Decimal("10000000000"), "CNY")
        assert (base.capacity_value, base.capacity_unit) == (Decimal("15"), "gwh_per_year")
        assert base.status == Facility.Status.CONSTRUCTION
        full = Milestone.objects.get(slug="qingtao-southwest-full-operation")
        assert full.derived_status(date(2025, 9, 8)).current_target.label == "2028"

    def test_toyota_commercialisation_shows_its_revisions(self):
        toyota = Milestone.objects.get(slug="toyota-assb-commercialisation")
        result = toyota.derived_status(date(2025, 9, 8))
        labels = [t.label for t in result.targets]
        assert labels[:1] == ["2020"]
        for label in ("2025", "2027", "2027–28", "2030"):
            assert label in labels
        assert result.status == Status.DELAYED

    def test_quantumscape_strategy_change_cancels_own_manufacturing(self):
        filing = Source.objects.get(kind="regulatory_filing", via__url=ARTICLE)
        cancellations = Claim.objects.filter(source=filing, kind=Claim.Kind.CANCELLATION)
        assert cancellations.exists()
        for claim in cancellations:
            assert claim.milestone.derived_status(date(2025, 9, 5)).status == Status.CANCELLED
        assert CompanyRelation.objects.filter(
            from_company__slug="powerco", kind="licensee", to_company__slug="quantumscape"
        ).exists()

    def test_welion_has_no_plan_to_advance_mass_production(self):
        claim = Claim.objects.get(quote__icontains="no plan to advance mass")
        assert claim.milestone.company.slug == "welion"
        assert claim.milestone.derived_status(date(2025, 9, 5)).status == Status.UNDATED
        assert CompanyRelation.objects.filter(
            from_company__slug="tianqi-lithium", kind="investor", to_company__slug="welion"
        ).exists()

    def test_supplier_relations_of_eve(self):
        suppliers = set(
            CompanyRelation.objects.filter(
                to_company__slug="eve-energy", kind="supplier"
            ).values_list("from_company__name", flat=True)
        )
        assert any("Lead" in s for s in suppliers)
        assert any("Han" in s for s in suppliers)

    def test_every_claim_has_a_source_and_facts_file_urls_are_all_sources(self):
        import yaml

        from ssbtracker.settings import BASE_DIR

        path = BASE_DIR.parent / "shared/data/ssb-facts.yaml"
        if not path.exists():
            pytest.skip(f"the sourced facts file is not beside the project ({path})")
        facts = yaml.safe_load(path.read_text())
        urls = set(Source.objects.values_list("url", flat=True))
        missing = {f["source"]["url"] for f in facts} - urls
        assert not missing
        assert not Claim.objects.filter(source__isnull=True).exists()
