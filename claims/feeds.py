"""Atom feeds of new claims, iCalendar of upcoming target dates, sitemap and robots.txt."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from claims.cache import cache_public_page
from claims.models import Claim, Company, Facility, Milestone, Source
from claims.read import AsOf

FEED_ITEMS = 50


def _midday(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose entry summaries are plain text (type="text").

    Django's Atom feed marks summaries as HTML, so a feed reader decodes the escaped text
    once and renders it: an editor's "<img onerror=…>" would run there. The summaries here
    are built from editors' words, never from markup, so they are declared as text.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class ClaimsFeed(Feed):
    """The newest claims, with their milestone, company and source."""

    feed_type = PlainTextAtomFeed
    title = "SSB Tracker: new claims"
    subtitle = "Dated statements about solid-state battery milestones, newest first."

    def link(self) -> str:
        return reverse("claims:home")

    def claims(self):
        """Claims known by today (their stated period has ended), newest first."""
        return (
            Claim.objects.stated_by(date.today())
            .select_related("milestone__company", "source")
            .order_by("-stated_on_latest", "-id")
        )

    def items(self):
        return self.claims()[:FEED_ITEMS]

    def item_title(self, claim: Claim) -> str:
        target = f": target {claim.target_label}" if claim.has_target else ""
        return (
            f"{claim.milestone.company.name}: {claim.milestone.title} "
            f"({claim.get_kind_display().lower()}{target})"
        )

    def item_description(self, claim: Claim) -> str:
        who = claim.speaker or claim.source.publisher
        quote = f" “{claim.quote}”" if claim.quote else ""
        return f"{who}, {claim.stated_label}.{quote} Source: {claim.source.title}, {claim.source.publisher}."

    def item_link(self, claim: Claim) -> str:
        return f"{claim.milestone.get_absolute_url()}#claim-{claim.pk}"

    def item_author_name(self, claim: Claim) -> str:
        return claim.speaker or claim.milestone.company.name

    def item_pubdate(self, claim: Claim) -> datetime:
        # Dated when it became known: the last day of the period it was said in.
        return _midday(claim.stated_on_latest)

    def item_updateddate(self, claim: Claim) -> datetime:
        return claim.updated_at

    def item_categories(self, claim: Claim) -> list[str]:
        return [claim.milestone.company.name, claim.get_kind_display()]


class CompanyClaimsFeed(ClaimsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Company:
        return get_object_or_404(Company, slug=slug)

    def title(self, company: Company) -> str:
        return f"SSB Tracker: new claims about {company.name}"

    def link(self, company: Company) -> str:
        return company.get_absolute_url()

    def items(self, company: Company):
        return self.claims().filter(milestone__company=company)[:FEED_ITEMS]


@require_safe
@cache_public_page
def calendar(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Upcoming target dates as all-day events on the day each falls due."""
    company = get_object_or_404(Company, slug=slug) if slug else None
    today = date.today()
    cal = Calendar()
    cal.add("prodid", "-//SSB Tracker//Target dates//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"SSB targets: {company.name}" if company else "SSB targets")
    for milestone, result in AsOf(today).upcoming(company):
        due = result.current_target.latest
        event = Event()
        event.add("uid", f"milestone-{milestone.pk}@ssbtracker")
        event.add("summary", f"Due: {milestone.company.name}: {milestone.title}")
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("dtstamp", _midday(today))
        event.add(
            "description",
            f"Target {result.current_target.label} "
            f"(stated “{result.current_target.text}”). "
            f"{capfirst(result.explanation)}.",
        )
        event.add("url", request.build_absolute_uri(milestone.get_absolute_url()))
        event.add("categories", [result.status.label])
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ssb-targets.ics"'
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/docs", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class PagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "home",
            "company_list",
            "milestone_list",
            "timeline",
            "country_list",
            "source_list",
            "methodology",
        ]

    def location(self, name: str) -> str:
        return reverse(f"claims:{name}")


class ModelSitemap(Sitemap):
    changefreq = "weekly"
    model = None

    def items(self):
        return self.model.objects.order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class CompanySitemap(ModelSitemap):
    model = Company


class FacilitySitemap(ModelSitemap):
    model = Facility


class MilestoneSitemap(ModelSitemap):
    model = Milestone


class SourceSitemap(ModelSitemap):
    model = Source


class CountrySitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return sorted(set(Company.objects.values_list("country", flat=True)))

    def location(self, code: str) -> str:
        return reverse("claims:country_detail", args=[code])


SITEMAPS = {
    "pages": PagesSitemap,
    "companies": CompanySitemap,
    "facilities": FacilitySitemap,
    "milestones": MilestoneSitemap,
    "sources": SourceSitemap,
    "countries": CountrySitemap,
}
