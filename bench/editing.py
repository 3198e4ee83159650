"""An editor in the admin over HTTP, as a browser: log in, open a change form, save it.

Shared by bench/replay_findings.py and bench/load.py (its --editors); the browser and the
form reader are bench/two_servers.py's. Standard library only.
"""

from __future__ import annotations

import re
import time

from two_servers import Browser, form_fields


def log_in(browser: Browser, user: str, password: str) -> None:
    browser.request("/admin/login/")
    response = browser.request(
        "/admin/login/?next=/admin/",
        [
            ("csrfmiddlewaretoken", browser.csrf_token()),
            ("username", user),
            ("password", password),
            ("next", "/admin/"),
        ],
    )
    if response.status != 302:
        raise RuntimeError(f"log-in as {user} answered {response.status}")


def editor(base: str, user: str, password: str) -> Browser:
    browser = Browser(base)
    log_in(browser, user, password)
    return browser


def change_form(browser: Browser, model: str, pk: int, **changes) -> list[tuple[str, str]]:
    """The admin change form of a record as a browser would post it, with some fields changed."""
    page = browser.request(f"/admin/claims/{model}/{pk}/change/")
    if page.status != 200:
        raise RuntimeError(f"the {model} change form answered {page.status}")
    fields = form_fields(page.text, f"{model}_form")
    return [(k, changes.get(k, v)) for k, v in fields] + [("_save", "Save")]


def with_new_inline_claim(fields: list[tuple[str, str]], **row: str) -> list[tuple[str, str]]:
    """A milestone's change form with its first blank claim row filled in, as an editor would."""
    values = dict(fields)
    total = int(values["claims-TOTAL_FORMS"])
    initial = int(values["claims-INITIAL_FORMS"])
    blank = f"claims-{initial}-"
    new = [(k, row.get(k.removeprefix(blank), v) if k.startswith(blank) else v) for k, v in fields]
    new += [(blank + k, v) for k, v in row.items() if blank + k not in dict(new)]
    return [(k, str(max(total, initial + 1)) if k == "claims-TOTAL_FORMS" else v) for k, v in new]


def save(browser: Browser, model: str, pk: int, fields) -> tuple[int, float, str]:
    """(status, seconds, page) of posting a change form."""
    start = time.perf_counter()
    response = browser.request(f"/admin/claims/{model}/{pk}/change/", fields)
    return response.status, time.perf_counter() - start, response.text


def verdict(status: int, text: str) -> str:
    """What a save's answer says: saved, refused (and why), or an error."""
    if status == 302:
        return "saved"
    if status == 200 and "while you were editing it" in text:
        return "refused: changed meanwhile"
    if status == 200 and "missing its version" in text:
        return "refused: missing its version"
    if status == 200:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
        shown = "; ".join(re.sub(r"<[^>]+>", " ", e).strip() for e in errors[:3])
        return f"refused: form errors ({shown})"
    return f"error {status}"
