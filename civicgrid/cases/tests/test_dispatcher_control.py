"""The dispatcher's control after dispatch: withdraw (撤回), reassign (改派), the review of a
department's return (退单审核), and who may decide on a case escalated to the city."""

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import deadlines, lifecycle, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent, Light, Status
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import DepartmentKind, Step

from .test_api import act as api_act
from .test_api import assert_error, get


def signed_in(client, user):
    client.force_login(user)
    return client


def act_url(case, action):
    return reverse("cases:act", args=[case.number, action])


def page(client, case) -> str:
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


def fresh(case) -> Case:
    return Case.objects.select_related("main_department", "owner_region").get(pk=case.pk)


def inbox_page(user) -> str:
    """The handler's inbox, read in a session of their own (no other user's messages)."""
    own = Client()
    own.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    own.force_login(user)
    return own.get(reverse("cases:inbox")).content.decode()


def inbox_numbers(client, user) -> str:
    """The cases the handler's department works on: the inbox without its returns."""
    html = inbox_page(user)
    if 'id="own-returns"' in html:
        start = html.index('id="own-returns"')
        html = html[:start] + html[html.index("</section>", start) :]
    return html


@pytest.fixture
def dispatched(new_case, dispatcher, bureau):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    return fresh(new_case)


@pytest.fixture
def handling(dispatched, handler):
    services.act(dispatched, Action.ACKNOWLEDGE, actor=handler)
    return fresh(dispatched)


@pytest.fixture
def new_handler(other_bureau):
    return f.make_user(Role.HANDLER, department=other_bureau, username="newhandler")


@pytest.fixture
def city_dispatcher(district):
    return f.make_user(Role.DISPATCHER, regions=[district["city"]], username="citydispatcher")


def returned(case, handler, reason="不属于本局职责，应由供电公司处理") -> Case:
    services.act(case, Action.RETURN, actor=handler, note=reason)
    return fresh(case)


# --- withdraw (撤回) -------------------------------------------------------------------


def test_a_dispatcher_withdraws_a_dispatched_case_to_the_queue_with_a_reason(
    client, dispatcher, handler, handling, bureau
):
    response = signed_in(client, dispatcher).post(
        act_url(handling, Action.WITHDRAW), {"withdraw-note": "派错单位，需重新研判"}
    )
    assert response.status_code == 302
    case = fresh(handling)
    assert case.status == Status.REGISTERED
    assert case.main_department is None
    assert case.handle_due_at is None
    # The triage clock runs again, from now.
    assert deadlines.step_of(case.status) == Step.TRIAGE
    assert case.due_at > timezone.now()
    assert case.light() == Light.GREEN
    html = page(client, case)
    assert "withdraw to the triage queue" in html.lower()
    assert "派错单位，需重新研判" in html
    assert "withdrawn from" in html
    assert bureau.name in html
    assert case.number in client.get(reverse("triage:queue")).content.decode()
    # The department no longer has it.
    assert case.number not in inbox_numbers(client, handler)
    assert (
        signed_in(client, handler).get(reverse("cases:detail", args=[case.number])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [("dispatched", ""), ("dispatched", "   "), ("closed", "理由")],
)
def test_withdrawing_without_a_reason_or_a_closed_case_is_refused_and_changes_nothing(
    client, dispatcher, dispatched, status, reason
):
    if status == "closed":
        Case.objects.filter(pk=dispatched.pk).update(status=Status.CLOSED)
    before = fresh(dispatched)
    response = signed_in(client, dispatcher).post(
        act_url(before, Action.WITHDRAW), {"withdraw-note": reason}
    )
    assert response.status_code in (400, 409)
    html = response.content.decode()
    assert "cannot be" in html if status == "closed" else "This field is required" in html
    after = fresh(before)
    assert (after.status, after.main_department_id, after.version) == (
        before.status,
        before.main_department_id,
        before.version,
    )
    assert not CaseEvent.objects.filter(case=before, action=Action.WITHDRAW).exists()


def test_a_handler_or_an_operator_cannot_withdraw_and_is_told_why(
    client, handler, operator, dispatched
):
    for user in (handler, operator):
        response = signed_in(client, user).post(
            act_url(dispatched, Action.WITHDRAW), {"withdraw-note": "试试"}
        )
        assert response.status_code == 403
        assert "cannot take this action" in response.content.decode()
    assert fresh(dispatched).status == Status.DISPATCHED


def test_the_case_page_offers_withdraw_and_reassign_to_the_dispatcher_only(
    client, dispatcher, handler, dispatched
):
    html = page(signed_in(client, dispatcher), dispatched)
    assert "action-withdraw" in html
    assert "action-reassign" in html
    html = page(signed_in(client, handler), dispatched)
    assert "action-withdraw" not in html
    assert "action-reassign" not in html


# --- reassign (改派) -------------------------------------------------------------------


def test_a_dispatcher_reassigns_a_case_and_the_new_department_gets_it_with_a_fresh_clock(
    client, dispatcher, handler, new_handler, handling, bureau, other_bureau
):
    # The old department had asked for and been granted days, and its deadline passed.
    Case.objects.filter(pk=handling.pk).update(
        extension_days=3, handle_due_at=timezone.now() - timedelta(hours=2)
    )
    before = timezone.now()
    response = signed_in(client, dispatcher).post(
        act_url(handling, Action.REASSIGN),
        {"reassign-main_department": other_bureau.pk, "reassign-note": "属于邻区城管职责"},
    )
    assert response.status_code == 302
    case = fresh(handling)
    assert case.status == Status.DISPATCHED
    assert case.main_department == other_bureau
    assert case.extension_days == 0
    _warn, expected = deadlines.step_window(case.category, case.urgency, Step.HANDLE, before)
    assert abs((case.handle_due_at - expected).total_seconds()) < 60
    assert case.step_started_at >= before
    assert case.light() == Light.GREEN
    events = list(case.events.filter(action=Action.REASSIGN))
    assert len(events) == 1
    assert events[0].actor == dispatcher
    assert events[0].data["from_department"] == bureau.name
    assert events[0].data["main_department"] == other_bureau.name
    html = page(client, case)
    assert "属于邻区城管职责" in html
    assert "taken from" in html
    assert case.number not in inbox_numbers(client, handler)
    assert case.number in inbox_numbers(client, new_handler)


def test_an_automatically_dispatched_case_can_be_reassigned(
    client, dispatcher, new_case, bureau, other_bureau
):
    # The triage worker dispatches as the system (actor None).
    lifecycle.apply(new_case, Action.DISPATCH, actor=None, main_department=bureau.pk)
    response = signed_in(client, dispatcher).post(
        act_url(new_case, Action.REASSIGN),
        {"reassign-main_department": other_bureau.pk, "reassign-note": "模型分错了"},
    )
    assert response.status_code == 302
    assert fresh(new_case).main_department == other_bureau


def test_the_reassign_form_offers_handling_units_but_not_the_current_one_or_a_centre(
    client, dispatcher, dispatched, bureau, other_bureau
):
    centre = f.make_department("指挥中心", code="ZX")
    centre.kind = DepartmentKind.CENTRE
    centre.save()
    html = page(signed_in(client, dispatcher), dispatched)
    form = html[html.index("action-reassign") :]
    form = form[: form.index("</form>")]
    assert f'value="{other_bureau.pk}"' in form
    assert f'value="{bureau.pk}"' not in form
    assert f'value="{centre.pk}"' not in form


def test_the_reassign_form_groups_the_units_by_kind_and_sorts_them_as_dispatch_does(
    client, dispatcher, dispatched, other_bureau
):
    f.make_department("黄河路街道办事处", code="JD2", kind=DepartmentKind.STREET)
    f.make_department("文汇街道办事处", code="JD1", kind=DepartmentKind.STREET)
    f.make_department("供水公司", code="GS", kind=DepartmentKind.COMPANY)
    f.make_department("指挥中心", code="ZX", kind=DepartmentKind.CENTRE)
    html = page(signed_in(client, dispatcher), dispatched)
    form = html[html.index("action-reassign") :]
    form = form[: form.index("</form>")]
    groups = re.findall(r'<optgroup label="([^"]+)">', form)
    assert groups == ["government bureau", "street / town office", "company / utility"]
    streets = form[form.index('label="street / town office"') :].split("</optgroup>", 1)[0]
    assert streets.index("文汇街道办事处") < streets.index("黄河路街道办事处")  # JD1, JD2
    assert "指挥中心" not in form


@pytest.mark.parametrize(
    ("department", "note", "message"),
    [
        # The form offers neither; the rule refuses them too (below, whatever the door).
        ("same", "理由", "Select a valid choice"),
        ("centre", "理由", "Select a valid choice"),
        ("none", "理由", "This field is required"),
        ("other", "", "This field is required"),
    ],
)
def test_a_bad_reassignment_is_refused_with_a_clear_error_and_changes_nothing(
    client, dispatcher, dispatched, bureau, other_bureau, department, note, message
):
    centre = f.make_department("指挥中心", code="ZX")
    centre.kind = DepartmentKind.CENTRE
    centre.save()
    chosen = {"same": bureau.pk, "centre": centre.pk, "none": "", "other": other_bureau.pk}
    before = fresh(dispatched)
    # Sent as a form would be by someone who edited it: the rule refuses it anyway.
    response = signed_in(client, dispatcher).post(
        act_url(before, Action.REASSIGN),
        {"reassign-main_department": chosen[department], "reassign-note": note},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    after = fresh(before)
    assert (after.main_department_id, after.version) == (bureau.pk, before.version)


@pytest.mark.parametrize("rule_case", ["same", "centre", "unknown"])
def test_the_lifecycle_refuses_a_bad_department_whatever_the_door(
    dispatcher, dispatched, bureau, rule_case
):
    centre = f.make_department("指挥中心", code="ZX")
    centre.kind = DepartmentKind.CENTRE
    centre.save()
    target = {"same": bureau.pk, "centre": centre.pk, "unknown": 999_999}[rule_case]
    with pytest.raises(lifecycle.InvalidAction) as refused:
        lifecycle.apply(
            dispatched,
            Action.REASSIGN,
            actor=dispatcher,
            note="理由",
            **{"main_department": target},
        )
    assert refused.value.errors == {"main_department": refused.value.message}
    assert fresh(dispatched).main_department == bureau


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_withdrawing_and_reassigning_at_once_exactly_one_wins(
    new_case, dispatcher, second_dispatcher, bureau, other_bureau
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(actor, action, data):
        try:
            case = Case.objects.get(pk=new_case.pk)
            barrier.wait()
            lifecycle.apply(case, action, actor=actor, note="理由", **data)
            outcomes.append("won")
        except lifecycle.ConcurrentUpdate:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=race, args=(dispatcher, Action.WITHDRAW, {})),
        threading.Thread(
            target=race,
            args=(second_dispatcher, Action.REASSIGN, {"main_department": other_bureau.pk}),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    control = CaseEvent.objects.filter(case=new_case, action__in=(Action.WITHDRAW, Action.REASSIGN))
    assert control.count() == 1


# --- the review of a return (退单审核) ------------------------------------------------------


def test_a_return_waits_for_review_with_its_own_time_limit_and_shows_on_the_triage_page(
    client, dispatcher, handler, handling, bureau
):
    started = timezone.now()
    case = returned(handling, handler)
    assert case.status == Status.RETURN_REQUESTED
    assert case.main_department == bureau
    limit = deadlines.limit_for(case.category, case.urgency, Step.RETURN_REVIEW)
    _warn, due = deadlines.window(started, limit)
    assert abs((case.due_at - due).total_seconds()) < 60
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    strip = html[html.index('data-work="returned"') :]
    assert strip[: strip.index("</a>")].count(">1<") == 1  # the count in the strip
    listing = html[html.index('id="returned"') :]
    assert case.number in listing
    assert "不属于本局职责" in listing
    assert bureau.name in listing
    assert reverse("cases:detail", args=[case.number]) in listing


def test_the_dispatcher_accepts_a_return_and_the_case_goes_back_to_the_queue(
    client, dispatcher, handler, handling
):
    case = returned(handling, handler)
    response = signed_in(client, dispatcher).post(act_url(case, Action.ACCEPT_RETURN), {})
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == Status.REGISTERED
    assert case.main_department is None
    assert case.number not in inbox_numbers(client, handler)


def test_accepting_a_return_and_reassigning_in_one_step(
    client, dispatcher, handler, new_handler, handling, other_bureau
):
    case = returned(handling, handler)
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.REASSIGN),
        {"reassign-main_department": other_bureau.pk, "reassign-note": "同意退单，改派邻区城管"},
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == Status.DISPATCHED
    assert case.main_department == other_bureau
    event = case.events.get(action=Action.REASSIGN)
    assert event.data["return_accepted"] is True
    assert "return accepted" in page(client, case)
    assert case.number in inbox_numbers(client, new_handler)


def test_overruling_a_return_needs_a_reason(client, dispatcher, handler, handling):
    case = returned(handling, handler)
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.OVERRULE_RETURN), {"overrule_return-note": ""}
    )
    assert response.status_code == 400
    assert fresh(case).status == Status.RETURN_REQUESTED


def test_an_overruled_return_goes_back_to_the_department_with_its_deadline_unchanged(
    client, dispatcher, handler, handling, bureau
):
    handle_due, started = handling.handle_due_at, handling.step_started_at
    case = returned(handling, handler)
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.OVERRULE_RETURN),
        {"overrule_return-note": "权责清单明确由城管局负责"},
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == Status.HANDLING
    assert case.main_department == bureau
    assert case.handle_due_at == handle_due == case.due_at
    # The handling clock resumes where it started (dispatch), not at the review.
    assert case.step_started_at == started
    assert case.number in inbox_numbers(client, handler)
    html = page(client, case)
    assert "overrule the return" in html.lower()
    assert "权责清单明确由城管局负责" in html


def own_returns(client, user) -> str:
    html = inbox_page(user)
    if 'id="own-returns"' not in html:
        return ""
    section = html[html.index('id="own-returns"') :]
    return section[: section.index("</section>")]


def test_the_department_finds_its_return_awaiting_review_in_its_inbox_without_a_light(
    client, handler, handling
):
    assert own_returns(client, handler) == ""
    case = returned(handling, handler)
    section = own_returns(client, handler)
    assert case.number in section
    assert "awaiting review by the centre" in section
    assert "不属于本局职责" in section
    assert reverse("cases:detail", args=[case.number]) in section
    # The review's clock is the centre's: no light for the department.
    assert "light-dot" not in section


@pytest.mark.parametrize("decision", ["accept", "overrule", "reassign"])
def test_the_department_sees_the_centres_decision_on_its_return(
    client, dispatcher, handler, handling, other_bureau, decision
):
    case = returned(handling, handler)
    control = signed_in(Client(), dispatcher)
    if decision == "accept":
        control.post(act_url(case, Action.ACCEPT_RETURN), {"accept_return-note": "同意"})
        shown, linked = "accept the return", False
    elif decision == "overrule":
        control.post(
            act_url(case, Action.OVERRULE_RETURN),
            {"overrule_return-note": "权责清单明确由城管局负责"},
        )
        shown, linked = "overrule the return", True
    else:
        control.post(
            act_url(case, Action.REASSIGN),
            {"reassign-main_department": other_bureau.pk, "reassign-note": "改派邻区城管"},
        )
        shown, linked = "now with 邻区城市管理局", False
    assert fresh(case).status != Status.RETURN_REQUESTED
    section = own_returns(client, handler)
    assert case.number in section
    assert shown in section
    assert "awaiting review" not in section
    # The case page link only where the department may still open it.
    assert (reverse("cases:detail", args=[case.number]) in section) is linked
    if decision == "overrule":
        assert "权责清单明确由城管局负责" in section


def test_a_decided_return_leaves_the_inbox_after_a_week(client, dispatcher, handler, handling):
    case = returned(handling, handler)
    services.act(fresh(case), Action.ACCEPT_RETURN, actor=dispatcher)
    CaseEvent.objects.filter(case=case).update(at=timezone.now() - timedelta(days=8))
    assert case.number not in own_returns(client, handler)


def test_a_handler_cannot_review_their_own_return(client, handler, handling):
    case = returned(handling, handler)
    response = signed_in(client, handler).post(act_url(case, Action.ACCEPT_RETURN), {})
    assert response.status_code == 403
    assert fresh(case).status == Status.RETURN_REQUESTED


def test_an_overdue_review_shows_red_on_the_case(dispatcher, handler, handling):
    case = returned(handling, handler)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert fresh(case).light() == Light.RED
    assert services.mark_overdue() >= 1
    assert fresh(case).events.filter(action=Action.MARK_OVERDUE).exists()


# --- who decides on a case escalated to the city ----------------------------------------


def test_once_escalated_to_the_city_the_district_may_no_longer_decide_but_the_city_may(
    client, dispatcher, city_dispatcher, new_case, district, bureau
):
    services.act(new_case, Action.ESCALATE, actor=dispatcher, note="涉及多区，需市级协调")
    case = fresh(new_case)
    assert case.owner_region == district["city"]
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.DISPATCH), {"dispatch-main_department": bureau.pk}
    )
    assert response.status_code == 403
    assert "decides on the case until it sends it back" in response.content.decode()
    html = page(client, case)  # the district still sees it, without the centre's actions
    assert case.number in html
    assert "action-dispatch" not in html
    services.act(case, Action.DISPATCH, actor=city_dispatcher, main_department=bureau.pk)
    case = fresh(case)
    for action in (Action.WITHDRAW, Action.REASSIGN):
        with pytest.raises(lifecycle.ActionRefused):
            lifecycle.check(case, action, dispatcher)
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.WITHDRAW), {"withdraw-note": "我们自己处理"}
    )
    assert response.status_code == 403
    services.act(case, Action.WITHDRAW, actor=city_dispatcher, note="市级重新研判")
    assert fresh(case).status == Status.REGISTERED


def test_the_city_sends_an_escalated_case_back_and_the_district_owns_it_again(
    client, dispatcher, city_dispatcher, new_case, district, bureau
):
    services.act(new_case, Action.ESCALATE, actor=dispatcher, note="涉及多区，需市级协调")
    case = fresh(new_case)
    # The district cannot take it back itself: the city decides.
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.check(case, Action.SEND_BACK, dispatcher)
    response = signed_in(client, city_dispatcher).post(
        act_url(case, Action.SEND_BACK), {"send_back-note": ""}
    )
    assert response.status_code == 400
    assert fresh(case).owner_region == district["city"]
    response = client.post(
        act_url(case, Action.SEND_BACK), {"send_back-note": "经协调属区级事权，退回区中心"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.owner_region == district["district"]
    assert case.status == Status.REGISTERED
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    assert case.number in html
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    assert fresh(case).status == Status.DISPATCHED


def test_a_case_without_a_place_below_the_centre_cannot_be_sent_back(
    city_dispatcher, operator, district, category
):
    case = f.make_case(actor=operator, category=category)  # no position
    Case.objects.filter(pk=case.pk).update(
        owner_region=district["city"], owner_path=district["city"].path
    )
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(fresh(case), Action.SEND_BACK, actor=city_dispatcher, note="退回")
    assert fresh(case).owner_region == district["city"]


def test_a_street_operator_still_answers_the_districts_cases_in_their_street(district, new_case):
    """Below the owning district is not "elsewhere": only the city's taking a case away
    stops the people of its district and streets."""
    street = f.make_user(Role.OPERATOR, regions=[district["street1"]], username="streetop")
    assert lifecycle.can(new_case, Action.ANSWER_DIRECTLY, street)


def test_a_city_dispatcher_does_not_decide_on_the_districts_own_cases(city_dispatcher, dispatched):
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.check(dispatched, Action.WITHDRAW, city_dispatcher)


# --- the API ---------------------------------------------------------------------------


def test_the_api_offers_and_takes_withdraw_and_reassign(dispatcher, dispatched, other_bureau):
    mine = {a["action"] for a in get(dispatcher, f"/api/cases/{dispatched.number}/actions").json()}
    assert {"withdraw", "reassign"} <= mine
    response = api_act(
        dispatcher, dispatched, "reassign", main_department=other_bureau.code, note="改派理由"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["case"]["status"] == "dispatched"
    assert body["event"]["action"] == "reassign"
    response = api_act(dispatcher, dispatched, "withdraw", note="撤回理由")
    assert response.status_code == 200
    assert response.json()["case"]["status"] == "registered"


@pytest.mark.parametrize(
    ("action", "body", "status", "field"),
    [
        ("withdraw", {}, 400, "note"),
        ("reassign", {"note": "x"}, 400, "main_department"),
        ("reassign", {"note": "x", "main_department": "NOPE"}, 400, "main_department"),
        ("reassign", {"note": "x", "main_department": "CGJ"}, 400, "main_department"),
        ("reassign", {"main_department": "LQCGJ"}, 400, "note"),
        ("overrule_return", {"note": "x"}, 409, None),
    ],
)
def test_the_api_refuses_bad_control_input_naming_the_field(
    dispatcher, dispatched, other_bureau, action, body, status, field
):
    before = fresh(dispatched)
    response = api_act(dispatcher, dispatched, action, **body)
    found = assert_error(response, status, "invalid" if status == 400 else "transition_not_allowed")
    if field:
        assert field in [e["field"] for e in found.get("errors", [])], found
    after = fresh(dispatched)
    assert (after.status, after.version) == (before.status, before.version)


def test_the_api_reviews_a_return(dispatcher, handler, handling, bureau):
    case = returned(handling, handler)
    response = api_act(dispatcher, case, "overrule_return", note="仍属本单位")
    assert response.status_code == 200
    assert response.json()["case"]["status"] == "handling"
    assert fresh(case).main_department == bureau
