"""The "same problem?" list: open cases nearby, and +1 instead of a duplicate."""

import re

import pytest

from civicgrid.cases.models import Case, Channel
from civicgrid.cases.tests import factories as f
from civicgrid.citizens.models import Tracking, TrackingRole
from civicgrid.duplicates.models import Supporter
from civicgrid.duplicates.neighbours import build_grid_neighbours
from civicgrid.routing.models import RequestType

from .conftest import report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_case(operator, district, category):
    build_grid_neighbours()
    return f.make_case(
        actor=operator,
        grid=district["grid11"],
        category=category,
        title="张三家门口路灯不亮 13812349999",
        reporter_name="张三",
        channel=Channel.CITIZEN,  # published: a hotline call would not be listed
    )


def _nearby(client, grid, category, **extra):
    lng, lat = f.point_in(grid)
    params = {"category": category.pk if category else "", "lng": lng, "lat": lat, **extra}
    return client.get("/report/nearby/", params).content.decode()


def test_open_cases_of_that_kind_nearby_are_shown_without_personal_data(
    client, open_case, district, category
):
    html = _nearby(client, district["grid12"], category)

    assert "路灯不亮" in html
    assert f"/report/join/{open_case.number}/" in html
    assert "13812349999" not in html
    assert "138****" in html
    assert "张三" not in html
    assert "第1社区第1网格" in html


def test_other_kinds_closed_cases_and_reports_are_not_shown(
    client, operator, open_case, district, category
):
    other = f.make_category("公共安全", code="09")
    html = _nearby(client, district["grid11"], other)
    assert open_case.number not in html

    secret = f.make_case(
        actor=operator,
        grid=district["grid11"],
        category=category,
        title="举报某饭店违规排污",
        request_type=RequestType.REPORT,
    )
    html = _nearby(client, district["grid11"], category)
    assert open_case.number in html
    assert secret.number not in html
    assert "举报" not in html


def test_nothing_is_looked_for_without_a_place(client, open_case, category):
    html = client.get("/report/nearby/", {"category": category.pk}).content.decode()
    assert open_case.number not in html


def test_a_citizen_joins_an_open_case_once_and_can_follow_it(client, open_case, district):
    data = report_data(client, district["grid11"], phone="139 0000 2222")
    response = client.post(f"/report/join/{open_case.number}/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "you joined the case" in html
    supporter = Supporter.objects.get()
    assert supporter.case == open_case
    assert supporter.channel == Channel.CITIZEN
    assert Case.objects.count() == 1  # no duplicate filed
    tracking = Tracking.objects.get(case=open_case)
    assert tracking.role == TrackingRole.SUPPORTER
    token = re.search(r"/track/([A-Za-z0-9_\-]+)/", html).group(1)
    assert "A case you joined (+1)" in client.get(f"/track/{token}/").content.decode()

    # The same phone again, from a new form: a clear message, still one supporter.
    again = client.post(
        f"/report/join/{open_case.number}/",
        report_data(client, district["grid11"], phone="13900002222"),
    )
    assert again.status_code == 400
    assert f"This phone number has already joined case {open_case.number}." in (
        again.content.decode()
    )
    assert Supporter.objects.count() == 1


def test_a_resent_join_shows_the_link_again(client, open_case, district):
    data = report_data(client, district["grid11"], phone="13900002222")
    client.post(f"/report/join/{open_case.number}/", data)
    again = client.post(f"/report/join/{open_case.number}/", data)

    assert again.status_code == 200
    assert "/track/" in again.content.decode()
    assert Supporter.objects.count() == 1


def test_joining_needs_the_check_question_and_consent(client, open_case, district):
    data = report_data(client, district["grid11"], answer="99")
    del data["consent"]
    response = client.post(f"/report/join/{open_case.number}/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "That answer is not right" in html
    assert "Please read and accept how your report is used." in html
    assert Supporter.objects.count() == 0


def test_the_reporter_cannot_join_their_own_case(client, open_case, district):
    data = report_data(client, district["grid11"], phone="13812345678")
    response = client.post(f"/report/join/{open_case.number}/", data)

    assert response.status_code == 400
    assert f"You reported case {open_case.number} yourself" in response.content.decode()
    assert Supporter.objects.count() == 0


def test_a_long_name_joins_and_is_kept_masked_within_its_column(client, open_case, district):
    name = "欧阳" + "长" * 48  # 50 characters: the longest the form takes
    data = report_data(client, district["grid11"], phone="13900002222", name=name)
    response = client.post(f"/report/join/{open_case.number}/", data)

    assert response.status_code == 200, response.content
    contact = Supporter.objects.get().contact
    assert contact.startswith("欧*")
    assert contact.endswith("139****2222")
    assert len(contact) <= Supporter._meta.get_field("contact").max_length


def test_a_name_over_50_characters_is_refused_with_a_message(client, open_case, district):
    data = report_data(client, district["grid11"], phone="13900002222", name="长" * 51)
    response = client.post(f"/report/join/{open_case.number}/", data)

    assert response.status_code == 400
    assert "at most 50 characters" in response.content.decode()
    assert Supporter.objects.count() == 0


def test_a_hotline_case_is_neither_listed_nor_joined(
    client, operator, open_case, district, category
):
    call = f.make_case(
        actor=operator, grid=district["grid11"], category=category, title="来电：路灯不亮"
    )
    html = _nearby(client, district["grid11"], category)
    assert open_case.number in html
    assert call.number not in html
    # Not even by its number: a supporter's link would open a case nobody may publish.
    response = client.post(f"/report/join/{call.number}/", report_data(client, district["grid11"]))
    assert response.status_code == 404
    assert not Supporter.objects.exists()
