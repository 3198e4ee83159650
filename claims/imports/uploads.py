"""A previewed file, kept on the server until its editor confirms it, and the step of an import
page that previews a new file or imports a kept one (the CSV imports and the workbook)."""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from claims.imports.files import ImportReport
from claims.imports.rows import StaleImportError

#: How long a previewed file waits for its confirmation.
UPLOAD_SECONDS = 3600


class UploadGone(Exception):
    """The token names no kept file of this editor for this import (expired, or not theirs)."""


def _upload_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "ssbtracker-imports"
    path = Path(getattr(settings, "IMPORT_UPLOAD_DIR", default))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def keep_upload(*, user_id: int, kind: str, text: str) -> str:
    """Keep a previewed file for its editor; return the token its confirmation posts."""
    directory = _upload_dir()
    for old in directory.glob("*.json"):  # forget files nobody confirmed
        if old.stat().st_mtime < time.time() - UPLOAD_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    document = {"user": user_id, "kind": kind, "text": text}
    (directory / f"{token}.json").write_text(json.dumps(document), encoding="utf-8")
    return token


def take_upload(*, user_id: int, kind: str, token: str, remove: bool = False) -> str:
    """The text of a kept file, if `token` is this editor's for this import and not expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token or ""):
        raise UploadGone
    path = _upload_dir() / f"{token}.json"
    try:
        if path.stat().st_mtime < time.time() - UPLOAD_SECONDS:
            raise UploadGone
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UploadGone from None
    if document.get("user") != user_id or document.get("kind") != kind:
        raise UploadGone
    if remove:
        path.unlink(missing_ok=True)
    return document["text"]


@dataclass(frozen=True)
class ImportStep:
    """What a step of an import page gives: the report, or why there is none (error); and,
    for a good preview, the token that confirms it."""

    report: ImportReport | None = None
    error: str = ""
    token: str = ""


def preview_or_import(
    *,
    user_id: int,
    kind: str,
    upload: str | None,
    token: str,
    run: Callable[[str, bool], ImportReport],
    file_error: type[Exception],
    gone: str,
) -> ImportStep:
    """Preview a new file, or import the kept one its token names.

    A new file (`upload`, its text) is run as a dry run and, when every row is good, kept for
    its editor under a new token. Without one, the file that `token` names is imported, then
    forgotten. `run(text, dry_run)` reads and imports a file. A file it cannot read
    (`file_error`), a record changed meanwhile, or a token expired or not this editor's
    (`gone`, the words to say) gives an error instead of a report.
    """
    confirm = upload is None
    try:
        text = take_upload(user_id=user_id, kind=kind, token=token) if confirm else upload
        report = run(text, not confirm)
    except UploadGone:
        return ImportStep(error=gone)
    except (file_error, StaleImportError) as exc:
        return ImportStep(error=str(exc))
    if report.saved:
        take_upload(user_id=user_id, kind=kind, token=token, remove=True)
    elif report.ok:
        return ImportStep(report, token=keep_upload(user_id=user_id, kind=kind, text=text))
    return ImportStep(report)
