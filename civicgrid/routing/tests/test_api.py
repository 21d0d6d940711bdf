"""Reference data for other systems: categories and departments, active ones only."""

from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.routing.models import Category
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


def _api(user):
    _token, raw = ApiToken.issue(user, "tests")

    def get(url, extra=None):
        return Client().get(url, headers={"Authorization": f"Bearer {raw}", **(extra or {})})

    return get


def test_a_category_renamed_by_another_process_is_in_the_next_answer(operator, category):
    """The list is rendered once per version of the category table, read every time."""
    api = _api(operator)
    assert api("/api/categories").json()[0]["name"] == category.name
    # Another process's edit: new rows, nothing in this process.
    Category.objects.filter(pk=category.pk).update(name="新的名称", updated_at=timezone.now())
    assert api("/api/categories").json()[0]["name"] == "新的名称"


def test_the_category_list_answers_304_with_its_etag(operator, category):
    api = _api(operator)
    first = api("/api/categories")
    assert api("/api/categories", {"If-None-Match": first["ETag"]}).status_code == 304
