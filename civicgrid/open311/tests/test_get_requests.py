"""GET requests: every filter, paging, the defaults, and only what may be public."""

import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent, Rating
from civicgrid.cases.tests import factories as f

from .conftest import BASE

pytestmark = pytest.mark.django_db


def get(client, path="requests", **params):
    response = client.get(f"{BASE}/{path}.json", data=params)
    return response.status_code, json.loads(response.content)


def numbers(body) -> list[str]:
    return [row["service_request_id"] for row in body]


def made(operator, district, category, *, days_ago=0, **overrides) -> Case:
    """A published request: made on the website unless ``channel`` says otherwise."""
    overrides.setdefault("channel", "web")
    case = f.make_case(actor=operator, grid=district["grid11"], category=category, **overrides)
    if days_ago:
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        case.refresh_from_db()
    return case


def close(case, *, dispatcher, handler, operator, grid_worker, bureau, reply="路灯已修好。"):
    case_services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    case_services.act(case, Action.ACKNOWLEDGE, actor=handler)
    case_services.act(case, Action.REPLY, actor=handler, reply=reply)
    case_services.act(case, Action.VERIFY_PASS, actor=grid_worker, note="现场已亮")
    case_services.act(case, Action.CALLBACK, actor=operator, rating=Rating.SATISFIED)
    case_services.act(case, Action.CLOSE, actor=operator)


@pytest.fixture
def people(dispatcher, handler, operator, grid_worker, bureau):
    return {
        "dispatcher": dispatcher,
        "handler": handler,
        "operator": operator,
        "grid_worker": grid_worker,
        "bureau": bureau,
    }


def test_requests_are_listed_newest_first_for_the_last_90_days(
    client, operator, district, category
):
    old = made(operator, district, category, days_ago=100)
    older = made(operator, district, category, days_ago=5)
    newer = made(operator, district, category, days_ago=1)
    status, body = get(client)
    assert status == 200
    assert numbers(body) == [newer.number, older.number]
    assert old.number not in numbers(body)


def test_dates_select_by_the_time_the_request_was_made(client, operator, district, category):
    week_ago = made(operator, district, category, days_ago=7)
    made(operator, district, category, days_ago=1)
    start = (timezone.now() - timedelta(days=8)).isoformat()
    end = (timezone.now() - timedelta(days=6)).isoformat()
    status, body = get(client, start_date=start, end_date=end)
    assert numbers(body) == [week_ago.number]
    # Z and +08:00 name the same instants.
    start_utc = (timezone.now() - timedelta(days=8)).astimezone(UTC)
    status, body = get(client, start_date=start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"), end_date=end)
    assert numbers(body) == [week_ago.number]


def test_an_old_request_is_found_with_a_start_date_alone(client, operator, district, category):
    old = made(operator, district, category, days_ago=100)
    start = (timezone.now() - timedelta(days=101)).isoformat()
    assert numbers(get(client, start_date=start)[1]) == [old.number]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"start_date": "yesterday"}, "start_date: Give a date and time in ISO 8601"),
        ({"start_date": "2026-11-01"}, "start_date: Give a date and time in ISO 8601"),
        ({"end_date": "2026-11-01T08:00:00"}, "end_date: Say the time zone"),
        (
            {"start_date": "2026-11-10T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
            "end_date: The end date is before the start date.",
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
            "end_date: start_date and end_date may be at most 90 days apart.",
        ),
        ({"start_date": "2026-11-01T00:00:00+20:00"}, "start_date: The time zone offset"),
        ({"end_date": "2026-11-01T00:00:00-16:00"}, "end_date: The time zone offset"),
        ({"start_date": "0001-01-01T00:00:00+08:00"}, "start_date: The year must be"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "start_date: The year must be"),
        ({"end_date": "0001-01-01T00:00:00-08:00"}, "end_date: The year must be"),
        ({"status": "pending"}, "status: Use open, closed or both"),
        ({"service_code": "nope"}, "service_code: There is no service nope."),
        ({"page": "0"}, "page: Give a whole number from 1 to"),
        ({"page_size": "1001"}, "page_size: Give a whole number from 1 to 1000."),
        ({"page_size": "ten"}, "page_size: Give a whole number from 1 to 1000."),
        ({"extensions": "yes"}, "extensions: Use true or false."),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(client, params, problem):
    status, body = get(client, **params)
    assert status == 400
    assert body[0]["code"] == 400
    assert body[0]["description"].startswith(problem)


def test_status_filters_by_the_open_and_closed_groups(client, operator, district, category, people):
    open_case = made(operator, district, category)
    closed_case = made(operator, district, category)
    close(closed_case, **people)
    assert numbers(get(client, status="open")[1]) == [open_case.number]
    assert numbers(get(client, status="closed")[1]) == [closed_case.number]
    assert set(numbers(get(client, status="open,closed")[1])) == {
        open_case.number,
        closed_case.number,
    }
    status, body = get(client, service_request_id=closed_case.number)
    assert body[0]["status"] == "closed"
    assert body[0]["status_notes"] == "路灯已修好。"


def test_a_merged_request_is_closed_as_a_duplicate(
    client, operator, district, category, dispatcher
):
    first = made(operator, district, category)
    duplicate = made(operator, district, category)
    case_services.act(duplicate, Action.MERGE, actor=dispatcher, into=first.number, note="重复")
    row = get(client, f"requests/{duplicate.number}")[1][0]
    assert row["status"] == "closed"
    assert row["status_notes"] == f"Duplicate of request {first.number}."


def test_service_code_selects_one_or_several_services(
    client, operator, district, category, parking, litter
):
    parked = made(operator, district, parking, extra={"plate": "鲁E00001"})
    littered = made(operator, district, litter)
    made(operator, district, category)
    assert numbers(get(client, service_code="0101")[1]) == [parked.number]
    assert set(numbers(get(client, service_code="0101,0102")[1])) == {
        parked.number,
        littered.number,
    }


def test_ids_override_every_other_filter(client, operator, district, category, people):
    old = made(operator, district, category, days_ago=200)
    recent = made(operator, district, category)
    close(recent, **people)
    status, body = get(
        client,
        service_request_id=f"{old.number}, {recent.number},20990101-00001",
        status="open",
        service_code="nope",
    )
    assert status == 200
    assert set(numbers(body)) == {old.number, recent.number}


def test_pages_follow_each_other_without_overlap(client, operator, district, category):
    cases = [made(operator, district, category, days_ago=d) for d in (1, 2, 3, 4, 5)]
    first = numbers(get(client, page_size="2")[1])
    second = numbers(get(client, page_size="2", page="2")[1])
    third = numbers(get(client, page_size="2", page="3")[1])
    assert first + second + third == [c.number for c in cases]
    assert get(client, page_size="2", page="4")[1] == []


def test_a_single_unknown_request_is_a_404(client):
    status, body = get(client, "requests/20990101-00001")
    assert status == 404
    assert body[0]["code"] == 404


def test_timestamps_carry_the_offset_and_expected_time_is_the_handling_deadline(
    client, new_case, dispatcher, bureau
):
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    new_case.refresh_from_db()
    row = get(client, f"requests/{new_case.number}")[1][0]
    assert row["requested_datetime"].endswith("+08:00")
    assert row["updated_datetime"].endswith("+08:00")
    assert row["expected_datetime"] == timezone.localtime(new_case.handle_due_at).isoformat(
        timespec="seconds"
    )
    assert row["agency_responsible"] == bureau.name


def test_no_reporter_data_is_ever_shown(client, app_client, post_data):
    client.post(f"{BASE}/requests.json", data=post_data)
    for params in ({}, {"extensions": "true"}):
        response = client.get(f"{BASE}/requests.json", data=params)
        text = response.content.decode()
        assert "13812345678" not in text
        assert "张三" not in text
        assert "zhangsan@example.com" not in text
        assert "鲁E12345" not in text  # attribute values stay inside


def test_a_hotline_call_is_not_published_at_all(client, operator, district, category):
    # Before the one public rule a hotline case was listed with its title (issue #8).
    call = made(operator, district, category, channel="hotline")
    assert numbers(get(client)[1]) == []
    assert get(client, f"requests/{call.number}")[0] == 404


def test_a_grid_workers_report_shows_its_title_not_the_text_written_for_colleagues(
    client, operator, district, category
):
    patrol = made(operator, district, category, channel="grid_patrol")
    row = get(client, f"requests/{patrol.number}")[1][0]
    assert row["description"] == patrol.title
    assert patrol.content not in json.dumps(row, ensure_ascii=False)


def test_reports_are_not_published(client, operator, district, category):
    report = made(operator, district, category, request_type="report")
    assert numbers(get(client)[1]) == []
    assert get(client, f"requests/{report.number}")[0] == 404


def test_extensions_add_the_loop_and_the_public_events_with_dates(
    client, operator, district, category, people
):
    case = made(operator, district, category)
    close(case, **people)
    CaseEvent.objects.create(
        case=case, action="urge", note="内部催办，勿外传", public=False, from_status="closed"
    )
    row = get(client, f"requests/{case.number}", extensions="true")[1][0]
    attributes = row["extended_attributes"]
    assert attributes["channel"] == "web"
    assert attributes["detailed_status"] == "closed"
    assert attributes["department"] == people["bureau"].name
    assert attributes["category_path"] == "市容环境"
    types = [note["type"] for note in row["notes"]]
    assert types == [
        "register",
        "dispatch",
        "acknowledge",
        "reply",
        "verify_pass",
        "callback",
        "close",
    ]
    descriptions = {note["type"]: note["description"] for note in row["notes"]}
    assert descriptions["reply"] == "路灯已修好。"
    # Only replies carry text: the grid worker's note on the site check was for the centre.
    assert descriptions["verify_pass"] == ""
    assert "现场已亮" not in json.dumps(row, ensure_ascii=False)
    assert "内部催办" not in json.dumps(row, ensure_ascii=False)
    assert all(note["datetime"].endswith("+08:00") for note in row["notes"])
    assert row["notes"][-1]["status"] == "closed"


def test_without_extensions_there_are_no_notes(client, new_case):
    row = get(client, f"requests/{new_case.number}")[1][0]
    assert "notes" not in row
    assert "extended_attributes" not in row


def test_the_list_costs_the_same_few_queries_however_many_rows(
    client, operator, district, category, django_assert_max_num_queries
):
    for _i in range(12):
        made(operator, district, category)
    # Category snapshot (its version is checked on every read in tests: by the service
    # codes, the public rule's private categories and the paths), cases, the street and
    # community names, events, co-handling departments: none of it per row.
    with django_assert_max_num_queries(8):
        assert len(get(client, extensions="true")[1]) == 12


def test_a_request_is_placed_at_its_grids_centre_and_named_by_street_and_community(
    client, app_client, post_data, district
):
    grid = district["grid11"]
    lng, lat = grid.centroid_lng + 0.002, grid.centroid_lat + 0.003  # a home, say
    client.post(f"{BASE}/requests.json", data={**post_data, "lat": lat, "long": lng})
    row = get(client)[1][0]
    assert (row["lat"], row["long"]) == (grid.centroid_lat, grid.centroid_lng)
    assert row["address"] == "第1街道 · 第1社区"  # not the address_string given
    assert row["address_id"] == ""
    text = json.dumps(get(client, extensions="true")[1], ensure_ascii=False)
    assert str(lat) not in text
    assert "测试路1号门口" not in text


def test_an_unplaced_request_has_no_position(client, app_client, post_data):
    data = {k: v for k, v in post_data.items() if k not in ("lat", "long")}
    client.post(f"{BASE}/requests.json", data=data)
    row = get(client)[1][0]
    assert (row["lat"], row["long"], row["address"]) == (None, None, "")


def test_a_list_without_page_size_gives_a_page_and_links_the_older_ones(
    client, operator, district, category, monkeypatch
):
    from urllib.parse import urlsplit

    from civicgrid.open311 import params

    monkeypatch.setattr(params, "DEFAULT_PAGE_SIZE", 2)
    cases = [made(operator, district, category, days_ago=d) for d in (1, 2, 3, 4, 5)]
    seen: list[str] = []
    url = f"{BASE}/requests.json"
    for _ in range(5):
        response = client.get(url)
        seen += [n for n in numbers(json.loads(response.content)) if n not in seen]
        if "Link" not in response:
            break
        assert response["Cache-Control"] == "public, max-age=60"
        link = response["Link"]
        assert link.endswith('>; rel="next"')
        next_url = urlsplit(link[1 : link.index(">")])
        assert "end_date=" in next_url.query
        url = f"{next_url.path}?{next_url.query}"
    # By date, each page from the oldest of the last (repeated: end_date is inclusive).
    assert seen == [c.number for c in cases]


def test_pages_reach_back_ten_thousand_requests_then_end_date_takes_over(client):
    status, body = get(client, page_size="1000", page="11")
    assert status == 400
    assert body[0]["description"].startswith("page: ")
    assert get(client, page_size="1000", page="10")[0] == 200


def test_a_warm_list_reads_its_rows_in_one_query(
    client, operator, district, category, warm_snapshots, django_assert_num_queries
):
    for _i in range(3):
        made(operator, district, category)
    get(client)  # fills the per-process copies (categories, region names)
    # The rows; the private categories and the street · community names come from the
    # per-process copies of the category and region trees.
    with django_assert_num_queries(1):
        assert len(get(client)[1]) == 3
