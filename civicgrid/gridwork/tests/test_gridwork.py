"""网格通: field reports that survive a resend, the whistle and the report-in, patrols."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.services import SubmissionKey
from civicgrid.cases.tests import factories as f
from civicgrid.gridwork import services
from civicgrid.gridwork.events import REPORT_IN, WHISTLE
from civicgrid.gridwork.models import Patrol, Summons


def _report(district, key="a1b2c3d4e5f6", **overrides):
    lng, lat = f.point_in(district["grid11"])
    data = {
        "title": "井盖缺失",
        "content": "人民路与胜利街路口井盖缺失，已放置警示锥。",
        "lng": f"{lng:.6f}",
        "lat": f"{lat:.6f}",
        "datum": "wgs84",
        "client_key": key,
        "urgency": "",
        "address": "",
    }
    data.update(overrides)
    return data


def test_a_grid_worker_lands_on_their_grid_page(client, grid_worker):
    client.force_login(grid_worker)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("gridwork:home")
    assert "Start patrol" in response.content.decode()


def test_a_field_report_is_a_grid_patrol_case_in_the_workers_grid(
    client, grid_worker, district, category
):
    client.force_login(grid_worker)
    response = client.post(
        reverse("gridwork:report"), _report(district, category=category.pk), follow=True
    )
    case = Case.objects.get()
    assert case.channel == Channel.GRID_PATROL
    assert case.grid == district["grid11"]
    assert case.created_by == grid_worker
    assert case.events.get().data["channel"] == Channel.GRID_PATROL
    assert f"Case {case.number} reported" in response.content.decode()


def test_a_program_renamed_jpg_is_refused_in_a_field_report(client, grid_worker, district):
    client.force_login(grid_worker)
    program = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\0" * 200, "image/jpeg")
    response = client.post(reverse("gridwork:report"), _report(district, attachments=[program]))
    assert response.status_code == 400
    assert "“photo.jpg” is not a photo" in response.content.decode()
    assert not Case.objects.exists()


def test_a_resent_report_files_one_case(client, grid_worker, district):
    client.force_login(grid_worker)
    url = reverse("gridwork:report")
    first = client.post(url, _report(district), HTTP_ACCEPT="application/json")
    again = client.post(url, _report(district), HTTP_ACCEPT="application/json")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    # A new report (a new key) is a new case.
    client.post(url, _report(district, key="ffff0000eeee1111"), HTTP_ACCEPT="application/json")
    assert Case.objects.count() == 2


def test_a_bad_report_says_what_is_wrong_and_files_nothing(client, grid_worker, district):
    client.force_login(grid_worker)
    response = client.post(reverse("gridwork:report"), _report(district, title=""))
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(
        reverse("gridwork:report"),
        _report(district, key="bad key!"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "idempotency key" in str(response.json()["errors"])
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_report_arriving_twice_at_once_makes_one_case(grid_worker, district):
    """Two tries of one report racing (a retry while the first is still in flight)."""
    from civicgrid.cases.services import Intake, register_case_once

    lng, lat = f.point_in(district["grid11"])
    intake = Intake(
        channel=Channel.GRID_PATROL, title="井盖缺失", content="路口井盖缺失", lng=lng, lat=lat
    )
    key = SubmissionKey.for_user(grid_worker, "race-key-123456")
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def send():
        try:
            barrier.wait()
            numbers.append(register_case_once(intake, actor=grid_worker, key=key).case.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(numbers)) == 1
    assert Case.objects.count() == 1


def test_the_api_honours_an_idempotency_key(client, operator, district):
    client.force_login(operator)
    lng, lat = f.point_in(district["grid11"])
    body = {
        "channel": "web",
        "title": "路灯不亮",
        "content": "路灯坏了",
        "location": {"lng": lng, "lat": lat},
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "api-key-0001"}
    first = client.post("/api/cases", body, content_type="application/json", **headers)
    again = client.post("/api/cases", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    bad = client.post(
        "/api/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="no"
    )
    assert bad.status_code == 400
    assert Case.objects.count() == 1


@pytest.fixture
def summoned(district, grid_worker, operator, bureau, other_bureau):
    case = f.make_case(actor=operator, grid=district["grid11"])
    summonses = services.whistle(
        case,
        [bureau, other_bureau],
        actor=grid_worker,
        reason="占道经营堵塞消防通道，需执法和住建到场",
    )
    return case, summonses


def test_a_whistle_summons_each_department_with_a_deadline_shown_on_the_case(
    client, summoned, grid_worker
):
    case, summonses = summoned
    assert len(summonses) == 2
    assert all(s.due_at > s.summoned_at for s in summonses)
    event = case.events.get(action=WHISTLE)
    assert event.actor == grid_worker
    assert set(event.data["summoned"]) == {"城市管理局", "邻区城市管理局"}
    client.force_login(grid_worker)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "Whistle: departments summoned" in page
    assert "邻区城市管理局" in page
    assert "waiting" in page


def test_a_summoned_department_sees_the_case_and_reports_in_once(client, summoned, other_handler):
    case, summonses = summoned
    client.force_login(other_handler)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in inbox
    assert "Report in" in inbox
    mine = next(s for s in summonses if s.department_id == other_handler.grants.get().department_id)
    url = reverse("gridwork:report_in", args=[mine.pk])
    response = client.post(url, {"response": "两名队员十分钟到"}, follow=True)
    assert "Reported in on case" in response.content.decode()
    mine.refresh_from_db()
    assert mine.reported_by == other_handler
    assert mine.response == "两名队员十分钟到"
    event = case.events.get(action=REPORT_IN)
    assert event.data == {"present": "邻区城市管理局", "late": False}
    again = client.post(url, {"response": ""}, follow=True)
    assert "already reported in" in again.content.decode()
    assert case.events.filter(action=REPORT_IN).count() == 1


def test_only_the_summoned_department_reports_in(client, summoned, handler):
    case, summonses = summoned
    client.force_login(handler)
    other = next(s for s in summonses if s.department_id != handler.grants.get().department_id)
    client.post(reverse("gridwork:report_in", args=[other.pk]), {})
    other.refresh_from_db()
    assert other.reported_at is None


def test_a_late_report_in_is_marked_late(summoned, other_handler):
    case, summonses = summoned
    mine = next(s for s in summonses if s.department_id == other_handler.grants.get().department_id)
    Summons.objects.filter(pk=mine.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    mine.refresh_from_db()
    services.report_in(mine, actor=other_handler)
    assert case.events.get(action=REPORT_IN).data["late"] is True


def test_a_department_waiting_is_not_summoned_twice(summoned, grid_worker, bureau):
    case, _summonses = summoned
    with pytest.raises(InvalidAction, match="already summoned"):
        services.whistle(case, [bureau], actor=grid_worker, reason="再催一次")
    assert Summons.objects.filter(case=case).count() == 2


def test_whistle_refusals(client, district, operator, grid_worker, outsider, bureau, category):
    case = f.make_case(actor=operator, grid=district["grid11"])
    with pytest.raises(ActionRefused):
        services.whistle(case, [bureau], actor=outsider, reason="x")
    with pytest.raises(InvalidAction, match="needed for"):
        services.whistle(case, [bureau], actor=grid_worker, reason="  ")
    with pytest.raises(InvalidAction, match="at least one"):
        services.whistle(case, [], actor=grid_worker, reason="需要到场")
    # Outside the worker's grids.
    far = f.make_case(actor=operator, grid=district["grid21"])
    with pytest.raises(ActionRefused):
        services.whistle(far, [bureau], actor=grid_worker, reason="需要到场")
    client.force_login(grid_worker)
    response = client.post(
        reverse("gridwork:whistle", args=[case.number]), {"reason": "需要到场"}, follow=True
    )
    assert "Choose the departments" in response.content.decode()
    assert not Summons.objects.exists()


def test_a_patrol_is_started_once_and_ended_with_notes(client, grid_worker):
    client.force_login(grid_worker)
    client.post(reverse("gridwork:patrol_start"))
    client.post(reverse("gridwork:patrol_start"))
    assert Patrol.objects.filter(worker=grid_worker, ended_at__isnull=True).count() == 1
    page = client.get(reverse("gridwork:home")).content.decode()
    assert "On patrol since" in page
    client.post(reverse("gridwork:patrol_stop"), {"notes": "东营社区巡查两小时，发现井盖缺失一处"})
    patrol = Patrol.objects.get(worker=grid_worker)
    assert patrol.ended_at is not None
    assert "井盖缺失" in patrol.notes
    response = client.post(reverse("gridwork:patrol_stop"), {"notes": ""}, follow=True)
    assert "No patrol is under way" in response.content.decode()


def test_only_grid_workers_open_the_grid_pages(client, operator):
    client.force_login(operator)
    assert client.get(reverse("gridwork:home")).status_code == 403
    assert client.post(reverse("gridwork:patrol_start")).status_code == 403
