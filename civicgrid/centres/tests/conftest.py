"""The centres' tests' units: two stationed bureaus, a utility, and a case dispatched
with a co-handling unit."""

import pytest

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f


@pytest.fixture
def police(db):
    return f.make_department("区公安分局", code="GAJ", stationed=True)


@pytest.fixture
def market(db):
    return f.make_department("区市场监管局", code="SCJ", stationed=True)


@pytest.fixture
def water(db):
    return f.make_department("区水务局", code="SWJ")


@pytest.fixture
def co_dispatched(django_capture_on_commit_callbacks, new_case, dispatcher, bureau, water):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.apply(
            new_case,
            Action.DISPATCH,
            actor=dispatcher,
            main_department=bureau,
            co_departments=[water],
        )
    new_case.refresh_from_db()
    return new_case
