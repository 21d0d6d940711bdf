"""Staff with several roles: each grant acts in its own scope, the menu shows them all."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import PAGES, home_page, pages_for
from civicgrid.accounts.services import grant_role
from civicgrid.cases.access import grant_access
from civicgrid.cases.lifecycle import PERMISSIONS, Action
from civicgrid.cases.models import Case, CaseAccess
from civicgrid.cases.scope import ScopeRule, refusal_for, visible_cases

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(district):
    """Dispatcher for the district, mediator in its first street (the demo's ``official``)."""
    user = f.make_user(Role.DISPATCHER, regions=[district["district"]], username="official")
    grant_role(user, Role.MEDIATOR, regions=[district["street1"]])
    return user


@pytest.fixture
def cases(dispatcher, district, other_district, bureau):
    boss = f.make_user(Role.ADMIN, username="boss")
    return {
        "street1": f.make_case(actor=dispatcher, grid=district["grid11"]),
        "street2": f.make_case(actor=dispatcher, grid=district["grid21"]),
        "neighbour": f.make_case(actor=boss, grid=other_district["grid11"]),
    }


def _may(user, action, case) -> bool:
    return refusal_for(user, case, *PERMISSIONS[action]) is None


def test_a_dispatcher_who_mediates_in_a_street_dispatches_anywhere_in_the_district(official, cases):
    assert _may(official, Action.DISPATCH, cases["street1"])
    assert _may(official, Action.DISPATCH, cases["street2"])
    assert not _may(official, Action.DISPATCH, cases["neighbour"])


def test_they_act_as_mediator_only_in_their_street(official, cases):
    as_mediator = ((Role.MEDIATOR,), ScopeRule.REGION)
    assert refusal_for(official, cases["street1"], *as_mediator) is None
    assert refusal_for(official, cases["street2"], *as_mediator) == _(
        "This case is outside the regions you are responsible for."
    )


def test_their_menu_has_the_pages_of_both_roles_and_home_is_the_first(official, client):
    assert home_page(official) == PAGES["triage"]
    client.force_login(official)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(PAGES["triage"].url_name)
    page = client.get(reverse("cases:list")).content.decode()
    for key in ("intake", "triage", "tasks", "callbacks", "cases"):
        assert f'href="{reverse(PAGES[key].url_name)}"' in page, key
    labels = ", ".join(str(Role(r).label) for r in (Role.DISPATCHER, Role.MEDIATOR))
    assert official.roles_display == labels
    assert labels in page


def test_a_handler_who_is_also_a_grid_worker_sees_both_menus(district, bureau, client):
    person = f.make_user(Role.HANDLER, department=bureau, username="both")
    grant_role(person, Role.GRID_WORKER, regions=[district["grid11"]])
    keys = {key for key, page in PAGES.items() if page in pages_for(person)}
    assert {"inbox", "grid", "tasks"} <= keys
    assert home_page(person) == PAGES["inbox"]
    client.force_login(person)
    assert client.get(reverse("cases:inbox")).status_code == 200
    assert client.get(reverse("gridwork:home")).status_code == 200
    assert client.get(reverse(PAGES["triage"].url_name)).status_code == 403


def test_each_grant_acts_in_its_own_scope(district, bureau, other_bureau, cases, dispatcher):
    """Handler for the bureau anywhere, grid worker only in grid 1-1."""
    person = f.make_user(Role.HANDLER, department=bureau, username="both")
    grant_role(person, Role.GRID_WORKER, regions=[district["grid11"]])
    Case.objects.filter(pk=cases["street2"].pk).update(main_department=bureau)
    Case.objects.filter(pk=cases["street1"].pk).update(main_department=other_bureau)
    street1, street2 = (Case.objects.get(pk=cases[k].pk) for k in ("street1", "street2"))
    assert _may(person, Action.REPLY, street2)  # the bureau's case, outside their grid
    assert not _may(person, Action.REPLY, street1)  # their grid, another bureau's case
    assert _may(person, Action.VERIFY_PASS, street1)
    refusal = refusal_for(person, street2, *PERMISSIONS[Action.VERIFY_PASS])
    assert refusal == _("This case is not in one of your grids.")
    refusal = refusal_for(person, street1, *PERMISSIONS[Action.CLOSE])
    assert refusal == _("Your role (%(role)s) cannot take this action.") % {
        "role": person.roles_display
    }


def test_the_cases_seen_are_the_union_of_the_grants(district, bureau, cases, dispatcher):
    person = f.make_user(Role.HANDLER, department=bureau, username="both")
    grant_role(person, Role.GRID_WORKER, regions=[district["grid11"]])
    Case.objects.filter(pk=cases["neighbour"].pk).update(main_department=bureau)
    seen = set(visible_cases(person, Case.objects.all()))
    assert seen == {cases["street1"], cases["neighbour"]}


def test_a_case_access_lets_a_person_or_a_department_see_a_case(
    cases, operator, handler, other_bureau, bureau, other_handler
):
    neighbour = cases["neighbour"]
    assert neighbour not in visible_cases(operator, Case.objects.all())
    grant_access(neighbour, reason=CaseAccess.Reason.MEDIATION, actor=None, users=[operator])
    grant_access(neighbour, reason=CaseAccess.Reason.INCIDENT, actor=None, departments=[bureau])
    assert neighbour in visible_cases(operator, Case.objects.all())
    assert neighbour in visible_cases(handler, Case.objects.all())
    assert neighbour not in visible_cases(other_handler, Case.objects.all())
    # Granting again adds nothing.
    grant_access(neighbour, reason=CaseAccess.Reason.MEDIATION, actor=None, users=[operator])
    assert neighbour.accesses.count() == 2


def test_the_admin_shows_who_else_may_see_a_case_and_why(admin_client, cases, bureau):
    case = cases["neighbour"]
    grant_access(case, reason=CaseAccess.Reason.SUMMONED, actor=None, departments=[bureau])
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert bureau.name in page.content.decode()
    assert "summoned (whistle)" in page.content.decode()


def test_the_inbox_tags_only_cases_where_the_department_co_handles(
    client, dispatcher, handler, district, bureau, other_bureau
):
    from civicgrid.cases import lifecycle

    own = f.make_case(actor=dispatcher, grid=district["grid11"], title="本局主办")
    co = f.make_case(actor=dispatcher, grid=district["grid12"], title="本局协办")
    lifecycle.apply(own, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    lifecycle.apply(
        co,
        Action.DISPATCH,
        actor=dispatcher,
        main_department=other_bureau,
        co_departments=[bureau],
    )
    client.force_login(handler)
    page = client.get(reverse("cases:inbox")).content.decode()
    assert own.number in page
    assert co.number in page
    assert page.count('<span class="tag">co-handling</span>') == 1


def test_the_intake_form_starts_on_the_channel_of_the_first_grant(official, district, client):
    mediator = f.make_user(Role.MEDIATOR, regions=[district["street1"]], username="wu")
    grant_role(mediator, Role.DISPATCHER, regions=[district["district"]])
    for person, channel in ((official, "hotline"), (mediator, "walk_in")):
        client.force_login(person)
        form = client.get(reverse(PAGES["intake"].url_name)).context["form"]
        assert form.initial["channel"] == channel, person.username


def test_a_grid_worker_who_dispatches_in_a_street_verifies_there_and_in_their_grid(
    district, dispatcher, handler, bureau
):
    from civicgrid.cases import queries
    from civicgrid.cases.lifecycle import apply

    def replied(grid):
        case = f.make_case(actor=dispatcher, grid=district[grid])
        apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
        apply(case, Action.ACKNOWLEDGE, actor=handler)
        apply(case, Action.REPLY, actor=handler, reply="已修复。")
        return case

    own_grid, street2, other_grid = replied("grid11"), replied("grid21"), replied("grid12")
    person = f.make_user(Role.GRID_WORKER, regions=[district["grid11"]], username="sun")
    grant_role(person, Role.DISPATCHER, regions=[district["street2"]])
    tasks = set(queries.verification_tasks(person))
    assert tasks == {own_grid, street2}
    assert other_grid not in tasks
    assert _may(person, Action.VERIFY_PASS, street2)
    assert not _may(person, Action.VERIFY_PASS, other_grid)
