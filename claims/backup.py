"""Backups as one JSON file: every tracker record, its edit history, and the editors.

Format (version 1):

    {
      "format": "ssbtracker-backup",
      "version": 1,
      "exported_at": "2026-11-26T12:00:00+00:00",
      "counts": {"claims.company": 43, ...},
      "objects": [ ...Django's serialised objects, in dependency order... ]
    }

Objects keep their primary keys, so every relation and every history entry survives the
round trip. Groups refer to permissions by natural key (app label, codename), so a backup
restores into any database migrated to the same schema. import_all restores only into a
database that has no tracker data and no users yet (a fresh `migrate`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from claims.facts import refresh_facts

FORMAT = "ssbtracker-backup"
VERSION = 1

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


def backed_up_models() -> list:
    """Groups and users first, then tracker records, then their histories."""
    tracker = [apps.get_model(label) for label in TRACKER_MODELS]
    histories = [model.history.model for model in tracker]
    return [Group, get_user_model(), *tracker, *histories]


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes to the microsecond: a restore must be exact."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _label(model) -> str:
    return model._meta.label_lower


def export_all(path: Path) -> dict[str, int]:
    objects, counts = [], {}
    for model in backed_up_models():
        queryset = model._default_manager.order_by("pk")
        counts[_label(model)] = queryset.count()
        objects.extend(
            serializers.serialize("python", queryset, use_natural_foreign_keys=model is Group)
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
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
    return document


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
    except (serializers.base.DeserializationError, KeyError, ValueError) as exc:
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
