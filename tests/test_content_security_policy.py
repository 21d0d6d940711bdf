"""Every page carries the Content-Security-Policy, and no page needs what it refuses:
no inline script, no inline event handler, no ``javascript:`` URL, no inline style.

Checked twice: the pages as each role receives them, and the template and Python
sources (so a page no test opens cannot slip one in either).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client

from civicgrid.citizens.models import TrackingRole
from civicgrid.citizens.services import issue_tracking

PACKAGE = Path(__file__).resolve().parent.parent / "civicgrid"
REQUIRED = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
# Who opens which page ({case} and {token} are filled in); None is an anonymous visitor.
PAGES = [
    (None, "/accounts/login/"),
    (None, "/report/"),
    (None, "/results/"),
    (None, "/track/{token}/"),
    (None, "/no-such-page/"),
    ("operator", "/intake/"),
    ("operator", "/cases/{case}/"),
    ("operator", "/callbacks/"),
    ("operator", "/knowledge/"),
    ("operator", "/notifications/"),
    ("operator", "/notifications/preferences/"),
    ("dispatcher", "/triage/"),
    ("dispatcher", "/tasks/"),
    ("handler", "/inbox/"),
    ("grid_worker", "/grid/"),
    ("grid_worker", "/grid/report/"),
    ("leader", "/map/"),
    ("leader", "/hot-issues/"),
    ("leader", "/knowledge/stats/"),
    ("leader", "/cases/"),
    ("admin_user", "/admin/"),
    ("admin_user", "/admin/accounts/user/"),
    ("admin_user", "/admin/accounts/loginfailure/"),
    ("admin_user", "/admin/alerts/alertsource/add/"),
    ("admin_user", "/admin/cases/case/"),
    ("admin_user", "/knowledge/proposals/"),
    ("admin_user", "/api/docs"),
]


class InlineCode(HTMLParser):
    """Collects what the policy would refuse to run or apply in one HTML document."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self._script = ""

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.found.append(f"inline <script>{self._script.strip()[:60]}</script>")
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def world(new_case, grid_worker, handler, leader, dispatcher):
    """A case to open and a citizen's tracking link for it."""
    return {"case": new_case.number, "token": issue_tracking(new_case, role=TrackingRole.REPORTER)}


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_needs_no_inline_code(request, world):
    problems = {}
    for persona, path in PAGES:
        browser = Client()
        if persona is not None:
            browser.force_login(request.getfixturevalue(persona))
        response = browser.get(path.format(**world))
        policy = response.get("Content-Security-Policy", "")
        found = [d for d in REQUIRED if d not in policy] + re.findall(r"'unsafe-[a-z-]+'", policy)
        found += inline_code(response.content.decode())
        if response.status_code != (404 if path == "/no-such-page/" else 200):
            found.append(f"status {response.status_code}")
        if found:
            problems[f"{persona} {path}"] = found
    assert problems == {}


def test_the_server_error_page_needs_no_inline_code():
    assert inline_code(render_to_string("500.html")) == []


TAG_WITH_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.S)


def offences(text: str) -> list[str]:
    found = [m.group(0)[:80] for m in TAG_WITH_HANDLER.finditer(text)]
    found += [m.group(0) for m in INLINE_SCRIPT.finditer(text)]
    found += re.findall(r"\sstyle=|<style\b|javascript:", text)
    return found


def test_no_template_holds_inline_script_handlers_or_styles():
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    found = {str(t.relative_to(PACKAGE)): offences(t.read_text()) for t in templates}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_no_python_module_builds_html_with_inline_script_handlers_or_styles():
    modules = [
        p for p in PACKAGE.glob("**/*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    found = {str(p.relative_to(PACKAGE)): offences(p.read_text()) for p in modules}
    assert {name: hits for name, hits in found.items() if hits} == {}
