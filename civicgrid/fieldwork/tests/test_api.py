"""/api/fieldwork: visits, the board, must-attend tasks and centre tasks."""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import Visit

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("visits", "board", "must-attend", "tasks"):
        assert f"/api/fieldwork/{path}" in paths


def test_a_visit_sent_twice_with_its_key_is_recorded_once(client, household, grid_worker):
    body = {"household": household.pk, "found": "一切正常", "idempotency_key": "api-key-0001"}
    headers = bearer(grid_worker)
    first = client.post(
        "/api/fieldwork/visits", body, content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/fieldwork/visits", body, content_type="application/json", headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert "contact" not in first.text
    assert "1391" not in first.text


def test_a_visit_to_a_household_outside_the_callers_grids_is_refused(
    client, far_household, grid_worker
):
    answer = client.post(
        "/api/fieldwork/visits",
        {"household": far_household.pk, "found": "x"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 403
    assert not Visit.objects.exists()


def test_a_second_visit_in_a_month_is_refused_with_the_reason(client, household, grid_worker):
    services.record_visit(household, actor=grid_worker, found="好")
    answer = client.post(
        "/api/fieldwork/visits",
        {"household": household.pk, "found": "又来"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 400
    assert "already visited" in answer.text


def test_the_board_and_the_open_visits_are_listed(client, household, leader, grid_worker):
    services.generate_due_visits(timezone.localdate())
    visits = client.get("/api/fieldwork/visits?open=true", headers=bearer(grid_worker)).json()
    assert [v["door"] for v in visits] == ["3-2-401"]
    board = client.get("/api/fieldwork/board", headers=bearer(leader)).json()
    assert board["total"]["due"] == 1
    assert board["total"]["overdue"] == 0
    bad = client.get("/api/fieldwork/board?month=2026-13", headers=bearer(leader))
    assert bad.status_code == 400


def test_someone_outside_sees_no_visits(client, household, outsider):
    services.generate_due_visits(timezone.localdate())
    assert client.get("/api/fieldwork/visits", headers=bearer(outsider)).json() == []


@pytest.fixture
def must_attend(django_capture_on_commit_callbacks, operator, district, category):
    from civicgrid.cases.tests.factories import make_case
    from civicgrid.fieldwork.models import MustAttend, MustAttendRule

    MustAttendRule.objects.create(category=category, minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=category)
    return MustAttend.objects.get(case=case)


def test_the_arrival_and_reply_doors_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/fieldwork/must-attend/{task_id}/arrive" in paths
    assert "/api/fieldwork/tasks/{task_id}/replies" in paths
    assert "/api/fieldwork/tasks/{task_id}/replies/{reply_id}" in paths


def test_the_grid_worker_records_an_arrival_once_through_the_api(client, must_attend, grid_worker):
    url = f"/api/fieldwork/must-attend/{must_attend.pk}/arrive"
    headers = bearer(grid_worker)
    first = client.post(url, {"note": "已到现场"}, content_type="application/json", headers=headers)
    assert first.status_code == 200
    assert first.json()["arrived_at"] is not None
    assert first.json()["note"] == "已到现场"
    again = client.post(url, {"note": "又到"}, content_type="application/json", headers=headers)
    assert again.status_code == 400
    assert "已记录" in again.json()["message"] or "already" in again.json()["message"]
    listed = client.get("/api/fieldwork/must-attend?open=false", headers=headers).json()
    assert [t["note"] for t in listed] == ["已到现场"]


def test_an_arrival_outside_the_callers_grids_is_not_found_and_the_community_is_refused(
    client, must_attend, outsider, dispatcher
):
    url = f"/api/fieldwork/must-attend/{must_attend.pk}/arrive"
    far = client.post(url, {}, content_type="application/json", headers=bearer(outsider))
    assert far.status_code == 404
    # The centre sees the task but is not the grid's team: refused with the reason.
    centre = client.post(url, {}, content_type="application/json", headers=bearer(dispatcher))
    assert centre.status_code == 403
    must_attend.refresh_from_db()
    assert must_attend.arrived_at is None


def test_a_grid_replies_to_a_centre_task_through_the_api(
    client, district, dispatcher, grid_worker, outsider
):
    task = services.send_task(
        [district["grid11"], district["grid21"]], actor=dispatcher, title="排查易涝地下室"
    )
    mine = task.replies.get(grid=district["grid11"])
    theirs = task.replies.get(grid=district["grid21"])
    listed = client.get(f"/api/fieldwork/tasks/{task.pk}/replies", headers=bearer(grid_worker))
    assert {r["grid"] for r in listed.json()} == {district["grid11"].code, district["grid21"].code}
    url = f"/api/fieldwork/tasks/{task.pk}/replies/{mine.pk}"
    done = client.post(
        url,
        {"result": "3处地下室已排查"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert done.status_code == 200
    assert done.json()["result"] == "3处地下室已排查"
    assert done.json()["done_at"] is not None
    twice = client.post(
        url, {"result": "再报"}, content_type="application/json", headers=bearer(grid_worker)
    )
    assert twice.status_code == 400
    other = client.post(
        f"/api/fieldwork/tasks/{task.pk}/replies/{theirs.pk}",
        {"result": "代答"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert other.status_code == 403
    assert (
        "不是您的网格" in other.json()["message"]
        or "not one of your grids" in other.json()["message"]
    )
    hidden = client.get(f"/api/fieldwork/tasks/{task.pk}/replies", headers=bearer(outsider))
    assert hidden.status_code == 404
    board = client.get("/api/fieldwork/tasks", headers=bearer(dispatcher)).json()
    assert (board[0]["grids"], board[0]["done"]) == (2, 1)


def test_an_empty_reply_is_refused_in_chinese(district, dispatcher, grid_worker):
    from django.test import Client

    task = services.send_task([district["grid11"]], actor=dispatcher, title="排查")
    reply = task.replies.get()
    answer = Client().post(
        f"/api/fieldwork/tasks/{task.pk}/replies/{reply.pk}",
        {"result": "  "},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 400
    assert "必填" in answer.text
    reply.refresh_from_db()
    assert reply.done_at is None


def _photo_reply(district, dispatcher):
    task = services.send_task([district["grid11"]], actor=dispatcher, title="排查易涝地下室")
    reply = task.replies.get()
    return f"/api/fieldwork/tasks/{task.pk}/replies/{reply.pk}/photos", task, reply


def test_a_grid_replies_with_photos_through_the_api_as_multipart(district, dispatcher, grid_worker):
    from django.test import Client

    from civicgrid.cases.tests.factories import make_image
    from civicgrid.fieldwork.models import ReplyPhoto

    url, task, reply = _photo_reply(district, dispatcher)
    answer = Client().post(
        url,
        {
            "result": "地下室已排查，沙袋到位",
            "photos": [make_image("一.jpg", gps=True), make_image()],
        },
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 200, answer.content
    assert (answer.json()["result"], answer.json()["photos"]) == ("地下室已排查，沙袋到位", 2)
    photo = ReplyPhoto.objects.filter(reply=reply).first()
    assert photo.content_type.startswith("image/")
    assert b"GPS" not in photo.file.read()
    listed = Client().get(f"/api/fieldwork/tasks/{task.pk}/replies", headers=bearer(dispatcher))
    assert listed.json()[0]["photos"] == 2


def test_a_reply_with_a_file_that_is_not_a_photo_or_too_many_is_refused_in_chinese(
    district, dispatcher, grid_worker
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from civicgrid.cases.tests.factories import make_image
    from civicgrid.fieldwork.models import ReplyPhoto

    url, _task, reply = _photo_reply(district, dispatcher)
    text = SimpleUploadedFile("说明.txt", "地下室无积水".encode(), "text/plain")
    wrong = Client().post(url, {"result": "已排查", "photos": [text]}, headers=bearer(grid_worker))
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["photos"]
    assert "说明.txt" in wrong.json()["message"]  # (the new text's Chinese is in briefs)
    fake = SimpleUploadedFile("假.jpg", b"\x00" * 64, "image/jpeg")
    faked = Client().post(url, {"result": "已排查", "photos": [fake]}, headers=bearer(grid_worker))
    assert faked.status_code == 400
    many = [make_image(f"{i}.jpg") for i in range(7)]
    crowded = Client().post(url, {"result": "已排查", "photos": many}, headers=bearer(grid_worker))
    assert crowded.status_code == 400
    assert [e["field"] for e in crowded.json()["errors"]] == ["photos"]
    reply.refresh_from_db()
    assert reply.done_at is None  # nothing half-saved
    assert not ReplyPhoto.objects.exists()


def test_a_large_photo_is_refused_before_anything_is_saved(
    district, dispatcher, grid_worker, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    url, _task, reply = _photo_reply(district, dispatcher)
    big = SimpleUploadedFile("大.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1))
    answer = Client().post(url, {"result": "已排查", "photos": [big]}, headers=bearer(grid_worker))
    assert answer.status_code == 400
    assert "10 MB" in answer.json()["message"]
    assert "大.jpg" in answer.json()["message"]
    reply.refresh_from_db()
    assert reply.done_at is None
