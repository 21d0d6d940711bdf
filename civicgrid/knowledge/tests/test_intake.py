"""The intake screen's knowledge panel: look up an answer, answer the call directly with it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from civicgrid.cases.models import Case, CaseEvent, DailySequence, Status
from civicgrid.cases.tests.test_views import intake_data, signed_in
from civicgrid.knowledge import queries, services
from civicgrid.knowledge.models import Entry


def answered(district, category, entry, **overrides):
    fields = {
        "request_type": "inquiry",
        "title": "公积金贷款咨询",
        "content": "来电询问用公积金贷款买房首付多少。",
        "answer": entry.answer if entry else "首付最低20%。",
        "knowledge_entry": str(entry.pk) if entry else "",
        "answer_directly": "1",
    }
    return intake_data(district, category, **{**fields, **overrides})


def test_the_intake_screen_offers_the_knowledge_lookup(client, operator, entries):
    html = signed_in(client, operator).get(reverse("cases:intake")).content.decode()
    assert 'id="kb-q"' in html
    assert "Register and answer directly" in html


def test_the_lookup_lists_matching_entries_as_the_operator_types(client, operator, entries):
    response = signed_in(client, operator).get(
        reverse("knowledge:lookup"), {"kb_q": "公积金贷款"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert entries["fund"].question in html
    assert reverse("knowledge:use", args=[entries["fund"].pk]) in html
    assert entries["lantern"].question not in html


def test_the_lookup_says_when_no_entry_matches_rather_than_listing_unrelated_ones(
    client, operator, entries
):
    services.create_entry(
        actor=None, question="咨询小区供水管道漏水找谁", answer="由水务公司维修。"
    )
    response = signed_in(client, operator).get(
        reverse("knowledge:lookup"), {"kb_q": "供暖"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "No entry in force answers “供暖”" in html
    assert "kb-row" not in html


def test_choosing_an_entry_fills_in_its_answer(client, operator, entries):
    response = signed_in(client, operator).get(reverse("knowledge:use", args=[entries["fund"].pk]))
    html = response.content.decode()
    assert entries["fund"].answer in html
    assert f'name="knowledge_entry" id="id_knowledge_entry" value="{entries["fund"].pk}"' in html


def test_answering_at_intake_sent_twice_files_and_answers_one_case(
    client, operator, district, category, entries
):
    data = answered(district, category, entries["fund"], client_key="double-click-0001")
    signed_in(client, operator)
    for _ in range(2):
        assert client.post(reverse("cases:intake"), data).status_code == 302
    case = Case.objects.get()
    assert case.status == Status.CLOSED
    assert case.events.filter(action="answer_directly").count() == 1


def test_answering_at_intake_closes_the_call_and_links_the_entry(
    client, operator, district, category, entries, django_capture_on_commit_callbacks
):
    entry = entries["fund"]
    assert queries.usage_of(entry)["total"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, operator).post(
            reverse("cases:intake"), answered(district, category, entry)
        )
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == Status.CLOSED
    assert case.outcome == "answered_directly"
    assert case.reply == entry.answer
    event = case.events.get(action="answer_directly")
    assert event.data["knowledge_entry"] == entry.pk
    entry.refresh_from_db()  # its counters, kept as the answer was recorded
    assert queries.usage_of(entry)["total"] == 1
    assert queries.usage_of(entry)["last_30_days"] == 1
    assert entry.last_used_at == event.at
    detail = client.get(reverse("knowledge:detail", args=[entry.pk])).content.decode()
    assert '<strong class="kb-usage">1</strong>' in detail


def test_an_answer_without_an_entry_closes_the_call_too(
    client, operator, district, category, entries
):
    signed_in(client, operator).post(reverse("cases:intake"), answered(district, category, None))
    case = Case.objects.get()
    assert case.status == Status.CLOSED
    assert case.events.get(action="answer_directly").data["knowledge_entry"] is None


@pytest.mark.parametrize("bad", ["999999", "abc", "-3"])
def test_a_wrong_entry_is_refused_and_nothing_is_registered(
    client, operator, district, category, entries, bad
):
    data = answered(district, category, entries["fund"], knowledge_entry=bad)
    response = signed_in(client, operator).post(reverse("cases:intake"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "knowledge-base entry" in html or "Enter a whole number" in html
    assert not Case.objects.exists()
    assert not DailySequence.objects.exists()  # not even a case number was taken


def test_an_entry_no_longer_in_force_is_refused(
    client, operator, district, category, entries, yesterday
):
    entry = entries["fund"]
    services.update_entry(
        entry, actor=None, valid_from=yesterday - timedelta(days=9), valid_to=yesterday
    )
    response = signed_in(client, operator).post(
        reverse("cases:intake"), answered(district, category, entry)
    )
    assert response.status_code == 400
    assert "is not in force today" in response.content.decode()
    assert not Case.objects.exists()
    assert queries.usage_of(Entry.objects.get(pk=entry.pk))["total"] == 0


def test_answering_directly_needs_the_answer(client, operator, district, category, entries):
    data = answered(district, category, entries["fund"], answer="  ")
    response = signed_in(client, operator).post(reverse("cases:intake"), data)
    assert response.status_code == 400
    assert "Write the answer given to the caller." in response.content.decode()
    assert not Case.objects.exists()


def test_a_grid_worker_may_look_up_but_not_answer_directly(
    client, grid_worker, district, category, entries
):
    signed_in(client, grid_worker)
    html = client.get(reverse("cases:intake")).content.decode()
    assert 'id="kb-q"' in html
    assert "Register and answer directly" not in html
    data = answered(district, category, entries["fund"], channel="grid_patrol")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert not CaseEvent.objects.filter(action="answer_directly").exists()


def test_a_handler_cannot_use_the_intake_lookup(client, handler, entries):
    response = signed_in(client, handler).get(reverse("knowledge:lookup"), {"kb_q": "公积金"})
    assert response.status_code == 403
