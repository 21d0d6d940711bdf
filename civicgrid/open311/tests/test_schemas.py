"""Every endpoint, in JSON and XML, against the GeoReport v2 schemas."""

import json

import pytest

from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f

from .conftest import BASE, JURISDICTION, KEY
from .spec import both, validate, xml_of

pytestmark = pytest.mark.django_db


def test_discovery_names_the_endpoint_and_both_formats(client, parking):
    body = both(client, f"{BASE}/discovery", "discovery", "discovery")
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_services_lists_leaf_categories_grouped_by_their_first_level(client, parking, litter):
    body = both(client, f"{BASE}/services", "services", "services")
    by_code = {s["service_code"]: s for s in body}
    assert set(by_code) == {"0101", "0102"}  # 市容环境 has children: a group, not a service
    assert by_code["0101"]["service_name"] == "占道停车"
    assert by_code["0101"]["group"] == "市容环境"
    assert by_code["0101"]["metadata"] is True
    assert by_code["0102"]["metadata"] is False


def test_an_inactive_category_is_not_offered(client, parking, litter):
    litter.active = False
    litter.save()
    body = both(client, f"{BASE}/services", "services", "services")
    assert [s["service_code"] for s in body] == ["0101"]


def test_a_service_definition_gives_the_extra_fields_as_attributes(client, parking):
    body = both(client, f"{BASE}/services/0101", "service_definition", "service_definition")
    plate, kind = body["attributes"]
    assert plate == {
        "variable": True,
        "code": "plate",
        "datatype": "string",
        "required": True,
        "datatype_description": "",
        "order": 1,
        "description": "车牌号",
    }
    assert kind["datatype"] == "singlevaluelist"
    assert kind["values"] == [{"key": "car", "name": "小汽车"}, {"key": "truck", "name": "货车"}]


def test_post_get_and_token_answers_match_the_schemas(client, app_client, post_data):
    posted = both(
        client, f"{BASE}/requests", "posted", "service_requests", method="post", data=post_data
    )
    number, token = posted[0]["service_request_id"], posted[0]["token"]
    assert posted[0]["account_id"] == "user-42"
    listed = both(client, f"{BASE}/requests", "requests", "service_requests")
    assert [r["service_request_id"] for r in listed] == [number]
    single = both(client, f"{BASE}/requests/{number}", "requests", "service_requests")
    assert single == listed
    extended = both(
        client, f"{BASE}/requests", "requests", "service_requests", data={"extensions": "true"}
    )
    assert extended[0]["extended_attributes"]["channel"] == "open311"
    resolved = both(client, f"{BASE}/tokens/{token}", "token", "service_requests")
    assert resolved == [{"service_request_id": number, "token": token}]


def test_the_xml_answer_to_a_post_has_the_specs_elements(client, app_client, post_data):
    response = client.post(f"{BASE}/requests.xml", data=post_data)
    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.find("service_request_id").text
    assert request.find("service_notice").text
    assert request.find("account_id").text == "user-42"


def test_updates_read_and_posted_match_their_schemas(
    client, app_client, operator, new_case, dispatcher, bureau
):
    case_services.act(
        new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk, note="请按职责办理"
    )
    listed = both(client, f"{BASE}/servicerequestupdates", "updates", "service_request_updates")
    assert listed[0]["description"] == "dispatch"  # a dispatcher's note is not published
    data = {
        "api_key": KEY,
        "update_id": "fms-1",
        "service_request_id": new_case.number,
        "status": "OPEN",
        "description": "车还在",
    }
    posted = both(
        client,
        f"{BASE}/servicerequestupdates",
        "posted_updates",
        "service_request_updates",
        method="post",
        data=data,
    )
    response = client.post(f"{BASE}/servicerequestupdates.xml", data={**data, "update_id": "fms-2"})
    root = xml_of(response)
    assert root.tag == "service_request_updates"
    assert root.find("request_update/update_id").text != posted[0]["update_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_the_specs_list_in_both_formats(client, fmt):
    response = client.get(f"{BASE}/services/nope.{fmt}", data={"jurisdiction_id": JURISDICTION})
    assert response.status_code == 404
    if fmt == "json":
        body = json.loads(response.content)
        validate("errors", body)
        assert body[0]["code"] == 404
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        assert root.find("error/code").text == "404"
        assert "nope" in root.find("error/description").text


def test_case_text_with_control_characters_is_still_well_formed_xml(
    client, operator, district, category
):
    f.make_case(
        actor=operator,
        grid=district["grid11"],
        category=category,
        channel="web",
        content="门口\x0b有\x01垃圾",
    )
    root = xml_of(client.get(f"{BASE}/requests.xml"))
    assert root.find("request/description").text == "门口有垃圾"


def test_fields_the_spec_types_as_strings_are_never_null(client, app_client, operator, district):
    """A request with nothing optional: no category, department, deadline, address, media.

    Clients typed by the spec (strings) fail on null; they get empty strings instead.
    """
    bare = f.make_category("其他", code="99")
    f.make_case(actor=operator, grid=district["grid11"], channel="web", title="路面破损")
    lng, lat = f.point_in(district["grid12"])
    data = {"api_key": KEY, "service_code": "99", "lat": str(lat), "long": str(lng)}
    both(client, f"{BASE}/requests", "posted", "service_requests", method="post", data=data)
    both(client, f"{BASE}/services/99", "service_definition", "service_definition")
    bare.extra_fields = [{"name": "size", "label": "大小"}]  # no help: no datatype_description
    bare.save()
    definition = both(client, f"{BASE}/services/99", "service_definition", "service_definition")
    assert definition["attributes"][0]["datatype_description"] == ""
    listed = both(client, f"{BASE}/requests", "requests", "service_requests")
    assert len(listed) == 2
    nulls = {key for row in listed for key, value in row.items() if value is None}
    assert nulls <= {"lat", "long"}  # numbers: no string stands for "unknown"
    both(client, f"{BASE}/requests", "requests", "service_requests", data={"extensions": "true"})
