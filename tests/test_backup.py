"""Backups: the whole database round-trips through export_all and import_all."""

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import TestCase

from claims.backup import backed_up_models, checksum
from tests.demo_rows import load_demo


def snapshot() -> dict:
    """Every row of every backed-up model, with its many-to-many links."""
    data = {}
    for model in backed_up_models():
        rows = []
        for obj in model._default_manager.order_by("pk"):
            row = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
            rows.append(row)
        data[model._meta.label_lower] = rows
    return data


def wipe() -> None:
    """Empty the database the way a fresh migrate leaves it (seed rows kept)."""
    from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source

    for queryset in (
        Claim.objects.all(),
        Milestone.objects.all(),
        Facility.objects.all(),
        CompanyRelation.objects.all(),
        Source.objects.filter(via__isnull=False),
        Source.objects.all(),
        Company.objects.all(),
        apps.get_model("auth.User").objects.all(),
    ):
        queryset.delete()
    for model in backed_up_models():  # last: deleting records above writes history too
        if model._meta.label_lower.startswith("claims.historical"):
            model._default_manager.all().delete()


class BackupRoundTripTests(TestCase):
    def test_export_then_import_into_an_empty_database_restores_everything(self):
        load_demo()
        user = apps.get_model("auth.User").objects.create_user("ed", password="pw-12345-x")
        user.groups.add(Group.objects.get(name="Editors"))
        company = apps.get_model("claims.Company").objects.get(slug="eve-energy")
        company._history_user = user
        company.description += " Edited."
        company.save()
        company.technologies.add(apps.get_model("claims.Technology").objects.last())
        user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
        LogEntry.objects.log_actions(user.pk, [company], CHANGE, change_message="Edited.")
        before = snapshot()
        assert before["claims.historicalcompany"]
        assert before["claims.historicalcompany_technologies"]
        assert before["admin.logentry"]

        path = self.tmp / "backup.json"
        call_command("export_all", path)
        document = json.loads(path.read_text())
        assert (document["format"], document["version"]) == ("ssbtracker-backup", 2)
        users = [o for o in document["objects"] if o["model"] == "auth.user"]
        assert users[0]["fields"]["user_permissions"] == [["view_logentry", "admin", "logentry"]]
        assert users[0]["fields"]["groups"] == [["Editors"]]
        assert document["counts"]["claims.claim"] == len(before["claims.claim"])

        wipe()
        assert not apps.get_model("claims.Claim").objects.exists()
        call_command("import_all", path)
        after = snapshot()
        for label in before:
            assert len(before[label]) == len(after[label]), (label, after[label][-1])
            for old, new in zip(before[label], after[label], strict=True):
                assert old == new, (
                    label,
                    {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)},
                )
        assert after == before
        # New rows get new ids after the restore (sequences moved past the restored ones).
        created = apps.get_model("claims.Source").objects.create(
            url="https://x.example/new", title="t", publisher="p", published_on="2025-01-01"
        )
        assert created.pk > max(r["id"] for r in before["claims.source"])

    def test_import_refuses_a_database_with_data_and_changes_nothing(self):
        load_demo()
        path = self.tmp / "backup.json"
        call_command("export_all", path)
        before = snapshot()
        with pytest.raises(CommandError, match="already holds tracker data"):
            call_command("import_all", path)
        after = snapshot()
        for label in before:
            assert len(before[label]) == len(after[label]), (label, after[label][-1])
            for old, new in zip(before[label], after[label], strict=True):
                assert old == new, (
                    label,
                    {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)},
                )
        assert after == before

    def test_import_refuses_other_files(self):
        bad = self.tmp / "bad.json"
        bad.write_text('{"format": "something-else"}')
        with pytest.raises(CommandError, match="not an SSB Tracker backup"):
            call_command("import_all", bad)
        bad.write_text('{"format": "ssbtracker-backup", "version": 99, "objects": []}')
        with pytest.raises(CommandError, match="version 99"):
            call_command("import_all", bad)
        bad.write_text("not json")
        with pytest.raises(CommandError, match="not a readable backup"):
            call_command("import_all", bad)

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path


def tamper(path, change, *, reseal: bool = True) -> None:
    """Edit a backup file; reseal it (a new checksum) as someone who knows the format would."""
    document = json.loads(path.read_text())
    change(document)
    if reseal:
        document["checksum"] = checksum(document["objects"])
    path.write_text(json.dumps(document))


def drop_a_claim(document):
    claims = [o for o in document["objects"] if o["model"] == "claims.claim"]
    document["objects"].remove(claims[0])


def make_superuser(document):
    user = next(o for o in document["objects"] if o["model"] == "auth.user")
    user["fields"]["is_superuser"] = True


def break_a_source_link(document):
    claim = next(o for o in document["objects"] if o["model"] == "claims.claim")
    claim["fields"]["source"] = 999_999


def grant_an_unknown_permission(document):
    user = next(o for o in document["objects"] if o["model"] == "auth.user")
    user["fields"]["user_permissions"].append(["fly", "claims", "claim"])


def garble_a_record(document):
    claim = next(o for o in document["objects"] if o["model"] == "claims.claim")
    claim["fields"]["stated_on"] = "not a date"


TAMPERED = [
    (drop_a_claim, False, "does not match its checksum"),
    (make_superuser, False, "does not match its checksum"),
    (drop_a_claim, True, "do not match its counts: claims.claim"),
    (break_a_source_link, True, "could not be restored"),
    (grant_an_unknown_permission, True, "permission this database does not have"),
    (garble_a_record, True, "could not be restored"),
]


class TamperedBackupTests(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path

    def test_a_tampered_file_is_refused_and_nothing_is_changed(self):
        load_demo()
        user = apps.get_model("auth.User").objects.create_user("ed", password="pw-12345-x")
        user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
        path = self.tmp / "backup.json"
        call_command("export_all", path)
        wipe()
        empty = snapshot()
        original = path.read_text()
        for change, reseal, message in TAMPERED:
            with self.subTest(change.__name__, reseal=reseal):
                path.write_text(original)
                tamper(path, change, reseal=reseal)
                with pytest.raises(CommandError, match=message) as caught:
                    call_command("import_all", path)
                assert "Nothing was changed." in str(caught.value)
                assert snapshot() == empty
        path.write_text(original)
        call_command("import_all", path)
        assert apps.get_model("claims.Claim").objects.exists()
