"""Requests the site must survive: bytes that are not text, HEAD, unknown hosts, and a
cache that does not answer."""

from datetime import date

import pytest

from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    company = CompanyFactory(name="EVE Energy", slug="eve", country="CN")
    facility = FacilityFactory(company=company, slug="chengdu")
    milestone = MilestoneFactory(company=company, facility=facility, title="Phase 2")
    claim = ClaimFactory(milestone=milestone, stated_on=date(2025, 9, 2), target_text="2099")
    return {"milestone": milestone, "claim": claim, "source": claim.source}


def public_urls(world) -> list[str]:
    """One URL of every family in the public URL map, the API included."""
    m, c, s = world["milestone"].pk, world["claim"].pk, world["source"].pk
    return [
        "/",
        "/companies/",
        "/companies/eve/",
        "/facilities/chengdu/",
        "/milestones/",
        f"/milestones/{m}/",
        "/sources/",
        f"/sources/{s}/",
        "/countries/",
        "/countries/CN/",
        "/timeline/",
        "/methodology/",
        "/feeds/claims/",
        "/companies/eve/feed/",
        "/calendar.ics",
        "/companies/eve/calendar.ics",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/api/",
        "/api/companies",
        "/api/companies/eve",
        "/api/facilities",
        "/api/facilities/chengdu",
        "/api/milestones",
        f"/api/milestones/{m}",
        "/api/claims",
        f"/api/claims/{c}",
        "/api/sources",
        f"/api/sources/{s}",
        "/api/openapi.json",
        "/api/docs",
        "/admin/login/",
    ]


# Bytes that are not text ------------------------------------------------------------------

#: A NUL, a byte that is never UTF-8, and a lone surrogate (UTF-8 that encodes no character).
BAD_BYTES = ["%00", "%FF", "%ED%A0%80"]
PARAMETERS = ["q", "country", "company", "status", "as_of", "page", "slug", "kind", "year"]


def assert_refused_in_kind(response, url: str):
    assert response.status_code in (400, 404), (url, response.status_code)
    kind = response["Content-Type"]
    if url.startswith("/api/"):
        assert kind.startswith("application/json"), (url, kind)
        assert "detail" in response.json()
    else:
        assert kind.startswith("text/html"), (url, kind)


def test_bad_bytes_in_any_path_are_a_400_or_404_in_the_kind_of_the_url(client, world):
    for url in public_urls(world):
        for bad in BAD_BYTES:
            # In a path segment of its own, and at the end of the last one.
            stem = url.rstrip("/")
            for path in (f"{stem}/{bad}", f"{stem}{bad}"):
                assert_refused_in_kind(client.get(path), path)


def test_bad_bytes_in_any_query_parameter_are_a_400_in_the_kind_of_the_url(client, world):
    for url in public_urls(world):
        for bad in BAD_BYTES:
            for name in PARAMETERS:
                query = f"{name}=a{bad}b"
                response = client.get(f"{url}?{query}")
                assert_refused_in_kind(response, f"{url}?{query}")


def test_text_that_is_merely_foreign_is_not_refused(client, world):
    assert client.get("/companies/", {"q": "亿纬锂能"}).status_code == 200
    assert client.get("/api/companies", {"q": "é"}).status_code == 200


# HEAD -------------------------------------------------------------------------------------

#: Differ from one response to the next whatever the method: the CSP nonce, cache hit or miss.
VOLATILE_HEADERS = {"Content-Security-Policy", "X-Cache"}


def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(client, world):
    for url in public_urls(world):
        get = client.get(url)
        head = client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, (url, head.status_code)
        assert head.content == b"", url
        same = {k: v for k, v in get.headers.items() if k not in VOLATILE_HEADERS}
        assert {k: v for k, v in head.headers.items() if k not in VOLATILE_HEADERS} == same, url


def test_head_of_a_missing_page_is_a_404_like_get(client, world):
    assert client.head("/companies/nobody/").status_code == 404
    assert client.head("/api/companies/nobody").status_code == 404


def test_other_methods_are_still_refused(client, world):
    assert client.post("/companies/").status_code == 405
    assert client.post("/api/companies").status_code == 405
    assert client.delete("/healthz").status_code == 405
