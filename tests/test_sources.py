"""Clean sources: one source a page whatever the spelling of its URL, merged keeping every
claim and its history."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.models import Claim, CompanyRelation, Facility, Source
from claims.services import MergeRefused, merge_sources
from tests.factories import (
    ClaimFactory,
    CompanyRelationFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_source_changelist")


# The URL key ---------------------------------------------------------------------------------


def test_a_source_keeps_its_url_as_given_and_is_keyed_by_the_normalised_one():
    source = SourceFactory(url="http://www.Example.com/a/?utm_source=x#top")
    assert source.url == "http://www.Example.com/a/?utm_source=x#top"
    assert source.url_key == "example.com/a"


def test_another_spelling_of_a_known_page_is_refused_naming_the_known_source():
    known = SourceFactory(url="https://example.com/a", title="The first report")
    copy = Source(
        url="http://www.example.com/a/?utm_medium=social",
        title="Again",
        publisher="Elsewhere",
        published_on=date(2025, 1, 2),
    )
    with pytest.raises(ValidationError) as refused:
        copy.full_clean()
    message = " ".join(refused.value.message_dict["url"])
    assert "Another source already has this URL (as example.com/a)" in message
    assert f"source #{known.pk}, “The first report”" in message
    assert "Cite that one instead." in message


def test_the_admin_refuses_a_near_duplicate_source(editor_client):
    SourceFactory(url="https://example.com/a", title="The first report")
    data = {
        "url": "https://www.example.com/a/",
        "title": "Again",
        "publisher": "Example News",
        "kind": "news",
        "published_on": "2025-09-08",
        "language": "en",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
    }
    page = editor_client.post(reverse("admin:claims_source_add"), data)
    assert page.status_code == 200
    assert "Another source already has this URL (as example.com/a)" in page.content.decode()
    assert Source.objects.count() == 1


def test_the_database_refuses_two_sources_with_one_key():
    from django.db import IntegrityError, transaction

    SourceFactory(url="https://example.com/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(
            url="http://example.com/a/", title="x", publisher="y", published_on=date(2025, 1, 1)
        )


def test_sources_without_a_url_share_the_empty_key():
    via = SourceFactory()
    for title in ("A post", "Another post"):
        Source.objects.create(
            url="", via=via, title=title, publisher="WeChat", published_on=date(2025, 1, 1)
        )
    assert Source.objects.filter(url_key="").count() == 2


def test_the_migration_keys_existing_sources_and_sets_duplicates_apart():
    migration = importlib.import_module("claims.migrations.0007_clean_sources")
    rows = Source.objects.bulk_create(
        [
            Source(url=url, title=url, publisher="p", published_on=date(2025, 1, 1))
            for url in (
                "https://example.com/a",
                "http://www.example.com/a/",
                "https://example.com/b?utm_campaign=z",
            )
        ]
    )
    assert set(Source.objects.values_list("url_key", flat=True)) == {""}  # bulk: no save()
    migration.fill_url_keys(apps, None)
    keys = dict(Source.objects.values_list("pk", "url_key"))
    assert keys[rows[0].pk] == "example.com/a"
    assert keys[rows[1].pk] == f"example.com/a#dup-{rows[1].pk}"
    assert keys[rows[2].pk] == "example.com/b"
    # The duplicate keeps its marked key when saved again, until it is merged.
    duplicate = Source.objects.get(pk=rows[1].pk)
    duplicate.publisher = "q"
    duplicate.save()
    duplicate.refresh_from_db()
    assert duplicate.url_key == f"example.com/a#dup-{rows[1].pk}"


# Merging sources -----------------------------------------------------------------------------


@pytest.fixture
def two_reports():
    keep = SourceFactory(url="https://example.com/a", title="Kept")
    other = SourceFactory(url="https://example.com/a-copy", title="Copy")
    return keep, other


def test_merge_moves_every_claim_relation_facility_and_via_and_deletes_the_other(
    two_reports, django_user_model
):
    keep, other = two_reports
    claim = ClaimFactory(source=other, target_text="2027")
    relation = CompanyRelationFactory(source=other)
    facility = FacilityFactory(source=other)
    post = Source.objects.create(
        url="", via=other, title="A post", publisher="WeChat", published_on=date(2025, 1, 1)
    )
    user = django_user_model.objects.create_user("boss")
    result = merge_sources(keep=keep, merge=[keep, other], user=user)
    assert (result.claims, result.relations, result.facilities, result.reported) == (1, 1, 1, 1)
    assert not Source.objects.filter(pk=other.pk).exists()
    assert Claim.objects.get(pk=claim.pk).source == keep
    assert CompanyRelation.objects.get(pk=relation.pk).source == keep
    assert Facility.objects.get(pk=facility.pk).source == keep
    assert Source.objects.get(pk=post.pk).via == keep


def test_merge_keeps_history_with_the_reason(two_reports, django_user_model):
    keep, other = two_reports
    claim = ClaimFactory(source=other)
    user = django_user_model.objects.create_user("boss")
    merge_sources(keep=keep, merge=[other], user=user)
    latest = Claim.history.filter(id=claim.pk).order_by("-history_id").first()
    assert latest.history_change_reason == f"merged into source #{keep.pk}"
    assert latest.history_user == user
    assert latest.source_id == keep.pk
    deleted = Source.history.filter(id=other.pk, history_type="-").get()
    assert deleted.history_change_reason == f"merged into source #{keep.pk}"
    assert Claim.history.filter(id=claim.pk, source_id=other.pk).exists()  # the old row stays


def test_merge_refuses_claims_that_would_collide_and_changes_nothing(two_reports):
    keep, other = two_reports
    milestone = MilestoneFactory(title="Phase 2")
    first = ClaimFactory(source=keep, milestone=milestone, stated_on=date(2025, 3, 1))
    second = ClaimFactory(source=other, milestone=milestone, stated_on=date(2025, 3, 1))
    moved = ClaimFactory(source=other)
    with pytest.raises(MergeRefused) as refused:
        merge_sources(keep=keep, merge=[other])
    message = str(refused.value)
    assert f"claim #{first.pk} (source #{keep.pk}) and claim #{second.pk}" in message
    assert "Phase 2" in message and "nothing was merged" in message
    assert Source.objects.filter(pk=other.pk).exists()
    assert Claim.objects.get(pk=moved.pk).source == other


def test_merge_refuses_when_a_source_changed_since_the_editor_chose(two_reports):
    keep, other = two_reports
    seen = {keep.pk: keep.version, other.pk: other.version}
    other.title = "Renamed meanwhile"
    other.save()
    with pytest.raises(MergeRefused, match="changed by another editor"):
        merge_sources(keep=keep, merge=[other], versions=seen)
    assert Source.objects.filter(pk=other.pk).exists()


def test_merge_refuses_to_delete_the_source_the_kept_one_is_reported_via():
    article = SourceFactory()
    post = Source.objects.create(
        url="https://wechat.example.com/p",
        via=article,
        title="A post",
        publisher="WeChat",
        published_on=date(2025, 1, 1),
    )
    with pytest.raises(MergeRefused, match="reported via"):
        merge_sources(keep=post, merge=[article])


def test_merge_refuses_an_official_record_moving_to_a_news_report():
    filing = SourceFactory(kind=Source.Kind.REGULATORY_FILING)
    news = SourceFactory(kind=Source.Kind.NEWS)
    claim = ClaimFactory(
        source=filing,
        kind=Claim.Kind.ACHIEVEMENT,
        target_text="",
        achieved_on=date(2024, 12, 1),
        evidence=Claim.Evidence.OFFICIAL_RECORD,
    )
    with pytest.raises(MergeRefused, match=f"claim #{claim.pk}"):
        merge_sources(keep=news, merge=[filing])
    assert Claim.objects.get(pk=claim.pk).source == filing


# The admin action and its permission ladder ------------------------------------------------


def merge_post(*sources, keep=None, confirm=True):
    data = {"action": "merge_sources", "_selected_action": [s.pk for s in sources]}
    if confirm:
        data |= {"confirm": "yes", "keep": (keep or sources[0]).pk}
        data |= {f"version_{s.pk}": s.version for s in sources}
    return data


def test_anonymous_visitor_cannot_merge(client, two_reports):
    keep, other = two_reports
    response = client.post(CHANGELIST, merge_post(keep, other))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Source.objects.count() == 2


def test_editor_without_change_and_delete_permissions_cannot_merge(
    client, django_user_model, two_reports
):
    keep, other = two_reports
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_source", "change_source"])
    )
    client.force_login(user)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "merge_sources" not in page.content.decode()
    client.post(CHANGELIST, merge_post(keep, other))
    assert Source.objects.count() == 2


def test_editor_with_the_permissions_confirms_which_source_to_keep(editor_client, two_reports):
    keep, other = two_reports
    ClaimFactory(source=other)
    page = editor_client.post(CHANGELIST, merge_post(keep, other, confirm=False))
    assert page.status_code == 200
    assert "Merge into the chosen source" in page.content.decode()
    assert Source.objects.count() == 2  # the first step only asks
    response = editor_client.post(CHANGELIST, merge_post(keep, other, keep=other))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_source_change", args=[other.pk])
    assert list(Source.objects.values_list("pk", flat=True)) == [other.pk]
    assert Claim.objects.get().source == other


def test_a_refused_merge_says_why_on_the_confirmation_page(editor_client, two_reports):
    keep, other = two_reports
    milestone = MilestoneFactory()
    ClaimFactory(source=keep, milestone=milestone)
    ClaimFactory(source=other, milestone=milestone)
    page = editor_client.post(CHANGELIST, merge_post(keep, other), follow=True)
    assert "would become the same statement of one source" in page.content.decode()
    assert Source.objects.count() == 2


def test_merging_one_source_asks_for_two(editor_client, two_reports):
    keep, _ = two_reports
    page = editor_client.post(CHANGELIST, merge_post(keep, confirm=False), follow=True)
    assert "Select two or more sources to merge." in page.content.decode()
