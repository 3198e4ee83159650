"""Two editors saving at the same moment on PostgreSQL: both finish, or one is told why."""

import contextlib
import threading
from unittest import mock

import pytest
from django.contrib.admin import ModelAdmin
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Milestone
from tests.admin_pages import page_form_data
from tests.factories import ClaimFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database"),
]


def run_together(*posts):
    """Post each (user, url, data) from its own thread and connection, all at once.

    Each save waits at a barrier once its form is validated and before its inlines are, so
    the first locks of both saves are taken before either takes its second: the pattern that
    deadlocks when two paths lock the same rows in opposite orders. A save that cannot reach
    the barrier (it queues on a lock the other holds) lets the other pass after a timeout.
    """
    barrier = threading.Barrier(len(posts))
    original = ModelAdmin._create_formsets

    def create_formsets(self, request, obj, change):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return original(self, request, obj, change)

    results: list = [None] * len(posts)

    def post(n, user, url, data):
        client = Client()
        client.force_login(user)
        try:
            results[n] = client.post(url, data)
        except Exception as exc:  # noqa: BLE001 - the failure under test
            results[n] = exc
        finally:
            connections.close_all()

    with mock.patch.object(ModelAdmin, "_create_formsets", create_formsets):
        threads = [threading.Thread(target=post, args=(n, *args)) for n, args in enumerate(posts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results


def test_milestone_and_one_of_its_claims_saved_at_once_both_complete(django_user_model):
    claim = ClaimFactory(speaker="EVE", target_text="2026")
    milestone = claim.milestone
    first = django_user_model.objects.create_superuser("first", password="pw-first-123")
    second = django_user_model.objects.create_superuser("second", password="pw-second-123")
    milestone_url = reverse("admin:claims_milestone_change", args=[milestone.pk])
    claim_url = reverse("admin:claims_claim_change", args=[claim.pk])
    client = Client()
    client.force_login(first)
    milestone_data = page_form_data(client.get(milestone_url))
    claim_data = page_form_data(client.get(claim_url))
    milestone_data["title"] = "Phase 2 running"
    claim_data["speaker"] = "Liu Jincheng, chairman"

    results = run_together((first, milestone_url, milestone_data), (second, claim_url, claim_data))

    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert Milestone.objects.get().title == "Phase 2 running"
    saved = Claim.objects.get()
    assert saved.speaker == "Liu Jincheng, chairman"
    assert saved.version == 2


def test_two_editors_saving_one_claim_at_once_one_is_refused_with_what_changed(
    django_user_model,
):
    claim = ClaimFactory(speaker="EVE", target_text="2026")
    first = django_user_model.objects.create_superuser("first", password="pw-first-123")
    second = django_user_model.objects.create_superuser("second", password="pw-second-123")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    client = Client()
    client.force_login(first)
    data = page_form_data(client.get(url))

    results = run_together(
        (first, url, {**data, "speaker": "first's speaker"}),
        (second, url, {**data, "speaker": "second's speaker"}),
    )

    codes = sorted(getattr(r, "status_code", r) for r in results)
    assert codes == [200, 302]
    refused = next(r for r in results if r.status_code == 200)
    assert "while you were editing it" in refused.content.decode()
    assert Claim.objects.get().version == 2
