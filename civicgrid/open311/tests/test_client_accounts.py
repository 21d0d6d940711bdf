"""A client system acts as an integration account of its own, never as staff (#12)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from civicgrid.accounts.models import Integration, Role, User
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientSystem

pytestmark = pytest.mark.django_db


def test_a_client_cannot_act_as_an_operator(operator):
    with pytest.raises(ValidationError) as refused:
        ClientSystem(name="门户", user=operator).full_clean(exclude=["key_hash"])
    assert "integration account" in str(refused.value)


def test_a_client_acts_as_an_open311_integration_account_with_regions(district):
    police = f.make_integration_account(Integration.POLICE_110, regions=[district["district"]])
    with pytest.raises(ValidationError):
        ClientSystem(name="错的", user=police).full_clean(exclude=["key_hash"])
    nowhere = f.make_integration_account(Integration.OPEN311)
    with pytest.raises(ValidationError):
        ClientSystem(name="无区域", user=nowhere).full_clean(exclude=["key_hash"])
    good = f.make_integration_account(Integration.OPEN311, regions=[district["street1"]])
    ClientSystem(name="街道", user=good).full_clean(exclude=["key_hash"])


def test_the_migration_narrows_system_accounts_and_gives_a_persons_client_its_own(district):
    migration = importlib.import_module(
        "civicgrid.open311.migrations.0002_client_accounts_become_integration_accounts"
    )
    system = f.make_user(Role.OPERATOR, regions=[district["street1"]], username="app")
    User.objects.filter(pk=system.pk).update(password=make_password(None))
    person = f.make_user(Role.OPERATOR, regions=[district["street2"]], username="wang")
    first = ClientSystem.objects.create(name="市民APP", user=system, key_hash="a")
    second = ClientSystem.objects.create(name="门户网站", user=system, key_hash="b")
    borrowed = ClientSystem.objects.create(name="借用账号", user=person, key_hash="c")

    migration.narrow(apps, None)

    system.refresh_from_db()
    person.refresh_from_db()
    assert system.is_integration_of(Integration.OPEN311)
    assert person.role == Role.OPERATOR
    assert person.has_usable_password()
    for client in (first, second):
        client.refresh_from_db()
        assert client.user == system
    borrowed.refresh_from_db()
    own = borrowed.user
    assert own != person
    assert own.is_integration_of(Integration.OPEN311)
    assert not own.has_usable_password()
    assert list(own.regions.all()) == [district["street2"]]
