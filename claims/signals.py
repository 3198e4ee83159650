"""Keep the page cache fresh: any write to tracker data replaces the data version.

Only that: no domain logic lives here (see claims/cache.py).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

from claims.cache import bump_data_version_now_and_on_commit


def data_changed(sender, **kwargs) -> None:
    bump_data_version_now_and_on_commit()


def connect() -> None:
    """Listen to every tracker model (not their history copies) and its many-to-many tables."""
    for model in apps.get_app_config("claims").get_models():
        # History copies, and the stored facts: they are rewritten only with claims, which
        # move the version themselves, and must stay free to delete in bulk.
        if issubclass(model, HistoricalChanges) or model._meta.model_name == "milestonefacts":
            continue
        uid = f"claims-data-version-{model._meta.label_lower}"
        post_save.connect(data_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                data_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
            )
