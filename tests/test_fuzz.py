"""Random and hostile query strings on every public URL and API endpoint: never a 500,
never an unescaped reflection."""

from datetime import date
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from claims.models import Claim
from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

PARAMS = [
    "as_of",
    "country",
    "role",
    "technology",
    "q",
    "sort",
    "page",
    "page_size",
    "status",
    "kind",
    "year",
    "company",
    "format",
    "publisher",
    "milestone",
    "source",
    "by",
    "min",
    "metric",
    "capacity_min",
    "capacity_max",
]
MARKER = "<zz9"  # would show up raw only if reflected unescaped
HOSTILE = st.sampled_from(
    [
        f"{MARKER}>",
        f'"><{MARKER}>',
        "'; DROP TABLE claims_claim;--",
        "../../etc/passwd",
        "%00",
        "\x00",
        "9" * 400,
        "-1",
        "0",
        "2025-02-30",
        "9999-99-99",
        "1e309",
        "NaN",
        "\u202e",
        "😀",
        "CN",
        "cn",
        "overdue",
        "2027",
        "csv",
        "json",
        "<script>",
        "${7*7}",
    ]
)
VALUES = st.one_of(HOSTILE, st.text(max_size=60), st.integers().map(str))
QUERIES = st.lists(st.tuples(st.sampled_from(PARAMS), VALUES), max_size=6)


class FuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        company = CompanyFactory(slug="eve-energy")
        CompanyFactory(slug="other")
        facility = FacilityFactory(company=company, slug="chengdu")
        milestone = MilestoneFactory(company=company, facility=facility)
        claim = ClaimFactory(
            milestone=milestone, target_text="Dec 2025", stated_on=date(2025, 9, 2)
        )
        ClaimFactory(
            milestone=milestone,
            kind=Claim.Kind.ACHIEVEMENT,
            target_text="",
            stated_on=date(2025, 12, 30),
            achieved_on=date(2025, 12, 20),
            evidence=1,
        )
        cls.urls = [
            "/",
            "/companies/",
            "/companies/eve-energy/",
            "/facilities/",
            "/facilities/chengdu/",
            "/map/",
            "/milestones/",
            f"/milestones/{milestone.pk}/",
            "/sources/",
            f"/sources/{claim.source_id}/",
            "/countries/",
            "/countries/CN/",
            "/timeline/",
            "/pipeline/",
            "/scorecards/",
            "/scorecards/?by=country",
            "/compare/",
            "/compare/?company=eve-energy&company=other",
            "/metrics/",
            "/methodology/",
            "/data/",
            "/feeds/claims/",
            "/companies/eve-energy/feed/",
            "/calendar.ics",
            "/sitemap.xml",
            "/robots.txt",
            "/healthz",
            "/api/",
            "/api/companies",
            "/api/companies/eve-energy",
            "/api/facilities",
            "/api/milestones",
            "/api/pipeline",
            f"/api/milestones/{milestone.pk}",
            "/api/claims",
            f"/api/claims/{claim.pk}",
            "/api/sources",
            f"/api/sources/{claim.source_id}",
        ]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=QUERIES, pick=st.integers(min_value=0))
    def test_no_url_errors_or_reflects_hostile_input(self, query, pick):
        url = self.urls[pick % len(self.urls)]
        response = self.client.get(f"{url}?{urlencode(query)}")
        self.assertLess(response.status_code, 500, (url, query))
        self.assertIn(response.status_code, (200, 400, 404), (url, query))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"].startswith("text/html"):
            self.assertNotIn(MARKER, body.decode("utf-8", "replace"), (url, query))

    def test_every_parameter_of_every_url_survives_null_bytes_and_markup(self):
        for url in self.urls:
            for value in ("\x00", f"{MARKER}>", "9" * 5000):
                query = urlencode([(name, value) for name in PARAMS])
                response = self.client.get(f"{url}?{query}")
                self.assertIn(response.status_code, (200, 400, 404), (url, value))
                if response["Content-Type"].startswith("text/html"):
                    self.assertNotIn(MARKER, response.content.decode(), url)

    def test_every_url_answers_plainly(self):
        for url in self.urls:
            self.assertEqual(self.client.get(url).status_code, 200, url)
