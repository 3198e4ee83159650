"""Optimistic locking in the admin: every form carries the version it was read at; a stale save is
refused with what changed."""

from __future__ import annotations

from django import forms
from django.db import transaction
from simple_history.models import to_historic

from claims.locking import lock_for_edit


def conflict_message(instance, submitted: int, current: int) -> str:
    """What another editor changed between the version this form showed and the current one."""
    history = instance.history.order_by("-history_date", "-history_id")
    seen = history.filter(version=submitted).first()
    latest = history.filter(version=current).first()
    who = "another editor"
    when = ""
    changes = []
    if latest is not None:
        if latest.history_user is not None:
            who = latest.history_user.get_username()
        when = f" at {latest.history_date:%d %b %Y %H:%M} UTC"
        if seen is not None:
            for change in latest.diff_against(seen, excluded_fields=["version"]).changes:
                name = instance._meta.get_field(change.field).verbose_name
                changes.append(f"{name}: “{change.old}” → “{change.new}”")
    detail = "; ".join(changes) if changes else "see the record's history"
    return (
        f"{who} changed this {instance._meta.verbose_name}{when} while you were editing it, "
        f"so your changes were not saved. What changed: {detail}. Reload the page to see the "
        "current version, then make your change again."
    )


MISSING_VERSION = "This form is missing its version: reload the page and make your change again."


class VersionedModelForm(forms.ModelForm):
    """Refuses to save over a newer version of the record (optimistic concurrency).

    An existing record's form must post the version it was opened on; a new record has none.
    The rows are locked beforehand, in the one lock order (VersionedAdminMixin).
    """

    #: An inline row: when another editor saved its record and this editor left the row as
    #: they saw it, the row is skipped instead of refusing the whole page.
    inline = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.untouched = False
        if "version" in self.fields:
            self.fields["version"] = forms.CharField(required=False, widget=forms.HiddenInput)
            history = to_historic(self.instance) if self.instance.pk else None
            if history is not None:
                # A revert form shows an old version's values; it was opened on the current one.
                self.initial["version"] = current_version(self.instance)
                for field in self.instance._meta.many_to_many:
                    if field.name in self.fields and hasattr(history, field.name):
                        target = field.m2m_reverse_field_name()
                        rows = getattr(history, field.name).values_list(target, flat=True)
                        self.initial[field.name] = list(rows)

    @property
    def changed_data(self) -> list[str]:
        if self.untouched:
            return []
        # The version is bookkeeping, not a change: an extra inline row is still empty.
        return [name for name in super().changed_data if name != "version"]

    def clean(self):
        cleaned = super().clean()
        if "version" not in self.fields:
            return cleaned
        text = (cleaned.pop("version", None) or "").strip()
        if not self.instance.pk:
            return cleaned
        if not text.isdigit():
            raise forms.ValidationError(MISSING_VERSION, code="missing_version")
        submitted = int(text)
        current = current_version(self.instance, lock=True)
        if current is None:
            return cleaned
        if current != submitted:
            if self.inline and not self._edited_since(submitted):
                self.untouched = True
                return cleaned
            raise forms.ValidationError(
                conflict_message(self.instance, submitted, current), code="conflict"
            )
        self.instance.version = current
        return cleaned

    def _edited_since(self, version: int) -> bool:
        """Whether this editor changed the row from what it was at `version`."""
        seen = self.instance.history.filter(version=version).order_by("-history_id").first()
        if seen is None:
            return True
        names = [n for n in self.fields if n != "version"]
        initial = forms.models.model_to_dict(seen.instance, fields=names)
        return any(
            self.fields[n].has_changed(initial.get(n), self[n].data)
            for n in names
            if not self.fields[n].disabled
        )


def current_version(instance, lock: bool = False) -> int | None:
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if lock and transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(no_key=True)
    return rows.values_list("version", flat=True).first()


class VersionedInlineForm(VersionedModelForm):
    inline = True


class VersionedAdminMixin:
    """Change forms and history reverts: one transaction, the rows locked first in the one
    lock order (claims/locking.py), then the stale-edit check of VersionedModelForm."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            lock_for_edit(self.model, object_id, request.POST)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        with transaction.atomic():
            lock_for_edit(self.model, object_id, request.POST)
            return super().history_form_view(request, object_id, version_id, extra_context)
