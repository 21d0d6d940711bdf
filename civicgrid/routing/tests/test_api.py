"""Reference data for other systems: categories and departments, active ones only."""

from django.test import Client

from civicgrid.accounts.models import ApiToken
from civicgrid.routing.tests import factories as f


def _get(user, url):
    _token, raw = ApiToken.issue(user, "tests")
    return Client().get(url, headers={"Authorization": f"Bearer {raw}"})


def test_categories_are_listed_with_their_parent_and_intake_fields(operator, category):
    f.make_category(
        "机动车乱停放",
        code="0102",
        parent=category,
        extra_fields=[{"name": "plate", "label": "车牌号", "required": True}],
    )
    f.make_category("已停用", code="0199", parent=category, active=False)
    body = _get(operator, "/api/categories").json()
    assert [c["code"] for c in body] == ["01", "0102"]
    assert body[1]["parent"] == "01"
    assert body[1]["extra_fields"][0]["name"] == "plate"


def test_departments_are_listed_by_code(operator, bureau):
    f.make_department("旧部门", code="OLD", active=False)
    body = _get(operator, "/api/departments").json()
    assert body == [{"code": "CGJ", "name": "城市管理局", "kind": "bureau", "stationed": False}]
