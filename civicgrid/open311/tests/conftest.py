"""The Open311 world: the test district, a parking service with attributes, a client app."""

import pytest

from civicgrid.accounts.models import Integration
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientSystem

BASE = "/open311/v2"
KEY = "o311_test-key-of-the-citizen-app"
OTHER_KEY = "o311_test-key-of-the-portal"
JURISDICTION = "dongying.civicgrid.example"


@pytest.fixture(autouse=True)
def _jurisdiction(settings):
    settings.CIVICGRID_OPEN311_JURISDICTION = JURISDICTION


@pytest.fixture
def parking(category):
    """A leaf under 市容环境 (which then is a group, not a service) with two attributes."""
    return f.make_category(
        "占道停车",
        code="0101",
        parent=category,
        extra_fields=[
            {"name": "plate", "label": "车牌号", "required": True},
            {"name": "kind", "label": "车型", "choices": [["car", "小汽车"], ["truck", "货车"]]},
        ],
    )


@pytest.fixture
def litter(category):
    return f.make_category("垃圾堆放", code="0102", parent=category)


def _client_system(name, key, district):
    user = f.make_integration_account(
        Integration.OPEN311, regions=[district["district"]], username=f"o311-{key[-6:]}"
    )
    user.first_name = name
    user.save()
    client = ClientSystem(name=name, user=user)
    client.set_key(key)
    client.save()
    return client


@pytest.fixture
def app_client(district):
    return _client_system("市民APP", KEY, district)


@pytest.fixture
def portal_client(district):
    return _client_system("门户网站", OTHER_KEY, district)


@pytest.fixture
def new_case(operator, district, category):
    """A request made on the website: Open311 publishes it (a hotline call it would not)."""
    return f.make_case(actor=operator, grid=district["grid11"], category=category, channel="web")


@pytest.fixture
def post_data(district, parking):
    lng, lat = f.point_in(district["grid11"])
    return {
        "api_key": KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "0101",
        "lat": str(lat),
        "long": str(lng),
        "address_string": "测试路1号门口",
        "description": "小区门口有车长期占道停放\n已经一个星期了，消防通道被堵。",
        "attribute[plate]": "鲁E12345",
        "attribute[kind]": "car",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhangsan@example.com",
        "account_id": "user-42",
        "media_url": "https://photos.example.com/42.jpg",
    }
