"""A registered case answered directly from its page or through the API names the entry."""

from datetime import timedelta

from django.urls import reverse

from civicgrid.cases.models import Status

from .conftest import add_entry


def test_the_api_answer_names_a_valid_entry_and_refuses_an_expired_one(
    client, operator, new_case, entries, yesterday
):
    client.force_login(operator)
    url = f"/api/cases/{new_case.number}/actions/answer_directly"
    old = add_entry("旧政策", valid_to=yesterday, valid_from=yesterday - timedelta(days=30))
    refused = client.post(
        url, {"answer": "按旧政策答复", "knowledge_entry": old.pk}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "knowledge_entry"
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED

    lamp = entries["lamp"]
    done = client.post(
        url, {"answer": lamp.answer, "knowledge_entry": lamp.pk}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert new_case.events.get(action="answer_directly").data["knowledge_entry"] == lamp.pk


def test_the_case_page_answer_form_takes_the_entry_number(client, operator, new_case, entries):
    client.force_login(operator)
    school = entries["school"]
    client.post(
        reverse("cases:act", args=[new_case.number, "answer_directly"]),
        {"answer_directly-answer": school.answer, "answer_directly-knowledge_entry": school.pk},
    )
    new_case.refresh_from_db()
    assert new_case.status == Status.CLOSED
    assert new_case.events.get(action="answer_directly").data["knowledge_entry"] == school.pk
    response = client.post(
        reverse("cases:act", args=[new_case.number, "answer_directly"]),
        {"answer_directly-answer": "x", "answer_directly-knowledge_entry": 999999},
    )
    assert response.status_code in (400, 409)


def test_the_case_page_answer_form_chooses_the_entry_from_the_lookup(
    client, operator, new_case, entries
):
    client.force_login(operator)
    html = client.get(reverse("cases:detail", args=[new_case.number])).content.decode()
    assert "Knowledge-base entry used (number)" not in html
    assert 'type="hidden" name="answer_directly-knowledge_entry"' in html
    assert 'id="kb-q"' in html
    assert "answer_directly-" in html

    school = entries["school"]
    lookup = client.get(
        reverse("knowledge:lookup"), {"kb_q": "入学手续", "prefix": "answer_directly-"}
    )
    use_url = reverse("knowledge:use", args=[school.pk]) + "?prefix=answer_directly-"
    assert use_url in lookup.content.decode()
    fields = client.get(use_url).content.decode()
    assert 'name="answer_directly-knowledge_entry"' in fields
    assert f'value="{school.pk}"' in fields
    assert 'name="answer_directly-answer"' in fields
    assert school.answer in fields
