"""Stationed units on a rota, summoned by the centre, and co-handling units' own parts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import lifecycle
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.tests import factories as f
from civicgrid.centres import services
from civicgrid.centres.models import CoPart, DutyMode, Stationing


def line(district, department, mode, days=(-1, 1)):
    today = timezone.localdate()
    return Stationing.objects.create(
        centre=district["district"],
        department=department,
        mode=mode,
        starts_on=today + timedelta(days=days[0]),
        ends_on=None if days[1] is None else today + timedelta(days=days[1]),
    )


def test_on_duty_lists_permanent_then_rotating_then_on_call_within_their_dates(
    district, police, market, water
):
    on_call = line(district, water, DutyMode.ON_CALL)
    rotating = line(district, market, DutyMode.ROTATING)
    permanent = line(district, police, DutyMode.PERMANENT, days=(-30, None))
    line(district, market, DutyMode.ROTATING, days=(2, 8))  # next week's turn
    assert services.on_duty(district["district"]) == [permanent, rotating, on_call]


def test_the_centre_summons_the_unit_on_duty_and_it_is_told_and_recorded(
    django_capture_on_commit_callbacks, new_case, dispatcher, district, police
):
    stationing = line(district, police, DutyMode.PERMANENT)
    officer = f.make_user(Role.HANDLER, department=police, username="officer")
    assert not visible_cases(officer, type(new_case).objects.filter(pk=new_case.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.summon(new_case, stationing, actor=dispatcher, note="现场需要民警")
    event = CaseEvent.objects.get(case=new_case, action="stationed_summoned")
    assert event.data["unit"] == "区公安分局"
    assert officer.notifications.filter(event=event).exists()  # the notifications app's
    assert visible_cases(officer, type(new_case).objects.filter(pk=new_case.pk)).exists()


def test_a_unit_not_on_duty_today_cannot_be_summoned(new_case, dispatcher, district, market):
    later = line(district, market, DutyMode.ROTATING, days=(2, 8))
    with pytest.raises(lifecycle.InvalidAction, match="not on duty"):
        services.summon(new_case, later, actor=dispatcher, note="需要市场监管")
    assert not CaseEvent.objects.filter(case=new_case, action="stationed_summoned").exists()


def test_only_the_centre_summons_and_only_with_a_reason(
    new_case, dispatcher, grid_worker, district, police
):
    stationing = line(district, police, DutyMode.PERMANENT)
    with pytest.raises(lifecycle.ActionRefused):
        services.summon(new_case, stationing, actor=grid_worker, note="来人")
    with pytest.raises(lifecycle.InvalidAction):
        services.summon(new_case, stationing, actor=dispatcher, note="  ")


def test_a_dispatch_gives_each_co_handling_unit_its_part_and_deadline(co_dispatched, water):
    (part,) = CoPart.objects.filter(case=co_dispatched)
    assert part.department == water
    assert part.due_at <= co_dispatched.handle_due_at
    assert part.replied_at is None


def test_the_co_part_limit_is_a_setting_in_working_days(settings, co_dispatched):
    from civicgrid.cases import deadlines

    start = timezone.now()
    settings.CIVICGRID_CO_PART_DAYS = 1
    short = deadlines.add_limit(start, *services.co_part_limit())
    settings.CIVICGRID_CO_PART_DAYS = 5
    long = deadlines.add_limit(start, *services.co_part_limit())
    assert short < long
    CoPart.objects.filter(case=co_dispatched).delete()
    co_dispatched.handle_due_at = None
    (part,) = services.ensure_parts(co_dispatched, start=start)
    assert part.due_at == long


def test_the_co_unit_replies_to_its_part_once_and_the_main_unit_reads_it_first(
    client, django_capture_on_commit_callbacks, co_dispatched, handler, water
):
    part = CoPart.objects.get(case=co_dispatched)
    helper = f.make_user(Role.HANDLER, department=water, username="waterman")
    with pytest.raises(lifecycle.ActionRefused):
        services.reply_part(part, actor=handler, reply="不是我们的部分")
    client.force_login(handler)
    page = client.get(f"/cases/{co_dispatched.number}/").content.decode()
    assert "parts-waiting" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_part(part, actor=helper, reply="已关闭阀门，管道待维修")
    assert handler.notifications.filter(event__action="co_reply").exists()
    with pytest.raises(lifecycle.InvalidAction, match="already replied"):
        services.reply_part(part, actor=helper, reply="再说一次")
    page = client.get(f"/cases/{co_dispatched.number}/").content.decode()
    assert "已关闭阀门，管道待维修" in page
    assert "parts-waiting" not in page


def test_the_co_unit_replies_through_its_form(client, co_dispatched, water):
    part = CoPart.objects.get(case=co_dispatched)
    helper = f.make_user(Role.HANDLER, department=water, username="waterman")
    client.force_login(helper)
    empty = client.post(f"/centres/parts/{part.pk}/reply/", {"reply": " "})
    assert empty.status_code == 302
    part.refresh_from_db()
    assert part.replied_at is None
    client.post(f"/centres/parts/{part.pk}/reply/", {"reply": "已处理"})
    part.refresh_from_db()
    assert part.reply == "已处理"


def test_the_rota_page_shows_who_is_on_duty_to_the_centre_only(
    client, dispatcher, handler, district, police
):
    line(district, police, DutyMode.PERMANENT)
    client.force_login(dispatcher)
    page = client.get("/centres/rota/").content.decode()
    assert "区公安分局" in page
    client.force_login(handler)
    assert client.get("/centres/rota/").status_code == 403
