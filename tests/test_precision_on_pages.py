"""No page shows a date known only to its month, quarter, half or year as a day."""

import re
from datetime import date

import pytest
from django.urls import reverse

from claims.models import Claim, Company, Milestone, Source
from tests.demo_rows import load_demo

pytestmark = pytest.mark.django_db

TIME = re.compile(r'<time datetime="(\d{4}-\d{2}-\d{2})">([^<]*)</time>')


def day_facts() -> set[date]:
    """Every day the data knows to the day: dates given to the day, and target bounds."""
    days = set(Claim.objects.filter(stated_on_precision="day").values_list("stated_on", flat=True))
    days |= set(
        Claim.objects.filter(achieved_on_precision="day", achieved_on__isnull=False).values_list(
            "achieved_on", flat=True
        )
    )
    days |= set(
        Source.objects.filter(published_on_precision="day").values_list("published_on", flat=True)
    )
    for first, last in Claim.objects.values_list("target_earliest", "target_latest"):
        days |= {first, last}
    return days


def imprecise_days() -> set[date]:
    days = set(Claim.objects.exclude(stated_on_precision="day").values_list("stated_on", flat=True))
    days |= set(
        Claim.objects.exclude(achieved_on_precision="day")
        .filter(achieved_on__isnull=False)
        .values_list("achieved_on", flat=True)
    )
    days |= set(
        Source.objects.exclude(published_on_precision="day").values_list("published_on", flat=True)
    )
    return days


def test_no_page_shows_an_imprecise_date_as_a_day(client):
    load_demo()
    suspects = imprecise_days() - day_facts()
    assert suspects, "the demo data has month- and year-only dates"
    pages = [
        reverse("claims:home"),
        reverse("claims:milestone_list"),
        reverse("claims:source_list"),
    ]
    pages += [c.get_absolute_url() for c in Company.objects.all()]
    pages += [m.get_absolute_url() for m in Milestone.objects.all()]
    pages += [s.get_absolute_url() for s in Source.objects.all()]
    shown_as_days = []
    for url in pages:
        html = client.get(url).content.decode()
        for value, label in TIME.findall(html):
            if date.fromisoformat(value) in suspects:
                shown_as_days.append((url, value, label))
    assert shown_as_days == []
