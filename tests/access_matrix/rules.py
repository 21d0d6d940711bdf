"""What each door needs — the rule that grants it, the input it takes — and what a
caller notices when it works."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import PERMISSIONS, TRANSITIONS, Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.scope import ScopeRule, refusal_for
from civicgrid.cases.services import phone_hash
from civicgrid.cases.tests import factories as f
from civicgrid.citizens import challenge
from civicgrid.citizens.models import TrackingRole, token_hash
from civicgrid.core.models import PersonalDataRead
from civicgrid.duplicates.models import Supporter
from civicgrid.routing.models import Department

from . import world as w
from .world import World


@dataclass
class Call:
    """One request of the matrix, for the checks of what a successful one changed."""

    world: World
    user: User | None
    obj: Any
    door: Any
    response: Any


def answered(*statuses: int) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code in statuses, call.response.content[:500]

    return check


def allowed_if(predicate) -> Callable:
    """A grant from a yes/no rule whose refusal text the matrix does not pin."""
    return lambda user, obj, world: None if predicate(user, obj) else ""


def table_rule(roles, rule) -> Callable:
    """A grant from the permission table: role, then the scope rule (cases.scope)."""
    return lambda user, case, world: refusal_for(user, case, roles, rule)


# --- lifecycle actions ---------------------------------------------------------------------


def page_form(action: str) -> Callable:
    def body(world, user, case) -> dict:
        data = w.action_input(action, world) or {}
        values = {k: v.pk if isinstance(v, Department) else v for k, v in data.items()}
        return {f"{action}-{k}": v for k, v in values.items()}

    return body


def api_body(action: str) -> Callable:
    def body(world, user, case) -> dict:
        data = w.action_input(action, world) or {}
        return {k: v.code if isinstance(v, Department) else v for k, v in data.items()}

    return body


def moved(action: str, status: int) -> Callable[[Call], None]:
    """The case moved as the table says, and the timeline names who did it."""

    def check(call: Call) -> None:
        assert call.response.status_code == status, call.response.content[:500]
        case = Case.objects.get(pk=call.obj.pk)
        assert case.status == TRANSITIONS[(call.obj.status, action)]
        assert case.events.filter(action=action, actor=call.user).exists()

    return check


# --- what the other doors need and do ----------------------------------------------------

REVEAL_ROLES = (*lifecycle.CENTRE, Role.HANDLER, Role.GRID_WORKER)


def may_reveal(user, case, world) -> str | None:
    """``cases.services.reveal_contact``: centre roles, handlers and grid workers in
    region scope, or anyone of the case's main department."""
    why = refusal_for(user, case, REVEAL_ROLES, ScopeRule.REGION)
    departments = user.grants.filter(department__isnull=False).values_list("department", flat=True)
    if why and case.main_department_id in departments:
        return None
    return why


def may_register_and_merge(user, case, world) -> str | None:
    """Registering the caller's report at the case's place, then merging it in."""
    return refusal_for(user, case, *PERMISSIONS[Action.REGISTER]) or refusal_for(
        user, case, *PERMISSIONS[Action.MERGE]
    )


def shows(text: Callable[[Call], str]) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == 200, call.response.content[:500]
        assert text(call) in call.response.content.decode()

    return check


def json_answer(status: int, key: str, value: Callable[[Call], Any]) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == status, call.response.content[:500]
        body = call.response.json()
        assert (body[0] if isinstance(body, list) else body)[key] == value(call)

    return check


def file_served(content_type: str) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == 200
        assert call.response["Content-Type"].startswith(content_type)
        assert b"".join(call.response.streaming_content)

    return check


def redirected_and(condition: Callable[[Call], bool]) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == 302, call.response.content[:500]
        assert condition(call)

    return check


def contact_shown(call: Call) -> None:
    assert call.response.status_code == 200
    assert call.obj.reporter_phone in call.response.content.decode()
    assert PersonalDataRead.objects.filter(user=call.user, subject=call.obj.number).exists()


def intake_form(world, user, case) -> dict:
    lng, lat = f.point_in(world.district["grid11"])
    return {
        "channel": "hotline",
        "request_type": "complaint",
        "category": world.category.pk,
        "title": "路灯不亮",
        "content": "小区门口的路灯坏了，又一位来电人反映。",
        "reporter_name": "赵六",
        "reporter_phone": "13700001234",
        "lng": lng,
        "lat": lat,
        "datum": "wgs84",
    }


def citizen_join_form(world, user, case) -> dict:
    key = "matrix-join-form-key-1"
    with translation.override("en"):
        check = challenge.new_challenge(key)
    numbers = [int(word.strip("?")) for word in check.question.split() if word[:1].isdigit()]
    answer = numbers[0] + numbers[1] if "plus" in check.question else numbers[0] - numbers[1]
    return {
        "key": key,
        "challenge": check.token,
        "answer": str(answer),
        "phone": "13600001234",
        "name": "孙八",
        "consent": "on",
    }


def may_rate(token: str, world: World) -> bool:
    return world.citizen_case.trackings.get(token_hash=token_hash(token)).role == (
        TrackingRole.REPORTER
    )


def supporter_added(status: int, phone: str) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == status, call.response.content[:500]
        assert Supporter.objects.filter(case=call.obj, phone_hash=phone_hash(phone)).exists()

    return check


def rated(call: Call) -> None:
    assert call.response.status_code == 200, call.response.content[:500]
    assert Case.objects.get(pk=call.world.citizen_case.pk).status == Status.RATED


NEW_ANSWER = "道路路灯由城市管理局路灯所维护，夜间电话 12319。"
