"""The public-output test: plant personal data in a case of every channel, put the cases
through the loop, read every public door, and find none of it.

Every value of ``Channel`` gets two cases — one left open after a dispatch with a note,
one taken round the whole loop to closed — through its real door where that is cheap
(the citizen's report form, Open311 POST, the 110 diversion API) and through
``register_case`` otherwise. Names, phones (plain, with dashes, with spaces), an ID
number, an e-mail address and a room-level address go into titles, texts, addresses,
reporter fields, staff notes on several actions, replies and Open311 update notes; the
cases stand off the centroid of their grid. Then every door anyone can read without an
account is read, and none of the planted values, nor the case's own point, may appear;
coordinates must be the grid's centroid; and the published cases must be there, so
that publishing nothing cannot pass.

Not a browser test: Django's test client, on SQLite and PostgreSQL alike.
"""

import json
import re
import xml.etree.ElementTree as ET  # noqa: N817

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken, Integration
from civicgrid.cases import lifecycle, publication
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Channel, Rating
from civicgrid.cases.tests import factories as f
from civicgrid.citizens.tests.conftest import report_data
from civicgrid.duplicates.neighbours import build_grid_neighbours
from civicgrid.gridwork.services import whistle
from civicgrid.open311.models import ClientSystem
from civicgrid.routing.models import RequestType

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
KEY = "o311_public-output-test-key"

REPORTER, REPORTER_GIVEN = "钟美玲", "美玲"
THIRD = "孙丽华"  # a neighbour named in the text
PHONE = "13912345678"
PHONE_DASHES = "139-1234-5679"
PHONE_SPACES = "139 1234 5670"
ID_NUMBER = "37050219850315612X"
EMAIL = "zhongml85@mail-zml.cn"
ROOM = "胜利街道某小区3号楼2单元301室"
PERSONAL = (
    f"{THIRD}（{PHONE_DASHES}，身份证{ID_NUMBER}）住{ROOM}，"
    f"王建国先生和李淑芬女士都知道，邮箱{EMAIL}，备用电话{PHONE_SPACES}"
)
NOTE = f"请联系报告人{REPORTER} {PHONE}，{PERSONAL}"
REPLY = f"{REPORTER}您好：已上门处理。{PERSONAL}"

# Nothing of these may leave, whole or in a recognisable part.
FORBIDDEN = (
    REPORTER,
    REPORTER_GIVEN,
    THIRD,
    "丽华",
    "王建国",
    "淑芬",
    PHONE,
    "12345678",
    "1234-5679",
    "1234 5670",
    "139****5678",  # the staff pages' mask keeps the last four: still recognisable
    "****5679",
    "****5670",
    ID_NUMBER,
    "19850315",
    "zhongml85",
    "mail-zml",
    "3号楼",
    "2单元",
    "301室",
    "请联系报告人",  # a staff note or a client's update, however masked
)


def _title(channel: str) -> str:
    """A title each door can be searched for: ``案web`` … (masked, the rest changes)."""
    return f"案{channel}：{THIRD}家门口堆放垃圾"


@pytest.fixture
def world(district, category, operator, dispatcher, handler, grid_worker, bureau, client):
    """Two cases per channel, a domestic-violence call, a private category, reports."""
    build_grid_neighbours()
    grid = district["grid11"]
    point = (grid.centroid_lng + 0.0021, grid.centroid_lat + 0.0037)  # off the centroid
    client_system = _open311_client(district)
    police = _police_token(district)
    staff = {"dispatcher": dispatcher, "handler": handler, "grid_worker": grid_worker}
    staff |= {"operator": operator, "bureau": bureau}
    family = f.make_category("婚姻家庭", code="20", never_public=True)
    violence = f.make_category("家庭暴力", code="2001", parent=family)
    f.make_rule(family, bureau)

    opened, closed = {}, {}
    for channel in Channel.values:
        # A new channel without a decision in the public rule fails here.
        assert channel in publication.CHANNELS, f"no publication decision for {channel}"
        opened[channel] = _through_its_door(channel, client, point, category, operator, police)
        closed[channel] = _registered(channel, point, category, operator)
        _open_steps(opened[channel], staff)
        _whole_loop(closed[channel], staff)
    for case in (opened[Channel.OPEN311], opened[Channel.WEB]):
        _post_update(client, case, client_system)
    unpublished = [
        # A domestic-violence call, as the issue found it: name and phone in the title.
        _registered(
            Channel.HOTLINE, point, violence, operator, title=f"王建国（{PHONE}）反映家暴问题"
        ),
        # The same on a published channel, kept back by its private category.
        _registered(Channel.WEB, point, violence, operator, title="家暴求助"),
        # Reports (举报): never, on any channel.
        _registered(Channel.WEB, point, category, operator, request_type=RequestType.REPORT),
        _open311_post(client, point, category, request_type="report"),
    ]
    for case in unpublished[:3]:
        _whole_loop(case, staff)
    return {
        "opened": opened,
        "closed": closed,
        "unpublished": unpublished,
        "point": point,
        "grid": grid,
        "district": district,
        "category": category,
    }


def _open311_client(district) -> ClientSystem:
    user = f.make_integration_account(
        Integration.OPEN311, regions=[district["district"]], username="o311-public"
    )
    system = ClientSystem(name="市民APP", user=user)
    system.set_key(KEY)
    system.save()
    return system


def _police_token(district) -> dict:
    user = f.make_integration_account(
        Integration.POLICE_110, regions=[district["district"]], username="police110"
    )
    _token, secret = ApiToken.issue(user, "110 diversion")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _registered(channel, point, category, operator, **overrides) -> Case:
    lng, lat = point
    return f.make_case(
        actor=operator,
        channel=channel,
        category=category,
        lng=lng,
        lat=lat,
        title=overrides.pop("title", _title(channel)),
        content=f"{_title(channel)}\n{REPORTER}（{PHONE}）反映：{PERSONAL}",
        address=ROOM,
        reporter_name=REPORTER,
        reporter_phone=PHONE,
        **overrides,
    )


def _through_its_door(channel, client, point, category, operator, police) -> Case:
    if channel == Channel.CITIZEN:
        return _citizen_report(client, point, category)
    if channel == Channel.OPEN311:
        return _open311_post(client, point, category)
    if channel == Channel.POLICE_DIVERSION:
        return _diverted_call(client, point, police)
    return _registered(channel, point, category, operator)


def _citizen_report(client, point, category) -> Case:
    data = report_data(
        client,
        description=f"{_title(Channel.CITIZEN)}\n{PERSONAL}",
        phone=PHONE,
        name=REPORTER,
        address=ROOM,
        category=str(category.pk),
    )
    data["lng"], data["lat"] = point
    response = client.post("/report/", data)
    assert response.status_code == 200, response.content.decode()
    number = re.search(r"data-case-number>([^<]+)<", response.content.decode()).group(1)
    return Case.objects.get(number=number)


def _open311_post(client, point, category, **extra) -> Case:
    lng, lat = point
    data = {
        "api_key": KEY,
        "service_code": category.code,
        "lat": str(lat),
        "long": str(lng),
        "address_string": ROOM,
        "address_id": "ADDR-3-2-301",
        "description": f"{_title(Channel.OPEN311)}\n{PERSONAL}",
        "first_name": REPORTER_GIVEN,
        "last_name": REPORTER[0],
        "phone": PHONE,
        "email": EMAIL,
        **extra,
    }
    response = client.post(f"{BASE}/requests.json", data=data)
    assert response.status_code == 200, response.content.decode()
    return Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])


def _diverted_call(client, point, police) -> Case:
    lng, lat = point
    body = {
        "incident_number": "110-20261122-0042",
        "received_at": "2026-11-22T09:15:00+08:00",
        "content": f"{_title(Channel.POLICE_DIVERSION)}\n{PERSONAL}",
        "caller": {"name": REPORTER, "phone": PHONE},
        "location": {"lng": lng, "lat": lat},
        "address": ROOM,
    }
    response = client.post("/api/diversion/110", body, content_type="application/json", **police)
    assert response.status_code == 201, response.content.decode()
    return Case.objects.get(number=response.json()["number"])


def _open_steps(case, staff) -> None:
    """Dispatched with a note, urged with a note, whistled with a reason: still open."""
    lifecycle.apply(
        case, Action.DISPATCH, actor=staff["dispatcher"], note=NOTE, main_department=staff["bureau"]
    )
    lifecycle.apply(case, Action.URGE, actor=staff["dispatcher"], note=NOTE)
    whistle(case, [staff["bureau"]], actor=staff["grid_worker"], reason=NOTE)


def _whole_loop(case, staff) -> None:
    """Dispatch, acknowledge, reply, site check, callback, close: a note at every step."""
    steps = [
        (Action.DISPATCH, "dispatcher", {"main_department": staff["bureau"]}),
        (Action.ACKNOWLEDGE, "handler", {}),
        (Action.REPLY, "handler", {"reply": REPLY}),
        (Action.VERIFY_PASS, "grid_worker", {}),
        (Action.CALLBACK, "operator", {"rating": Rating.SATISFIED}),
        (Action.CLOSE, "operator", {}),
    ]
    for action, who, data in steps:
        lifecycle.apply(case, action, actor=staff[who], note=NOTE, **data)


def _post_update(client, case, client_system) -> None:
    data = {
        "api_key": KEY,
        "update_id": f"upd-{case.number}",
        "service_request_id": case.number,
        "description": NOTE,
        "media_url": "https://photos.example.com/43.jpg",
    }
    response = client.post(f"{BASE}/servicerequestupdates.json", data=data)
    assert response.status_code == 200, response.content.decode()


def assert_clean(door: str, body: str, world) -> None:
    found = [value for value in FORBIDDEN if value in body]
    lng, lat = world["point"]
    points = {str(value) for value in (lng, lat, round(lng, 5), round(lat, 5))}
    found += [point for point in points if point in body]
    assert not found, f"{door} shows {found}"


def read(client, door: str, world, **params) -> str:
    response = client.get(door, params)
    assert response.status_code == 200, (door, response.status_code)
    body = response.content.decode()
    assert_clean(f"{door} {params}", body, world)
    return body


def _published(world, state: str) -> list[Case]:
    cases = world[state].values()
    return [c for c in cases if publication.CHANNELS[c.channel] != publication.NEVER]


def test_no_public_door_shows_a_planted_value_or_a_cases_own_point(client, world):
    grid = world["grid"]
    published = _published(world, "opened") + _published(world, "closed")
    every = [*world["opened"].values(), *world["closed"].values()]
    never = [c for c in every if c not in published] + world["unpublished"]

    # Open311: the list, in both formats, with and without extensions.
    for fmt in ("json", "xml"):
        for extensions in ("false", "true"):
            body = read(client, f"{BASE}/requests.{fmt}", world, extensions=extensions)
            listed = _numbers(body, fmt)
            assert listed == {c.number for c in published}  # every published case, no other
            if fmt == "json":
                for row in json.loads(body):
                    assert (row["lat"], row["long"]) == (grid.centroid_lat, grid.centroid_lng)
                    assert row["address"] == "第1街道 · 第1社区"
    # One request at a time; the unpublished ones are not there at all.
    for case in published:
        for fmt in ("json", "xml"):
            read(client, f"{BASE}/requests/{case.number}.{fmt}", world, extensions="true")
    for case in never:
        assert client.get(f"{BASE}/requests/{case.number}.json").status_code == 404
    everything = ",".join(c.number for c in [*published, *never])
    body = read(client, f"{BASE}/requests.json", world, service_request_id=everything)
    assert _numbers(body, "json") == {c.number for c in published}
    # Updates, both formats: events of published cases only.
    for fmt in ("json", "xml"):
        body = read(client, f"{BASE}/servicerequestupdates.{fmt}", world)
        assert {c.number for c in published} <= _numbers(body, fmt)
        assert not {c.number for c in never} & _numbers(body, fmt)

    # The citizens' results: closed published cases, with every filter.
    results = read(client, "/results/", world)
    for case in world["closed"].values():
        assert (f"案{case.channel}：" in results) is (case in published), case.channel
    read(client, "/results/", world, street=world["district"]["street1"].code)
    read(client, "/results/", world, category=world["category"].pk)
    read(client, "/results/", world, page="2")

    # The assessment's public doors: the units' lists the centre published, the grid rating.
    from civicgrid.accounts.models import Role
    from civicgrid.assessment import services as assessment
    from civicgrid.assessment.rollup import roll_up

    roll_up()
    officer = f.make_user(Role.ASSESSOR, username="public-output-assessor")
    month = timezone.localdate().replace(day=1)
    assessment.save_scheme(
        actor=officer, name="方案", valid_from=month, weights={"satisfaction": 100}
    )
    assessment.set_public(assessment.compile_list(month, actor=officer), True, actor=officer)
    lists = read(client, "/results/units/", world)
    assert f"{month:%Y-%m}" in lists
    read(client, "/rate-grid/", world)

    # "Same problem?": open published cases nearby.
    lng, lat = world["point"]
    nearby = read(client, "/report/nearby/", world, category=world["category"].pk, lng=lng, lat=lat)
    assert f"案{Channel.CITIZEN}：" in nearby
    for case in world["opened"].values():
        if case not in published:
            assert case.number not in nearby


def test_the_join_page_and_a_supporters_tracking_page_show_nothing_planted(client, world):
    citizen_case = world["opened"][Channel.CITIZEN]
    data = report_data(client, phone="13600001111", name="周六")
    joined = client.post(f"/report/join/{citizen_case.number}/", data)
    assert joined.status_code == 200
    assert_clean("join page", joined.content.decode(), world)
    token = re.search(r"/track/([A-Za-z0-9_\-]+)/", joined.content.decode()).group(1)
    page = read(client, f"/track/{token}/", world)
    assert f"案{Channel.CITIZEN}：" in page  # the case is there, masked
    # A case that is not published cannot be joined, so no link ever opens it.
    for case in world["unpublished"][:2] + [world["opened"][Channel.HOTLINE]]:
        data = report_data(client, phone="13600002222")
        response = client.post(f"/report/join/{case.number}/", data)
        assert response.status_code == 404
        assert_clean("join of an unpublished case", response.content.decode(), world)
    refused = client.post(f"/report/join/{citizen_case.number}/", {"phone": "1"})
    assert refused.status_code == 400
    assert_clean("refused join page", refused.content.decode(), world)


def _published_dispute(world):
    """A planted case mediated to a performed agreement, called back and published with
    both parties' consent (mediation.aftercare): the parties are the planted people."""
    from django.utils import timezone

    from civicgrid.accounts.models import Role
    from civicgrid.mediation import aftercare
    from civicgrid.mediation import services as mediation

    leader = f.make_user(Role.LEADER, regions=[world["district"]["district"]], username="centre")
    case = world["closed"][Channel.HOTLINE]
    dispute = mediation.hand_over(
        case,
        actor=leader,
        type_code="0201",
        source="hotline",
        other_side_consents=True,
        summary=NOTE,
        parties=[
            mediation.PartyInput("applicant", REPORTER, PHONE),
            mediation.PartyInput("respondent", THIRD, "13912345679"),
        ],
    )
    mediation.accept(dispute, actor=leader)
    mediation.add_session(
        dispute,
        actor=leader,
        held_at=timezone.now(),
        place=ROOM,
        attendees=PERSONAL,
        record=NOTE,
        signed=True,
    )
    mediation.agree(
        dispute,
        actor=leader,
        facts=PERSONAL,
        obligations=[mediation.ObligationInput(THIRD, REPLY, timezone.localdate())],
        signed=True,
    )
    aftercare.follow_up(
        dispute.obligations.get(), actor=leader, result="performed", on=timezone.localdate()
    )
    mediation.perform(dispute, actor=leader)
    aftercare.call_back(
        dispute, actor=leader, satisfaction="satisfied", on=timezone.localdate(), note=NOTE
    )
    for party in dispute.parties.all():
        aftercare.record_publication_consent(party, actor=leader, consented=True)
    aftercare.publish(dispute, actor=leader)
    return dispute


def test_the_mediation_centres_published_disputes_show_nothing_planted(client, world):
    dispute = _published_dispute(world)
    body = read(client, "/mediation/published/", world)
    assert 'data-published="1"' in body  # the dispute is there, so an empty page cannot pass
    assert dispute.type.name in body
    assert dispute.case.number not in body


def _numbers(body: str, fmt: str) -> set[str]:
    if fmt == "json":
        return {row["service_request_id"] for row in json.loads(body)}
    return {element.text for element in ET.fromstring(body).iter("service_request_id")}


def test_the_demo_keeps_family_matters_out_of_every_public_door(db):
    from civicgrid.demo import load
    from civicgrid.routing.models import Category

    load.load_categories()
    private = set(Category.objects.filter(never_public=True).values_list("name", flat=True))
    assert private == {"妇联工作", "婚姻登记", "收养登记", "失独家庭", "违法生育"}
    ids = publication.private_category_ids()
    assert Category.objects.get(name="婚姻登记").pk in ids
    assert Category.objects.get(name="殡葬管理").pk not in ids
    # An admin who makes one public again keeps it so when the demo loads again.
    Category.objects.filter(name="收养登记").update(never_public=False)
    load.load_categories()
    assert not Category.objects.get(name="收养登记").never_public
