import pytest
from django.utils import timezone

from civicgrid.fieldwork.models import Household, HouseholdCategory


@pytest.fixture
def household(district, grid_worker):
    return Household.objects.create(
        grid=district["grid11"],
        label="3-2-401",
        category=HouseholdCategory.ELDERLY_ALONE,
        contact_name="李秀英",
        contact_phone="13912345678",
        consent_on=timezone.localdate(),
        consent_by=grid_worker,
    )


@pytest.fixture
def far_household(district, grid_worker):
    """In grid 2-1, which the grid worker does not work in."""
    return Household.objects.create(
        grid=district["grid21"],
        label="9-1-101",
        category=HouseholdCategory.ORDINARY,
        consent_on=timezone.localdate(),
        consent_by=grid_worker,
    )
