"""Chinese first: pages are Chinese unless the user picks English, whatever the browser."""

from django.conf import settings
from django.test import Client


def test_chinese_is_the_default_language_even_for_an_english_browser(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/")
    assert 'lang="zh-hans"' in page.text
    assert "登录" in page.text


def test_the_language_switch_turns_pages_english(db):
    browser = Client()
    browser.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = browser.get("/accounts/login/")
    assert 'lang="en"' in page.text
    assert "Sign in" in page.text


def test_other_systems_get_api_errors_in_the_language_they_ask_for(db):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/cases")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/api/cases")
    assert english.status_code == chinese.status_code == 401
    assert english.json()["message"] != chinese.json()["message"]
