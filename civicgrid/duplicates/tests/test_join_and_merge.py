"""Joining a case (+1) and merged cases: one handling, every reporter called back."""

import pytest
from django.urls import reverse

from civicgrid.cases import lifecycle, services
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action, InvalidAction
from civicgrid.cases.models import Case, CaseEvent, Rating, Status
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.events import JOIN
from civicgrid.duplicates.models import Supporter
from civicgrid.duplicates.services import join


def fresh(case):
    return Case.objects.get(pk=case.pk)


def to_rated(case, dispatcher, handler, grid_worker, operator, bureau):
    """Walk ``case`` round the loop up to the callback."""
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(fresh(case), Action.ACKNOWLEDGE, actor=handler)
    services.act(fresh(case), Action.REPLY, actor=handler, reply="路灯已修好。")
    services.act(fresh(case), Action.VERIFY_PASS, actor=grid_worker)
    services.act(fresh(case), Action.CALLBACK, actor=operator, rating=Rating.SATISFIED)
    return fresh(case)


# --- join ------------------------------------------------------------------------------


def test_a_caller_joins_a_case_once(new_case, operator):
    join(new_case, phone="139 0000 1111", name="王五", channel="hotline", actor=operator)
    with pytest.raises(InvalidAction, match="already joined"):
        join(new_case, phone="13900001111", channel="citizen")
    supporter = Supporter.objects.get(case=new_case)
    assert supporter.contact == "王* 139****1111"
    event = new_case.events.get(action=JOIN)
    assert event.public
    assert event.actor == operator


def test_the_reporter_cannot_join_their_own_case(new_case):
    with pytest.raises(InvalidAction, match="reported case"):
        join(new_case, phone=new_case.reporter_phone, channel="citizen")
    assert not Supporter.objects.exists()


def test_a_closed_case_cannot_be_joined(new_case, dispatcher):
    lifecycle.apply(new_case, Action.ANSWER_DIRECTLY, actor=dispatcher, answer="已答复。")
    with pytest.raises(InvalidAction, match="closed"):
        join(fresh(new_case), phone="13900001111", channel="citizen")


def test_joining_a_merged_case_joins_the_case_it_was_merged_into(
    new_case, operator, district, category
):
    repeat = f.make_case(actor=operator, grid=district["grid11"], category=category)
    lifecycle.apply(repeat, Action.MERGE, actor=operator, into=new_case.number)
    supporter = join(fresh(repeat), phone="13900001111", channel="citizen")
    assert supporter.case == new_case


@pytest.mark.parametrize("phone", ["", "12", "abc", "1" * 25])
def test_a_join_without_a_usable_phone_is_refused(new_case, phone):
    with pytest.raises(InvalidAction, match="phone"):
        join(new_case, phone=phone, channel="citizen")
    assert not CaseEvent.objects.filter(action=JOIN).exists()


def test_an_outsider_cannot_join_someone_to_a_case(new_case, outsider):
    with pytest.raises(lifecycle.ActionRefused):
        join(new_case, phone="13900001111", channel="hotline", actor=outsider)
    assert not Supporter.objects.exists()


def test_the_case_page_lists_its_supporters_masked(client, new_case, operator):
    join(new_case, phone="13900001111", name="王五", channel="hotline", actor=operator)
    client.force_login(operator)
    page = client.get(reverse("cases:detail", args=[new_case.number])).content.decode()
    assert "Supporters (+1)" in page
    assert "139****1111" in page
    assert "13900001111" not in page
    assert "Joined as supporter" in page


# --- merged cases close together ------------------------------------------------------


@pytest.fixture
def merged_pair(operator, district, category):
    first = f.make_case(actor=operator, grid=district["grid11"], category=category)
    repeat = f.make_case(
        actor=operator,
        grid=district["grid12"],
        category=category,
        reporter_name="赵六",
        reporter_phone="13799998888",
    )
    lifecycle.apply(repeat, Action.MERGE, actor=operator, into=first.number)
    return first, fresh(repeat)


def test_merged_cases_close_together(
    merged_pair, dispatcher, handler, grid_worker, operator, bureau
):
    first, repeat = merged_pair
    first = to_rated(first, dispatcher, handler, grid_worker, operator, bureau)
    lifecycle.apply(first, Action.CLOSE, actor=operator)
    first, repeat = fresh(first), fresh(repeat)
    assert first.status == Status.CLOSED
    assert repeat.status == Status.MERGED
    assert (
        repeat.closed_at == first.closed_at or abs(repeat.closed_at - first.closed_at).seconds < 2
    )
    assert repeat.reply == "路灯已修好。"
    event = repeat.events.get(action=Note.CLOSED_WITH)
    assert event.data == {"into": first.number}
    assert event.public


def test_answering_directly_closes_the_merged_cases_too(merged_pair, dispatcher):
    first, repeat = merged_pair
    lifecycle.apply(first, Action.ANSWER_DIRECTLY, actor=dispatcher, answer="已列入维修计划。")
    assert fresh(repeat).reply == "已列入维修计划。"
    assert repeat.events.filter(action=Note.CLOSED_WITH).exists()


def test_a_case_merged_into_a_merged_case_follows_it(merged_pair, operator, district, category):
    first, repeat = merged_pair
    third = f.make_case(actor=operator, grid=district["grid11"], category=category)
    lifecycle.apply(first, Action.MERGE, actor=operator, into=third.number)
    assert fresh(repeat).merged_into == third
    assert set(third.merged_cases.values_list("number", flat=True)) == {
        first.number,
        repeat.number,
    }


def test_the_callback_list_shows_every_reporter_masked(
    client, merged_pair, dispatcher, handler, grid_worker, operator, bureau
):
    first, _repeat = merged_pair
    to_rated(first, dispatcher, handler, grid_worker, operator, bureau)
    client.force_login(operator)
    page = client.get(reverse("cases:callbacks")).content.decode()
    assert "138****5678" in page  # the first reporter
    assert "137****8888" in page  # the reporter of the merged case
    assert "13799998888" not in page
    assert "Also call back" in page


def test_the_callback_list_does_not_grow_queries_with_merged_cases(
    client,
    merged_pair,
    dispatcher,
    handler,
    grid_worker,
    operator,
    bureau,
    district,
    category,
    django_assert_max_num_queries,
):
    first, _repeat = merged_pair
    to_rated(first, dispatcher, handler, grid_worker, operator, bureau)
    client.force_login(operator)
    client.get(reverse("cases:callbacks"))
    with django_assert_max_num_queries(40) as counted:
        client.get(reverse("cases:callbacks"))
    before = len(counted.captured_queries)
    for _n in range(3):
        extra = f.make_case(actor=operator, grid=district["grid11"], category=category)
        lifecycle.apply(extra, Action.MERGE, actor=operator, into=first.number)
    with django_assert_max_num_queries(before):
        client.get(reverse("cases:callbacks"))
