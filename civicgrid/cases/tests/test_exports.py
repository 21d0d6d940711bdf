"""Excel export of case lists: the rows the list shows, masked, audited; long lists as a
job with progress, downloadable only by whoever asked."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.cases import exports, services
from civicgrid.cases.models import Case, CaseExport
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _sheet(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def _download(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return _sheet(b"".join(response.streaming_content))


def _export(client, source: str, query: str = ""):
    url = reverse("cases:export", args=[source]) + (f"?{query}" if query else "")
    return client.post(url)


@pytest.fixture
def lamp(operator, district, category):
    return f.make_case(actor=operator, grid=district["grid11"], category=category, title="路灯不亮")


@pytest.fixture
def drain(operator, district, category):
    return f.make_case(
        actor=operator, grid=district["grid21"], category=category, title="井盖缺失", channel="web"
    )


def test_the_case_list_offers_the_export_with_its_filters(client, dispatcher, lamp):
    client.force_login(dispatcher)
    page = client.get(reverse("cases:list"), {"channel": "hotline"}).content.decode()
    assert reverse("cases:export", args=["cases"]) + "?channel=hotline" in page
    assert "Export Excel" in page


def test_a_short_export_downloads_at_once_the_filtered_rows(client, dispatcher, lamp, drain):
    client.force_login(dispatcher)
    rows = _download(_export(client, "cases", "channel=web"))
    header, *body = rows
    assert header[:3] == ("Case number", "Received", "Channel")
    assert [row[0] for row in body] == [drain.number]
    assert body[0][6] == "井盖缺失"
    assert "市容环境" in body[0][4]


def test_the_export_masks_the_reporters_phone_and_name(client, dispatcher, lamp):
    client.force_login(dispatcher)
    rows = _download(_export(client, "cases"))
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "13812345678" not in flat
    assert "张三" not in flat
    assert "138****5678" in flat
    assert "张*" in flat


def test_times_are_local_and_a_formula_stays_text(client, dispatcher, operator, district):
    case = f.make_case(actor=operator, grid=district["grid11"], title="=HYPERLINK(1)")
    client.force_login(dispatcher)
    header, row = _download(_export(client, "cases"))
    received = row[header.index("Received")]
    assert received == timezone.localtime(case.created_at).replace(
        tzinfo=None, second=0, microsecond=0
    )
    assert row[header.index("Title")] == "=HYPERLINK(1)"


def test_an_export_has_only_the_cases_the_user_may_see(client, outsider, lamp):
    client.force_login(outsider)
    header, *body = _download(_export(client, "cases"))
    assert body == []


def test_every_export_is_recorded_with_who_what_and_how_many(client, dispatcher, lamp, drain):
    client.force_login(dispatcher)
    _export(client, "cases", "channel=web")
    job = CaseExport.objects.get()
    assert job.user == dispatcher
    assert job.source == "cases"
    assert job.params == {"channel": "web"}
    assert "channel=web" in job.description
    assert job.written == 1


def test_the_inbox_exports_the_departments_cases(client, handler, dispatcher, lamp, drain, bureau):
    services.act(lamp, "dispatch", actor=dispatcher, main_department=bureau)
    client.force_login(handler)
    assert (
        reverse("cases:export", args=["inbox"])
        in client.get(reverse("cases:inbox")).content.decode()
    )
    header, *body = _download(_export(client, "inbox"))
    assert [row[0] for row in body] == [lamp.number]
    assert body[0][header.index("Main department")] == bureau.name


def test_an_unknown_list_is_not_found(client, dispatcher):
    client.force_login(dispatcher)
    assert _export(client, "nothing").status_code == 404
    assert not CaseExport.objects.exists()


def test_a_long_export_runs_as_a_job_with_progress(client, dispatcher, lamp, drain, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    client.force_login(dispatcher)
    response = _export(client, "cases")
    job = CaseExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:export_status", args=[job.pk])
    waiting = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting
    assert "Waiting for the export worker" in waiting

    assert exports.run_pending() == 1
    done = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in done
    assert "2 cases written" in done
    header, *body = _download(client.get(reverse("cases:export_file", args=[job.pk])))
    assert {row[0] for row in body} == {lamp.number, drain.number}


def test_the_file_is_only_for_whoever_asked(client, dispatcher, second_dispatcher, lamp):
    client.force_login(dispatcher)
    _export(client, "cases")
    job = CaseExport.objects.get()
    client.force_login(second_dispatcher)
    assert client.get(reverse("cases:export_file", args=[job.pk])).status_code == 404
    assert client.get(reverse("cases:export_status", args=[job.pk])).status_code == 404


def test_progress_is_written_as_the_rows_go(dispatcher, lamp, drain, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 0)
    monkeypatch.setattr(exports, "CHUNK", 1)
    seen = []
    real = exports._progress
    monkeypatch.setattr(
        exports,
        "_progress",
        lambda job, n: (real(job, n), seen.append(job.__class__.objects.get(pk=job.pk).written)),
    )
    job = exports.start(dispatcher, "cases", {})
    assert job.state == CaseExport.State.PENDING
    exports.run_pending()
    assert seen == [1, 2]
    job.refresh_from_db()
    assert (job.state, job.written, job.percent) == (CaseExport.State.DONE, 2, 100)


def test_a_job_another_worker_holds_is_not_run_twice(dispatcher, lamp, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 0)
    job = exports.start(dispatcher, "cases", {})
    CaseExport.objects.filter(pk=job.pk).update(state="running", heartbeat_at=timezone.now())
    assert exports.run_pending() == 0
    # A worker that died: its job is taken over once its progress is old.
    stale = timezone.now() - exports.STALE_AFTER - timedelta(seconds=1)
    CaseExport.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    assert exports.run_pending() == 1


def test_old_files_are_deleted_and_the_record_kept(client, dispatcher, lamp, data_dir):
    client.force_login(dispatcher)
    _export(client, "cases")
    job = CaseExport.objects.get()
    path = exports.file_path(job)
    assert path is not None
    assert path.is_file()
    assert exports.clean_old_files(timezone.now() + exports.KEEP_FILES + timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert not path.exists()
    assert job.state == CaseExport.State.EXPIRED
    assert client.get(reverse("cases:export_file", args=[job.pk])).status_code == 404
    page = client.get(reverse("cases:export_status", args=[job.pk])).content.decode()
    assert "export the list again" in page


def test_the_export_worker_command_writes_waiting_jobs(dispatcher, lamp, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(exports, "SYNC_LIMIT", 0)
    job = exports.start(dispatcher, "cases", {})
    call_command("export_worker", "--once")
    job.refresh_from_db()
    assert job.state == CaseExport.State.DONE
    assert Case.objects.count() == job.written == 1


# --- the API ------------------------------------------------------------------------


def _bearer(user) -> dict:
    from civicgrid.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_exports_the_filtered_cases_and_serves_the_file(dispatcher, lamp, drain):
    from django.test import Client

    api = Client(headers=_bearer(dispatcher))
    response = api.post("/api/cases/exports?channel=web")
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["total"], body["percent"]) == ("done", 1, 100)
    header, *rows = _download(api.get(body["file"]))
    assert [row[0] for row in rows] == [drain.number]
    assert CaseExport.objects.get().params == {"channel": "web"}


def test_the_api_reports_a_long_exports_progress(dispatcher, lamp, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(exports, "SYNC_LIMIT", 0)
    api = Client(headers=_bearer(dispatcher))
    body = api.post("/api/cases/exports").json()
    assert (body["state"], body["file"]) == ("pending", None)
    exports.run_pending()
    later = api.get(f"/api/cases/exports/{body['id']}").json()
    assert later["state"] == "done"
    assert later["file"]


def test_the_api_hides_someone_elses_export(dispatcher, second_dispatcher, lamp):
    from django.test import Client

    body = Client(headers=_bearer(dispatcher)).post("/api/cases/exports").json()
    other = Client(headers=_bearer(second_dispatcher))
    assert other.get(f"/api/cases/exports/{body['id']}").status_code == 404
    assert other.get(f"/api/cases/exports/{body['id']}/file").status_code == 404


def test_the_api_refuses_an_unknown_region_and_records_nothing(dispatcher):
    from django.test import Client

    response = Client(headers=_bearer(dispatcher)).post("/api/cases/exports?region=nowhere")
    assert response.status_code == 400
    assert not CaseExport.objects.exists()
