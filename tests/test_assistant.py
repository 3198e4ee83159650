"""Paste an article: sentences, companies, targets, kinds and standings proposed from text."""

from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.assistant import (
    TrackedCompany,
    TrackedMilestone,
    propose_claims,
    sentences,
)
from claims.models import Claim, Milestone, Source
from tests.factories import CompanyFactory, FacilityFactory, MilestoneFactory, SourceFactory

SEED = Path("/work/shared/sources/000_31b59359372f8c58.txt")
PUBLISHED = date(2025, 9, 8)
EVE = TrackedCompany(
    1,
    "EVE Energy",
    ("EVE Energy", "亿纬锂能", "EVE", "Chengdu EVE Energy"),
    (
        TrackedMilestone(11, "Chengdu base phase 1 completed", "60Ah cells", "Chengdu base"),
        TrackedMilestone(12, "Chengdu base phase 2: 100 MWh a year", "", "Chengdu base"),
        TrackedMilestone(13, "Longquan No. 2 all-solid-state cell rolls off the line"),
    ),
)
QINGTAO = TrackedCompany(2, "Qingtao Energy", ("Qingtao Energy", "QingTao", "清陶能源"))
TOYOTA = TrackedCompany(3, "Toyota", ("Toyota", "丰田"), fiscal_year_start=4)


def propose(text, companies=(EVE, QINGTAO, TOYOTA)):
    return propose_claims(text, list(companies), published_on=PUBLISHED)


def test_sentences_split_at_chinese_and_english_stops_but_not_inside_names():
    text = "亿纬锂能表示，一期将于2025年12月建成。二期呢？推迟了；好的！Lead Intelligent Equipment Co., Ltd. rose 81.82% today. Next one."
    assert sentences(text) == [
        "亿纬锂能表示，一期将于2025年12月建成。",
        "二期呢？",
        "推迟了；",
        "好的！",
        "Lead Intelligent Equipment Co., Ltd. rose 81.82% today.",
        "Next one.",
    ]


def test_sentence_naming_a_company_and_a_target_is_an_announcement_on_its_milestone():
    [p] = propose(
        "EVE Energy said the second phase of the Chengdu base will deliver 100 MWh a year in December 2026."
    )
    assert (p.kind, p.standing, p.target_text, p.target_label) == (
        "announcement",
        "company",
        "in December 2026",
        "Dec 2026",
    )
    assert p.milestone_id == 12
    assert p.quote.startswith("EVE Energy said")


def test_sentence_without_a_readable_date_proposes_nothing():
    assert propose("EVE Energy's shares rose by nearly 40%.") == []


def test_chinese_alias_and_chinese_target_words():
    [p] = propose("亿纬锂能表示，成都基地二期预计2026年底前建成，年产能100MWh。")
    assert p.company == EVE and p.target_text == "2026年底前" and p.target_label == "2026"
    [later] = propose("清陶能源计划下半年投产。")
    assert later.company == QINGTAO and later.target_label == "H2 2025"  # of the year said


def test_past_tense_report_is_an_achievement_dated_in_the_publications_year():
    [p] = propose(
        "On September 2nd, EVE Energy's Longquan No. 2 all-solid-state battery rolled off the production line."
    )
    assert (p.kind, p.achieved_on, p.evidence) == ("achievement", "2025-09-02", "company_statement")
    assert p.milestone_id == 13
    [zh] = propose("9月2日，亿纬锂能的龙泉二号全固态电池已经下线。")
    assert zh.kind == "achievement" and zh.achieved_on == "2025-09-02"


def test_future_completion_stays_an_announcement():
    [p] = propose("EVE Energy's first phase will be completed in December 2025.")
    assert p.kind == "announcement" and p.target_label == "Dec 2025"


def test_postponed_schedule_is_a_revision():
    [p] = propose("Toyota has postponed its mass production of all-solid-state batteries to 2028.")
    assert p.kind == "revision" and p.target_label == "2028"
    [zh] = propose("丰田将全固态电池量产时间推迟至2028年。")
    assert zh.kind == "revision"


def test_analysts_words_are_a_third_party_view():
    [p] = propose(
        "Analysts at an investment bank expect Toyota to start mass production only after 2030."
    )
    assert (p.kind, p.standing, p.target_label) == ("view", "third_party", "after 2030")
    [media] = propose("According to Nikkei, Toyota will begin production in 2028.")
    assert (media.kind, media.standing) == ("view", "third_party")


def test_according_to_the_company_itself_stays_the_company():
    [p] = propose(
        "According to EVE Energy's WeChat account, the base will be completed in December 2025."
    )
    assert p.standing == "company" and p.kind == "announcement"


def test_government_speaker_has_government_standing():
    [p] = propose("The Chengdu government said Qingtao Energy's line will run in 2026.")
    assert (p.standing, p.kind) == ("government", "view")


def test_sentence_carries_the_company_of_the_sentence_before():
    text = "EVE Energy unveiled its Chengdu base. The second phase plans to deliver 100 MWh in December 2026."
    [p] = propose(text)
    assert p.company == EVE and p.target_label == "Dec 2026"


def test_unknown_milestone_proposes_a_new_one_with_a_title():
    [p] = propose("Qingtao Energy aims for commercialization of its semi-solid cells in 2027.")
    assert p.milestone_id is None
    assert p.new_milestone_title.startswith("Qingtao Energy:")
    assert p.new_milestone_kind == "commercialisation"


def test_speaker_named_with_a_title():
    [p] = propose(
        "Liu Jincheng, the chairman of EVE Energy, said the first phase will be completed in December 2025."
    )
    assert p.speaker == "Liu Jincheng, chairman"


def test_fiscal_year_target_is_read_in_the_companys_fiscal_year():
    [p] = propose("Toyota aims to launch the cells in FY2027.")
    assert p.target_label == "FY2027"


def test_seed_article_yields_the_chengdu_claims():
    text = SEED.read_text(encoding="utf-8")
    proposals = propose(text)
    labels = {(p.company.name, p.kind, p.target_label or p.achieved_on) for p in proposals}
    assert ("EVE Energy", "announcement", "Dec 2025") in labels
    assert ("EVE Energy", "announcement", "Dec 2026") in labels
    assert ("EVE Energy", "announcement", "2027") in labels
    assert ("EVE Energy", "achievement", "2025-09-02") in labels
    assert ("Qingtao Energy", "announcement", "2027") in labels


# The page ------------------------------------------------------------------------------------


@pytest.fixture
def tracked():
    eve = CompanyFactory(
        name="EVE Energy", slug="eve-energy", native_name="亿纬锂能", aliases="EVE"
    )
    base = FacilityFactory(company=eve, name="Chengdu base", slug="eve-chengdu")
    MilestoneFactory(
        company=eve, facility=base, title="Phase 2 delivers 100 MWh a year", slug="eve-p2"
    )
    return eve


ARTICLE = (
    "EVE Energy said the second phase of the Chengdu base will deliver 100 MWh a year in December 2026. "
    "Qingtao is not tracked. 亿纬锂能计划2027年实现固态电池商业化。"
)


def source_fields(**extra):
    return {
        "source-url": "https://news.example.com/eve-2026",
        "source-title": "EVE's plans",
        "source-publisher": "Example News",
        "source-kind": "news",
        "source-published_on": "2025-09",
        "source-language": "en",
    } | extra


@pytest.mark.django_db
def test_editor_pastes_an_article_and_saves_the_ticked_claims(editor_client, tracked):
    url = reverse("editor_tools:assistant")
    page = editor_client.post(url, {"step": "propose", "text": ARTICLE, **source_fields()})
    formset = page.context["formset"]
    assert len(formset.forms) == 2
    data = {"step": "save", "saved_source": "", **source_fields()}
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if isinstance(value, tuple):
                value = "2025-09"
            if value not in (None, False):
                data[form.add_prefix(name)] = "on" if value is True else value
    data["claims-TOTAL_FORMS"], data["claims-INITIAL_FORMS"] = "2", "0"
    saved = editor_client.post(url, data)
    assert saved.status_code == 302, saved.context["formset"].errors
    source = Source.objects.get(url="https://news.example.com/eve-2026")
    claims = Claim.objects.filter(source=source).order_by("target_latest")
    assert [c.target_label for c in claims] == ["Dec 2026", "2027"]
    assert claims[0].milestone.slug == "eve-p2"
    assert claims[1].milestone.title.startswith("EVE Energy:")  # a new milestone
    assert claims[0].stated_label == "Sep 2025"


@pytest.mark.django_db
def test_one_refused_claim_saves_nothing(editor_client, tracked):
    url = reverse("editor_tools:assistant")
    page = editor_client.post(url, {"step": "propose", "text": ARTICLE, **source_fields()})
    form = page.context["formset"].forms[0]
    data = {
        "step": "save",
        "saved_source": "",
        **source_fields(),
        "claims-TOTAL_FORMS": "1",
        "claims-INITIAL_FORMS": "0",
    }
    for name in ("company", "milestone", "kind", "standing", "quote"):
        data[f"claims-0-{name}"] = form.initial[name]
    data |= {
        "claims-0-include": "on",
        "claims-0-stated_on": "2025-09",
        "claims-0-target_text": "2027年小批量，2030年量产",
    }
    page = editor_client.post(url, data)
    assert page.status_code == 200
    assert "split it" in page.content.decode()
    assert not Source.objects.exists() and not Claim.objects.exists()


@pytest.mark.django_db
def test_assistant_permission_ladder(client, django_user_model):
    url = reverse("editor_tools:assistant")
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user(
        "clerk", password="x-9-long-password", is_staff=True
    )
    client.force_login(user)
    assert client.get(url).status_code == 403
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["add_source", "add_milestone", "add_claim"])
    )
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_saved_source_gives_the_stated_date(editor_client, tracked):
    source = SourceFactory(published_on=date(2025, 9, 8))
    page = editor_client.post(
        reverse("editor_tools:assistant"),
        {"step": "propose", "text": ARTICLE, "saved_source": source.pk},
    )
    form = page.context["formset"].forms[0]
    assert form.initial["stated_on"] == (date(2025, 9, 8), "day")
    assert Milestone.objects.count() == 1
