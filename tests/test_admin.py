"""The editors' admin: one article becomes a Source with claims across companies."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from claims.models import Claim, Milestone, Source
from tests.admin_pages import page_form_data
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    CompanyRelationFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

ADD_SOURCE = reverse("admin:claims_source_add")


def source_form(**overrides):
    data = {
        "url": "https://news.example.com/eve-chengdu",
        "title": "EVE and Qingtao build in Chengdu",
        "publisher": "Example News",
        "kind": "news",
        "published_on": "2025-09-08",
        "language": "en",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def claim_rows(*rows):
    data = {"claims-TOTAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        base = {
            "kind": "announcement",
            "stated_on": "2025-09-02",
            "speaker": "",
            "standing": "company",
            "quote": "",
            "target_text": "",
            "achieved_on": "",
            "evidence": "",
        }
        base.update(row)
        data.update({f"claims-{i}-{k}": v for k, v in base.items()})
    return data


# Permission ladder ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(ADD_SOURCE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_permission_cannot_add_sources(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-y-z-123", is_staff=True)
    client.force_login(user)
    assert client.get(ADD_SOURCE).status_code == 403


def test_editor_can_open_every_claims_admin_page(editor_client):
    claim = ClaimFactory(target_text="H2 2026")
    for name in ("company", "source", "milestone", "claim", "facility", "companyrelation"):
        assert editor_client.get(reverse(f"admin:claims_{name}_changelist")).status_code == 200
        assert editor_client.get(reverse(f"admin:claims_{name}_add")).status_code == 200
    page = editor_client.get(reverse("admin:claims_milestone_change", args=[claim.milestone_id]))
    assert page.status_code == 200
    assert b"On track" in page.content or b"Overdue" in page.content


def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_editor_cannot_delete_a_cited_source(editor_client):
    claim = ClaimFactory()
    url = reverse("admin:claims_source_delete", args=[claim.source_id])
    page = editor_client.get(url)
    assert b"protected" in page.content.lower()
    editor_client.post(url, {"post": "yes"})
    assert Source.objects.filter(pk=claim.source_id).exists()


def test_editor_cannot_delete_companies(editor_client):
    company = CompanyFactory()
    url = reverse("admin:claims_company_delete", args=[company.pk])
    assert editor_client.get(url).status_code == 403


# One article, many claims -----------------------------------------------------------------


def test_editor_adds_a_source_with_claims_for_two_companies(editor_client):
    eve = MilestoneFactory(company=CompanyFactory(name="EVE Energy"))
    qingtao = MilestoneFactory(company=CompanyFactory(name="Qingtao"))
    data = source_form(
        **claim_rows(
            {"milestone": eve.pk, "target_text": "December 2025", "speaker": "EVE Energy"},
            {"milestone": qingtao.pk, "target_text": "2028", "quote": "fully completed in 2028"},
        )
    )
    response = editor_client.post(ADD_SOURCE, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    source = Source.objects.get(url="https://news.example.com/eve-chengdu")
    claims = {c.milestone.company.name: c for c in source.claims.all()}
    assert set(claims) == {"EVE Energy", "Qingtao"}
    assert claims["EVE Energy"].target_latest == date(2025, 12, 31)
    assert claims["Qingtao"].target_label == "2028"
    assert source.history.count() == 1
    assert claims["Qingtao"].history.first().history_user.username == "ed"


def test_unreadable_target_is_a_form_error_and_nothing_is_saved(editor_client):
    milestone = MilestoneFactory()
    data = source_form(
        **claim_rows(
            {"milestone": milestone.pk, "target_text": "2027"},
            {"milestone": milestone.pk, "target_text": "soonish", "stated_on": "2025-09-03"},
        )
    )
    response = editor_client.post(ADD_SOURCE, data)
    assert response.status_code == 200
    assert escape('Could not read "soonish"') in response.content.decode()
    assert not Source.objects.exists()
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kind": "achievement"}, "needs the date it happened"),
        ({"kind": "announcement", "achieved_on": "2025-01-01"}, "Only an achievement"),
        ({"kind": "clarification", "target_text": "2027"}, "carries no target"),
        ({"stated_on": "2099-01-01"}, "cannot be stated in the future"),
        ({"stated_on": "not a date"}, "Write it as precisely as the source gives it"),
        ({"stated_on": "2025-02-30"}, "Could not read"),
        ({"target_text": "2027 (small volume); 2030 (mass production)"}, "split it into one"),
        ({"target_text": "FY2028"}, "has no fiscal year set"),
        ({"standing": "third_party"}, "record what a third party says as a view"),
        ({"kind": "view", "standing": "company"}, "A view is a third party"),
        (
            {"kind": "achievement", "achieved_on": "2025-09", "evidence": "4"},
            "cannot observe itself independently",
        ),
        (
            {"kind": "achievement", "achieved_on": "2025-10-01", "evidence": "1"},
            "reported before it happened",
        ),
    ],
)
def test_every_claim_mistake_gets_a_plain_message(editor_client, row, message):
    milestone = MilestoneFactory()
    data = source_form(**claim_rows({"milestone": milestone.pk, **row}))
    response = editor_client.post(ADD_SOURCE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_duplicate_source_url_is_refused(editor_client):
    SourceFactory(url="https://news.example.com/eve-chengdu")
    response = editor_client.post(ADD_SOURCE, source_form())
    assert "already has this URL" in response.content.decode()
    assert Source.objects.count() == 1


def test_source_without_url_needs_a_via(editor_client):
    response = editor_client.post(ADD_SOURCE, source_form(url=""))
    assert "reported via" in response.content.decode()
    assert not Source.objects.exists()


def test_milestone_with_another_companys_facility_is_refused(editor_client):
    from tests.factories import FacilityFactory

    facility = FacilityFactory()
    other = CompanyFactory()
    data = {
        "company": other.pk,
        "facility": facility.pk,
        "title": "Line off",
        "slug": "line-off",
        "kind": "product_line_off",
        "description": "",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
    }
    response = editor_client.post(reverse("admin:claims_milestone_add"), data)
    assert "belongs to" in response.content.decode()
    assert not Milestone.objects.exists()


# What the editor sees ---------------------------------------------------------------------


def test_target_preview_says_what_the_parser_understood(editor_client):
    url = reverse("admin:claims_parse_target")
    milestone = MilestoneFactory(company=CompanyFactory(fiscal_year_start_month=4))
    response = editor_client.get(
        url, {"claims-0-target_text": "FY2028", "claims-0-milestone": milestone.pk}
    )
    assert "Understood as <strong>FY2028</strong>" in response.content.decode()
    assert "2029-03-31" in response.content.decode()
    bad = editor_client.get(url, {"claims-0-target_text": "<b>soonish</b>"})
    assert "Could not read" in bad.content.decode()
    assert "<b>soonish" not in bad.content.decode()


def test_target_preview_is_for_editors_only(client):
    response = client.get(reverse("admin:claims_parse_target"), {"target_text": "2027"})
    assert response.status_code == 302


def test_milestone_list_shows_status_and_current_target(editor_client):
    ClaimFactory(
        target_text="2020",
        stated_on=date(2019, 6, 1),
        milestone=MilestoneFactory(title="Old promise"),
    )
    page = editor_client.get(reverse("admin:claims_milestone_changelist"))
    text = page.content.decode()
    assert "Old promise" in text
    assert "Overdue" in text
    assert "2020" in text


def test_milestone_status_filter(editor_client):
    ClaimFactory(
        target_text="2020",
        stated_on=date(2019, 6, 1),
        milestone=MilestoneFactory(title="Old promise"),
    )
    ClaimFactory(
        target_text="2099",
        stated_on=date(2025, 6, 1),
        milestone=MilestoneFactory(title="Far promise"),
    )
    url = reverse("admin:claims_milestone_changelist")
    overdue = editor_client.get(url, {"status": "overdue"}).content.decode()
    assert "Old promise" in overdue and "Far promise" not in overdue
    year = editor_client.get(url, {"target_year": "2099"}).content.decode()
    assert "Far promise" in year and "Old promise" not in year


def test_company_admin_search_finds_aliases(editor_client):
    CompanyFactory(name="WeLion New Energy", aliases="Weilan New Energy")
    page = editor_client.get(reverse("admin:claims_company_changelist"), {"q": "Weilan"})
    assert "WeLion New Energy" in page.content.decode()


def test_milestone_autocomplete_searches_company_names(editor_client):
    MilestoneFactory(title="Phase 2", company=CompanyFactory(name="EVE Energy"))
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": "claim", "field_name": "milestone", "term": "EVE"},
    )
    assert response.status_code == 200
    assert "Phase 2" in response.content.decode()


def test_target_preview_reads_relative_words_against_the_rows_own_date(editor_client):
    url = reverse("admin:claims_parse_target")
    response = editor_client.get(
        url, {"claims-1-target_text": "next year", "claims-1-stated_on": "2023-11"}
    )
    assert "Understood as <strong>2024</strong>" in response.content.decode()
    assert "Nov 2023" in response.content.decode()


def test_fiscal_year_preview_is_refused_for_a_company_without_one(editor_client):
    url = reverse("admin:claims_parse_target")
    milestone = MilestoneFactory()
    response = editor_client.get(
        url, {"claims-0-target_text": "FY2028", "claims-0-milestone": milestone.pk}
    )
    assert "has no fiscal year set" in response.content.decode()


def test_an_inline_row_takes_a_month_or_a_year_as_the_source_gives_it(editor_client):
    milestone = MilestoneFactory()
    data = source_form(
        published_on="2024",
        **claim_rows(
            {"milestone": milestone.pk, "stated_on": "2023-05", "target_text": "2025"},
            {
                "milestone": milestone.pk,
                "kind": "achievement",
                "stated_on": "2024年3月",
                "achieved_on": "2023",
                "evidence": "1",
            },
        ),
    )
    response = editor_client.post(ADD_SOURCE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()
    assert (source.published_on, source.published_on_precision) == (date(2024, 1, 1), "year")
    assert source.published_on_latest == date(2024, 12, 31)
    announcement, achievement = source.claims.order_by("kind")[::-1]
    assert announcement.kind == "announcement"
    assert announcement.stated_label == "May 2023"
    assert announcement.stated_on_latest == date(2023, 5, 31)
    assert (achievement.achieved_on, achievement.achieved_on_latest) == (
        date(2023, 1, 1),
        date(2023, 12, 31),
    )
    assert achievement.stated_label == "Mar 2024"


def test_a_third_partys_view_is_saved_and_not_counted(editor_client):
    milestone = MilestoneFactory()
    ClaimFactory(milestone=milestone, stated_on=date(2024, 1, 5), target_text="2025")
    data = source_form(
        **claim_rows(
            {
                "milestone": milestone.pk,
                "kind": "view",
                "standing": "third_party",
                "speaker": "An analyst",
                "target_text": "2030",
            }
        )
    )
    response = editor_client.post(ADD_SOURCE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    view = Claim.objects.get(kind="view")
    assert view.target_label == "2030" and not view.counts
    result = milestone.derived_status(date(2026, 1, 1))
    assert result.current_target.label == "2025"
    assert result.status == "overdue"


# History: reverting to an old version -------------------------------------------------------

REVERTIBLE = [
    (CompanyFactory, "description", "Makes cells."),
    (SourceFactory, "title", "Chengdu lines"),
    (CompanyRelationFactory, "note", "supplies the coater"),
    (FacilityFactory, "city", "Chengdu"),
    (MilestoneFactory, "title", "Phase 2"),
    (ClaimFactory, "speaker", "Liu Jincheng, chairman"),
]


@pytest.mark.parametrize(("factory", "field", "old"), REVERTIBLE)
def test_reverting_to_an_old_version_restores_it_and_bumps_the_version(
    admin_client, factory, field, old
):
    record = factory(**{field: old})
    model = type(record)
    setattr(record, field, "changed since")
    record.save()
    name = f"admin:claims_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{name}_history", args=[record.pk])).status_code == 200
    first = record.history.order_by("history_id").first()
    revert_url = reverse(f"{name}_simple_history", args=[record.pk, first.history_id])
    page = admin_client.get(revert_url)
    assert page.status_code == 200

    response = admin_client.post(revert_url, page_form_data(page))

    assert response.status_code == 302, response.context["errors"]
    record.refresh_from_db()
    assert getattr(record, field) == old
    assert record.version == 3


def test_reverting_a_technology_restores_its_old_name(admin_client):
    technology = TechnologyFactory(slug="lithium-metal", name="Lithium metal")
    technology.name = "Lithium-metal anode"
    technology.save()
    first = technology.history.order_by("history_id").first()
    url = reverse("admin:claims_technology_simple_history", args=[technology.pk, first.history_id])
    response = admin_client.post(url, page_form_data(admin_client.get(url)))
    assert response.status_code == 302
    technology.refresh_from_db()
    assert technology.name == "Lithium metal"


def test_reverting_a_company_restores_its_old_technologies(admin_client):
    company = CompanyFactory(description="Makes cells.")
    company.technologies.set([TechnologyFactory(slug="oxide", name="Oxide")])
    company.technologies.set([TechnologyFactory(slug="sulfide", name="Sulfide")])
    company.description = "Makes other cells."
    company.save()
    old = company.history.order_by("history_id")[1]  # after the first technology was set
    url = reverse("admin:claims_company_simple_history", args=[company.pk, old.history_id])
    response = admin_client.post(url, page_form_data(admin_client.get(url)))
    assert response.status_code == 302, response.context["errors"]
    assert list(company.technologies.values_list("slug", flat=True)) == ["oxide"]


def test_revert_opened_before_another_editors_save_is_refused(admin_client):
    milestone = MilestoneFactory(title="Phase 2")
    milestone.title = "Phase 2 running"
    milestone.save()
    first = milestone.history.order_by("history_id").first()
    url = reverse("admin:claims_milestone_simple_history", args=[milestone.pk, first.history_id])
    data = page_form_data(admin_client.get(url))
    milestone.title = "Phase 2 running at full rate"
    milestone.save()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "while you were editing it" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Phase 2 running at full rate"


# The stale-edit check cannot be skipped --------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "two", "-1"])
def test_change_form_without_its_version_is_refused_and_nothing_saved(editor_client, version):
    milestone = MilestoneFactory(title="Phase 2")
    url = reverse("admin:claims_milestone_change", args=[milestone.pk])
    data = page_form_data(editor_client.get(url))
    milestone.title = "Another editor's title"
    milestone.save()
    data["title"] = "My title"
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "This form is missing its version" in response.content.decode()
    assert 'value="My title"' in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("Another editor's title", 2)


def test_changed_inline_claim_without_its_version_is_refused(editor_client):
    claim = ClaimFactory(speaker="EVE")
    url = reverse("admin:claims_milestone_change", args=[claim.milestone_id])
    data = page_form_data(editor_client.get(url))
    data["claims-0-speaker"] = "Liu Jincheng"
    data["claims-0-version"] = ""
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "This form is missing its version" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.speaker, claim.version) == ("EVE", 1)


def test_new_inline_claim_needs_no_version(editor_client):
    milestone = MilestoneFactory()
    source = SourceFactory()
    url = reverse("admin:claims_milestone_change", args=[milestone.pk])
    data = page_form_data(editor_client.get(url))
    row = {
        "kind": "announcement",
        "stated_on": "2025-09-02",
        "target_text": "2027",
        "standing": "company",
        "source": source.pk,
        "version": "",
    }
    data.update({f"claims-0-{k}": v for k, v in row.items()})
    data["claims-TOTAL_FORMS"] = "1"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert Claim.objects.get(milestone=milestone).version == 1


def test_refused_save_shows_what_changed_who_changed_it_and_keeps_the_typing(
    editor_client, django_user_model
):
    claim = ClaimFactory(speaker="EVE")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = page_form_data(editor_client.get(url))
    other = django_user_model.objects.create_user("rival", password="pw-rival-123")
    claim._history_user = other
    claim.speaker = "Liu Jincheng"
    claim.save()
    response = editor_client.post(url, {**data, "quote": "my careful quote"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "rival changed this claim" in page
    assert escape("speaker: “EVE” → “Liu Jincheng”") in page
    assert "my careful quote" in page
    claim.refresh_from_db()
    assert claim.quote == ""


def test_milestone_edit_stands_when_a_listed_claim_changed_elsewhere(editor_client):
    claim = ClaimFactory(speaker="EVE")
    url = reverse("admin:claims_milestone_change", args=[claim.milestone_id])
    data = page_form_data(editor_client.get(url))
    claim.speaker = "Liu Jincheng"
    claim.save()
    response = editor_client.post(url, {**data, "title": "Phase 2 running"})
    assert response.status_code == 302, response.context["errors"]
    claim.refresh_from_db()
    assert claim.speaker == "Liu Jincheng"
    assert Milestone.objects.get().title == "Phase 2 running"


def test_milestone_edit_is_refused_when_it_changes_a_claim_changed_elsewhere(editor_client):
    claim = ClaimFactory(speaker="EVE")
    url = reverse("admin:claims_milestone_change", args=[claim.milestone_id])
    data = page_form_data(editor_client.get(url))
    claim.speaker = "Liu Jincheng"
    claim.save()
    response = editor_client.post(url, {**data, "claims-0-speaker": "Zhang"})
    assert response.status_code == 200
    assert "while you were editing it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.speaker == "Liu Jincheng"


# Forms that fit the work ------------------------------------------------------------------


def test_two_milestones_at_one_plant_are_told_apart_in_the_milestone_choices(editor_client):
    eve = CompanyFactory(name="EVE Energy")
    chengdu = FacilityFactory(company=eve, name="Chengdu solid-state base")
    MilestoneFactory(company=eve, facility=chengdu, title="Phase 1 line running")
    MilestoneFactory(company=eve, facility=chengdu, title="Phase 2 line running")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": "claim", "field_name": "milestone", "term": "EVE"},
    )
    labels = sorted(r["text"] for r in response.json()["results"])
    assert labels == [
        "EVE Energy: Phase 1 line running — Chengdu solid-state base",
        "EVE Energy: Phase 2 line running — Chengdu solid-state base",
    ]


def test_a_chosen_milestone_shows_its_full_label_on_the_claim_form(editor_client):
    facility = FacilityFactory(name="Hefei pilot line")
    claim = ClaimFactory(milestone=MilestoneFactory(company=facility.company, facility=facility))
    page = editor_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert f"{facility.company.name}: {claim.milestone.title} — Hefei pilot line" in (
        page.content.decode()
    )


def test_a_facility_added_on_the_company_page_needs_its_country(editor_client):
    company = CompanyFactory()
    page = editor_client.get(reverse("admin:claims_company_change", args=[company.pk]))
    assert 'name="facilities-0-country"' in page.content.decode() or (
        'name="facilities-__prefix__-country"' in page.content.decode()
    )
    data = page_form_data(page)
    data |= {
        "facilities-TOTAL_FORMS": "1",
        "facilities-0-name": "New plant",
        "facilities-0-slug": "new-plant",
        "facilities-0-kind": "pilot_line",
        "facilities-0-status": "announced",
        "facilities-0-country": "",
        "facilities-0-company": str(company.pk),
    }
    url = reverse("admin:claims_company_change", args=[company.pk])
    refused = editor_client.post(url, data)
    assert refused.status_code == 200
    assert not company.facilities.exists()
    data["facilities-0-country"] = "DE"
    saved = editor_client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert company.facilities.get().country.code == "DE"


def test_a_facility_form_without_a_country_field_still_refuses_a_blank_country():
    from django import forms as django_forms

    from claims.models import Facility

    form_class = django_forms.modelform_factory(
        Facility, fields=["company", "name", "slug", "kind"]
    )
    company = CompanyFactory()
    form = form_class({"company": company.pk, "name": "X", "slug": "x", "kind": "pilot_line"})
    assert not form.is_valid()
    assert "Give the facility's country" in " ".join(form.non_field_errors())


def test_each_rows_target_preview_reads_that_rows_date(editor_client):
    url = reverse("admin:claims_parse_target")
    params = {
        "claims-0-target_text": "2027",
        "claims-0-stated_on": "2025-09",
        "claims-1-target_text": "next year",
        "claims-1-stated_on": "2023-11",
    }
    response = editor_client.get(url, params, headers={"HX-Trigger-Name": "claims-1-target_text"})
    assert "Understood as <strong>2024</strong>" in response.content.decode()
    assert "Nov 2023" in response.content.decode()


def test_the_claim_change_form_previews_against_its_own_date(editor_client):
    url = reverse("admin:claims_parse_target")
    response = editor_client.get(
        url,
        {"target_text": "明年", "stated_on": "2022-05-04"},
        headers={"HX-Trigger-Name": "target_text"},
    )
    assert "Understood as <strong>2023</strong>" in response.content.decode()


def test_the_next_target_preview_reads_the_rows_date(editor_client):
    url = reverse("admin:claims_parse_target")
    response = editor_client.get(
        url,
        {
            "claims-0-target_text": "",
            "claims-0-next_target": "next year",
            "claims-0-stated_on": "2024",
        },
        headers={"HX-Trigger-Name": "claims-0-next_target"},
    )
    assert "Understood as <strong>2025</strong>" in response.content.decode()


def achievement_row(milestone, **extra):
    return {
        "milestone": milestone.pk,
        "kind": "achievement",
        "stated_on": "2025-09-02",
        "achieved_on": "2025-08",
        "evidence": "1",
        "speaker": "Liu Jincheng, chairman",
        "quote": "Phase 1 is running; phase 2 by December 2026.",
        **extra,
    }


def test_an_achievement_row_with_a_next_target_saves_two_linked_claims(editor_client):
    phase1 = MilestoneFactory(title="Phase 1")
    phase2 = MilestoneFactory(company=phase1.company, title="Phase 2")
    row = achievement_row(phase1, next_milestone=phase2.pk, next_target="December 2026")
    response = editor_client.post(ADD_SOURCE, source_form(**claim_rows(row)))
    assert response.status_code == 302, response.content.decode()[:3000]
    achievement = Claim.objects.get(kind="achievement")
    following = Claim.objects.get(milestone=phase2)
    assert following.kind == "announcement"  # phase 2 had no target yet
    assert following.stated_with == achievement
    assert following.target_label == "Dec 2026"
    assert (following.source, following.stated_on, following.speaker, following.standing) == (
        achievement.source,
        achievement.stated_on,
        achievement.speaker,
        achievement.standing,
    )


def test_a_next_target_for_a_milestone_with_a_target_is_a_revision(editor_client):
    phase2 = MilestoneFactory(title="Phase 2")
    ClaimFactory(milestone=phase2, stated_on=date(2024, 1, 1), target_text="June 2026")
    row = achievement_row(phase2, next_target="December 2026")  # the same milestone
    response = editor_client.post(ADD_SOURCE, source_form(**claim_rows(row)))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert phase2.claims.get(stated_with__isnull=False).kind == "revision"


def test_a_next_target_stated_again_is_a_reaffirmation():
    from claims.services import next_claim

    phase2 = MilestoneFactory()
    ClaimFactory(milestone=phase2, stated_on=date(2024, 1, 1), target_text="December 2026")
    report = ClaimFactory.build(
        milestone=phase2, kind="achievement", stated_on=date(2025, 9, 2), target_text=""
    )
    assert next_claim(claim=report, milestone=phase2, target_text="Dec 2026").kind == (
        "reaffirmation"
    )


def test_a_third_partys_next_target_is_its_view():
    from claims.services import next_claim

    report = ClaimFactory.build(kind="achievement", standing="third_party", target_text="")
    assert next_claim(claim=report, milestone=report.milestone, target_text="2027").kind == "view"


def test_a_next_target_on_a_row_that_is_not_an_achievement_is_refused(editor_client):
    milestone = MilestoneFactory()
    row = {"milestone": milestone.pk, "target_text": "2026", "next_target": "2027"}
    response = editor_client.post(ADD_SOURCE, source_form(**claim_rows(row)))
    assert response.status_code == 200
    assert "A next target goes with an achievement report" in response.content.decode()
    assert not Claim.objects.exists()


def test_an_unreadable_next_target_is_refused_and_nothing_saved(editor_client):
    milestone = MilestoneFactory()
    row = achievement_row(milestone, next_target="2026 and 2027")
    response = editor_client.post(ADD_SOURCE, source_form(**claim_rows(row)))
    assert response.status_code == 200
    assert f"As the announcement of {milestone}:" in response.content.decode()
    assert not Claim.objects.exists() and not Source.objects.exists()


def test_the_claim_change_form_takes_a_next_target_too(editor_client):
    milestone = MilestoneFactory()
    claim = ClaimFactory(
        milestone=milestone,
        kind="achievement",
        target_text="",
        achieved_on=date(2025, 8, 1),
        evidence=1,
        stated_on=date(2025, 9, 2),
    )
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = page_form_data(editor_client.get(url)) | {"next_target": "2027"}
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert claim.stated_alongside.get().target_label == "2027"


# Cell figures: a milestone's cycle life, the Ah and nominal voltage of a facility's cell -----


def change_page_data(client, record):
    url = reverse(f"admin:claims_{record._meta.model_name}_change", args=[record.pk])
    return url, page_form_data(client.get(url))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cell_ah", "-60", "greater than or equal to 0"),
        ("cell_nominal_voltage", "-3.7", "greater than or equal to 0"),
        ("cell_nominal_voltage", "1234.5", "no more than 3 digits before the decimal point"),
    ],
)
def test_a_facilitys_impossible_cell_figure_is_refused(editor_client, field, value, message):
    facility = FacilityFactory()
    url, data = change_page_data(editor_client, facility)
    data[field] = value
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    facility.refresh_from_db()
    assert getattr(facility, field) is None


def test_a_facilitys_cell_ah_and_voltage_are_saved(editor_client):
    facility = FacilityFactory()
    url, data = change_page_data(editor_client, facility)
    data |= {"cell_ah": "60", "cell_nominal_voltage": "3.7"}
    assert editor_client.post(url, data).status_code == 302
    facility.refresh_from_db()
    assert (facility.cell_ah, facility.cell_nominal_voltage) == (60, Decimal("3.7"))


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "greater than or equal to 0"), ("1200.5", "Enter a whole number")],
)
def test_a_negative_or_fractional_cycle_life_is_refused(editor_client, value, message):
    milestone = MilestoneFactory()
    url, data = change_page_data(editor_client, milestone)
    data["cycle_life"] = value
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.cycle_life is None


def test_a_cycle_life_is_saved_and_shown_on_the_milestone(editor_client, client):
    milestone = MilestoneFactory()
    ClaimFactory(milestone=milestone, stated_on=date(2025, 1, 1), target_text="2027")
    url, data = change_page_data(editor_client, milestone)
    data["cycle_life"] = "1200"
    assert editor_client.post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.cycle_life == 1200
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert '<dt>Cycle life</dt><dd class="num">1200 cycles</dd>' in page
