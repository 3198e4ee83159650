"""Atom feeds, the calendar, the sitemap and robots.txt, read with real parsers."""

import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from claims.models import Claim
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world():
    eve = CompanyFactory(name="EVE Energy", slug="eve-energy")
    toyota = CompanyFactory(name="Toyota", slug="toyota", country="JP")
    phase2 = MilestoneFactory(company=eve, title="Phase 2 at 100 MWh")
    ClaimFactory(
        milestone=phase2,
        stated_on=date(2025, 9, 2),
        target_text="2099",
        speaker="Liu Jincheng, chairman",
        quote="deliver <b>100MWh</b>",
        source=SourceFactory(title="EVE WeChat post"),
    )
    old = MilestoneFactory(company=toyota, title="Prototype car")
    ClaimFactory(milestone=old, stated_on=date(2019, 6, 1), target_text="2020")
    done = MilestoneFactory(company=toyota, title="Certified plan")
    ClaimFactory(
        milestone=done,
        stated_on=date(2024, 9, 6),
        kind=Claim.Kind.ACHIEVEMENT,
        achieved_on=date(2024, 9, 6),
        evidence=3,
        source=SourceFactory(kind="government_notice", title="METI notice"),
        target_text="",
    )
    return {"phase2": phase2}


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_claims_feed_lists_newest_claims_with_milestone_company_and_source(client, world):
    root, entries = atom_entries(client, "/feeds/claims/")
    assert root.find(f"{ATOM}title").text == "SSB Tracker: new claims"
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "EVE Energy: Phase 2 at 100 MWh (announcement: target 2099)"
    assert len(titles) == 3
    first = entries[0]
    assert "EVE WeChat post" in first.find(f"{ATOM}summary").text
    assert "<b>100MWh</b>" in first.find(f"{ATOM}summary").text  # text, escaped in the XML
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Liu Jincheng, chairman"
    link = first.find(f"{ATOM}link").get("href")
    assert f"/milestones/{world['phase2'].pk}/#claim-" in link


def test_company_feed_has_only_that_company(client, world):
    _, entries = atom_entries(client, "/companies/toyota/feed/")
    assert {e.find(f"{ATOM}title").text.split(":")[0] for e in entries} == {"Toyota"}
    assert client.get("/companies/nobody/feed/").status_code == 404


def test_pages_link_to_their_feeds(client, world):
    assert 'type="application/atom+xml" href="/feeds/claims/"' in client.get("/").content.decode()
    company = client.get("/companies/eve-energy/").content.decode()
    assert 'href="/companies/eve-energy/feed/"' in company


def test_calendar_has_upcoming_targets_as_all_day_events(client, world):
    response = client.get("/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Due: EVE Energy: Phase 2 at 100 MWh"]
    event = events[0]
    assert event.decoded("dtstart") == date(2099, 12, 31)
    assert event.decoded("dtend") == date(2100, 1, 1)
    assert "Target 2099" in str(event["description"])
    assert str(event["url"]).endswith(world["phase2"].get_absolute_url())


def test_company_calendar(client, world):
    toyota = Calendar.from_ical(client.get("/companies/toyota/calendar.ics").content)
    assert toyota.walk("VEVENT") == []  # overdue and achieved targets are not upcoming
    assert client.get("/companies/nobody/calendar.ics").status_code == 404


def test_sitemap_lists_every_public_page(client, world):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    locs = [u.text for u in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for path in (
        "/companies/eve-energy/",
        "/milestones/",
        "/countries/JP/",
        "/methodology/",
        world["phase2"].get_absolute_url(),
    ):
        assert any(loc.endswith(path) for loc in locs), path


def test_robots_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def structured(page: str) -> dict:
    import json
    import re

    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_company_page_describes_the_organization(client, world):
    data = structured(client.get("/companies/eve-energy/").content.decode())
    assert data["@type"] == "Organization"
    assert data["name"] == "EVE Energy"
    assert data["address"]["addressCountry"] == "CN"


def test_milestone_page_describes_its_claims_and_cannot_be_broken_out_of(client, world):
    milestone = world["phase2"]
    page = client.get(milestone.get_absolute_url()).content.decode()
    data = structured(page)
    claim = data["@graph"][0]
    assert claim["@type"] == "Claim"
    assert claim["author"]["name"] == "Liu Jincheng, chairman"
    assert claim["datePublished"] == "2025-09-02"
    assert claim["appearance"]["name"] == "EVE WeChat post"
    assert "<b>" not in page.split('application/ld+json">')[1].split("</script>")[0]


HOSTILE = '<img src=x onerror=alert(1)><script>alert("x")</script>'


class ElementCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)


def as_a_feed_reader_shows(element) -> tuple[str, list[str]]:
    """(the text, the HTML elements) a feed reader renders for an Atom text construct: text
    is shown as it is; html is decoded once from the XML and rendered as markup."""
    text = element.text or ""
    kind = element.get("type", "text")
    if kind == "text":
        return text, []
    assert kind == "html", kind
    parser = ElementCounter()
    parser.feed(text)
    return text, parser.elements


@pytest.mark.parametrize("url", ["/feeds/claims/", "/companies/hostile/feed/"])
def test_feed_readers_show_editors_text_as_text_never_as_markup(client, url):
    company = CompanyFactory(name=HOSTILE, slug="hostile")
    ClaimFactory(
        milestone=MilestoneFactory(company=company, title=HOSTILE),
        source=SourceFactory(title=HOSTILE, publisher=HOSTILE),
        speaker=HOSTILE,
        quote=HOSTILE,
        target_text="2027",
        stated_on=date(2025, 1, 1),
    )
    root, entries = atom_entries(client, url)
    assert entries
    for entry in entries:
        for name in ("title", "summary", "content"):
            for element in entry.findall(f"{ATOM}{name}"):
                text, elements = as_a_feed_reader_shows(element)
                assert elements == [], (name, element.text)
                if name == "summary":
                    assert HOSTILE in text
    assert as_a_feed_reader_shows(root.find(f"{ATOM}title"))[1] == []


def test_the_feed_leaves_out_claims_not_yet_known(client, world):
    """A claim stated only as "this year" is known once the year has ended."""
    this_year = date.today().year
    ClaimFactory(
        milestone=MilestoneFactory(title="Said sometime this year"),
        stated_on=date(this_year, 1, 1),
        stated_on_precision="year",
        target_text=str(this_year + 3),
    )
    _, entries = atom_entries(client, "/feeds/claims/")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert not any("Said sometime this year" in t for t in titles)
    for entry in entries:
        published = date.fromisoformat(entry.find(f"{ATOM}published").text[:10])
        assert published <= date.today()
