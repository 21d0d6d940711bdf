"""Personas shared by every test: one per role, plus an outsider who must be refused.

The world: a test district (two streets, four grids), the city-management bureau that
handles "市容环境" there, and a second district whose handler must be refused.
"""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f


def pytest_configure(config):
    # The SQLite test database is a file in the data folder (see settings.py).
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    # Tests create hundreds of accounts (every persona, the demo's staff): a slow,
    # brute-force-resistant hash is the point in production and pure cost here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_snapshots():
    """Per-process copies of calendar, categories and policies see each test's rows."""
    from civicgrid.core.snapshot import forget_all

    forget_all(every=0)
    yield
    forget_all()


@pytest.fixture(autouse=True)
def empty_cache():
    """The shared (file) cache starts empty: no test sees figures another one cached."""
    from django.core.cache import cache

    from civicgrid.core import bodies

    cache.clear()
    bodies.forget()


@pytest.fixture
def warm_snapshots():
    """Query counts as in production: the per-process copies (API keys, grants, regions,
    categories) check their versions every few seconds, not on each request. A test
    using this makes one request first to fill them, then counts."""
    from civicgrid.core.snapshot import ALL

    for snapshot in ALL:
        snapshot.every = 60


@pytest.fixture(autouse=True)
def english_messages():
    """Messages made outside a request (services, commands) read English in tests.

    Without this a service's message came out in whatever language the previous
    test's request had left active, so a file run alone read Chinese.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Tests read English: the test client has chosen English with the language switch.

    (Pages are Chinese by default; ``test_chinese_is_the_default_language`` checks it.)
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client(admin_client):
    """The admin, in English too."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


# Debian's chromium: Playwright cannot download browsers here (no internet).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots of browser tests, for people to look at (not checked by anything).
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
# The personas' password (factories.make_user); the demo accounts' is load.DEMO_PASSWORD.
PASSWORD = "pw-for-tests"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(monkeypatch):
    """Headless Debian chromium driven by Playwright, for the tests marked ``browser``.

    Without Debian's chromium the test is skipped, saying so.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            # No background traffic: this machine has no internet to reach.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Opens a page in a fresh context (its own cookies): a desktop screen, Chinese.

    Keyword arguments go to ``browser.new_context`` (``viewport=PHONE``, ``is_mobile``...).
    """

    def new_page(*, viewport=DESKTOP, locale="zh-CN", **options):
        return browser.new_context(viewport=viewport, locale=locale, **options).new_page()

    return new_page


@pytest.fixture
def page(new_page):
    """One desktop page in Chinese, for tests that need only one."""
    return new_page()


def sign_in_page(page, base=None, username="operator", password=PASSWORD):
    """Signs ``username`` in through the login form; the page after it (the next one).

    With ``base`` it opens ``/accounts/login/`` first; without, it fills the login form
    the page already shows (where a protected page has sent it).
    """
    if base is not None:
        page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form:has(#id_username) button[type=submit]")
    return page


@pytest.fixture
def sign_in():
    """``sign_in(page, base=None, username="operator", password=PASSWORD)``: see sign_in_page."""
    return sign_in_page


@pytest.fixture
def artifacts():
    """The folder for screenshots (``test-artifacts/`` at the top), made if missing."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shot(artifacts):
    """``shot(page, name)``: a full-page screenshot as ``test-artifacts/<name>.png``."""

    def shot(page, name: str) -> None:
        page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)

    return shot


@pytest.fixture
def district(db):
    return f.make_district()


@pytest.fixture
def other_district(db):
    return f.make_district(prefix="3798", name="邻区")


@pytest.fixture
def bureau(db):
    return f.make_department("城市管理局", code="CGJ")


@pytest.fixture
def other_bureau(db):
    return f.make_department("邻区城市管理局", code="LQCGJ")


@pytest.fixture
def category(db, bureau):
    category = f.make_category("市容环境", code="01")
    f.make_rule(category, bureau)
    return category


@pytest.fixture
def operator(district):
    return f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")


@pytest.fixture
def dispatcher(district):
    return f.make_user(Role.DISPATCHER, regions=[district["district"]], username="dispatcher")


@pytest.fixture
def second_dispatcher(district):
    return f.make_user(Role.DISPATCHER, regions=[district["district"]], username="dispatcher2")


@pytest.fixture
def handler(district, bureau):
    return f.make_user(Role.HANDLER, department=bureau, username="handler")


@pytest.fixture
def grid_worker(district):
    return f.make_user(
        Role.GRID_WORKER, regions=[district["grid11"], district["grid12"]], username="gridworker"
    )


@pytest.fixture
def leader(district):
    return f.make_user(Role.LEADER, regions=[district["district"]], username="leader")


@pytest.fixture
def outsider(db):
    """A staff account with no role in this district: must be refused everything."""
    return f.make_user(Role.OPERATOR, username="outsider")


@pytest.fixture
def other_handler(other_district, other_bureau):
    return f.make_user(Role.HANDLER, department=other_bureau, username="otherhandler")


@pytest.fixture
def new_case(operator, district, category):
    return f.make_case(actor=operator, grid=district["grid11"], category=category)
