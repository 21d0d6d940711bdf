"""The production environment the README documents passes ``check --deploy``, and with it
pages are served with HSTS, Secure cookies and the redirect to HTTPS."""

import json
import os
import secrets
import subprocess
import sys

import pytest

# README, "Production": what an operator exports (plus DATABASE_URL, never connected here).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "hotline.example.gov.cn",
    "CIVICGRID_HTTPS": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "DATABASE_URL": "postgres://civicgrid@db.example.gov.cn/civicgrid",
}
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
]
DUMP = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{k: getattr(settings, k) for k in {SECURITY_SETTINGS!r}}}))"
)


def django(tmp_path, environment: dict, *args: str) -> subprocess.CompletedProcess:
    """``python -m django …`` with civicgrid's settings and only ``environment`` set."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env = {
        **base,
        **environment,
        "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
        "CIVICGRID_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_finds_nothing_to_fix_in_the_documented_production_environment(tmp_path):
    # --fail-level DEBUG: any message at all, a warning included, fails.
    done = django(
        tmp_path, PRODUCTION, "-m", "django", "check", "--deploy", "--fail-level", "DEBUG"
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stderr


def test_without_the_https_switch_check_deploy_names_what_is_missing(tmp_path):
    plain = {k: v for k, v in PRODUCTION.items() if k != "CIVICGRID_HTTPS"}
    done = django(tmp_path, plain, "-m", "django", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr


@pytest.fixture
def production(tmp_path, settings):
    """This process's settings, with the security settings the production environment gives."""
    done = django(tmp_path, PRODUCTION, "-c", DUMP)
    assert done.returncode == 0, done.stderr
    for name, value in json.loads(done.stdout).items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    return settings


@pytest.mark.django_db
def test_with_the_production_settings_pages_carry_hsts_and_secure_cookies(production, operator):
    from django.test import Client

    browser = Client()
    plain = browser.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"

    # Behind the proxy: it terminates TLS and says so in X-Forwarded-Proto.
    https = {"HTTP_X_FORWARDED_PROTO": "https"}
    page = browser.get("/accounts/login/", **https)
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page.cookies["csrftoken"]["secure"]

    signed_in = browser.post(
        "/accounts/login/", {"username": "operator", "password": "pw-for-tests"}, **https
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies[production.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]


def test_the_policy_admits_the_tile_server_and_can_only_report(tmp_path):
    tiles = {"CIVICGRID_TILE_URL": "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png"}
    enforced = json.loads(django(tmp_path, tiles, "-c", DUMP).stdout)
    images = enforced["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert images == ["'self'", "data:", "blob:", "https://*.tiles.example.gov.cn"]
    assert enforced["CONTENT_SECURITY_POLICY_REPORT_ONLY"] is None

    trial = {**tiles, "CIVICGRID_CSP_REPORT_ONLY": "1", "CIVICGRID_CSP_REPORT_URI": "/csp-report"}
    reported = json.loads(django(tmp_path, trial, "-c", DUMP).stdout)
    assert reported["CONTENT_SECURITY_POLICY"] is None
    directives = reported["CONTENT_SECURITY_POLICY_REPORT_ONLY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["report-uri"] == "/csp-report"
