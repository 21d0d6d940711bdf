"""Every role, and an anonymous visitor, against every door that addresses an object, in
and out of scope: the answer each gets is derived from the permission tables —
``cases.lifecycle.PERMISSIONS`` with ``cases.scope``, the page table ``accounts.pages``,
and the reach of each role (``world.ROLE_REACH``) — never written down per request.

- anonymous: a staff page sends to the login page, the API answers 401;
- a role without the page: 403 naming role and page;
- out of scope: 404, the same answer as for an object that does not exist;
- in scope: reads answer 200; an action works (the case moves as the table says) if the
  table grants it, else 403 with the reason (the grid-work forms: back to the case with
  the reason as an error message), and nothing changes;
- a case's file addressed through another case's number: 404, like a missing one;
- public doors (citizens' pages, Open311) answer every caller alike: a published case
  (a citizen's report) is shown, a report (举报) is 404 like a missing one.

The answer to anything refused before the object is looked up (sign in, page, scope)
is compared with the answer for an object that does not exist: they must not differ.
A refusal the role alone decides (sign in, another system's account, a role without the
page) is asked of the role's in-scope account only: its out-of-scope account holds the
same role, and the comparison with a missing object proves the object was not looked up.
"""

import pytest
from django.utils import translation

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import PAGES, may_open
from civicgrid.cases.schemas import PERSON_ACTIONS

from . import calls, urlmap
from .calls import Outcome
from .doors import DOORS, Door, Kind, Refusal
from .rules import Call
from .world import FOREIGN, IN, OUT, ROLE_REACH, ROLES, action_input

ANONYMOUS = None
CALLERS = [*ROLES, ANONYMOUS]
REFUSAL_KIND = {Refusal.FORBIDDEN: "forbidden", Refusal.BACK: "back", Refusal.UNSIGNED: "unsigned"}


def expect(door: Door, world, user, obj) -> Outcome:
    """What the tables say ``user`` gets from ``door`` for ``obj``."""
    if user is None and door.kind in (Kind.PAGE, Kind.API):
        return Outcome("login" if door.kind is Kind.PAGE else "unauthenticated", blind=True)
    if user is not None and user.has_role(Role.INTEGRATION) and door.kind in (Kind.PAGE, Kind.API):
        # Another system's account: no pages (its session counts for nothing) and no API
        # door but its own, refused before any object is looked up.
        return Outcome("login" if door.kind is Kind.PAGE else "forbidden", blind=True)
    if door.page and not may_open(user, door.page):
        words = (str(PAGES[door.page].label), user.roles_display)
        return Outcome("forbidden", words, blind=True)
    if not door.target.sees(user, obj, world):
        return Outcome("not_found", blind=True)
    reason = door.grant(user, obj, world) if door.grant else None
    if reason is not None:
        return Outcome(REFUSAL_KIND[door.refusal], (reason,) if reason else ())
    return Outcome("done")


def refused_by_role(door: Door, caller) -> bool:
    """Whether ``expect`` refuses ``caller`` at ``door`` before looking at the object or
    the account's scope: by role alone (``accounts.pages.may_open`` reads only roles)."""
    if door.kind not in (Kind.PAGE, Kind.API):
        return False
    if caller is None or caller == Role.INTEGRATION:
        return True
    return door.page is not None and caller not in (Role.ADMIN, *PAGES[door.page].roles)


def _row_id(door: Door, caller, scope: str) -> str:
    return f"{caller or 'anonymous'}-{scope}-{door}"


# An out-of-scope account refused by its role alone gets what the in-scope one gets: the
# same role, the object never looked up (the IN row compares it with a missing one).
ROWS = [
    (door, caller, scope)
    for door in DOORS
    for caller in CALLERS
    for scope in door.target.scopes
    if not (scope == OUT and refused_by_role(door, caller))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("door", "caller", "scope"), ROWS, ids=[_row_id(*row) for row in ROWS])
def test_each_door_answers_each_caller_as_the_permission_tables_say(
    matrix_world, matrix_browser, door, caller, scope
):
    world = matrix_world
    user = world.user(caller, scope)
    obj = door.target.pick(world, scope, caller)
    with translation.override("en"):
        expected = expect(door, world, user, obj)
    if refused_by_role(door, caller):  # the rows left out (ROWS) rest on it
        assert expected.blind, expected
        assert expected.kind != "not_found", expected
    params = door.target.params(obj, world)
    client = calls.signed_in(matrix_browser, world, user, session=door.kind is not Kind.API)
    body = door.body(world, user, obj) if door.body else None
    before = calls.fingerprint()
    response = calls.send(client, door, world, user, params, body)
    calls.TALLY["rows"] += 1
    calls.OUTCOMES[expected.kind] += 1

    if expected.kind == "done":
        door.done(Call(world, user, obj, door, response))
        return
    calls.refused_as_expected(response, expected)
    assert calls.fingerprint() == before, "a refused request changed something"
    if expected.blind:
        missing = {**params, **door.target.missing}
        if scope == FOREIGN:
            # Another case's file through a case the caller sees: as if the file did not
            # exist in that case (the case itself may well be named).
            missing["number"] = params["number"]
        keys = [str(v) for v in (*params.values(), *missing.values())]
        again = calls.send(client, door, world, user, missing, body)
        assert calls.normalized(response, keys) == calls.normalized(again, keys), (
            f"the answer differs from the one for a {door.target.name} that does not exist"
        )


# --- the guards: the matrix stays complete as the code grows ------------------------------


def test_every_role_has_an_expectation_rule():
    missing = [role for role in Role.values if role not in ROLE_REACH]
    assert not missing, (
        f"roles {missing} have no line in ROLE_REACH (tests/access_matrix/world.py): say "
        "which cases such an account sees, and the matrix runs it against every door"
    )


def test_every_object_endpoint_has_a_row_in_the_matrix():
    """A new endpoint that addresses an object turns this red until it has a door."""
    doors = {(door.method, door.url) for door in DOORS}
    pages = urlmap.page_endpoints()
    api = urlmap.api_endpoints()
    without_door = sorted(url for url in pages if url not in {url for _m, url in doors}) + sorted(
        f"{m} {url}" for m, url in api if (m, url) not in doors
    )
    assert not without_door, f"object endpoints without a door in doors.py: {without_door}"
    stale = sorted(f"{m} {url}" for m, url in doors if url not in pages and (m, url) not in api)
    assert not stale, f"doors in doors.py that the URL map no longer has: {stale}"


def test_every_lifecycle_action_has_the_input_it_needs(matrix_world, db):
    """A new action of the loop is taken by the matrix once it knows what it needs."""
    without = [action for action in PERSON_ACTIONS if action_input(action, matrix_world) is None]
    assert not without, f"add the note and fields of {without} to world.action_input"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS, ids=[c or "anonymous" for c in CALLERS])
def test_the_admin_site_lets_no_role_in_without_staff_status(matrix_world, matrix_browser, caller):
    """The Django admin is its own door: is_staff, not a role, opens it."""
    user = matrix_world.user(caller, IN)
    client = calls.signed_in(matrix_browser, matrix_world, user)
    fill = {"object_id": "1", "id": "1", "content_type_id": "1", "app_label": "cases", "url": "x"}
    let_in = []
    for url in sorted(urlmap.admin_endpoints()):
        response = client.get(url.format(**fill))
        calls.TALLY["requests"] += 1
        if response.status_code != 302 or "/admin/login/" not in response["Location"]:
            let_in.append((url, response.status_code))
    assert not let_in
