"""servicerequestupdates (FixMyStreet's extension): read a period's updates, post a note."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import CaseEvent, Status
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientUpdate

from .conftest import BASE, KEY, OTHER_KEY

pytestmark = pytest.mark.django_db


def updates(client, **params):
    response = client.get(f"{BASE}/servicerequestupdates.json", data=params)
    return response.status_code, json.loads(response.content)


def post_update(client, case, **overrides):
    data = {
        "api_key": KEY,
        "update_id": "fms-101",
        "service_request_id": case.number,
        "status": "OPEN",
        "description": "车还停在那里，今天拍了照片。",
        "updated_datetime": "2026-11-22T09:30:00+08:00",
        "media_url": "https://photos.example.com/43.jpg",
        **overrides,
    }
    response = client.post(f"{BASE}/servicerequestupdates.json", data=data)
    return response.status_code, json.loads(response.content)


def test_updates_since_a_date_list_the_public_events_oldest_first(
    client, new_case, dispatcher, bureau
):
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    case_services.act(new_case, Action.URGE, actor=dispatcher, note="请今天处理")
    CaseEvent.objects.create(case=new_case, action="urge", note="内部", public=False)
    old = CaseEvent.objects.filter(case=new_case, action="dispatch").get()
    CaseEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=3))
    status, body = updates(client, start_date=(timezone.now() - timedelta(days=1)).isoformat())
    assert status == 200
    # The dispatcher's note to the department is not for the public: the event's name is.
    assert [(u["service_request_id"], u["description"]) for u in body] == [
        (new_case.number, "urge")
    ]
    assert "请今天处理" not in json.dumps(body, ensure_ascii=False)
    assert body[0]["status"] == "open"
    assert body[0]["updated_datetime"].endswith("+08:00")
    status, body = updates(client)  # the last 90 days by default
    assert [u["description"] for u in body] == ["dispatch", "urge"]


def test_a_reply_is_the_one_update_with_text_and_it_is_masked(
    client, new_case, dispatcher, handler, bureau
):
    case_services.act(
        new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk, note="联系张三"
    )
    case_services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    case_services.act(
        new_case, Action.REPLY, actor=handler, reply="已修复。张三您好，有事请拨13900001111"
    )
    _status, body = updates(client)
    assert [u["description"] for u in body[:2]] == ["dispatch", "acknowledge"]
    reply = body[2]["description"]
    assert reply.startswith("已修复。张*您好，有事请拨139****")
    assert "张三" not in json.dumps(body, ensure_ascii=False)
    assert "13900001111" not in json.dumps(body, ensure_ascii=False)


def test_updates_of_unpublished_cases_are_not_listed(
    client, operator, district, category, dispatcher, bureau
):
    call = f.make_case(actor=operator, grid=district["grid11"], category=category)  # hotline
    case_services.act(call, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    assert updates(client)[1] == []


def test_bad_dates_are_refused(client):
    status, body = updates(client, start_date="last week")
    assert status == 400
    assert body[0]["description"].startswith("start_date:")


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-11-01T00:00:00+20:00"},
        {"end_date": "2026-11-01T00:00:00-23:59"},
        {"start_date": "0001-01-01T00:00:00+08:00"},
        {"start_date": "9999-12-31T00:00:00+00:00"},
    ],
)
def test_dates_no_database_can_hold_are_a_400_in_the_spec_format(client, params):
    status, body = updates(client, **params)
    assert status == 400
    assert body[0]["code"] == 400
    assert body[0]["description"].startswith(next(iter(params)) + ":")


def test_a_posted_update_becomes_a_public_note_in_the_timeline(
    client, app_client, new_case, dispatcher
):
    status, body = post_update(client, new_case)
    assert status == 200
    event = CaseEvent.objects.get(pk=int(body[0]["update_id"]))
    assert (event.case, event.action, event.actor) == (new_case, Note.ADD_NOTE, app_client.user)
    assert event.note == "车还停在那里，今天拍了照片。"
    assert event.public
    assert event.data["update_id"] == "fms-101"
    assert event.data["media_url"] == "https://photos.example.com/43.jpg"
    client.force_login(dispatcher)
    page = client.get(f"/cases/{new_case.number}/").content.decode()
    assert "车还停在那里，今天拍了照片。" in page
    assert 'href="https://photos.example.com/43.jpg"' in page  # staff see the photo link
    listed = updates(client)[1]
    assert listed[-1]["update_id"] == body[0]["update_id"]
    # Published as an event, not as text: a client's note is no reply to the public.
    assert listed[-1]["description"] == "note added"
    assert listed[-1]["media_url"] == ""
    assert "车还停在那里" not in json.dumps(listed, ensure_ascii=False)


def test_a_client_saying_closed_does_not_close_the_case(client, app_client, new_case):
    status, _body = post_update(client, new_case, status="CLOSED", description="已经好了")
    assert status == 200
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED
    assert CaseEvent.objects.get(action=Note.ADD_NOTE).data["reported_status"] == "closed"


def test_the_same_update_id_twice_is_a_400_and_writes_nothing(client, app_client, new_case):
    assert post_update(client, new_case)[0] == 200
    status, body = post_update(client, new_case, description="再发一次")
    assert status == 400
    assert body == [
        {
            "code": 400,
            "description": "update_id: update fms-101 was already received from this client.",
        }
    ]
    assert CaseEvent.objects.filter(action=Note.ADD_NOTE).count() == 1


def test_two_clients_may_use_the_same_update_id(client, app_client, portal_client, new_case):
    assert post_update(client, new_case)[0] == 200
    assert post_update(client, new_case, api_key=OTHER_KEY)[0] == 200
    assert ClientUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "status", "start"),
    [
        ({"api_key": ""}, 403, "api_key:"),
        ({"api_key": "o311_wrong"}, 403, "api_key:"),
        ({"update_id": ""}, 400, "update_id:"),
        ({"service_request_id": ""}, 400, "service_request_id:"),
        ({"service_request_id": "20990101-00001"}, 404, "service_request_id:"),
        ({"service_request_id": "hotline"}, 404, "service_request_id:"),
        ({"description": "", "media_url": ""}, 400, "description:"),
        ({"status": "<b>"}, 400, "status:"),
        ({"updated_datetime": "tuesday"}, 400, "updated_datetime:"),
        ({"updated_datetime": "2026-11-22T09:30:00+20:00"}, 400, "updated_datetime:"),
        ({"updated_datetime": "3000-01-01T00:00:00+08:00"}, 400, "updated_datetime:"),
        ({"updated_datetime": "9999-12-31T23:59:59-08:00"}, 400, "updated_datetime:"),
        ({"updated_datetime": "0001-01-01T00:00:00+08:00"}, 400, "updated_datetime:"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url:"),
        ({"media_url": 'https://x"><script>alert(1)</script>'}, 400, "media_url:"),
        ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_updates_are_refused_and_change_nothing(
    client, app_client, new_case, operator, district, category, change, status, start
):
    if change.get("service_request_id") == "hotline":
        # A case Open311 does not publish cannot be followed or updated through it.
        call = f.make_case(actor=operator, grid=district["grid11"], category=category)
        change = {"service_request_id": call.number}
    got, body = post_update(client, new_case, **change)
    assert got == status
    assert body[0]["code"] == status
    assert body[0]["description"].startswith(start)
    assert not CaseEvent.objects.filter(action=Note.ADD_NOTE).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_posts_of_one_update_id_make_one_note(app_client, new_case):
    results = []

    def send():
        try:
            status, _body = post_update(Client(), new_case)
            results.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 400, 400, 400]
    assert CaseEvent.objects.filter(action=Note.ADD_NOTE).count() == 1
