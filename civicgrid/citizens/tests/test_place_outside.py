"""A report placed outside the district (#10 defect 16): said as soon as the place is
chosen, and refused when sent anyway, with what to do instead."""

import pytest

from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f

from .conftest import report_data

pytestmark = pytest.mark.django_db

BEIJING = {"lng": "116.397", "lat": "39.909", "datum": "wgs84"}
OUTSIDE = "This place is outside the area we serve"


def test_choosing_a_place_outside_says_so_before_sending(client, district):
    html = client.get("/report/place/", BEIJING).content.decode()

    assert OUTSIDE in html
    assert district["district"].name in html
    assert "12345" in html


def test_a_place_in_the_district_or_just_past_a_grid_is_fine(client, district):
    lng, lat = f.point_in(district["grid11"])
    assert client.get("/report/place/", {"lng": lng, "lat": lat}).content.decode().strip() == ""
    assert (
        OUTSIDE
        not in client.get("/report/place/", {"lng": lng + 0.005, "lat": lat}).content.decode()
    )
    assert client.get("/report/place/").content.decode().strip() == ""


def test_the_report_page_asks_for_the_check_when_the_place_changes(client, district):
    html = client.get("/report/").content.decode()
    assert 'hx-get="/report/place/"' in html


def test_a_report_placed_outside_is_refused_with_what_to_do(client, district):
    response = client.post("/report/", report_data(client, None, **BEIJING))

    assert response.status_code == 400
    html = response.content.decode()
    assert OUTSIDE in html
    assert "12345" in html
    assert Case.objects.count() == 0


def test_a_report_placed_inside_is_still_filed(client, district):
    response = client.post("/report/", report_data(client, district["grid11"]))

    assert response.status_code == 200
    assert Case.objects.count() == 1
