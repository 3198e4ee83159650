"""The page and facet cache: a second visit costs no query, and an edit shows at once."""

import gzip
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from claims.cache import bump_data_version, data_version
from claims.models import Claim, Company, Milestone, Technology
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db
MILESTONES = reverse("claims:milestone_list")


@pytest.fixture
def milestone():
    company = CompanyFactory(name="Alpha Cells", slug="alpha", country="CN")
    milestone = MilestoneFactory(company=company, title="Pilot line", slug="pilot")
    ClaimFactory(milestone=milestone, stated_on=date(2024, 1, 1), target_text="2030")
    return milestone


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(
    client, milestone, django_assert_num_queries
):
    first = client.get(MILESTONES)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(MILESTONES)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/milestones/?country=CN",
        "/companies/alpha/",
        "/countries/",
        "/api/milestones",
        "/api/companies/alpha",
    ],
)
def test_pages_and_the_api_are_cached(client, milestone, url, django_assert_num_queries):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url)["X-Cache"] == "hit"


def test_saving_a_milestone_shows_on_the_next_request(client, milestone):
    assert "Pilot line" in client.get(MILESTONES).content.decode()
    milestone.title = "Mass production line"
    milestone.save()
    page = client.get(MILESTONES).content.decode()
    assert "Mass production line" in page
    assert "Pilot line" not in page


def test_a_new_claim_moves_the_status_and_the_facet_counts_at_once(client, milestone):
    page = client.get(MILESTONES, {"status": "achieved"}).content.decode()
    assert "Pilot line" not in page
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.ACHIEVEMENT,
        stated_on=date(2025, 5, 1),
        achieved_on=date(2025, 4, 1),
        evidence=2,
        target_text="",
    )
    page = client.get(MILESTONES, {"status": "achieved"}).content.decode()
    assert "Pilot line" in page
    api = client.get("/api/milestones", {"status": "achieved"}).json()
    assert api["count"] == 1


def test_deleting_a_claim_shows_on_the_next_request(client, milestone):
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.CANCELLATION,
        stated_on=date(2025, 5, 1),
        target_text="",
    )
    assert client.get("/api/milestones").json()["results"][0]["status"] == "cancelled"
    Claim.objects.get(kind=Claim.Kind.CANCELLATION).delete()
    assert client.get("/api/milestones").json()["results"][0]["status"] != "cancelled"


def test_adding_a_technology_to_a_company_shows_on_its_page(client, milestone):
    url = reverse("claims:company_detail", args=["alpha"])
    assert "Oxide" not in client.get(url).content.decode()
    Company.objects.get(slug="alpha").technologies.add(Technology.objects.get(slug="oxide"))
    assert "Oxide" in client.get(url).content.decode()


def test_an_edit_in_the_admin_shows_on_the_next_request(client, editor_client, milestone):
    source = SourceFactory(title="Old title")
    url = reverse("claims:source_detail", args=[source.pk])
    assert "Old title" in client.get(url).content.decode()
    change = reverse("admin:claims_source_change", args=[source.pk])
    form = editor_client.get(change).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(title="New title", **_empty_inlines(editor_client.get(change)))
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url).content.decode()
    assert "New title" in page and "Old title" not in page


def _empty_inlines(response) -> dict:
    """The management forms of the admin page's inlines, with no rows changed."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for n, form in enumerate(formset.formset.forms):
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[f"{formset.formset.prefix}-{n}-{name}"] = value
    return data


def test_htmx_partials_and_whole_pages_are_cached_apart(client, milestone):
    whole = client.get(MILESTONES)
    partial = client.get(MILESTONES, headers={"HX-Request": "true"})
    assert partial["X-Cache"] == "miss"
    assert b"<html" in whole.content and b"<html" not in partial.content
    again = client.get(MILESTONES)
    assert again["X-Cache"] == "hit" and b"<html" in again.content
    partial_again = client.get(MILESTONES, headers={"HX-Request": "true"})
    assert partial_again["X-Cache"] == "hit" and b"<html" not in partial_again.content
    assert "HX-Request" in whole["Vary"] and "HX-Request" in partial["Vary"]


def test_cached_pages_go_gzipped_to_clients_that_accept_it(client, milestone):
    plain = client.get(MILESTONES)
    zipped = client.get(MILESTONES, headers={"Accept-Encoding": "gzip, br"})
    assert zipped["X-Cache"] == "hit" and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    unzipped = client.get(MILESTONES)
    assert unzipped["X-Cache"] == "hit" and not unzipped.has_header("Content-Encoding")
    assert unzipped.content == plain.content
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in zipped["Vary"]


def test_a_history_restore_gets_the_whole_page(client, milestone):
    client.get(MILESTONES, headers={"HX-Request": "true"})
    restore = client.get(
        MILESTONES, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_signed_in_editors_are_never_served_from_the_cache(editor_client, milestone):
    editor_client.get(MILESTONES)
    response = editor_client.get(MILESTONES)
    assert "X-Cache" not in response


def test_csv_downloads_are_streamed_not_cached(client, milestone):
    response = client.get(MILESTONES, {"format": "csv"})
    assert response.streaming
    assert "X-Cache" not in response
    assert b"Pilot line" in b"".join(response.streaming_content)


def test_security_headers_come_with_cached_pages(client, milestone):
    client.get(MILESTONES)
    hit = client.get(MILESTONES)
    assert hit["X-Cache"] == "hit"
    assert "script-src 'self'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"


def test_pages_for_different_hosts_are_cached_apart(client, milestone, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    a = client.get("/api/milestones", HTTP_HOST="a.example").json()
    b = client.get("/api/milestones", HTTP_HOST="b.example").json()
    assert a["results"][0]["url"].startswith("http://a.example/")
    assert b["results"][0]["url"].startswith("http://b.example/")


def test_the_day_is_part_of_the_key(client, milestone, time_machine):
    time_machine.move_to(date(2029, 6, 1))
    assert client.get(MILESTONES)["X-Cache"] == "miss"
    assert client.get(MILESTONES)["X-Cache"] == "hit"
    time_machine.move_to(date(2031, 1, 2))
    page = client.get(MILESTONES)
    assert page["X-Cache"] == "miss"
    assert "Overdue" in page.content.decode()


def test_the_data_version_moves_on_every_write_and_again_on_commit(
    milestone, django_capture_on_commit_callbacks
):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Milestone.objects.filter(pk=milestone.pk).get().save()
        during = data_version()
    assert during != before
    assert callbacks, "a bump waits for the commit"
    assert data_version() != during


def test_an_evicted_data_version_is_replaced_not_reused(milestone):
    version = data_version()
    cache.clear()
    from django.core.cache import caches

    caches["versions"].clear()
    assert data_version() != version
    bump_data_version()
    assert data_version() != version


# Validators: browsers and shared caches revalidate, and get a 304 while nothing changed -----


@pytest.mark.parametrize(
    "url",
    [
        "/",
        MILESTONES,
        MILESTONES + "?country=CN&status=on_track",
        "/companies/alpha/",
        "/timeline/",
        "/api/milestones",
        "/api/companies/alpha",
        "/feeds/claims/",
        "/calendar.ics",
    ],
)
def test_a_second_request_with_the_etag_gets_a_304_without_a_body(client, milestone, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_the_304_is_answered_without_reading_the_page(client, milestone, django_assert_num_queries):
    etag = client.get(MILESTONES)["ETag"]
    cache.clear()  # the page is no longer kept: the ETag alone decides
    with django_assert_num_queries(0):
        assert client.get(MILESTONES, headers={"If-None-Match": etag}).status_code == 304


def test_after_an_edit_the_old_etag_gets_the_new_page(client, milestone):
    first = client.get(MILESTONES)
    milestone.title = "Mass production line"
    milestone.save()
    again = client.get(MILESTONES, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Mass production line" in again.content.decode()


def test_an_etag_of_another_page_or_variant_does_not_match(client, milestone):
    etag = client.get(MILESTONES)["ETag"]
    assert client.get("/timeline/", headers={"If-None-Match": etag}).status_code == 200
    partial = client.get(MILESTONES, headers={"HX-Request": "true", "If-None-Match": etag})
    assert partial.status_code == 200 and b"<html" not in partial.content


def test_anonymous_pages_may_be_kept_by_shared_caches_until_the_data_changes(client, milestone):
    for response in (client.get(MILESTONES), client.get(MILESTONES), client.get("/api/milestones")):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "must-revalidate"} <= directives
        vary = response["Vary"]
        assert "Accept-Encoding" in vary and "HX-Request" in vary and "Cookie" in vary


def test_csv_downloads_carry_an_etag_and_revalidate(client, milestone):
    first = client.get(MILESTONES, {"format": "csv"})
    assert first.streaming and first["ETag"]
    again = client.get(MILESTONES, {"format": "csv"}, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_signed_in_editors_get_no_shared_validators(editor_client, milestone):
    response = editor_client.get(MILESTONES)
    assert "public" not in response.get("Cache-Control", "")
    assert not response.has_header("ETag")


def test_a_rendered_row_serves_other_lists_until_the_milestone_changes(client, milestone):
    assert "Pilot line" in client.get(MILESTONES).content.decode()
    # A write that sends no signal leaves the data version, so the kept row is shown.
    Milestone.objects.filter(pk=milestone.pk).update(title="Unsignalled title")
    assert "Pilot line" in client.get(MILESTONES, {"country": "CN"}).content.decode()
    milestone.title = "Mass production line"
    milestone.save()
    page = client.get(MILESTONES, {"country": "CN", "page": "1"}).content.decode()
    assert "Mass production line" in page
    assert "Pilot line" not in page


def test_the_company_pages_cached_sections_follow_an_edit(client, milestone):
    url = reverse("claims:company_detail", args=["alpha"])
    first = client.get(url).content.decode()
    assert "Pilot line" in first and "Original quote" not in first
    claim = milestone.claims.get()
    claim.quote = "Original quote"
    claim.save()
    page = client.get(url, {"claims_page": "1"}).content.decode()
    assert "Original quote" in page
    source = claim.source
    source.title = "A retitled report"
    source.save()
    assert "A retitled report" in client.get(url, {"sources_page": "1"}).content.decode()


def test_fragments_are_not_reused_while_the_cache_does_not_answer(monkeypatch):
    from claims import cache as page_cache

    monkeypatch.setattr(page_cache, "data_version", lambda: None)
    assert page_cache.fragment_version() != page_cache.fragment_version()


def test_a_company_page_with_its_sections_cached_reads_no_sources_and_draws_no_chart(
    client, milestone, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.views import companies

    url = reverse("claims:company_detail", args=["alpha"])
    first = client.get(url).text
    assert "Pilot line" in first
    monkeypatch.setattr(companies, "timeline_chart", lambda *a, **k: pytest.fail("drawn again"))
    with CaptureQueriesContext(connection) as read:
        again = client.get(url, {"variant": "another URL of the page"}).text
    assert again.count("Pilot line") == first.count("Pilot line")
    assert not [q for q in read.captured_queries if '"claims_source"' in q["sql"]]


def test_a_revalidation_is_answered_before_the_session_and_auth_middleware(
    client, milestone, monkeypatch
):
    from django.contrib.sessions import middleware as sessions

    etag = client.get(MILESTONES)["ETag"]

    def not_reached(self, request):
        pytest.fail("the session middleware ran for a revalidation")

    monkeypatch.setattr(sessions.SessionMiddleware, "process_request", not_reached)
    again = client.get(MILESTONES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["X-Cache"] == "revalidated"
    assert again["ETag"] == etag and "Content-Security-Policy" in again
    assert "must-revalidate" in again["Cache-Control"]


def test_other_requests_with_an_etag_still_go_through_every_middleware(client, milestone):
    etag = client.get(MILESTONES)["ETag"]
    # a page that is not public (the admin's log-in) and a path that names no page
    assert client.get("/admin/login/", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/no-such-page/", headers={"If-None-Match": etag}).status_code == 404
    # a stale ETag: the view answers with the page
    assert client.get(MILESTONES, headers={"If-None-Match": 'W/"stale"'}).status_code == 200
