"""POST requests: a client system's report becomes a case of channel open311, or nothing."""

import json

import pytest
from django.test import Client

from civicgrid.cases.models import Case, Channel
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientSystem, ServiceRequest

from .conftest import BASE, KEY

pytestmark = pytest.mark.django_db


def post(client, data, fmt="json"):
    response = client.post(f"{BASE}/requests.{fmt}", data=data)
    return response, json.loads(response.content) if fmt == "json" else None


def test_a_post_registers_a_case_on_the_open311_channel(client, app_client, post_data, district):
    response, body = post(client, post_data)
    assert response.status_code == 200
    case = Case.objects.get(number=body[0]["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.category.code == "0101"
    assert case.grid == district["grid11"]
    assert case.title == "小区门口有车长期占道停放"
    assert case.content.startswith("小区门口有车长期占道停放\n已经一个星期了")
    assert case.extra == {
        "plate": "鲁E12345",
        "kind": "car",
        "media_url": "https://photos.example.com/42.jpg",
    }
    assert case.reporter_name == "张三"
    assert case.reporter_phone == "13812345678"
    assert case.created_by == app_client.user
    assert case.events.get().data["channel"] == "open311"
    sent = ServiceRequest.objects.get(case=case)
    assert (sent.client, sent.account_id, sent.token) == (app_client, "user-42", body[0]["token"])


def test_the_case_timeline_shows_it_came_through_open311(client, app_client, post_data, dispatcher):
    _response, body = post(client, post_data)
    client.force_login(dispatcher)
    page = client.get(f"/cases/{body[0]['service_request_id']}/")
    assert page.status_code == 200
    text = page.content.decode()
    timeline = text[text.index('class="timeline"') :]
    assert "Open311" in timeline
    assert "市民APP" in timeline  # the client system's account is the actor


def test_the_api_key_may_come_in_the_query_string(client, app_client, post_data):
    data = dict(post_data)
    key = data.pop("api_key")
    response = client.post(f"{BASE}/requests.json?api_key={key}", data=data)
    assert response.status_code == 200
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ({"service_code": ""}, 400, "service_code: This parameter is required."),
        ({"service_code": "9999"}, 400, "service_code: There is no service 9999."),
        ({"service_code": "01"}, 400, "service_code: There is no service 01."),  # a group
        ({"lat": "north"}, 400, "lat: Enter a number in decimal degrees (WGS84)."),
        ({"lat": "91"}, 400, "lat: lat must be between -90 and 90 and long between -180 and 180."),
        ({"long": ""}, 400, "lat: Give both lat and long, or neither."),
        ({"lat": "nan"}, 400, "lat: Enter a number in decimal degrees (WGS84)."),
        ({"api_key": ""}, 403, "api_key: this method needs an API key."),
        ({"api_key": "o311_guessed"}, 403, "api_key: this key is unknown or no longer valid."),
        (
            {"jurisdiction_id": "chicago.gov"},
            404,
            "jurisdiction_id chicago.gov was not found; this server serves "
            "dongying.civicgrid.example.",
        ),
        ({"attribute[plate]": ""}, 400, "attribute[plate]: 车牌号 is required for this category."),
        ({"attribute[kind]": "bus"}, 400, "attribute[kind]: Choose one of: car, truck."),
        ({"phone": "12"}, 400, "phone: This does not look like a phone number."),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url: Give an http or https address."),
        # Anything after the scheme used to pass; now it must be an absolute URL with a host.
        *(
            ({"media_url": url}, 400, "media_url: Give an http or https address.")
            for url in (
                "http://<script>alert(1)</script>",
                "https://",
                "https://:::/x.jpg",
                "photos.example.com/42.jpg",
                "https://exa mple.com/42.jpg",
            )
        ),
        (
            {"request_type": "praise!"},
            400,
            "request_type: Use one of: inquiry, help, complaint, report, suggestion, praise.",
        ),
    ],
)
def test_bad_input_is_refused_with_the_specs_error_list_and_nothing_is_created(
    client, app_client, post_data, change, status, description
):
    response, body = post(client, {**post_data, **change})
    assert response.status_code == status
    assert body == [{"code": status, "description": description}]
    assert not Case.objects.exists()
    assert not ServiceRequest.objects.exists()


def test_a_place_is_needed_but_an_address_alone_will_do(client, app_client, post_data):
    data = {k: v for k, v in post_data.items() if k not in ("lat", "long", "address_string")}
    response, body = post(client, data)
    assert response.status_code == 400
    assert body[0]["description"].startswith("lat/long:")
    response, body = post(client, {**data, "address_id": "ADDR-7"})
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.needs_placement
    assert case.open311.address_id == "ADDR-7"


def test_an_inactive_client_is_refused(client, app_client, post_data):
    ClientSystem.objects.filter(pk=app_client.pk).update(active=False)
    response, _body = post(client, post_data)
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_point_in_a_grid_another_district_owns_is_refused(
    client, app_client, post_data, other_district
):
    lng, lat = f.point_in(other_district["grid11"])
    response, body = post(client, {**post_data, "lat": str(lat), "long": str(lng)})
    assert response.status_code == 400
    assert body[0]["description"].startswith("lat:")
    assert not Case.objects.exists()


def test_several_errors_are_listed_together(client, app_client, post_data):
    data = {**post_data, "attribute[plate]": "", "phone": "12"}
    response, body = post(client, data)
    assert response.status_code == 400
    assert {e["description"].split(":")[0] for e in body} == {"attribute[plate]", "phone"}


def test_errors_come_in_the_language_the_caller_asks_for(app_client, post_data):
    data = {**post_data, "phone": "12"}
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(f"{BASE}/requests.json", data=data)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"{BASE}/requests.json", data=data)
    assert json.loads(english.content)[0]["description"] == (
        "phone: This does not look like a phone number."
    )
    assert "电话号码格式不正确" in json.loads(chinese.content)[0]["description"]


def test_chinese_text_goes_in_and_comes_back_unchanged(client, app_client, post_data):
    text = "井盖丢失🕳️，“危险”！——东营区 Ünïcödé"
    _response, body = post(client, {**post_data, "description": text})
    number = body[0]["service_request_id"]
    response = client.get(f"{BASE}/requests/{number}.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content.decode("utf-8"))[0]["description"] == text
    assert text.encode("utf-8") in response.content  # UTF-8, not \\u escapes


def test_a_description_is_optional_the_service_names_the_case(client, app_client, post_data):
    data = {k: v for k, v in post_data.items() if k != "description"}
    _response, body = post(client, data)
    case = Case.objects.get(number=body[0]["service_request_id"])
    assert case.title == case.content == "占道停车"


def test_a_category_that_takes_no_help_requests_gets_its_first_type(
    client, app_client, post_data, parking
):
    parking.request_types = ["complaint"]
    parking.save()
    _response, body = post(client, post_data)
    assert Case.objects.get().request_type == "complaint"


def test_get_is_refused_on_the_token_of_a_post_that_failed(client, app_client, post_data):
    post(client, {**post_data, "service_code": ""})
    assert not ServiceRequest.objects.exists()
    response = client.get(f"{BASE}/tokens/nothing.json")
    assert response.status_code == 404


def test_a_client_key_is_no_staff_api_token(client, app_client, post_data):
    response = client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {KEY}")
    assert response.status_code == 401


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_multipart_post_without_a_boundary_gets_the_specs_error_list(
    client, app_client, post_data, fmt
):
    response = client.generic(
        "POST",
        f"{BASE}/requests.{fmt}",
        b'--x\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nk\r\n--x--\r\n',
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    if fmt == "json":
        [error] = json.loads(response.content)
        assert error["code"] == 400
        assert "boundary" in error["description"]
    else:
        assert response["Content-Type"].startswith("text/xml")
        assert b"<code>400</code>" in response.content
    assert not Case.objects.exists()
