"""The JSON API: tokens and sessions, the loop end to end, errors, scope, lists, docs."""

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import attachments, services
from civicgrid.cases.models import Case, CaseEvent, Channel, Status
from civicgrid.cases.tests import factories as f

CASES = "/api/cases"


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def get(user_or_headers, url, **params):
    headers = user_or_headers if isinstance(user_or_headers, dict) else bearer(user_or_headers)
    return Client().get(url, params, headers=headers)


def post(user_or_headers, url, body=None, **extra):
    headers = user_or_headers if isinstance(user_or_headers, dict) else bearer(user_or_headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return Client().post(url, data, content_type="application/json", headers=headers, **extra)


def intake(grid=None, **overrides) -> dict:
    body = {
        "channel": "hotline",
        "request_type": "complaint",
        "category": "01",
        "title": "小区门口垃圾堆积",
        "content": "幸福小区南门外垃圾三天没人清运，气味很大。",
        "address": "幸福小区南门",
        "reporter": {"name": "李小明", "phone": "13912345678"},
    }
    if grid is not None:
        lng, lat = f.point_in(grid)
        body["location"] = {"lng": lng, "lat": lat, "datum": "wgs84"}
    body.update(overrides)
    return body


def act(user, case, action, **body):
    return post(user, f"{CASES}/{case.number}/actions/{action}", body)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    return body


# --- who is calling ------------------------------------------------------------------


def test_a_system_with_a_token_lists_the_cases_of_its_user(new_case, operator):
    response = get(operator, CASES)
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["items"]] == [new_case.number]


@pytest.mark.parametrize(
    "header",
    ["Bearer cg_not-a-real-token", "Bearer ", "Bearer xyz", "bearer cg_" + "x" * 5000],
)
def test_an_unknown_token_is_a_401_in_json(new_case, header):
    response = Client().get(CASES, headers={"Authorization": header})
    body = assert_error(response, 401, "unauthenticated")
    assert "token" in body["message"].lower() or "令牌" in body["message"]


def test_an_unknown_token_is_a_401_even_for_a_write_without_csrf(district):
    response = post({"Authorization": "Bearer cg_nope"}, CASES, intake(district["grid11"]))
    assert_error(response, 401, "unauthenticated")
    assert not Case.objects.exists()


def test_a_revoked_token_is_refused(operator, new_case):
    token, raw = ApiToken.issue(operator, "hotline system")
    token.revoked = True
    token.save()
    response = Client().get(CASES, headers={"Authorization": f"Bearer {raw}"})
    assert_error(response, 401, "unauthenticated")


def test_the_token_of_a_deactivated_user_is_refused(operator, new_case):
    headers = bearer(operator)
    operator.is_active = False
    operator.save()
    assert_error(get(headers, CASES), 401, "unauthenticated")


def test_a_request_without_credentials_is_a_401(new_case):
    assert_error(Client().get(CASES), 401, "unauthenticated")
    assert_error(Client().get(f"{CASES}/{new_case.number}"), 401, "unauthenticated")


def test_token_use_is_recorded_at_most_once_a_minute(operator, new_case, monkeypatch):
    token, raw = ApiToken.issue(operator, "hotline system")
    headers = {"Authorization": f"Bearer {raw}"}
    get(headers, CASES)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    get(headers, CASES)
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + timedelta(minutes=2)
    monkeypatch.setattr("civicgrid.accounts.auth.timezone.now", lambda: later)
    get(headers, CASES)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_ui_session_reads_freely_but_writes_only_with_the_csrf_token(
    dispatcher, district, category
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    assert client.get(CASES).status_code == 200
    body = json.dumps(intake(district["grid11"]))
    refused = client.post(CASES, body, content_type="application/json")
    assert_error(refused, 403, "forbidden")
    assert not Case.objects.exists()
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        CASES, body, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 201, accepted.content


# --- the closed loop -------------------------------------------------------------------


def test_a_case_goes_round_the_whole_loop_through_the_api(
    operator, dispatcher, handler, grid_worker, district, category, bureau
):
    created = post(operator, CASES, intake(district["grid11"]))
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    case = Case.objects.get(number=number)

    steps = [
        (
            dispatcher,
            "dispatch",
            {"main_department": "CGJ", "note": "请城管局处理"},
            Status.DISPATCHED,
        ),
        (handler, "acknowledge", {}, Status.HANDLING),
        (handler, "reply", {"reply": "已安排环卫车辆清运。"}, Status.REPLIED),
        (grid_worker, "verify_pass", {"note": "现场已清理干净"}, Status.VERIFIED),
        (operator, "callback", {"rating": "satisfied"}, Status.RATED),
        (operator, "close", {}, Status.CLOSED),
    ]
    for user, action, body, status in steps:
        response = act(user, case, action, **body)
        assert response.status_code == 200, (action, response.content)
        answer = response.json()
        assert answer["event"]["action"] == action
        assert answer["event"]["to_status"] == status
        assert answer["case"]["status"] == status

    detail = get(operator, f"{CASES}/{number}").json()
    assert detail["status"] == "closed"
    assert detail["status_group"] == "closed"
    assert detail["main_department"] == {"code": "CGJ", "name": bureau.name}
    assert detail["reply"] == "已安排环卫车辆清运。"
    assert detail["rating"] == "satisfied"
    timeline = [e["action"] for e in detail["events"]]
    assert timeline == [
        "register",
        "dispatch",
        "acknowledge",
        "reply",
        "verify_pass",
        "callback",
        "close",
    ]
    assert detail["events"][1]["actor"] == dispatcher.display_name
    assert detail["events"][1]["note"] == "请城管局处理"


def test_intake_locates_the_point_and_starts_the_triage_clock(operator, district, category):
    response = post(operator, CASES, intake(district["grid12"]))
    assert response.status_code == 201
    case = response.json()
    assert case["status"] == "registered"
    assert case["grid"]["code"] == district["grid12"].code
    assert case["owner_region"]["code"] == district["district"].code
    assert case["needs_placement"] is False
    assert case["category"] == {"code": "01", "name": "市容环境"}
    assert case["due_at"] is not None
    assert case["light"] == "green"
    assert case["number"].startswith(timezone.localdate().strftime("%Y%m%d"))


def test_contacts_are_masked_in_every_response(operator, dispatcher, district, category):
    created = post(operator, CASES, intake(district["grid11"])).json()
    number = created["number"]
    responses = [
        created,
        get(operator, CASES).json(),
        get(operator, f"{CASES}/{number}").json(),
        act(dispatcher, Case.objects.get(number=number), "dispatch", main_department="CGJ").json(),
    ]
    for body in responses:
        text = json.dumps(body, ensure_ascii=False)
        assert "13912345678" not in text
        assert "李小明" not in text
    assert created["reporter"] == {"name": "李**", "phone": "139****5678"}


def test_a_point_given_in_gcj02_lands_in_the_same_grid_as_its_wgs84_twin(
    operator, district, category
):
    import prcoords

    lng, lat = f.point_in(district["grid21"])
    gcj = prcoords.wgs_gcj((lat, lng))
    body = intake(location={"lng": gcj[1], "lat": gcj[0], "datum": "gcj02"})
    case = post(operator, CASES, body).json()
    assert case["grid"]["code"] == district["grid21"].code
    assert case["location"]["lng"] == pytest.approx(lng, abs=1e-5)
    assert case["location"]["lat"] == pytest.approx(lat, abs=1e-5)


def test_a_point_outside_every_grid_is_kept_for_manual_placement(operator, district, category):
    body = intake(location={"lng": 75.0, "lat": 40.0})
    response = post(operator, CASES, body)
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["needs_placement"] is True
    assert case["grid"] is None
    assert case["owner_region"]["code"] == district["district"].code


def test_a_dispatcher_places_an_unplaced_case_on_the_map(operator, dispatcher, district, category):
    number = post(operator, CASES, intake()).json()["number"]
    case = Case.objects.get(number=number)
    lng, lat = f.point_in(district["grid22"])
    response = act(dispatcher, case, "place", lng=lng, lat=lat, datum="wgs84")
    assert response.status_code == 200, response.content
    assert response.json()["case"]["grid"]["code"] == district["grid22"].code
    assert response.json()["case"]["needs_placement"] is False


def test_the_caller_sees_which_actions_it_may_take_now(new_case, dispatcher, handler, operator):
    mine = {a["action"] for a in get(dispatcher, f"{CASES}/{new_case.number}/actions").json()}
    assert {"dispatch", "answer_directly", "merge", "escalate", "urge"} <= mine
    assert "mark_overdue" not in mine
    assert "acknowledge" not in mine
    assert get(handler, f"{CASES}/{new_case.number}/actions").status_code == 404
    callback_only = get(operator, f"{CASES}/{new_case.number}/actions").json()
    assert "dispatch" not in {a["action"] for a in callback_only}


def test_an_attachment_is_stored_and_listed_with_the_case(new_case, operator):
    photo = f.make_image("现场.png")
    response = Client().post(
        f"{CASES}/{new_case.number}/attachments", {"file": photo}, headers=bearer(operator)
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "现场.png"
    detail = get(operator, f"{CASES}/{new_case.number}").json()
    assert [a["name"] for a in detail["attachments"]] == ["现场.png"]
    assert detail["attachments"][0]["size"] == new_case.attachments.get().file.size


def test_an_attachment_with_a_nul_in_its_name_is_a_4xx(new_case, operator):
    photo = SimpleUploadedFile("a\x00.png", b"\x89PNG\r\n\x1a\n", "image/png")
    response = Client().post(
        f"{CASES}/{new_case.number}/attachments", {"file": photo}, headers=bearer(operator)
    )
    assert response.status_code < 500, response.content


def test_an_attachment_of_a_forbidden_type_is_refused(new_case, operator):
    program = SimpleUploadedFile("run.exe", b"MZ" + b"0" * 10, "application/x-msdownload")
    response = Client().post(
        f"{CASES}/{new_case.number}/attachments", {"file": program}, headers=bearer(operator)
    )
    assert_error(response, 400, "invalid")
    assert not new_case.attachments.exists()


def test_a_case_merges_into_an_open_case_of_the_same_district(
    operator, dispatcher, district, category
):
    first = f.make_case(actor=operator, grid=district["grid11"], category=category)
    repeat = f.make_case(actor=operator, grid=district["grid11"], category=category)
    response = act(dispatcher, repeat, "merge", into=first.number, note="重复诉求")
    assert response.status_code == 200, response.content
    assert response.json()["case"]["status"] == "merged"
    assert response.json()["case"]["merged_into"] == first.number


# --- errors ----------------------------------------------------------------------------

GARBAGE_INTAKES = [
    ({"title": 123}, "title"),
    ({"title": ""}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"content": "x" * 100_000}, "content"),
    ({"content": "长" * 2001}, "content"),
    ({"address": "址" * 256}, "address"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"request_type": "bribe"}, "request_type"),
    ({"urgency": "yesterday"}, "urgency"),
    ({"category": "no-such-code"}, "category"),
    ({"category": ["01"]}, "category"),
    ({"location": {"lng": 118.5, "lat": 1000}}, "location.lat"),
    ({"location": {"lng": "east", "lat": 37.4}}, "location.lng"),
    ({"location": {"lng": 118.5, "lat": 37.4, "datum": "xyz"}}, "location.datum"),
    ({"location": {"lng": 118.5}}, "location.lat"),
    ({"location": "118.5,37.4"}, "location.lng"),
    ({"reporter": {"phone": "1" * 50}}, "reporter.phone"),
    ({"reporter": {"phone": "12"}}, "reporter.phone"),
    ({"extra": {"blob": "x" * 10_000}}, "extra"),
    ({"extra": [1, 2]}, "extra"),
    # PostgreSQL cannot store NUL characters: refused before they reach it.
    ({"title": "路灯\x00不亮"}, "title"),
    ({"reporter": {"name": "\x00"}}, "reporter.name"),
    ({"extra": {"plate": "鲁E\x00"}}, "extra"),
]


@pytest.mark.parametrize(("override", "field"), GARBAGE_INTAKES)
def test_garbage_intake_is_a_400_naming_the_field_and_registers_nothing(
    operator, district, category, override, field
):
    response = post(operator, CASES, intake(district["grid11"], **override))
    body = assert_error(response, 400, "invalid")
    assert field in [e["field"] for e in body["errors"]]
    assert body["message"].startswith(body["errors"][0]["field"])
    assert not Case.objects.exists()


def test_a_description_over_the_limit_is_refused_in_the_callers_language(
    operator, district, category
):
    body = intake(district["grid11"], content="长" * 2001)
    english = post({**bearer(operator), "Accept-Language": "en"}, CASES, body)
    chinese = post({**bearer(operator), "Accept-Language": "zh-hans"}, CASES, body)
    assert assert_error(english, 400, "invalid")["errors"][0]["message"] == (
        "At most 2000 characters."
    )
    assert assert_error(chinese, 400, "invalid")["errors"][0]["message"] == "最多 2000 个字符。"
    assert not Case.objects.exists()


def test_a_missing_title_is_named_in_the_message(operator, district, category):
    body = intake(district["grid11"])
    del body["title"]
    error = assert_error(post(operator, CASES, body), 400, "invalid")
    assert error["message"].startswith("title")
    assert error["errors"][0] == {
        "field": "title",
        "message": error["errors"][0]["message"],
        "type": "missing",
    }


@pytest.mark.parametrize(
    "raw", ["not json", "{", "[1, 2, 3]", '"a string"', "null", b"\xff\xfe", "NaN", "{" * 5000]
)
def test_a_body_that_is_not_a_json_object_is_a_400(operator, district, raw):
    response = post(operator, CASES, raw)
    assert_error(response, 400, "invalid")
    assert not Case.objects.exists()


def test_nan_coordinates_are_refused(operator, district, category):
    raw = json.dumps(intake())[:-1] + ', "location": {"lng": NaN, "lat": 37.4}}'
    assert_error(post(operator, CASES, raw), 400, "invalid")


GARBAGE_ACTIONS = [
    ("fly_to_the_moon", {}, 400, "action"),
    ("mark_overdue", {}, 400, "action"),
    ("register", {}, 400, "action"),
    ("dispatch", {"main_department": "NOPE"}, 400, "main_department"),
    ("dispatch", {"main_department": 7}, 400, "main_department"),
    ("dispatch", {"main_department": "CGJ", "co_departments": "CGJ"}, 400, "co_departments"),
    ("dispatch", {"main_department": "CGJ", "co_departments": ["x"] * 50}, 400, "co_departments"),
    ("dispatch", {}, 400, None),
    ("merge", {"into": "20990101-99999"}, 400, "into"),
    ("merge", {"into": {"$gt": ""}}, 400, "into"),
    ("place", {"lng": 118.5, "lat": 1000}, 400, "lat"),
    ("place", {"lng": 118.5, "lat": 37.4, "datum": "xyz"}, 400, "datum"),
    ("place", {"note": "没有坐标"}, 400, "lng"),
    ("refer", {"kind": "because", "note": "x"}, 400, "kind"),
    ("escalate", {"to": "heaven", "note": "x"}, 400, "to"),
    ("answer_directly", {"answer": "答" * 6000}, 400, "answer"),
    ("answer_directly", {"answer": "答" * 2001}, 400, "answer"),
    ("urge", {"note": "催" * 1001}, 400, "note"),
    ("urge", {"note": 42}, 400, "note"),
    ("urge", {"note": "催\x00办"}, 400, "note"),
    ("close", {}, 409, None),
    ("acknowledge", {}, 409, None),
    ("callback", {"rating": "meh"}, 400, "rating"),
]


@pytest.mark.parametrize(("action", "body", "status", "field"), GARBAGE_ACTIONS)
def test_a_garbage_action_is_a_4xx_and_changes_nothing(
    new_case, dispatcher, action, body, status, field
):
    events = new_case.events.count()
    response = post(dispatcher, f"{CASES}/{new_case.number}/actions/{action}", body)
    assert 400 <= response.status_code < 500, response.content
    assert response.status_code == status, response.content
    error = response.json()
    assert error["code"] in {"invalid", "transition_not_allowed"}
    if field:
        assert field in [e["field"] for e in error["errors"]]
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED
    assert new_case.events.count() == events


def test_a_move_outside_the_table_is_a_409(new_case, operator):
    body = assert_error(act(operator, new_case, "close"), 409, "transition_not_allowed")
    assert "close" in body["message"] or "办结" in body["message"]


def test_the_wrong_role_is_a_403_and_changes_nothing(new_case, operator):
    assert_error(act(operator, new_case, "dispatch", main_department="CGJ"), 403, "forbidden")
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED
    assert new_case.main_department is None


def test_a_lost_race_is_a_409_conflict(new_case, dispatcher, monkeypatch):
    real_act = services.act

    def someone_else_first(case, action, **kwargs):
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        return real_act(case, action, **kwargs)

    monkeypatch.setattr(services, "act", someone_else_first)
    response = act(dispatcher, new_case, "dispatch", main_department="CGJ")
    assert_error(response, 409, "conflict")
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED


def test_bad_case_numbers_are_404(new_case, dispatcher):
    for number in ["nope", "0" * 500, "%00", quote("1;drop table cases_case"), "案件"]:
        assert_error(get(dispatcher, f"{CASES}/{number}"), 404, "not_found")
        response = post(dispatcher, f"{CASES}/{number}/actions/urge", {"note": "x"})
        assert_error(response, 404, "not_found")


def test_unknown_paths_and_wrong_methods_answer_in_json(dispatcher):
    assert_error(get(dispatcher, "/api/nothing/here"), 404, "not_found")
    response = Client().delete(CASES, headers=bearer(dispatcher))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_messages_follow_the_callers_language(operator, district, category):
    body = intake(district["grid11"])
    del body["title"]
    chinese = post({**bearer(operator), "Accept-Language": "zh-hans"}, CASES, body).json()
    english = post({**bearer(operator), "Accept-Language": "en"}, CASES, body).json()
    assert english["message"] == "title: This field is required."
    assert chinese["message"].startswith("title")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["message"])


def test_a_caller_without_accept_language_gets_chinese(new_case, operator):
    english = post(
        {**bearer(operator), "Accept-Language": "en"}, f"{CASES}/{new_case.number}/actions/close"
    ).json()
    default = post(bearer(operator), f"{CASES}/{new_case.number}/actions/close").json()
    assert "cannot be" in english["message"]
    assert default["message"] != english["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in default["message"])


def test_an_action_without_fields_needs_no_body(new_case, dispatcher, handler):
    act(dispatcher, new_case, "dispatch", main_department="CGJ")
    response = Client().post(
        f"{CASES}/{new_case.number}/actions/acknowledge",
        b"",
        content_type="application/json",
        headers=bearer(handler),
    )
    assert response.status_code == 200, response.content
    assert response.json()["case"]["status"] == "handling"


# --- scope -----------------------------------------------------------------------------


def test_an_outsider_can_neither_see_nor_touch_a_case(new_case, outsider, district, category):
    assert get(outsider, CASES).json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
        "next_older_than": None,
    }
    assert_error(get(outsider, f"{CASES}/{new_case.number}"), 404, "not_found")
    assert_error(get(outsider, f"{CASES}/{new_case.number}/actions"), 404, "not_found")
    assert_error(get(outsider, f"{CASES}/{new_case.number}/suggestion"), 404, "not_found")
    assert_error(act(outsider, new_case, "urge", note="快点"), 404, "not_found")
    assert_error(post(outsider, CASES, intake(district["grid11"])), 403, "forbidden")
    assert Case.objects.count() == 1
    assert new_case.events.count() == 1


def test_another_districts_handler_cannot_act_on_a_dispatched_case(
    new_case, dispatcher, other_handler
):
    act(dispatcher, new_case, "dispatch", main_department="CGJ")
    new_case.refresh_from_db()
    for action in ("acknowledge", "return", "reply"):
        assert_error(act(other_handler, new_case, action, note="不是我们的"), 404, "not_found")
    new_case.refresh_from_db()
    assert new_case.status == Status.DISPATCHED
    assert new_case.events.count() == 2


def test_a_case_cannot_be_merged_into_one_the_caller_cannot_see(
    new_case, dispatcher, other_district, category
):
    neighbour = f.make_user("dispatcher", regions=[other_district["district"]])
    # The test districts share their geometry: an unplaced case stays with its centre.
    theirs = f.make_case(actor=neighbour, category=category)
    assert theirs.owner_region == other_district["district"]
    response = act(dispatcher, new_case, "merge", into=theirs.number, note="重复")
    assert_error(response, 400, "invalid")
    assert not CaseEvent.objects.filter(case=theirs, action="merged_from").exists()


def test_a_handler_sees_only_its_departments_cases(
    new_case, dispatcher, handler, operator, district, category
):
    f.make_case(actor=operator, grid=district["grid12"], category=category)
    assert get(handler, CASES).json()["count"] == 0
    act(dispatcher, new_case, "dispatch", main_department="CGJ")
    assert [c["number"] for c in get(handler, CASES).json()["items"]] == [new_case.number]


# --- lists -----------------------------------------------------------------------------


@pytest.fixture
def many(operator, dispatcher, district, category, bureau):
    """Five cases: two in street 1, three in street 2; one dispatched, one closed, one red."""
    child = f.make_category("垃圾清运", code="0101", parent=category)
    cases = [
        f.make_case(actor=operator, grid=district["grid11"], category=category, title="路灯不亮"),
        f.make_case(actor=operator, grid=district["grid12"], category=child, title="垃圾满溢"),
        f.make_case(
            actor=operator,
            grid=district["grid21"],
            category=category,
            channel=Channel.GRID_PATROL,
            title="井盖缺失",
        ),
        f.make_case(actor=operator, grid=district["grid22"], category=category, title="噪音扰民"),
        f.make_case(actor=operator, grid=district["grid22"], category=category, title="路面坑洼"),
    ]
    services.act(cases[0], "dispatch", actor=dispatcher, main_department=bureau)
    services.act(cases[1], "answer_directly", actor=dispatcher, answer="已答复")
    Case.objects.filter(pk=cases[2].pk).update(due_at=timezone.now() - timedelta(hours=1))
    return cases


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {c["number"] for c in response.json()["items"]}


def test_list_filters_narrow_the_queue(many, dispatcher, district):
    n = [c.number for c in many]
    headers = bearer(dispatcher)
    assert numbers(get(headers, CASES)) == set(n)
    assert numbers(get(headers, CASES, status="dispatched")) == {n[0]}
    assert numbers(get(headers, CASES, status_group="closed")) == {n[1]}
    assert numbers(get(headers, CASES, status_group="open")) == set(n) - {n[1]}
    assert numbers(get(headers, CASES, light="red")) == {n[2]}
    assert numbers(get(headers, CASES, category="0101")) == {n[1]}
    assert numbers(get(headers, CASES, category="01")) == set(n)
    assert numbers(get(headers, CASES, channel="grid_patrol")) == {n[2]}
    assert numbers(get(headers, CASES, region=district["street2"].code)) == {n[2], n[3], n[4]}
    assert numbers(get(headers, CASES, region=district["grid22"].code)) == {n[3], n[4]}
    assert numbers(get(headers, CASES, main_department="CGJ")) == {n[0]}
    assert numbers(get(headers, CASES, q="路")) == {n[0], n[4]}
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert numbers(get(headers, CASES, created_before=tomorrow)) == set(n)
    assert numbers(get(headers, CASES, created_after=tomorrow)) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"status_group": "half"}, "status_group"),
        ({"light": "purple"}, "light"),
        ({"region": "999"}, "region"),
        ({"category": "zz"}, "category"),
        ({"created_after": "last tuesday"}, "created_after"),
        ({"created_after": "0001-01-01T00:00:00+14:00"}, "created_after"),
        ({"created_before": "9999-12-31T23:59:59-14:00"}, "created_before"),
        ({"created_after": "2026-11-22T09:00:00+20:00"}, "created_after"),
        ({"created_before": "2026-11-22T09:00:00-16:00"}, "created_before"),
        ({"limit": 0}, "limit"),
        ({"limit": 100_000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"q": "x" * 1000}, "q"),
        ({"q": "\x00"}, "q"),
        ({"region": "\x00"}, "region"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(many, dispatcher, params, field):
    body = assert_error(get(dispatcher, CASES, **params), 400, "invalid")
    assert body["errors"][0]["field"] == field


def test_the_list_pages_with_limit_and_offset(many, dispatcher):
    headers = bearer(dispatcher)
    first = get(headers, CASES, limit=2).json()
    second = get(headers, CASES, limit=2, offset=2).json()
    last = get(headers, CASES, limit=2, offset=4).json()
    assert first["count"] == second["count"] == last["count"] == 5
    pages = [c["number"] for page in (first, second, last) for c in page["items"]]
    assert len(pages) == len(set(pages)) == 5
    assert pages == sorted(pages, reverse=True)  # newest first


@pytest.mark.parametrize("user_fixture", ["dispatcher", "handler"])
def test_the_list_costs_the_same_queries_for_any_page_size(
    request,
    operator,
    dispatcher,
    district,
    category,
    bureau,
    user_fixture,
    django_assert_max_num_queries,
):
    for i in range(30):
        case = f.make_case(actor=operator, grid=district[f"grid{i % 2 + 1}1"], category=category)
        services.act(case, "dispatch", actor=dispatcher, main_department=bureau)
    headers = bearer(request.getfixturevalue(user_fixture))
    get(headers, CASES)  # the token's first use writes last_used_at
    # token + scope + the ids of the cases opened to the user and (a handler) co-handled
    # by their department, listed so the scope's OR reads indexes + count + page; no
    # query per case.
    with django_assert_max_num_queries(6):
        small = get(headers, CASES, limit=2)
    with django_assert_max_num_queries(6):
        large = get(headers, CASES, limit=30)
    assert len(small.json()["items"]) == 2
    assert len(large.json()["items"]) == 30


def test_a_case_detail_costs_a_fixed_number_of_queries(
    new_case, dispatcher, handler, django_assert_max_num_queries
):
    act(dispatcher, new_case, "dispatch", main_department="CGJ")
    act(handler, new_case, "acknowledge")
    headers = bearer(dispatcher)
    get(headers, CASES)
    # token + scope + the ids of the cases opened to the user + case + co-departments +
    # events + attachments.
    with django_assert_max_num_queries(7):
        response = get(headers, f"{CASES}/{new_case.number}")
    assert len(response.json()["events"]) == 3


# --- the description -------------------------------------------------------------------


def test_the_openapi_schema_lists_every_endpoint(db):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert {
        "/api/cases",
        "/api/cases/{number}",
        "/api/cases/{number}/actions",
        "/api/cases/{number}/actions/{action}",
        "/api/cases/{number}/attachments",
        "/api/cases/{number}/suggestion",
        "/api/regions",
        "/api/regions/locate",
        "/api/categories",
        "/api/departments",
    } <= set(paths)
    assert {"get", "post"} <= set(paths["/api/cases"])


def test_the_docs_page_loads_nothing_from_the_internet(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "http://" not in html
    assert "https://" not in html
    # Only what the browser fetches: a random token in the page may well contain "cdn".
    sources = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html, re.IGNORECASE)
    assert sources
    for source in sources:
        assert not source.startswith("//"), source
        assert "cdn" not in source.lower(), source


# --- garbage everywhere ----------------------------------------------------------------

GARBAGE_BODIES = [
    "",
    "null",
    "[]",
    "{}",
    "0",
    "true",
    '"text"',
    "{bad json",
    "\ufeff{}",
    '{"title": {"$ne": 1}, "content": ["x"], "channel": null}',
    '{"location": {"lng": 1e400, "lat": -1e400}}',
    '{"days": 1e400, "rating": 5, "co_departments": {"a": 1}}',
    "[" * 10_000 + "]" * 10_000,
    json.dumps({"title": "标题" * 10_000, "content": "x", "note": "y" * 50_000}),
    json.dumps({f"field{i}": i for i in range(2000)}),
]
GARBAGE_PARAMS = [
    {"limit": "abc"},
    {"offset": "-0"},
    {"limit": "1e3"},
    {"lng": "1e400", "lat": "nan"},
    {"status": ["registered", "closed"]},
    {"level": "\x00"},
    {"created_after": "2026-13-45"},
    {"datum": "xyz", "lng": "118", "lat": "37"},
    {"q": "%' OR 1=1 --"},
    {"region": "/"},
]


def _endpoints(case):
    base = f"{CASES}/{case.number}"
    posts = [
        CASES,
        f"{base}/actions/dispatch",
        f"{base}/actions/merge",
        f"{base}/attachments",
        f"{base}/actions/place",
        f"{base}/actions/request_extension",
    ]
    gets = [
        CASES,
        base,
        f"{base}/actions",
        f"{base}/suggestion",
        "/api/regions",
        "/api/regions/locate",
        "/api/categories",
        "/api/departments",
    ]
    return posts, gets


def test_no_garbage_makes_any_endpoint_fail_with_a_500(new_case, dispatcher):
    headers = bearer(dispatcher)
    posts, gets = _endpoints(new_case)
    answers = []
    for url in posts:
        for body in GARBAGE_BODIES:
            answers.append((url, body[:40], post(headers, url, body)))
    for url in gets:
        for params in GARBAGE_PARAMS:
            answers.append((url, params, get(headers, url, **params)))
    for url, sent, response in answers:
        assert response.status_code < 500, (url, sent, response.content[:300])
        if response.status_code >= 400:
            assert set(response.json()) >= {"code", "message"}, (url, sent)
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED


def test_an_upload_without_a_file_names_the_missing_field(new_case, operator):
    response = Client().post(
        f"{CASES}/{new_case.number}/attachments", {"other": "x"}, headers=bearer(operator)
    )
    body = assert_error(response, 400, "invalid")
    assert body["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=ä"],
)
def test_an_upload_without_a_readable_boundary_is_a_400(new_case, operator, content_type):
    response = Client().generic(
        "POST",
        f"{CASES}/{new_case.number}/attachments",
        b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--\r\n',
        content_type=content_type,
        headers=bearer(operator),
    )
    body = assert_error(response, 400, "invalid")
    assert "boundary" in body["message"]
    assert not new_case.attachments.exists()


def test_an_oversized_attachment_is_refused(new_case, operator, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_BYTES", 50)
    photo = SimpleUploadedFile("大图.jpg", b"\xff\xd8" + b"0" * 100, "image/jpeg")
    response = Client().post(
        f"{CASES}/{new_case.number}/attachments", {"file": photo}, headers=bearer(operator)
    )
    assert_error(response, 400, "invalid")
    assert not new_case.attachments.exists()


def test_a_refused_action_names_the_input_it_is_about(new_case, dispatcher, handler, bureau):
    assert act(dispatcher, new_case, "dispatch", main_department=bureau.code).status_code == 200
    body = assert_error(act(handler, new_case, "return", note=""), 400, "invalid")
    assert body["errors"][0]["field"] == "note"
    new_case.refresh_from_db()
    assert new_case.status == "dispatched"


def test_a_report_sent_again_under_its_idempotency_key_is_not_filed_twice(
    operator, district, category
):
    headers = {**bearer(operator), "Idempotency-Key": "retry-0001"}
    first = post(headers, CASES, intake(district["grid11"]))
    again = post(headers, CASES, intake(district["grid11"]))
    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    other = post({**headers, "Idempotency-Key": "retry-0002"}, CASES, intake(district["grid11"]))
    assert other.status_code == 201
    assert Case.objects.count() == 2
