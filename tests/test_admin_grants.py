"""The admin manages a person's roles as grants, inline on the user."""

import pytest
from django.urls import reverse

from civicgrid.accounts.models import Integration, Role, User
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db

PREFIX = "grants"


def _form(user, grants, **extra) -> dict:
    """The change form of ``user`` as the admin posts it, with ``grants`` (new rows)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "integration": user.integration,
        "phone": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "08:00:00",
        f"{PREFIX}-TOTAL_FORMS": str(len(grants)),
        f"{PREFIX}-INITIAL_FORMS": "0",
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (role, regions, department) in enumerate(grants):
        data[f"{PREFIX}-{i}-role"] = role
        data[f"{PREFIX}-{i}-regions"] = [r.pk for r in regions]
        data[f"{PREFIX}-{i}-department"] = department.pk if department else ""
    return data


def test_the_admin_gives_a_person_two_roles(admin_client, district, bureau):
    person = User.objects.create_user("wu", first_name="吴")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    assert admin_client.get(url).status_code == 200
    grants = [
        (Role.DISPATCHER, [district["district"]], None),
        (Role.MEDIATOR, [district["street1"]], None),
    ]
    response = admin_client.post(url, _form(person, grants))
    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(pk=person.pk)
    assert person.roles == [Role.DISPATCHER, Role.MEDIATOR]
    assert [g.region_paths for g in person.role_grants()] == [
        [district["district"].path],
        [district["street1"].path],
    ]


def test_the_admin_keeps_a_system_to_one_grant_without_a_department(admin_client, district, bureau):
    system = f.make_integration_account(Integration.OPEN311, regions=[district["district"]])
    system.grants.all().delete()
    url = reverse("admin:accounts_user_change", args=[system.pk])
    two = [
        (Role.INTEGRATION, [district["district"]], None),
        (Role.INTEGRATION, [district["street1"]], None),
    ]
    assert admin_client.post(url, _form(system, two)).status_code == 200
    with_department = [(Role.INTEGRATION, [district["district"]], bureau)]
    assert admin_client.post(url, _form(system, with_department)).status_code == 200
    assert not system.grants.exists()
    person = User.objects.create_user("li")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    as_system = [(Role.INTEGRATION, [], None)]
    assert admin_client.post(url, _form(person, as_system)).status_code == 200
    assert not person.grants.exists()
