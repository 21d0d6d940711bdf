"""访调对接 across the two apps: the petition panel finds the dispute of the same case
through the wiring (petitions does not import mediation)."""

import pytest

from civicgrid.mediation import services as mediation
from civicgrid.mediation.models import Dispute, Source
from civicgrid.mediation.taxonomy import load_taxonomies
from civicgrid.petitions import services
from civicgrid.petitions.tests.conftest import petition_input

pytestmark = pytest.mark.django_db


def test_after_the_hand_over_the_petition_links_to_its_dispute(client, new_case, dispatcher):
    load_taxonomies()
    petition = services.register(new_case, petition_input(), actor=dispatcher)
    client.force_login(dispatcher)
    url = f"/petitions/cases/{new_case.number}/act/"
    landing = client.post(url, {"move": "mediation", "consent": "on"})["Location"]
    page = client.get(landing).content.decode()
    assert '<option value="petition" selected>' in page
    assert "petition-dispute-link" not in page
    client.post(
        f"/mediation/cases/{new_case.number}/hand-over/",
        {"type": "0202", "source": "petition", "applicant_name": petition.petitioner_name},
    )
    assert Dispute.objects.get(case=new_case).source == Source.PETITION
    page = client.get(f"/cases/{new_case.number}/").content.decode()
    assert 'id="petition-dispute-link"' in page
    assert 'id="to-mediation"' not in page
    assert mediation.may_hand_over(dispatcher, new_case) is False
