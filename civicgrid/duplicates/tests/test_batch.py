"""Batch actions on a hot issue: merge, urge all, name a lead unit — each case through
the lifecycle, refusals per case, confirmed first, once per form."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, Status
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.models import HotIssue, HotIssueBatch, HotIssueCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(operator, district, category):
    made = [
        f.make_case(
            actor=operator,
            grid=district["grid11"],
            category=category,
            title=f"南门路灯不亮 {n}",
            reporter_phone=f"1380000000{n}",
        )
        for n in range(6)
    ]
    return made


@pytest.fixture
def issue(cases, district):
    now = timezone.now()
    hot = HotIssue.objects.create(
        key=cases[0].number,
        title="南门路灯不亮",
        representative=cases[0],
        region=district["district"],
        region_path=district["district"].path,
        reports=len(cases),
        reporters=len(cases),
        supporters=0,
        open_cases=len(cases),
        reports_this_week=len(cases),
        reports_last_week=0,
        heat=5.0,
        first_seen=now,
        last_seen=now,
        computed_at=now,
    )
    HotIssueCase.objects.bulk_create(HotIssueCase(hot_issue=hot, case=c) for c in cases)
    return hot


def _url(issue) -> str:
    return reverse("duplicates:hot_issue_batch", args=[issue.key])


def _post(client, issue, *, numbers, confirmed=True, key="batch-key-0001", **fields):
    data = {"cases": numbers, "client_key": key, "reason": "同一处路灯，合并处理", **fields}
    if confirmed:
        data["confirmed"] = "on"
    return client.post(_url(issue), data)


def _status(case) -> str:
    return Case.objects.get(pk=case.pk).status


def test_the_page_offers_the_batch_with_every_open_case_ticked(client, dispatcher, issue, cases):
    services.act(cases[5], "answer_directly", actor=dispatcher, answer="已答复")
    client.force_login(dispatcher)
    page = client.get(reverse("duplicates:hot_issue", args=[issue.key])).content.decode()
    assert 'id="batch-form"' in page
    assert page.count(" checked>") == 5
    closed = re.search(rf'<input[^>]*value="{cases[5].number}"[^>]*>', page).group(0)
    assert "disabled" in closed


def test_a_batch_asks_for_confirmation_and_changes_nothing_before(client, dispatcher, issue, cases):
    client.force_login(dispatcher)
    numbers = [c.number for c in cases]
    response = _post(
        client, issue, numbers=numbers, confirmed=False, action="merge", into=cases[0].number
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Merge 6 cases into case" in page
    assert 'name="confirmed" value="on"' in page
    assert all(_status(c) == Status.REGISTERED for c in cases)
    assert not HotIssueBatch.objects.exists()


def test_merge_puts_every_open_case_into_the_main_one(client, dispatcher, issue, cases):
    main, *others = cases
    client.force_login(dispatcher)
    response = _post(
        client, issue, numbers=[c.number for c in cases], action="merge", into=main.number
    )
    batch = HotIssueBatch.objects.get()
    assert response["Location"] == reverse(
        "duplicates:hot_issue_batch_result", args=[issue.key, batch.pk]
    )
    for case in others:
        case.refresh_from_db()
        assert (case.status, case.merged_into_id) == (Status.MERGED, main.pk)
        event = case.events.get(action="merge")
        assert (event.actor, event.note) == (dispatcher, "同一处路灯，合并处理")
    assert _status(main) == Status.REGISTERED
    assert main.events.filter(action="merged_from").count() == 5
    result = client.get(response["Location"]).content.decode()
    assert "5 merged, 1 skipped: 1 the main case" in result


def test_cases_the_lifecycle_refuses_are_skipped_and_reported(
    client, dispatcher, issue, cases, bureau
):
    main = cases[0]
    services.act(cases[1], "answer_directly", actor=dispatcher, answer="已答复")  # closed
    services.act(cases[2], "dispatch", actor=dispatcher, main_department=bureau)  # underway
    client.force_login(dispatcher)
    _post(client, issue, numbers=[c.number for c in cases], action="merge", into=main.number)
    batch = HotIssueBatch.objects.get()
    assert sorted(batch.done) == sorted(c.number for c in cases[3:])
    skipped = dict(batch.skipped)
    assert skipped[cases[1].number] == "already closed"
    assert "cannot be" in skipped[cases[2].number]
    assert _status(cases[2]) == Status.DISPATCHED
    result = client.get(
        reverse("duplicates:hot_issue_batch_result", args=[issue.key, batch.pk])
    ).content.decode()
    assert "3 merged, 3 skipped" in result


def test_urge_all_urges_each_open_case_with_one_note(client, leader, issue, cases):
    client.force_login(leader)
    _post(client, issue, numbers=[c.number for c in cases[:4]], action="urge")
    urged = CaseEvent.objects.filter(action="urge")
    assert {e.case_id for e in urged} == {c.pk for c in cases[:4]}
    assert {e.note for e in urged} == {"同一处路灯，合并处理"}
    assert not cases[4].events.filter(action="urge").exists()


def test_naming_a_lead_unit_dispatches_the_undispatched_ones(
    client, dispatcher, issue, cases, bureau, other_bureau
):
    water = f.make_department("自来水公司", code="ZLS")
    services.act(cases[1], "dispatch", actor=dispatcher, main_department=water)
    client.force_login(dispatcher)
    _post(
        client,
        issue,
        numbers=[c.number for c in cases],
        action="lead",
        lead=bureau.pk,
        co=[other_bureau.pk],
    )
    lead_cases = Case.objects.filter(main_department=bureau)
    assert set(lead_cases.values_list("pk", flat=True)) == {c.pk for c in cases if c != cases[1]}
    for case in lead_cases:
        assert list(case.co_departments.all()) == [other_bureau]
        assert case.status == Status.DISPATCHED
    batch = HotIssueBatch.objects.get()
    assert dict(batch.skipped) == {cases[1].number: "already dispatched to 自来水公司"}


def test_the_same_form_sent_twice_acts_once(client, leader, issue, cases):
    client.force_login(leader)
    first = _post(client, issue, numbers=[cases[0].number], action="urge")
    second = _post(client, issue, numbers=[cases[0].number], action="urge")
    assert first["Location"] == second["Location"]
    assert CaseEvent.objects.filter(action="urge").count() == 1
    assert HotIssueBatch.objects.count() == 1


def test_a_batch_without_a_reason_is_refused_and_changes_nothing(client, leader, issue, cases):
    client.force_login(leader)
    response = _post(client, issue, numbers=[cases[0].number], action="urge", reason=" ")
    assert response.status_code == 400
    assert "Give one reason for the whole batch." in response.content.decode()
    assert not CaseEvent.objects.filter(action="urge").exists()
    assert not HotIssueBatch.objects.exists()


def test_merge_needs_an_open_main_case(client, dispatcher, issue, cases):
    services.act(cases[0], "answer_directly", actor=dispatcher, answer="已答复")
    client.force_login(dispatcher)
    response = _post(
        client, issue, numbers=[c.number for c in cases], action="merge", into=cases[0].number
    )
    assert response.status_code == 400
    assert not Case.objects.filter(status=Status.MERGED).exists()


def test_an_operator_gets_no_batch_and_may_not_post_one(client, operator, issue, cases):
    client.force_login(operator)
    page = client.get(reverse("duplicates:hot_issue", args=[issue.key])).content.decode()
    assert 'id="batch-form"' not in page
    response = _post(client, issue, numbers=[cases[1].number], action="urge")
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(action="urge").exists()


def test_a_leader_may_urge_but_not_merge(client, leader, issue, cases):
    client.force_login(leader)
    response = _post(client, issue, numbers=[cases[1].number], action="merge", into=cases[0].number)
    assert response.status_code == 400
    assert _status(cases[1]) == Status.REGISTERED


def test_a_dispatcher_of_another_district_finds_no_such_issue(client, issue, cases, other_district):
    stranger = f.make_user(Role.DISPATCHER, regions=[other_district["district"]])
    client.force_login(stranger)
    response = _post(client, issue, numbers=[cases[1].number], action="urge")
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(action="urge").exists()


def test_the_result_is_only_for_whoever_ran_the_batch(client, leader, dispatcher, issue, cases):
    client.force_login(leader)
    response = _post(client, issue, numbers=[cases[0].number], action="urge")
    client.force_login(dispatcher)
    assert client.get(response["Location"]).status_code == 404


def test_a_hot_issues_cases_export_to_excel(client, leader, issue, cases, settings, tmp_path):
    import io

    from openpyxl import load_workbook

    settings.DATA_DIR = tmp_path
    f.make_case(actor=cases[0].created_by, title="不在热点里的工单")
    client.force_login(leader)
    page = client.get(reverse("duplicates:hot_issue", args=[issue.key])).content.decode()
    url = reverse("cases:export", args=["hot_issue"]) + f"?key={issue.key}"
    assert url in page
    response = client.post(url)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    numbers = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(c.number for c in cases)


def test_a_form_sent_again_after_its_cases_moved_shows_the_first_result(
    client, dispatcher, issue, cases
):
    client.force_login(dispatcher)
    numbers, main = [c.number for c in cases], cases[0].number
    first = _post(client, issue, numbers=numbers, action="merge", into=main, key="batch-again")
    services.act(
        Case.objects.get(pk=cases[0].pk), "answer_directly", actor=dispatcher, answer="已答复"
    )
    again = _post(client, issue, numbers=numbers, action="merge", into=main, key="batch-again")
    assert again["Location"] == first["Location"]
    assert CaseEvent.objects.filter(action="merge").count() == len(cases) - 1
