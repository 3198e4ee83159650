"""The workbook: six sheets in, the same six out; preview, all-or-nothing, idempotent."""

import copy
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.workbook.export import TEMPLATE_SHEETS, export_sheets
from claims.workbook.plan import import_workbook
from claims.workbook.sheets import (
    SHEETS,
    WorkbookFileError,
    read_workbook,
    write_csv_zip,
    write_xlsx,
)
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    FacilityFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

ARTICLE = "https://news.example.com/example-cells-line"


@pytest.fixture
def demo_data():
    from tests.demo_rows import load_demo

    load_demo()


def template() -> dict:
    return copy.deepcopy(TEMPLATE_SHEETS)


def run(sheets, dry_run=False):
    return import_workbook(sheets=read_workbook(write_xlsx(sheets)), dry_run=dry_run)


def only(report, sheet):
    return [r for r in report.rows if r.sheet == sheet]


def claim(**fields) -> dict:
    row = dict(TEMPLATE_SHEETS["claims"][0])
    row.update(fields)
    return row


def snapshot() -> dict:
    tables = {}
    for model in (Company, Source, CompanyRelation, Facility, Milestone, Claim):
        tables[model.__name__] = sorted(map(repr, model.objects.values()))
        tables[f"{model.__name__} history"] = model.history.count()
    tables["partners"] = sorted(Milestone.partners.through.objects.values_list())
    tables["technologies"] = sorted(Company.technologies.through.objects.values_list())
    return tables


# Round trip ---------------------------------------------------------------------------------


def test_template_imports_into_an_empty_tracker_then_changes_nothing():
    report = run(template())
    assert report.saved, [r.errors for r in report.rows]
    assert report.counts["create"] == 7
    company = Company.objects.get(slug="example-cells")
    claim = Claim.objects.get()
    assert claim.milestone.facility.company == company
    assert claim.target_label == "2026" and claim.stated_on_precision == "month"
    assert CompanyRelation.objects.get().from_company.slug == "example-equipment"
    assert Source.objects.get().url_key == "news.example.com/example-cells-line"
    again = run(template())
    assert {r.action for r in again.rows} == {"unchanged"}


def test_demo_data_round_trip_changes_nothing(demo_data):
    source = Source.objects.exclude(url="").first()
    ClaimFactory(
        milestone=Milestone.objects.first(),
        source=source,
        stated_on=date(source.published_on.year, 1, 1),
        stated_on_precision="year",
        target_text="FY2027"
        if Milestone.objects.first().company.fiscal_year_start_month
        else "2027",
        quote="=A1 looks like a formula",
    )
    before = snapshot()
    exported = write_xlsx(export_sheets())
    report = import_workbook(sheets=read_workbook(exported), dry_run=False)
    assert report.ok
    assert {r.action for r in report.rows} == {"unchanged"}
    assert not report.warning_count
    assert snapshot() == before


def test_cell_figures_round_trip_through_the_workbook():
    sheets = template()
    sheets["facilities"][0] |= {"cell_ah": "60", "cell_nominal_voltage": "3.7"}
    sheets["milestones"][0]["cycle_life"] = "1200"
    assert run(sheets).saved
    facility, milestone = Facility.objects.get(), Milestone.objects.get()
    assert (facility.cell_ah, facility.cell_nominal_voltage) == (60, Decimal("3.7"))
    assert milestone.cycle_life == 1200
    exported = export_sheets()
    assert {k: exported["facilities"][0][k] for k in ("cell_ah", "cell_nominal_voltage")} == {
        "cell_ah": "60",
        "cell_nominal_voltage": "3.7",
    }
    assert exported["milestones"][0]["cycle_life"] == "1200"
    again = import_workbook(sheets=read_workbook(write_xlsx(exported)), dry_run=False)
    assert {r.action for r in again.rows} == {"unchanged"}


def test_a_changed_cycle_life_is_listed_and_a_negative_one_refused():
    run(template())
    sheets = template()
    sheets["milestones"][0]["cycle_life"] = "800"
    sheets["facilities"][0]["cell_nominal_voltage"] = "3.2"
    report = run(sheets, dry_run=True)
    assert ("cycle life", "(empty)", "800") in only(report, "milestones")[0].changes
    assert ("cell nominal voltage", "(empty)", "3.2") in only(report, "facilities")[0].changes
    sheets["milestones"][0]["cycle_life"] = "-800"
    refused = run(sheets)
    assert not refused.saved
    assert "greater than or equal to 0" in " ".join(only(refused, "milestones")[0].errors)
    assert Milestone.objects.get().cycle_life is None


def test_csv_zip_round_trip_reads_like_the_workbook(demo_data):
    sheets = export_sheets()
    assert read_workbook(write_csv_zip(sheets)) == read_workbook(write_xlsx(sheets))


def test_preview_saves_nothing():
    report = run(template(), dry_run=True)
    assert report.ok and not report.saved
    assert not Company.objects.exists() and not Claim.objects.exists()


def test_template_has_an_example_row_per_sheet_and_a_guide_to_every_column():
    sheets = read_workbook(write_xlsx(TEMPLATE_SHEETS, guide=True))
    assert all(sheets[name] for name in SHEETS)
    import tablib

    book = tablib.Databook()
    book.load(write_xlsx(TEMPLATE_SHEETS, guide=True), format="xlsx")
    guide = next(s for s in book.sheets() if s.title == "README")
    guided = {(row[0], row[1]) for row in guide}
    assert {(sheet, c.name) for sheet, cols in SHEETS.items() for c in cols} <= guided


# All or nothing, matching ------------------------------------------------------------------


def test_one_bad_row_saves_nothing_and_names_the_row():
    sheets = template()
    sheets["claims"].append(claim(kind="announcement", stated_on="2025-08", target="soonish"))
    report = run(sheets)
    assert not report.saved
    bad = only(report, "claims")[1]
    assert bad.line == 3 and "Could not read" in " ".join(bad.errors)
    assert not Company.objects.exists() and not Source.objects.exists()


def test_update_lists_each_changed_field_old_and_new():
    run(template())
    sheets = template()
    sheets["facilities"][0]["capacity_value"] = "200"
    sheets["claims"][0]["target"] = "2027-H1"
    report = run(sheets, dry_run=True)
    facility = only(report, "facilities")[0]
    assert facility.action == "update"
    assert ("capacity value", "100", "200") in facility.changes
    assert ("target text", "2026年底", "2027-H1") in only(report, "claims")[0].changes


def test_company_matched_by_alias_is_a_warning_and_updates_it():
    CompanyFactory(name="EVE Energy", slug="eve-energy", aliases="EVE\n亿纬")
    sheets = template()
    sheets["claims"][0]["company"] = "Example Cells"
    sheets["companies"][0].update(slug="eve", name="EVE")
    sheets["facilities"][0]["company"] = "亿纬"
    sheets["milestones"][0]["company"] = "EVE"
    sheets["claims"][0]["company"] = "eve-energy"
    sheets["relations"][0]["to_company"] = "eve-energy"
    report = run(sheets, dry_run=True)
    assert report.ok, [r.errors for r in report.rows]
    company = only(report, "companies")[0]
    assert company.action == "update"
    assert any("alias of the stored EVE Energy" in w for w in company.warnings)
    assert ("name", "EVE Energy", "EVE") in company.changes  # the row renames it
    facility = only(report, "facilities")[0]
    assert any("“亿纬” is an alias of EVE (eve-energy)" in w for w in facility.warnings)


def test_a_name_matching_two_companies_is_an_error():
    CompanyFactory(name="Qingtao Energy", slug="qingtao", aliases="QT")
    CompanyFactory(name="QT", slug="qt-labs")
    sheets = template()
    sheets["milestones"][0]["company"] = "qt"
    report = run(sheets, dry_run=True)
    assert "names two companies" in " ".join(only(report, "milestones")[0].errors)


def test_source_matched_by_normalised_url_keeps_stored_url_and_title():
    stored = SourceFactory(url=ARTICLE, title="Stored title", published_on=date(2025, 9, 1))
    sheets = template()
    sheets["sources"][0]["url"] = "http://www.news.example.com/example-cells-line/?utm_source=x"
    sheets["claims"][0]["source"] = sheets["sources"][0]["url"]
    report = run(sheets)
    assert report.saved
    row = only(report, "sources")[0]
    assert any("the stored title “Stored title” is kept" in w for w in row.warnings)
    assert Source.objects.get().pk == stored.pk
    assert Source.objects.get().url == ARTICLE and Source.objects.get().title == "Stored title"
    sheets["sources"][0]["retitle"] = "yes"
    retitled = run(sheets)
    assert only(retitled, "sources")[0].action == "update"
    assert Source.objects.get().title == TEMPLATE_SHEETS["sources"][0]["title"]


def test_near_duplicate_source_is_a_warning():
    SourceFactory(
        url=ARTICLE + "?id=1", title="Example Cells rolls out its first all-solid-state cell"
    )
    report = run(template(), dry_run=True)
    assert report.ok
    assert any("looks like" in w for w in only(report, "sources")[0].warnings)


def test_claim_stated_long_before_or_after_its_source_is_a_warning():
    sheets = template()
    sheets["claims"][0]["stated_on"] = "2023-01"
    early = run(sheets, dry_run=True)
    assert any("months before its source" in w for w in only(early, "claims")[0].warnings)
    sheets["claims"][0]["stated_on"] = "2025-10-02"
    late = run(sheets, dry_run=True)
    assert late.ok
    assert any("after its source was published" in w for w in only(late, "claims")[0].warnings)


# The admin's rules -------------------------------------------------------------------------


def test_fiscal_year_target_needs_the_new_companys_fiscal_year():
    sheets = template()
    sheets["claims"][0]["target"] = "FY2027"
    refused = run(sheets, dry_run=True)
    assert "fiscal year" in " ".join(only(refused, "claims")[0].errors)
    sheets["companies"][0]["fiscal_year_start_month"] = "4"
    report = run(sheets)
    assert report.saved
    assert Claim.objects.get().target_latest == date(2028, 3, 31)


def test_facility_needs_a_country():
    sheets = template()
    sheets["facilities"][0]["country"] = ""
    report = run(sheets, dry_run=True)
    assert "facility country" in " ".join(only(report, "facilities")[0].errors)


def test_milestone_facility_must_be_its_companys():
    FacilityFactory(slug="other-plant", company=CompanyFactory(slug="other"))
    sheets = template()
    sheets["milestones"][0]["facility"] = "other-plant"
    report = run(sheets, dry_run=True)
    assert "not to this milestone's company" in " ".join(only(report, "milestones")[0].errors)


def test_partner_standing_needs_a_partner_named_in_the_file():
    sheets = template()
    sheets["claims"][0]["standing"] = "partner"
    refused = run(sheets, dry_run=True)
    assert "names no partner" in " ".join(only(refused, "claims")[0].errors)
    sheets["milestones"][0]["partners"] = "example-equipment"
    report = run(sheets)
    assert report.saved
    assert list(Milestone.objects.get().partners.values_list("slug", flat=True)) == [
        "example-equipment"
    ]


@pytest.mark.parametrize(
    ("target", "label"),
    [
        ("2026年下半年", "H2 2026"),
        ("2027年底前", "2027"),
        ("Nov 2026", "Nov 2026"),
        ("2027", "2027"),
    ],
)
def test_chinese_and_month_targets_enter_as_stated(target, label):
    sheets = template()
    sheets["claims"][0]["target"] = target
    assert run(sheets).saved
    assert Claim.objects.get().target_label == label


def test_two_targets_in_one_cell_are_refused_with_split_it():
    sheets = template()
    sheets["claims"][0]["target"] = "2027年小批量，2030年量产"
    report = run(sheets, dry_run=True)
    assert "split it" in " ".join(only(report, "claims")[0].errors)


def test_third_party_view_enters_without_rewording():
    sheets = template()
    sheets["claims"].append(
        claim(kind="view", standing="third_party", speaker="an analyst", target="2030年以后")
    )
    report = run(sheets)
    assert report.saved
    view = Claim.objects.get(kind="view")
    assert view.target_label == "after 2030" and not view.counts
    assert "not counted" in " ".join(only(report, "claims")[1].understood)


def test_unknown_sheet_layout_is_refused():
    with pytest.raises(WorkbookFileError):
        read_workbook(b"not a zip")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("claims.csv", "company,milestone\nx,y\n")
    with pytest.raises(WorkbookFileError, match="lacks these columns"):
        read_workbook(archive.getvalue())


# Through the admin -------------------------------------------------------------------------


def workbook_file(sheets=None):
    return SimpleUploadedFile("workbook.xlsx", write_xlsx(sheets or template()))


def test_editor_previews_then_confirms_a_workbook(editor_client):
    url = reverse("editor_tools:workbook_import")
    preview = editor_client.post(url, {"file": workbook_file()})
    text = preview.content.decode()
    assert "Preview: nothing has been saved yet" in text and "7 to create" in text
    assert "read as 2026" in text
    assert not Company.objects.exists()
    confirmed = editor_client.post(url, {"token": preview.context["token"], "confirm": "1"})
    assert confirmed.status_code == 302
    assert Claim.objects.count() == 1


def test_a_previewed_workbook_is_only_its_editors(editor_client, django_user_model):
    url = reverse("editor_tools:workbook_import")
    token = editor_client.post(url, {"file": workbook_file()}).context["token"]
    other = django_user_model.objects.create_superuser("other", password="x-9-long-password")
    editor_client.force_login(other)
    page = editor_client.post(url, {"token": token, "confirm": "1"})
    assert "expired or is not yours" in page.content.decode()
    assert not Company.objects.exists()


@pytest.mark.parametrize("name", ["workbook_import", "workbook_export", "workbook_template"])
def test_workbook_pages_permission_ladder(client, django_user_model, name):
    url = reverse(f"editor_tools:{name}")
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    user = django_user_model.objects.create_user(
        "clerk", password="x-9-long-password", is_staff=True
    )
    client.force_login(user)
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_claim", "change_claim"]))
    assert client.get(url).status_code == 403
    models = ["company", "companyrelation", "facility", "milestone", "source", "claim"]
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[f"{a}_{m}" for m in models for a in ("add", "change")]
        )
    )
    assert client.get(url).status_code == 200


def test_admin_index_links_the_workbook_pages(editor_client):
    text = editor_client.get(reverse("admin:index")).content.decode()
    assert reverse("editor_tools:workbook_import") in text
    assert reverse("editor_tools:workbook_template") in text


def test_export_downloads_the_workbook(editor_client):
    run(template())
    response = editor_client.get(reverse("editor_tools:workbook_export"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert read_workbook(response.content)["claims"][0]["target"] == "2026年底"
    zipped = editor_client.get(reverse("editor_tools:workbook_export"), {"format": "zip"})
    assert read_workbook(zipped.content)["companies"][0]["slug"] == "example-cells"
