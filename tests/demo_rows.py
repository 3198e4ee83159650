"""The demo data for tests that need it again and again: loaded through load_demo_data()
once per test process, then put back row for row.

A transactional test (the browser tests) ends by emptying every table, and loading the
YAML files again through the admin's validation takes seconds each time. The rows put back
are the rows the first load wrote, history and stored facts included (their auto_now
timestamps take the time they are put back, as a load's would).
tests/test_demo.py tests the loading itself and always loads for real.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from claims.cache import bump_data_version
from claims.models import Technology
from claims.services import load_demo_data

_rows: dict[type, list[dict]] | None = None


def _models() -> list[type]:
    return list(apps.get_app_config("claims").get_models(include_auto_created=True))


def load_demo() -> None:
    """The demo data in a database holding only what the migrations seed."""
    global _rows
    if _rows is None:
        load_demo_data()
        _rows = {m: list(m._base_manager.values()) for m in _models()}
        return
    with transaction.atomic():
        # The seeded technologies again, under the primary keys the demo's links name.
        Technology.objects.all().delete()
        for model, rows in _rows.items():
            model._base_manager.bulk_create([model(**row) for row in rows])
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(_rows)):
                cursor.execute(statement)
    bump_data_version()
