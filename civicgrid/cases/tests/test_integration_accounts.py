"""Integration accounts are systems: no sign-in anywhere, nothing but their own cases."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from civicgrid.accounts.models import Integration, Role, User
from civicgrid.accounts.services import grant_role
from civicgrid.cases import lifecycle
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(district):
    return f.make_integration_account(
        Integration.POLICE_110, regions=[district["district"]], username="police110"
    )


def _with_a_password(user, *, staff=False):
    """As if someone had given the account a password (and staff status) behind our back."""
    User.objects.filter(pk=user.pk).update(password=make_password("guessable"), is_staff=staff)


def test_an_integration_account_never_has_a_usable_password(district):
    user = User.objects.create_user("app", password="chosen-by-someone", integration="open311")
    assert not user.has_usable_password()
    user.set_password("again")
    user.save()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_login_form_refuses_an_integration_account_even_with_the_right_password(client, police):
    _with_a_password(police)
    response = client.post(
        reverse("accounts:login"), {"username": "police110", "password": "guessable"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still signed out
    assert "_auth_user_id" not in client.session


def test_the_admin_refuses_an_integration_account(client, police):
    _with_a_password(police, staff=True)
    response = client.post(
        "/admin/login/", {"username": "police110", "password": "guessable", "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_session_of_an_integration_account_is_not_honoured(client, police):
    client.force_login(police)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_integration_account_names_its_system_and_is_nothing_else(district, bureau):
    person = User.objects.create_user("x")
    with pytest.raises(ValidationError):
        grant_role(person, Role.INTEGRATION)
    system = User.objects.create_user("y", integration=Integration.OPEN311)
    with pytest.raises(ValidationError):
        grant_role(system, Role.OPERATOR)
    with pytest.raises(ValidationError):
        grant_role(system, Role.INTEGRATION, department=bureau)
    grant_role(system, Role.INTEGRATION, regions=[district["district"]])
    with pytest.raises(ValidationError):
        grant_role(system, Role.INTEGRATION)
    with pytest.raises(ValidationError):
        User(username="z", integration="open311", is_staff=True).full_clean()


def test_it_sees_only_the_cases_it_registered(police, operator, district):
    own = f.make_case(actor=police, channel=Channel.POLICE_DIVERSION, grid=district["grid11"])
    f.make_case(actor=operator, grid=district["grid11"])  # same grid, not its own
    assert list(visible_cases(police, Case.objects.all())) == [own]


def test_it_may_take_no_step_of_the_loop_on_any_case_not_even_its_own(police, district):
    case = f.make_case(actor=police, channel=Channel.POLICE_DIVERSION, grid=district["grid11"])
    for (status, action), _to in lifecycle.TRANSITIONS.items():
        if not status:
            continue
        case.status = status
        assert not lifecycle.can(case, action, police), (status, action)


@pytest.mark.parametrize(
    ("kind", "channel", "allowed"),
    [
        (Integration.POLICE_110, Channel.POLICE_DIVERSION, True),
        (Integration.POLICE_110, Channel.HOTLINE, False),
        (Integration.POLICE_110, Channel.OPEN311, False),
        (Integration.OPEN311, Channel.OPEN311, True),
        (Integration.OPEN311, Channel.POLICE_DIVERSION, False),
        (Integration.OPEN311, Channel.WEB, False),
    ],
)
def test_it_registers_cases_only_at_its_own_door(district, kind, channel, allowed):
    system = f.make_integration_account(kind, regions=[district["district"]])
    if allowed:
        case = f.make_case(actor=system, channel=channel, grid=district["grid11"])
        assert case.created_by == system
    else:
        with pytest.raises(lifecycle.ActionRefused):
            f.make_case(actor=system, channel=channel, grid=district["grid11"])
        assert not Case.objects.exists()


def test_it_opens_no_page_and_has_no_menu(police):
    from civicgrid.accounts.pages import PAGES, may_open, pages_for

    assert not any(may_open(police, key) for key in PAGES)
    assert pages_for(police) == []
