"""CSV import and export: preview, all-or-nothing, idempotent, and a round trip."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.imports import (
    CLAIM_COLUMNS,
    ImportFileError,
    claim_rows,
    import_claims_csv,
    import_milestones_csv,
)
from claims.models import Claim, Company, Milestone, Source
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db


def to_csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def claim_file(*rows: dict) -> str:
    base = dict.fromkeys(CLAIM_COLUMNS, "")
    lines = [CLAIM_COLUMNS]
    for row in rows:
        lines.append([{**base, **row}[c] for c in CLAIM_COLUMNS])
    return to_csv(lines)


@pytest.fixture
def milestones():
    eve = CompanyFactory(name="EVE Energy", slug="eve-energy")
    qt = CompanyFactory(name="Qingtao Energy", slug="qingtao-energy")
    return (
        MilestoneFactory(company=eve, slug="eve-phase-2", title="Phase 2"),
        MilestoneFactory(company=qt, slug="qt-southwest", title="Southwest base running"),
    )


ARTICLE = {
    "source_url": "https://news.example.com/chengdu",
    "source_title": "Chengdu lines",
    "source_publisher": "Example News",
    "source_kind": "news",
    "source_published_on": "2025-09-08",
}


def good_rows():
    return (
        {
            **ARTICLE,
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "announcement",
            "stated_on": "2025-09-02",
            "target": "December 2026",
            "speaker": "EVE",
        },
        {
            **ARTICLE,
            "company": "Qingtao Energy",
            "milestone": "qt-southwest",
            "kind": "announcement",
            "stated_on": "2025-09-05",
            "target": "2028",
        },
    )


def test_dry_run_previews_and_saves_nothing(milestones):
    report = import_claims_csv(text=claim_file(*good_rows()), dry_run=True)
    assert report.ok and not report.saved
    assert [r.action for r in report.rows] == ["create", "create"]
    assert not Source.objects.exists() and not Claim.objects.exists()


def test_confirmed_import_creates_source_and_claims_then_changes_nothing(milestones):
    text = claim_file(*good_rows())
    assert import_claims_csv(text=text, dry_run=False).saved
    assert Source.objects.count() == 1
    assert sorted(Claim.objects.values_list("target_text", flat=True)) == ["2028", "December 2026"]
    again = import_claims_csv(text=text, dry_run=False)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
    assert Claim.objects.count() == 2


def test_one_bad_row_imports_nothing_and_says_why(milestones):
    rows = [
        *good_rows(),
        {
            **ARTICLE,
            "company": "nobody",
            "milestone": "x",
            "kind": "announcement",
            "stated_on": "2025-09-05",
        },
        {
            **ARTICLE,
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "revision",
            "stated_on": "2025-09-06",
            "target": "soonish",
        },
    ]
    report = import_claims_csv(text=claim_file(*rows), dry_run=False)
    assert not report.saved
    errors = {r.line: " ".join(r.errors) for r in report.rows if r.errors}
    assert "no company has the slug, name, native name or alias “nobody”" in errors[4]
    assert 'Could not read "soonish"' in errors[5]
    assert not Source.objects.exists() and not Claim.objects.exists()


def test_unknown_milestone_is_reported_not_invented(milestones):
    row = {
        **ARTICLE,
        "company": "eve-energy",
        "milestone": "Phase 9",
        "kind": "announcement",
        "stated_on": "2025-09-02",
    }
    report = import_claims_csv(text=claim_file(row), dry_run=True)
    assert "has no milestone" in report.rows[0].errors[0]
    assert Milestone.objects.count() == 2


def test_file_without_the_columns_is_refused():
    with pytest.raises(ImportFileError, match="lacks these columns"):
        import_claims_csv(text="a,b\n1,2\n", dry_run=True)
    with pytest.raises(ImportFileError, match="no rows"):
        import_claims_csv(text=",".join(CLAIM_COLUMNS) + "\n", dry_run=True)


def test_claims_round_trip_through_csv(milestones):
    article = SourceFactory(url="https://news.example.com/a", title="Article")
    wechat = SourceFactory(
        url="",
        via=article,
        title="WeChat post",
        kind="company_release",
        published_on=date(2025, 9, 2),
        language="zh",
    )
    ClaimFactory(
        milestone=milestones[0],
        source=wechat,
        stated_on=date(2025, 9, 2),
        target_text="December 2026",
        speaker="EVE",
        quote="100MWh, “quoted”",
    )
    ClaimFactory(
        milestone=milestones[1],
        source=article,
        stated_on=date(2025, 9, 5),
        kind=Claim.Kind.ACHIEVEMENT,
        achieved_on=date(2025, 9, 5),
        evidence=4,
        standing=Claim.Standing.THIRD_PARTY,
    )
    ClaimFactory(
        milestone=milestones[1],
        source=article,
        stated_on=date(2024, 11, 1),
        stated_on_precision="month",
        target_text="2028",
    )

    def snapshot():
        return sorted(
            (
                c.milestone.slug,
                c.kind,
                c.stated_on,
                c.stated_on_precision,
                c.speaker,
                c.target_text,
                c.target_latest,
                c.achieved_on,
                c.evidence,
                c.quote,
                c.source.url,
                c.source.title,
                c.source.kind,
                c.source.language,
                c.source.via.url if c.source.via else None,
            )
            for c in Claim.objects.select_related("source__via", "milestone")
        )

    before = snapshot()
    claims = Claim.objects.select_related("milestone__company", "source__via").order_by(
        "source__via", "stated_on"
    )
    text = to_csv(claim_rows(claims))
    Claim.objects.all().delete()
    Source.objects.filter(via__isnull=False).delete()
    Source.objects.all().delete()
    report = import_claims_csv(text=text, dry_run=False)
    assert report.saved, [r.errors for r in report.rows]
    assert snapshot() == before


def test_milestone_list_csv_imports_back(client, milestones):
    ClaimFactory(milestone=milestones[0], target_text="Dec 2026")
    exported = b"".join(client.get("/milestones/", {"format": "csv"}).streaming_content)
    again = import_milestones_csv(text=exported.decode(), dry_run=False)
    assert again.saved and [r.action for r in again.rows] == ["unchanged"]
    Milestone.objects.all().delete()
    created = import_milestones_csv(text=exported.decode(), dry_run=False)
    assert [r.action for r in created.rows] == ["create"]
    assert Milestone.objects.get().slug == "eve-phase-2"


# Through the admin ------------------------------------------------------------------------


def test_editor_previews_then_confirms_an_import(editor_client, milestones):
    url = reverse("admin:claims_source_import")
    upload = SimpleUploadedFile("claims.csv", claim_file(*good_rows()).encode("utf-8-sig"))
    preview = editor_client.post(url, {"file": upload})
    text = preview.content.decode()
    assert "Preview: nothing has been saved yet" in text
    assert "2 to create" in text
    assert not Claim.objects.exists()
    assert 'name="text"' not in text  # the file stays on the server
    confirmed = editor_client.post(url, {"token": preview.context["token"], "confirm": "1"})
    assert confirmed.status_code == 302
    assert Claim.objects.count() == 2
    page = editor_client.get(milestones[0].get_absolute_url())
    assert "Dec 2026" in page.content.decode()


def test_admin_import_reports_bad_rows_and_bad_files(editor_client, milestones):
    url = reverse("admin:claims_claim_import")
    bad = claim_file(
        {
            **ARTICLE,
            "company": "nobody",
            "milestone": "x",
            "kind": "announcement",
            "stated_on": "2025-09-05",
        }
    )
    page = editor_client.post(url, {"file": SimpleUploadedFile("c.csv", bad.encode())})
    assert "Nothing was imported" in page.content.decode()
    assert "Confirm import" not in page.content.decode()
    latin = SimpleUploadedFile("c.csv", "café".encode("latin-1"))
    assert "not UTF-8" in editor_client.post(url, {"file": latin}).content.decode()
    assert "Choose a CSV file" in editor_client.post(url, {}).content.decode()


def test_import_needs_permission(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x-y-z-123", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:claims_source_import")).status_code == 403


def test_claims_export_action_downloads_the_import_format(editor_client, milestones):
    claim = ClaimFactory(milestone=milestones[0], target_text="H2 2026")
    response = editor_client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_csv", "_selected_action": [claim.pk]},
    )
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["target"] == "H2 2026" and rows[0]["milestone"] == "eve-phase-2"


def test_a_3_mb_file_previews_and_its_confirmation_is_accepted(editor_client, milestones):
    row = {**good_rows()[0], "quote": "x" * 100_000}
    rows = [{**row, "stated_on": f"2025-08-{day:02}"} for day in range(1, 31)]
    upload = SimpleUploadedFile("claims.csv", claim_file(*rows).encode())
    assert upload.size > 3_000_000
    url = reverse("admin:claims_source_import")
    preview = editor_client.post(url, {"file": upload})
    assert "30 to create" in preview.content.decode()
    assert len(preview.content) < 100_000
    confirmed = editor_client.post(url, {"token": preview.context["token"], "confirm": "1"})
    assert confirmed.status_code == 302
    assert Claim.objects.count() == 30


def test_another_editors_preview_cannot_be_confirmed(editor_client, client, milestones):
    url = reverse("admin:claims_source_import")
    upload = SimpleUploadedFile("claims.csv", claim_file(*good_rows()).encode())
    token = editor_client.post(url, {"file": upload}).context["token"]
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_superuser("other", password="pw-other-123")
    client.force_login(other)
    page = client.post(url, {"token": token, "confirm": "1"})
    assert "expired or is not yours" in page.content.decode()
    assert not Claim.objects.exists()
    # nor from another import page, nor a made-up token
    claim_url = reverse("admin:claims_claim_import")
    page = editor_client.post(claim_url, {"token": token, "confirm": "1"})
    assert "expired or is not yours" in page.content.decode()
    page = editor_client.post(url, {"token": "../../etc/passwd", "confirm": "1"})
    assert "expired or is not yours" in page.content.decode()
    assert not Claim.objects.exists()


def test_confirmed_import_records_history_versions_and_facts(editor, milestones):
    text = claim_file(*good_rows())
    assert import_claims_csv(text=text, dry_run=False, user=editor).saved
    claim = Claim.objects.get(milestone=milestones[0])
    assert claim.history.get().history_user == editor
    assert claim.source.history.get().history_user == editor
    assert claim.version == 1
    assert milestones[0].facts.current_target_latest == date(2026, 12, 31)
    rows = list(good_rows())
    rows[0] = {**rows[0], "speaker": "Liu Jincheng"}
    again = import_claims_csv(text=claim_file(*rows), dry_run=False, user=editor)
    assert [r.action for r in again.rows] == ["update", "unchanged"]
    claim.refresh_from_db()
    assert (claim.speaker, claim.version, claim.history.count()) == ("Liu Jincheng", 2, 2)


def test_two_rows_of_one_claim_in_a_file_are_refused(milestones):
    row = good_rows()[0]
    report = import_claims_csv(text=claim_file(row, {**row, "speaker": "other"}), dry_run=True)
    assert "already has a claim of this kind" in " ".join(report.rows[1].errors)


def test_import_reads_dates_as_precise_as_the_source_and_the_speakers_standing(
    editor_client, milestones
):
    url = reverse("admin:claims_source_import")
    rows = claim_file(
        {
            **ARTICLE,
            "source_published_on": "2024",
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "announcement",
            "stated_on": "2024年5月",
            "target": "2026年下半年",
        },
        {
            **ARTICLE,
            "source_published_on": "2024",
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "view",
            "standing": "third_party",
            "stated_on": "2024-Q3",
            "target": "between 2027 and 2030",
            "speaker": "An analyst",
        },
    )
    preview = editor_client.post(url, {"file": SimpleUploadedFile("c.csv", rows.encode())})
    text = preview.content.decode()
    assert "2 to create" in text, text[:3000]
    assert "said May 2024 (known from 31 May 2024), by the company" in text
    assert "read as H2 2026 (due by 31 Dec 2026)" in text
    assert "not counted in status or slip" in text
    editor_client.post(url, {"token": preview.context["token"], "confirm": "1"})
    view = Claim.objects.get(kind="view")
    assert (view.stated_on, view.stated_on_latest, view.stated_label) == (
        date(2024, 7, 1),
        date(2024, 9, 30),
        "Q3 2024",
    )
    assert view.standing == "third_party" and view.target_label == "2027–30"
    assert Source.objects.get().published_label == "2024"
    assert Source.objects.get().published_on_latest == date(2024, 12, 31)
    facts = milestones[0].facts
    assert facts.current_target_latest == date(2026, 12, 31)  # the view did not move it


def test_import_refuses_two_targets_in_one_cell_and_unreadable_dates(editor_client, milestones):
    url = reverse("admin:claims_source_import")
    rows = claim_file(
        {
            **ARTICLE,
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "announcement",
            "stated_on": "2025-09-02",
            "target": "2025-12 (phase 1); 2026-12 (phase 2)",
        },
        {
            **ARTICLE,
            "company": "eve-energy",
            "milestone": "Phase 2",
            "kind": "announcement",
            "stated_on": "sometime",
            "target": "2027",
        },
    )
    page = editor_client.post(url, {"file": SimpleUploadedFile("c.csv", rows.encode())})
    text = page.content.decode()
    assert "split it into one milestone per target" in text
    assert "Write it as precisely as the source gives it" in text
    assert "Nothing was imported" in text
    assert not Claim.objects.exists()


# Clean sources: one source a page, titles changed only on purpose, warnings that do not block


def test_a_known_page_in_another_spelling_is_the_same_source_and_keeps_its_url(milestones):
    source = SourceFactory(url="https://news.example.com/chengdu", title="Chengdu lines")
    row = {**good_rows()[0], "source_url": "http://www.news.example.com/chengdu/?utm_source=x"}
    report = import_claims_csv(text=claim_file(row), dry_run=False)
    assert report.saved
    assert Source.objects.count() == 1
    assert Claim.objects.get().source == source
    source.refresh_from_db()
    assert source.url == "https://news.example.com/chengdu"
    assert "near-duplicate source" in " ".join(report.rows[0].warnings)


def test_a_row_with_another_title_keeps_the_stored_title_and_warns(milestones):
    source = SourceFactory(url="https://news.example.com/chengdu", title="Chengdu lines")
    row = {**good_rows()[0], "source_title": "A different headline"}
    report = import_claims_csv(text=claim_file(row), dry_run=False)
    assert report.saved
    source.refresh_from_db()
    assert source.title == "Chengdu lines"
    assert (
        "source title differs: kept “Chengdu lines”; the file says “A different headline”"
        in " ".join(report.rows[0].warnings)
    )


def test_the_preview_page_shows_warnings(editor_client, milestones):
    SourceFactory(url="https://news.example.com/chengdu", title="Chengdu lines")
    row = {**good_rows()[0], "source_title": "A different headline"}
    upload = SimpleUploadedFile("claims.csv", claim_file(row).encode(), content_type="text/csv")
    page = editor_client.post(reverse("admin:claims_source_import"), {"file": upload})
    assert "Warnings (do not block)" in page.content.decode()
    assert "source title differs" in page.content.decode()


def test_an_unchanged_row_of_a_known_source_has_no_warnings(milestones):
    import_claims_csv(text=claim_file(*good_rows()), dry_run=False)
    again = import_claims_csv(text=claim_file(*good_rows()), dry_run=True)
    assert [r.warnings for r in again.rows] == [[], []]


def test_source_via_is_found_by_its_normalised_url(milestones):
    SourceFactory(url="https://news.example.com/chengdu")
    row = {
        **good_rows()[0],
        "source_url": "",
        "source_title": "EVE's WeChat post",
        "source_via_url": "http://news.example.com/chengdu#top",
    }
    assert import_claims_csv(text=claim_file(row), dry_run=False).saved


def test_new_source_from_the_import_has_its_url_key(milestones):
    row = {**good_rows()[0], "source_url": "https://www.news.example.com/new/?fbclid=1"}
    assert import_claims_csv(text=claim_file(row), dry_run=False).saved
    assert Source.objects.get().url_key == "news.example.com/new"


def test_two_spellings_of_a_new_page_in_one_file_make_one_source(milestones):
    first, second = good_rows()
    second = {**second, "source_url": "http://news.example.com/chengdu/"}
    report = import_claims_csv(text=claim_file(first, second), dry_run=False)
    assert report.saved
    assert Source.objects.count() == 1
    assert "near-duplicate source" in " ".join(report.rows[1].warnings)


@pytest.mark.parametrize(
    ("stated_on", "published_on", "warned"),
    [
        ("2025-09-02", "2025-09-08", ""),
        ("2023-06", "2025-09-08", "more than a year before its source appeared"),
        ("2025-09-20", "2025-09-08", "after its source appeared"),
        ("2025-09-20", "2025-09", ""),  # the source's month covers it
        ("2025-09-12", "2025-09-08", ""),  # within a week
    ],
)
def test_a_claim_dated_far_from_its_source_is_a_warning(
    milestones, stated_on, published_on, warned
):
    row = {**good_rows()[0], "stated_on": stated_on, "source_published_on": published_on}
    report = import_claims_csv(text=claim_file(row), dry_run=True)
    assert report.ok
    warnings = " ".join(report.rows[0].warnings)
    assert (warned in warnings) if warned else warnings == ""


def test_a_company_named_by_its_alias_is_matched_with_a_warning(milestones):
    eve = Company.objects.get(slug="eve-energy")
    eve.native_name = "亿纬锂能"
    eve.aliases = "EVE Lithium\nYiwei"
    eve.save()
    by_alias = {**good_rows()[0], "company": "yiwei"}
    by_native = {**good_rows()[0], "company": "亿纬锂能", "stated_on": "2025-09-03"}
    report = import_claims_csv(text=claim_file(by_alias, by_native), dry_run=False)
    assert report.saved
    assert "matched EVE Energy (eve-energy) by its alias" in " ".join(report.rows[0].warnings)
    assert report.rows[1].warnings == []
    assert Claim.objects.filter(milestone__company=eve).count() == 2


def test_a_name_two_companies_answer_to_is_an_error(milestones):
    CompanyFactory(name="Other", slug="other", aliases="EVE group")
    CompanyFactory(name="Another", slug="another", aliases="eve GROUP")
    report = import_claims_csv(
        text=claim_file({**good_rows()[0], "company": "EVE Group"}), dry_run=True
    )
    assert not report.ok
    assert "names Another (another) and Other (other): give the company's slug" in " ".join(
        report.rows[0].errors
    )


def test_a_name_beats_another_companys_alias(milestones):
    CompanyFactory(name="Other", slug="other", aliases="EVE Energy")
    report = import_claims_csv(
        text=claim_file(good_rows()[1] | {"company": "eve energy", "milestone": "eve-phase-2"}),
        dry_run=True,
    )
    assert report.ok and report.rows[0].warnings == []
