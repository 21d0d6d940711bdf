from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.petitions import services
from civicgrid.petitions.models import Addressed, Form

MATTER = "小区旁边工地夜间施工噪音扰民，多次向街道反映仍未解决，要求停止夜间施工。"


def petition_input(**kw) -> services.PetitionInput:
    values = {
        "form": Form.VISIT,
        "petitioner_name": "张三",
        "petitioner_phone": "13912345678",
        "matter": MATTER,
        "addressed_to": Addressed.DISTRICT,
        "received_on": timezone.localdate() - timedelta(days=1),
        "receiving_office": "东营区矛调中心信访窗口",
    }
    values.update(kw)
    return services.PetitionInput(**values)


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


@pytest.fixture
def second_leader(district):
    return f.make_user(Role.LEADER, regions=[district["district"]], username="leader2")


@pytest.fixture
def petition(new_case, operator):
    return services.register(new_case, petition_input(), actor=operator)
