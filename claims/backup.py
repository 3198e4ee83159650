"""Backups as one JSON file: every tracker record, its edit history, and the editors.

Format (version 2):

    {
      "format": "ssbtracker-backup",
      "version": 2,
      "exported_at": "2026-11-26T12:00:00+00:00",
      "counts": {"claims.company": 43, ...},
      "checksum": "sha256 of the objects, as canonical JSON",
      "objects": [ ...Django's serialised objects, in dependency order... ]
    }

What it holds: the editors (groups and users, their permissions by natural key: app label
and codename), every model of the claims app (the stored facts excepted: they are derived
again) with every history model simple_history keeps for them, technologies' history on
companies included, and the admin's log (its content types by natural key). Objects keep
their primary keys, so every relation and every history entry survives the round trip.

import_all restores only into a database that has no tracker data and no users yet (a fresh
`migrate`), and checks the whole file first: its checksum, its counts per table, the
permissions and content types it names, and every foreign key once the rows are in. Any
failure rolls everything back: nothing was changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction

from claims.facts import refresh_facts

FORMAT = "ssbtracker-backup"
VERSION = 2

TRACKER_MODELS = [
    "claims.technology",
    "claims.company",
    "claims.source",
    "claims.companyrelation",
    "claims.facility",
    "claims.milestone",
    "claims.claim",
]


class BackupError(Exception):
    """The file is not a backup this version can read, or the database is not empty."""


def tracker_models() -> list:
    """Every model of the claims app, records before their histories, minus derived facts."""
    records = [apps.get_model(label) for label in TRACKER_MODELS]
    others = [
        model
        for model in apps.get_app_config("claims").get_models()
        if model not in records and model._meta.model_name != "milestonefacts"
    ]
    # History models in the order of their records; the m2m history after its parent.
    others.sort(key=lambda m: ("_" in m._meta.model_name, m._meta.model_name))
    return [*records, *others]


def backed_up_models() -> list:
    """Groups and users first, then tracker records, then their histories, then the log."""
    return [Group, get_user_model(), *tracker_models(), LogEntry]


#: Models whose foreign keys are written by natural key: permissions and content types are
#: created by `migrate`, with ids that differ between databases; log entries name users.
NATURAL_KEYS = {Group, LogEntry}


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes to the microsecond: a restore must be exact."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _label(model) -> str:
    return model._meta.label_lower


def _canonical(objects: list) -> str:
    return json.dumps(objects, cls=_Encoder, ensure_ascii=False, sort_keys=True)


def checksum(objects: list) -> str:
    return hashlib.sha256(_canonical(objects).encode("utf-8")).hexdigest()


def export_all(path: Path) -> dict[str, int]:
    objects, counts = [], {}
    for model in backed_up_models():
        queryset = model._default_manager.order_by("pk")
        counts[_label(model)] = queryset.count()
        natural = model in NATURAL_KEYS or model is get_user_model()
        objects.extend(serializers.serialize("python", queryset, use_natural_foreign_keys=natural))
    objects = json.loads(_canonical(objects))  # as the file will read back
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "checksum": checksum(objects),
        "objects": objects,
    }
    path.write_text(
        json.dumps(document, cls=_Encoder, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return counts


def _read(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable backup file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is not an SSB Tracker backup (no format: {FORMAT!r}).")
    if document.get("version") != VERSION:
        raise BackupError(
            f"{path} is a version {document.get('version')!r} backup; this release reads "
            f"version {VERSION}."
        )
    objects = document.get("objects")
    if not isinstance(objects, list) or not isinstance(document.get("counts"), dict):
        raise BackupError(f"{path} has no list of objects and counts.")
    if document.get("checksum") != checksum(objects):
        raise BackupError(
            f"{path} does not match its checksum: it was changed or cut short after export."
        )
    _check_counts(objects, document["counts"])
    _check_natural_keys(objects)
    return document


def _check_counts(objects: list, listed: dict) -> None:
    known = {_label(model) for model in backed_up_models()}
    found: dict[str, int] = {}
    for obj in objects:
        label = obj.get("model") if isinstance(obj, dict) else None
        if label not in known:
            raise BackupError(f"The backup holds records of an unknown table: {label!r}.")
        found[label] = found.get(label, 0) + 1
    expected = {k: v for k, v in listed.items() if v}
    if found != expected:
        wrong = sorted(
            f"{label}: {found.get(label, 0)} found, {expected.get(label, 0)} listed"
            for label in set(found) | set(expected)
            if found.get(label, 0) != expected.get(label, 0)
        )
        raise BackupError("The backup's records do not match its counts: " + "; ".join(wrong))


def _check_natural_keys(objects: list) -> None:
    """Every permission and content type the file names exists here (made by `migrate`)."""
    permissions = set()
    for obj in objects:
        if obj["model"] in ("auth.group", _label(get_user_model())):
            fields = obj.get("fields", {})
            for key in fields.get("permissions", []) + fields.get("user_permissions", []):
                permissions.add(tuple(key))
    for key in sorted(permissions):
        try:
            Permission.objects.get_by_natural_key(*key)
        except (ObjectDoesNotExist, TypeError, ValueError):
            raise BackupError(
                f"The backup gives a permission this database does not have: {key!r}."
            ) from None
    for obj in objects:
        if obj["model"] == "admin.logentry":
            key = obj.get("fields", {}).get("content_type")
            if key is None:
                continue
            try:
                ContentType.objects.get_by_natural_key(*key)
            except (ObjectDoesNotExist, TypeError, ValueError):
                raise BackupError(
                    f"The backup's admin log names an unknown content type: {key!r}."
                ) from None


@transaction.atomic
def import_all(path: Path) -> dict[str, int]:
    """Restore a backup into an empty database, keeping every primary key."""
    document = _read(path)
    tracker = [apps.get_model(label) for label in TRACKER_MODELS[1:]]
    if any(model.objects.exists() for model in tracker) or get_user_model().objects.exists():
        raise BackupError(
            "The database already holds tracker data or users: restore into a freshly "
            "migrated, empty database."
        )
    # The migrations seed technologies and the Editors group; the backup brings its own.
    technology = apps.get_model("claims.technology")
    technology.objects.all().delete()
    technology.history.all().delete()  # the deletions just recorded are not history to keep
    Group.objects.all().delete()
    counts: dict[str, int] = {}
    try:
        for obj in serializers.deserialize(
            "python", document["objects"], handle_forward_references=True
        ):
            # History comes from the backup itself: the restore must not add any.
            obj.object.skip_history_when_saving = True
            obj.save()
            label = _label(type(obj.object))
            counts[label] = counts.get(label, 0) + 1
        tables = [model._meta.db_table for model in backed_up_models()]
        tables += [
            field.remote_field.through._meta.db_table
            for model in backed_up_models()
            for field in model._meta.local_many_to_many
        ]
        connection.check_constraints(table_names=tables)
    except (
        serializers.base.DeserializationError,
        DatabaseError,
        ValidationError,
        ObjectDoesNotExist,
        LookupError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        raise BackupError(f"The backup could not be restored: {exc}") from None
    expected = {k: v for k, v in document.get("counts", {}).items() if v}
    if counts != expected:
        raise BackupError(f"Restored {counts}, but the backup lists {expected}.")
    _reset_sequences()
    refresh_facts()  # rows restored as they were send no signal to keep them
    return counts


def _reset_sequences() -> None:
    """Point PostgreSQL's id sequences past the restored ids (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
