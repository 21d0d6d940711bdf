"""The Server-Timing header: on when the setting says so, with the request's figures."""

import re

from django.test import Client, override_settings

TIMING = re.compile(r'^total;dur=([\d.]+), cpu;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"$')


@override_settings(CIVICGRID_SERVER_TIMING=True)
def test_each_response_says_its_server_and_database_time_and_query_count(db, django_user_model):
    user = django_user_model.objects.create_user("timed", password="pw-for-tests")
    browser = Client()
    browser.force_login(user)
    response = browser.get("/accounts/login/")  # reads the session and the user: 2 queries
    total, cpu, database, queries = TIMING.match(response["Server-Timing"]).groups()
    assert float(total) >= float(database) >= 0
    assert float(cpu) >= 0
    assert int(queries) >= 2


@override_settings(CIVICGRID_SERVER_TIMING=True)
def test_a_page_without_queries_reports_none(db):
    response = Client().get("/accounts/login/")
    assert TIMING.match(response["Server-Timing"]).group(4) == "0"


def test_the_header_is_off_by_default(db):
    assert "Server-Timing" not in Client().get("/accounts/login/")
