"""A client system acts as an integration account of its own, never as staff (#12)."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.accounts.models import Integration
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
