"""Markup lives in templates: no module under claims/ builds HTML in Python.

A source scan, so that a new f-string of HTML or a mark_safe on composed text fails here
before a reviewer has to find it.
"""

import ast
from pathlib import Path

CLAIMS = Path(__file__).resolve().parent.parent / "claims"
SAFE_MARKERS = {"mark_safe", "SafeString"}
#: json_ld marks safe the JSON it has escaped as django.utils.html.json_script does (<, >
#: and & as JSON escapes), inside a format_html of the script element: no text is composed.
ALLOWED_SAFE = {("templatetags/tracker.py", "json_ld")}


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _starts_with_tag(node: ast.AST) -> bool:
    """A string literal, or an f-string whose text begins, with "<" and a letter or "/"."""
    if isinstance(node, ast.JoinedStr):
        node = node.values[0] if node.values else None
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value.lstrip()
    return len(text) > 1 and text[0] == "<" and (text[1].isalpha() or text[1] == "/")


def html_built_in_python(source: str, name: str = "<source>") -> list[str]:
    """Where the source marks composed text safe or composes a tag: "name:line (function)"."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        where = f"{name}:{getattr(node, 'lineno', 0)} ({function})"
        if isinstance(node, ast.Call) and _called_name(node) in SAFE_MARKERS:
            if (name, function) not in ALLOWED_SAFE:
                found.append(f"{where}: {_called_name(node)}()")
        elif isinstance(node, ast.JoinedStr) and _starts_with_tag(node):
            found.append(f"{where}: f-string of HTML")
        elif isinstance(node, ast.BinOp) and _starts_with_tag(node.left):
            found.append(f"{where}: HTML composed with an operator")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _starts_with_tag(node.func.value)
        ):
            found.append(f"{where}: HTML composed with str.format")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else []
            modules += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if "html" in modules:
                found.append(f"{where}: an escape of its own (the html module)")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def test_no_module_under_claims_builds_html_in_python():
    found = []
    for path in sorted(CLAIMS.rglob("*.py")):
        name = path.relative_to(CLAIMS).as_posix()
        found += html_built_in_python(path.read_text(encoding="utf-8"), name)
    assert found == []


def test_the_scan_finds_each_way_of_building_html_in_python():
    source = """
import html
from django.utils.safestring import mark_safe, SafeString

def badge(status):
    out = f'<span class="badge">{html.escape(status)}</span>'
    out += "<em>%s</em>" % status
    out += "<b>{}</b>".format(status)
    return mark_safe(out)

def note(text):
    return SafeString(text)
"""
    found = html_built_in_python(source, "example.py")
    assert [line.split(": ", 1)[1] for line in found] == [
        "an escape of its own (the html module)",
        "f-string of HTML",
        "HTML composed with an operator",
        "HTML composed with str.format",
        "mark_safe()",
        "SafeString()",
    ]


def test_comparisons_and_text_that_merely_start_with_a_less_than_sign_are_not_html():
    source = 'label = f"< {months} mo"\nok = "<= 3" if x else "<1"\n'
    assert html_built_in_python(source) == []
