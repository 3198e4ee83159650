"""An editor enters a new company, its facility, a source and five claims: through the
workbook, and from the seed article through the paste-an-article assistant, which is measured
against entering the same five claims by hand (form steps and time, printed)."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Company, Facility, Source
from claims.workbook.plan import import_workbook
from claims.workbook.sheets import write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)

SEED = Path("/work/shared/sources/000_31b59359372f8c58.txt")
SEED_URL = "https://36kr.com/p/3458215312795009"
COMPANIES = [
    {
        "slug": "eve-energy",
        "name": "EVE Energy",
        "native_name": "亿纬锂能",
        "aliases": "EVE; Chengdu EVE Energy",
        "country": "CN",
        "role": "cell_maker",
    },
    {
        "slug": "qingtao",
        "name": "Qingtao Energy",
        "native_name": "清陶能源",
        "aliases": "QingTao",
        "country": "CN",
        "role": "cell_maker",
    },
]
FACILITIES = [
    {
        "slug": "eve-chengdu-ssb",
        "company": "EVE",
        "name": "Chengdu solid-state base",
        "kind": "mass_production",
        "country": "CN",
        "city": "Chengdu",
    },
]
MILESTONES = [
    {
        "slug": "eve-p1",
        "company": "eve-energy",
        "facility": "eve-chengdu-ssb",
        "title": "Chengdu phase 1 ready for 60Ah cells",
        "kind": "capacity_phase",
    },
    {
        "slug": "eve-p2",
        "company": "eve-energy",
        "facility": "eve-chengdu-ssb",
        "title": "Chengdu phase 2 at 100MWh a year",
        "kind": "capacity_phase",
    },
    {
        "slug": "eve-longquan-2",
        "company": "eve-energy",
        "facility": "eve-chengdu-ssb",
        "title": "Longquan No. 2 all-solid-state cell rolls off the line",
        "kind": "product_line_off",
    },
    {
        "slug": "eve-commercial",
        "company": "eve-energy",
        "title": "All-solid-state batteries commercialised",
        "kind": "commercialisation",
    },
    {
        "slug": "qingtao-commercial",
        "company": "qingtao",
        "title": "Solid-state batteries commercialised",
        "kind": "commercialisation",
    },
]
#: The five claims of the seed article, as (milestone, kind, target or achieved date).
EXPECTED = {
    ("eve-p1", "announcement", "Dec 2025"),
    ("eve-p2", "announcement", "Dec 2026"),
    ("eve-commercial", "announcement", "2027"),
    ("eve-longquan-2", "achievement", "2 Sep 2025"),
    ("qingtao-commercial", "announcement", "2027"),
}


class Steps:
    """The page, counting the editor's form steps: every field filled or changed, every click."""

    def __init__(self, page):
        self.page, self.count, self.started = page, 0, time.perf_counter()

    def fill(self, selector, value):
        self.count += 1
        self.page.fill(selector, value)

    def click(self, selector):
        self.count += 1
        self.page.click(selector)

    def select(self, selector, value):
        self.count += 1
        self.page.select_option(selector, value)

    def pick(self, select_id, term):
        """An autocomplete: open it, type, choose."""
        self.count += 3
        self.page.locator(f"#{select_id}").locator("xpath=following-sibling::span[1]").click()
        self.page.locator(".select2-search__field").fill(term)
        self.page.locator(".select2-results__option", has_text=term).first.click()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "correct-horse-9")
    page.click("input[type=submit]")


def saved_claims():
    return {
        (c.milestone.slug, c.kind, c.target_label or c.achieved_label)
        for c in Claim.objects.select_related("milestone")
    }


def test_workbook_enters_a_company_its_facility_a_source_and_five_claims(
    live_server, page, editor, tmp_path
):
    claims = [
        {
            "source": SEED_URL,
            "company": "EVE",
            "milestone": "eve-p1",
            "kind": "announcement",
            "stated_on": "2025-09",
            "target": "2025年12月",
        },
        {
            "source": SEED_URL,
            "company": "亿纬锂能",
            "milestone": "eve-p2",
            "kind": "announcement",
            "stated_on": "2025-09-02",
            "target": "December 2026",
        },
        {
            "source": SEED_URL,
            "company": "eve-energy",
            "milestone": "eve-commercial",
            "kind": "announcement",
            "stated_on": "2025",
            "target": "2027年",
        },
        {
            "source": SEED_URL,
            "company": "eve-energy",
            "milestone": "eve-longquan-2",
            "kind": "achievement",
            "stated_on": "2025-09-08",
            "achieved_on": "2025-09-02",
            "evidence": "independent_observation",
            "standing": "third_party",
            "speaker": "Jiemian News reporter",
        },
        {
            "source": SEED_URL,
            "company": "QingTao",
            "milestone": "qingtao-commercial",
            "kind": "view",
            "standing": "third_party",
            "speaker": "Jiemian News",
            "stated_on": "2025-09-08",
            "target": "2027年底",
        },
    ]
    path = tmp_path / "workbook.xlsx"
    path.write_bytes(
        write_xlsx(
            {
                "companies": COMPANIES,
                "facilities": FACILITIES,
                "milestones": MILESTONES,
                "sources": [
                    {
                        "url": SEED_URL,
                        "title": "Chengdu solid-state lines",
                        "publisher": "36Kr",
                        "published_on": "2025-09-08",
                    }
                ],
                "claims": claims,
            }
        )
    )
    log_in(page, live_server)
    page.click("text=Import workbook")
    page.set_input_files("#id_file", str(path))
    page.click("input[value='Preview import']")
    expect(page.locator("body")).to_contain_text("Preview: nothing has been saved yet")
    expect(page.locator("body")).to_contain_text("“QingTao” is an alias of Qingtao Energy")
    expect(page.locator("body")).to_contain_text("target “2027年底” read as 2027")
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text("Workbook imported: 14 rows created")
    assert Company.objects.count() == 2 and Facility.objects.get().country.code == "CN"
    assert Source.objects.get().claims.count() == 5
    assert Claim.objects.get(kind="view").target_label == "2027"


def test_seed_article_through_the_assistant_against_by_hand(live_server, page, editor):
    import_workbook(
        sheets={"companies": COMPANIES, "facilities": FACILITIES, "milestones": MILESTONES},
        dry_run=False,
    )
    article = SEED.read_text(encoding="utf-8")
    log_in(page, live_server)

    # By hand: the source's admin page with its inline claims.
    hand = Steps(page)
    page.goto(f"{live_server.url}/admin/claims/source/add/")
    hand.fill("#id_url", SEED_URL)
    hand.fill("#id_title", "Chengdu solid-state lines")
    hand.fill("#id_publisher", "36Kr")
    hand.fill("#id_published_on", "2025-09-08")
    rows = [
        (
            "Chengdu phase 1",
            "announcement",
            "December 2025",
            "The first phase will be completed in December 2025",
        ),
        (
            "Chengdu phase 2",
            "announcement",
            "December 2026",
            "the second phase plans to deliver an annual production capacity of 100MWh in December 2026",
        ),
        (
            "All-solid-state batteries commercialised",
            "announcement",
            "2027",
            "it is expected to commercialize solid-state batteries by 2027",
        ),
        (
            "Longquan No. 2",
            "achievement",
            "",
            "the Longquan No. 2 all-solid-state battery rolled off the production line",
        ),
        (
            "Qingtao",
            "announcement",
            "2027",
            "QingTao ... aiming for commercialization in 2027",
        ),
    ]
    for n, (milestone, kind, target, quote) in enumerate(rows):
        if n:
            hand.click("text=/Add another claim/i")
        hand.pick(f"id_claims-{n}-milestone", milestone)
        if kind != "announcement":
            hand.select(f"#id_claims-{n}-kind", kind)
        hand.fill(f"#id_claims-{n}-stated_on", "2025-09-08")
        if target:
            hand.fill(f"#id_claims-{n}-target_text", target)
        else:
            hand.fill(f"#id_claims-{n}-achieved_on", "2025-09-02")
            hand.select(f"#id_claims-{n}-evidence", "1")
        hand.fill(f"#id_claims-{n}-quote", quote)
    hand.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    by_hand = saved_claims()
    assert by_hand == EXPECTED

    Claim.objects.all().delete()
    Source.objects.all().delete()

    # The assistant: the source's fields, the pasted text, then untick what is not wanted.
    assisted = Steps(page)
    page.goto(f"{live_server.url}/admin/")
    assisted.click("text=Paste an article")
    assisted.fill("#id_source-url", SEED_URL)
    assisted.fill("#id_source-title", "Chengdu solid-state lines")
    assisted.fill("#id_source-publisher", "36Kr")
    assisted.fill("#id_source-published_on", "2025-09-08")
    assisted.fill("#id_text", article)
    assisted.click("input[value='Propose claims']")
    expect(page.locator("#proposals-form")).to_be_visible()
    wanted = {
        ("eve-p1", "announcement", "Dec 2025"),
        ("eve-p2", "announcement", "Dec 2026"),
        ("eve-commercial", "announcement", "2027"),
        ("eve-longquan-2", "achievement", ""),
        ("qingtao-commercial", "announcement", "2027"),
    }
    slugs = {str(m.pk): m.slug for m in __import__("claims.models").models.Milestone.objects.all()}
    total = int(page.locator("#id_claims-TOTAL_FORMS").input_value())
    kept = set()
    for n in range(total):
        milestone = slugs.get(page.locator(f"#id_claims-{n}-milestone").input_value(), "new")
        kind = page.locator(f"#id_claims-{n}-kind").input_value()
        target = page.locator(f"#id_claims-{n}-target_text").input_value()
        label = re.sub(r"^(in|by) ", "", target).replace("December", "Dec") if target else ""
        key = (milestone, kind, label)
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            assisted.click(f"#id_claims-{n}-include")
    assert kept == wanted, f"the assistant proposed {kept}"
    assisted.click("input[value='Save ticked claims']")
    expect(page.locator(".messagelist")).to_contain_text("Saved 5 claims")
    assert saved_claims() == EXPECTED

    print(
        f"\nSeed article, five claims: by hand {hand.count} form steps in {hand.seconds:.1f} s; "
        f"with the assistant {assisted.count} form steps in {assisted.seconds:.1f} s "
        f"({total} proposals, {total - 5} unticked)"
    )
    assert assisted.count < hand.count
