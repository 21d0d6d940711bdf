"""The demo petitions: a handful at every stage, a repeat, a higher-level one, one owned
by the leader, one turned into mediation; loaded once."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.demo.petitions import PETITIONS, load_demo
from civicgrid.mediation.models import Dispute, Source
from civicgrid.mediation.taxonomy import load_taxonomies
from civicgrid.petitions.models import Petition, PetitionState

pytestmark = pytest.mark.django_db


def test_the_demo_petitions_show_every_feature_of_the_window(district):
    load_taxonomies()
    admin = f.make_user(Role.ADMIN, regions=[district["district"]], username="admin")
    admin.is_superuser = True
    admin.save()
    f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    leader = f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    load_demo(district["district"].code)
    load_demo(district["district"].code)
    assert Petition.objects.count() == len(PETITIONS)
    repeat = Petition.objects.get(repeat_of__isnull=False)
    assert repeat.repeat_of.petitioner_name == repeat.petitioner_name
    assert Petition.objects.filter(higher_level=True).exists()
    owned = Petition.objects.get(leader=leader)
    assert owned.contacts.exists()
    assert owned.extended_days == 30
    mediated = Petition.objects.get(mediation_consent_at__isnull=False)
    assert Dispute.objects.get(case=mediated.case).source == Source.PETITION
    states = set(Petition.objects.values_list("state", flat=True))
    assert {
        PetitionState.REGISTERED,
        PetitionState.ACCEPTED,
        PetitionState.NOT_ACCEPTED,
        PetitionState.HANDLING,
        PetitionState.REPLIED,
    } <= states
