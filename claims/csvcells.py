"""CSV cells that a spreadsheet will not run as formulas, and back.

A spreadsheet reads a cell that starts with =, +, -, @, a tab or a carriage return as a
formula, and a formula can fetch URLs or start programs (OWASP, "CSV Injection"). Every CSV
the site writes passes its text cells through neutralise(), which puts a single quote in
front of such text, as OWASP advises; the spreadsheet then shows the text as it is. Numbers
(a negative slip in months) are written as numbers. The CSV import reads such a cell back
with restore().

Text that itself starts with quotes followed by a formula character gets one more quote, so
that restore(neutralise(text)) == text for every text: "'=x" is written "''=x".
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The first characters of a text that may need a quote (the formula starts and the quote).
MAYBE = frozenset("".join(FORMULA_STARTS) + "'")


def _needs_quote(text: str) -> bool:
    rest = text.lstrip("'")
    return rest.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """The text, with a leading single quote if a spreadsheet would run it as a formula."""
    if not text or text[0] not in MAYBE:  # most cells: one look at the first character
        return text
    return "'" + text if _needs_quote(text) else text


def restore(cell: str) -> str:
    """The text that neutralise() turned into this cell."""
    if cell.startswith("'") and _needs_quote(cell[1:]):
        return cell[1:]
    return cell
