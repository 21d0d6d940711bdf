"""The knowledge pages as each persona uses them."""

import pytest
from django.urls import reverse

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.services import Intake, answer_at_intake
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import signed_in
from civicgrid.knowledge import services
from civicgrid.knowledge.models import Entry


@pytest.mark.parametrize("persona", ["operator", "dispatcher", "handler", "grid_worker", "leader"])
def test_every_role_searches_the_knowledge_base(client, request, persona, entries):
    signed_in(client, request.getfixturevalue(persona))
    menu = client.get(reverse("cases:list")).content.decode()
    assert reverse("knowledge:index") in menu
    html = client.get(reverse("knowledge:index"), {"q": "孩子上学"}).content.decode()
    assert entries["school"].question in html
    assert entries["fund"].question not in html


def test_the_search_box_answers_htmx_with_the_results_only(client, operator, entries):
    response = signed_in(client, operator).get(
        reverse("knowledge:index"), {"q": "路灯"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="kb-results"')
    assert entries["lamp"].question in html


def test_the_search_page_keeps_its_query_count(
    client, operator, entries, django_assert_max_num_queries
):
    signed_in(client, operator)
    client.get(reverse("knowledge:index"), {"q": "路灯"})
    with django_assert_max_num_queries(12):
        client.get(reverse("knowledge:index"), {"q": "公积金 路灯 社保 孩子"})


def test_an_entry_page_shows_its_validity_and_a_handler_may_propose_a_change(
    client, handler, entries
):
    html = (
        signed_in(client, handler)
        .get(reverse("knowledge:detail", args=[entries["fund"].pk]))
        .content.decode()
    )
    assert entries["fund"].answer in html
    assert "until withdrawn" in html
    assert reverse("knowledge:propose_change", args=[entries["fund"].pk]) in html


def test_an_editor_opens_an_entry_with_a_change_awaiting_review(client, handler, editor, entries):
    entry = entries["lamp"]
    fields = {name: getattr(entry, name) for name in services.ENTRY_FIELDS}
    fields["answer"] = "路灯报修请拨打12319城管热线。"
    services.propose(actor=handler, entry=entry, note="热线号码变了", **fields)
    response = signed_in(client, editor).get(reverse("knowledge:detail", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proposals awaiting review" in html
    assert handler.display_name in html


def test_an_operator_is_not_offered_to_propose(client, operator, entries):
    html = (
        signed_in(client, operator)
        .get(reverse("knowledge:detail", args=[entries["fund"].pk]))
        .content.decode()
    )
    assert reverse("knowledge:propose_change", args=[entries["fund"].pk]) not in html


def _answer_calls(operator, entries: int) -> None:
    """Each of the first ``entries`` entries with phrasings answers two calls directly."""
    calls = 0
    for entry in Entry.objects.valid().exclude(keywords="").order_by("id")[:entries]:
        for title in (entry.question, entry.phrasings[0]):
            calls += 1
            intake = Intake(
                channel="hotline",
                request_type="inquiry",
                title=title[:200],
                content=title,
                category=entry.category,
                reporter_name="张先生",
                reporter_phone=f"1390000{calls:04d}",
            )
            answer_at_intake(intake, answer=entry.answer, knowledge_entry=entry.pk, actor=operator)


def test_the_statistics_show_use_and_updates(
    client, leader, operator, entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the day's counters
        _answer_calls(operator, entries=2)  # two entries with phrasings, each used twice
    html = signed_in(client, leader).get(reverse("knowledge:stats")).content.decode()
    assert "Knowledge-base updates per month" in html
    assert entries["fund"].question in html
    assert '<span class="kb-number">4</span>' in html  # calls answered from the base
    assert '<span class="kb-number">5</span>' in html  # entries in force


def test_the_statistics_count_only_answers_that_used_an_entry(
    client, leader, operator, dispatcher, district, entries, django_capture_on_commit_callbacks
):
    with_entry = f.make_case(actor=operator, grid=district["grid11"])
    without = f.make_case(actor=operator, grid=district["grid11"])
    with django_capture_on_commit_callbacks(execute=True):  # the day's counters
        lifecycle.apply(
            with_entry,
            Action.ANSWER_DIRECTLY,
            actor=operator,
            answer="按知识库答复。",
            knowledge_entry=entries["fund"].pk,
        )
        # Answered from the operator's own knowledge: no entry (stored as a JSON null).
        lifecycle.apply(without, Action.ANSWER_DIRECTLY, actor=operator, answer="已当场答复。")

    response = signed_in(client, leader).get(reverse("knowledge:stats"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="kb-number">1</span><span>calls answered' in html
    assert '<span class="kb-number">50 %</span>' in html
    assert entries["fund"].question in html
    entry_page = signed_in(client, operator).get(
        reverse("knowledge:detail", args=[entries["fund"].pk])
    )
    assert entry_page.status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"), [("handler", 403), ("operator", 403), ("editor", 200)]
)
def test_the_statistics_are_for_leaders_editors_and_admins(
    client, request, persona, status, entries
):
    response = signed_in(client, request.getfixturevalue(persona)).get(reverse("knowledge:stats"))
    assert response.status_code == status


def test_an_expired_entry_page_says_operators_do_not_see_it(client, operator, entries, yesterday):
    services.update_entry(entries["lamp"], actor=None, valid_from=yesterday, valid_to=yesterday)
    html = (
        signed_in(client, operator)
        .get(reverse("knowledge:detail", args=[entries["lamp"].pk]))
        .content.decode()
    )
    assert "not in force today" in html
