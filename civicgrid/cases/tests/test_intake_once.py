"""Intake in one transaction: a crash leaves nothing, a retry under the same
Idempotency-Key files one case, two racing retries file one case, and a warm POST
costs a pinned number of statements."""

import json
import threading
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.cases import numbers, services
from civicgrid.cases.models import Case, CaseEvent, DailySequence, IntakeKey
from civicgrid.cases.tests import factories as f

from .test_api import CASES, bearer, intake

ON_POSTGRESQL = connection.vendor == "postgresql"


def intake_of(district, category) -> services.Intake:
    lng, lat = f.point_in(district["grid11"])
    return services.Intake(
        channel="hotline",
        title="路灯不亮",
        content="幸福小区南门外路灯三天不亮。",
        category=category,
        request_type="complaint",
        lng=lng,
        lat=lat,
    )


@contextmanager
def refused_keys():
    """The database fails on the intake's last row (its key), after the case and its
    event: as if the server died before the commit."""
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            cursor.execute(
                "CREATE FUNCTION test_refuse_key() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'the server died'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_key BEFORE INSERT ON cases_intakekey"
                " FOR EACH ROW EXECUTE FUNCTION test_refuse_key()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_key BEFORE INSERT ON cases_intakekey"
                " BEGIN SELECT RAISE(ABORT, 'the server died'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER test_refuse_key ON cases_intakekey"
                if ON_POSTGRESQL
                else "DROP TRIGGER test_refuse_key"
            )
            if ON_POSTGRESQL:
                cursor.execute("DROP FUNCTION test_refuse_key()")


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_case_is_written_leaves_nothing_and_the_retry_files_one_case(
    operator, district, category
):
    key = services.SubmissionKey.for_user(operator, "crash-retry-0001")
    with refused_keys(), pytest.raises(DatabaseError):
        services.register_case_once(intake_of(district, category), actor=operator, key=key)
    assert (Case.objects.count(), CaseEvent.objects.count(), IntakeKey.objects.count()) == (
        0,
        0,
        0,
    )
    first = services.register_case_once(intake_of(district, category), actor=operator, key=key)
    again = services.register_case_once(intake_of(district, category), actor=operator, key=key)
    assert not first.replayed
    assert again.replayed
    assert again.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert first.case.events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_through_the_api_after_a_500_gets_a_201_then_the_same_case(
    operator, district, category
):
    headers = {**bearer(operator), "Idempotency-Key": "api-crash-0001"}
    body = json.dumps(intake(district["grid11"]))
    with refused_keys():
        crashed = Client(raise_request_exception=False).post(
            CASES, body, "application/json", headers=headers
        )
    assert crashed.status_code == 500
    assert not Case.objects.exists()
    retry = Client().post(CASES, body, "application/json", headers=headers)
    again = Client().post(CASES, body, "application/json", headers=headers)
    assert (retry.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == retry.json()["number"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case__number=retry.json()["number"]).count() == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite serialises writers: no race to lose")
@pytest.mark.django_db(transaction=True)
def test_two_retries_racing_under_one_key_file_one_case(operator, district, category):
    headers = {**bearer(operator), "Idempotency-Key": "racing-retry-0001"}
    body = json.dumps(intake(district["grid11"]))
    start = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def send():
        try:
            start.wait()
            response = Client().post(CASES, body, "application/json", headers=headers)
            answers.append((response.status_code, response.json()["number"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({number for _, number in answers}) == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_warm_api_intake_costs_a_pinned_number_of_statements(
    operator, district, category, warm_snapshots
):
    headers = bearer(operator)
    body = intake(district["grid11"])
    client = Client()
    for n in range(2):
        warm = client.post(
            CASES,
            json.dumps(body),
            "application/json",
            headers={**headers, "Idempotency-Key": f"warm-000{n}"},
        )
        assert warm.status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            CASES,
            json.dumps(body),
            "application/json",
            headers={**headers, "Idempotency-Key": "timed-0001"},
        )
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    # PostgreSQL: one statement (number, case, event and key: cases.writing), no BEGIN or
    # COMMIT. SQLite: a transaction, the day's counter row (savepoint, update, select,
    # release), case, event, key.
    assert len(statements) <= (1 if ON_POSTGRESQL else 9), "\n".join(statements)
    if ON_POSTGRESQL:
        assert statements[0].startswith("WITH n AS (SELECT nextval(")
    assert Case.objects.get(number=response.json()["number"]).events.count() == 1
    assert IntakeKey.objects.filter(key="timed-0001").exists()
    assert not any("accounts_apitoken" in sql for sql in statements)  # the key is cached
    assert not any("accounts_rolegrant" in sql for sql in statements)  # so is the scope


def test_numbers_stay_unique_and_keep_their_format(db, operator, district, category):
    made = [services.register_case(intake_of(district, category), actor=operator) for _ in range(3)]
    found = [case.number for case in made]
    assert len(set(found)) == 3
    assert all(len(n) == 14 and n[8] == "-" and n[:8].isdigit() for n in found)
    assert [int(n[9:]) for n in found] == sorted(int(n[9:]) for n in found)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the per-day sequence is PostgreSQL's")
def test_a_days_sequence_starts_after_the_counter_row_it_replaces(db):
    day = date(2031, 5, 4)
    DailySequence.objects.create(day=day, last=41)
    assert numbers.next_number(day) == "20310504-00042"
    assert numbers.next_number(day) == "20310504-00043"


@pytest.mark.django_db
def test_case_out_is_the_schema(operator, dispatcher, district, category):
    """The intake's answer, built without validation, is what CaseOut would render."""
    from ninja.responses import NinjaJSONEncoder

    from civicgrid.cases.schemas import CaseOut, case_out

    placed = f.make_case(actor=operator, grid=district["grid11"], category=category)
    unplaced = services.register_case(
        services.Intake(channel="web", title="无位置", content="没有位置的诉求"), actor=operator
    )
    for case in (placed, unplaced, Case.objects.get(pk=placed.pk)):
        schema = CaseOut.model_validate(case).model_dump()
        assert json.loads(json.dumps(case_out(case), cls=NinjaJSONEncoder)) == json.loads(
            json.dumps(schema, cls=NinjaJSONEncoder)
        )
