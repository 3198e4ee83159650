"""The fragments that lists and company pages render per row: the partials and includes of
templates/includes/, rendered on their own."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from claims.models import Claim
from claims.status import derive_status
from tests.factories import ClaimFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db


def claim_item(claim, show_milestone=False, show_company=False, as_of_query="") -> str:
    context = {
        "claim": claim,
        "show_milestone": show_milestone,
        "show_company": show_company,
        "as_of_query": as_of_query,
    }
    return render_to_string("includes/claim_list.html#claim", context)


def source_cite(source) -> str:
    return render_to_string("includes/source_cite.html", {"source": source})


def status_badge(result) -> str:
    return render_to_string("includes/status_badge.html", {"result": result})


def milestone_row(row, as_of_query="", show_company=False) -> str:
    context = {"row": row, "as_of_query": as_of_query, "show_company": show_company}
    return render_to_string("includes/milestone_table.html#row", context)


def test_a_target_claim_reads_as_a_sentence_with_its_target_in_bold():
    claim = ClaimFactory(target_text="by the end of 2027", speaker="Liu Jincheng, chairman")
    html = claim_item(claim, True, True, "?as_of=2025-09-05")
    assert (
        "Liu Jincheng, chairman stated a target of <strong>2027</strong> (“by the end of 2027”)."
        in html
    )
    assert "&lt;strong&gt;" not in html
    assert f'href="/milestones/{claim.milestone_id}/?as_of=2025-09-05"' in html
    assert f"{claim.milestone.company.name}: " in html
    assert f'id="claim-{claim.pk}"' in html


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"target_text": "not stated"}, "The source gave no date."),
        (
            {
                "kind": Claim.Kind.ACHIEVEMENT,
                "achieved_on": date(2024, 12, 20),
                "evidence": 3,
                "source_kind": "regulatory_filing",
            },
            'The source reported it achieved on 20 Dec 2024 <span class="evidence">'
            "(evidence: official record (filing, permit, registry))</span>.",
        ),
        (
            {
                "kind": Claim.Kind.ACHIEVEMENT,
                "achieved_on": date(2024, 11, 1),
                "achieved_on_precision": "month",
                "evidence": 2,
            },
            "The source reported it achieved in Nov 2024 ",
        ),
        ({"kind": Claim.Kind.CANCELLATION}, "The source cancelled it or made it moot."),
        ({"kind": Claim.Kind.CLARIFICATION}, "The source clarified:"),
        (
            {"kind": Claim.Kind.VIEW, "standing": "third_party", "target_text": "2030"},
            "Third party: not counted in status or slip",
        ),
        (
            {"kind": Claim.Kind.VIEW, "standing": "third_party", "target_text": "2030"},
            "The source gave a view of its own, putting it at <strong>2030</strong>:",
        ),
        (
            {"stated_on": date(2023, 5, 1), "stated_on_precision": "month"},
            '<time datetime="2023-05">May 2023</time>',
        ),
    ],
)
def test_each_kind_of_claim_reads_as_its_own_sentence(fields, sentence):
    fields = dict(fields)
    if "source_kind" in fields:
        fields["source"] = SourceFactory(kind=fields.pop("source_kind"))
    assert sentence in claim_item(ClaimFactory(**fields))


def test_claim_and_source_text_is_escaped():
    source = SourceFactory(title="<b>Breaking</b>", publisher="A & B")
    claim = ClaimFactory(quote="<script>alert(1)</script>", source=source, speaker="<i>x</i>")
    html = claim_item(claim)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html
    assert "&lt;b&gt;Breaking&lt;/b&gt;</a>, A &amp; B" in source_cite(source)


def test_a_source_cites_who_reported_it_and_links_the_original():
    via = SourceFactory(publisher="36Kr")
    source = SourceFactory(url="", via=via, title="WeChat post")
    html = source_cite(source)
    assert f', via <a href="/sources/{via.pk}/">36Kr</a>' in html
    assert "original" not in html
    assert 'class="external">original</a>' in source_cite(via)


def test_an_achievement_late_by_less_than_a_month_says_so():
    milestone = MilestoneFactory()
    ClaimFactory(milestone=milestone, stated_on=date(2024, 1, 1), target_text="Dec 2024")
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.ACHIEVEMENT,
        stated_on=date(2025, 1, 20),
        achieved_on=date(2025, 1, 10),
        evidence=1,
    )
    result = derive_status(milestone.claims.all(), date(2025, 2, 1))
    assert "less than a month late" in status_badge(result)


def test_a_milestone_row_escapes_its_title_and_shows_its_company_when_asked():
    milestone = MilestoneFactory(title="Line <1>")
    ClaimFactory(milestone=milestone, target_text="H2 2026")
    row = {
        "milestone": milestone,
        "result": derive_status(milestone.claims.all(), date(2025, 1, 1)),
    }
    html = milestone_row(row, "", True)
    assert "Line &lt;1&gt;" in html
    assert milestone.company.name in html and "H2 2026" in html
    assert html.count("<td") == 5
    assert milestone_row(row).count("<td") == 4
