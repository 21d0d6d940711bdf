"""The public results page: closed cases, anonymised, by street and first-level category."""

import pytest

from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import RequestType

from .conftest import drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(operator, dispatcher, handler, district, category):
    # The dispatcher verifies too: the grid worker covers only two of the grids.
    staff = {
        "dispatcher": dispatcher,
        "handler": handler,
        "grid_worker": dispatcher,
        "operator": operator,
    }
    light = f.make_category("路灯照明", code="0101", parent=category)
    other = f.make_category("公共安全", code="09")
    f.make_rule(other, handler.grants.get().department)

    def make(grid, cat, title, **extra):
        extra.setdefault("channel", "web")  # published: a hotline call is not
        case = f.make_case(
            actor=operator,
            grid=district[grid],
            category=cat,
            title=title,
            reporter_name="王小明",
            **extra,
        )
        return drive(case, Action.CLOSE, **staff)

    return {
        "street1": make("grid11", light, "王小明反映路灯不亮，电话13812345678"),
        "street2": make("grid21", category, "垃圾桶满溢"),
        "safety": make("grid12", other, "井盖缺失"),
        "report": make("grid11", category, "举报违规排污", request_type=RequestType.REPORT),
        "open": f.make_case(
            actor=operator, grid=district["grid11"], category=category, title="还没办完的事"
        ),
    }


def test_closed_cases_are_shown_without_names_phones_or_positions(client, closed):
    html = client.get("/results/").content.decode()

    assert "路灯不亮" in html
    assert "垃圾桶满溢" in html
    assert "井盖缺失" in html
    assert "已更换路灯灯泡" in html  # the reply
    assert "王小明" not in html
    assert "王*" in html
    assert "13812345678" not in html
    assert "05468888888" not in html
    assert str(closed["street1"].lat) not in html
    assert str(closed["street1"].lng) not in html
    assert "第1街道" in html
    assert "第1社区" in html
    assert "satisfied" in html
    # Never a report (举报), never an open case.
    assert "举报违规排污" not in html
    assert "还没办完的事" not in html


def test_results_filter_by_street_and_first_level_category(client, closed, district, category):
    street1 = client.get("/results/", {"street": district["street1"].code}).content.decode()
    assert "路灯不亮" in street1
    assert "井盖缺失" in street1
    assert "垃圾桶满溢" not in street1

    kind = client.get("/results/", {"category": category.pk}).content.decode()
    assert "路灯不亮" in kind
    assert "垃圾桶满溢" in kind
    assert "井盖缺失" not in kind

    both = client.get(
        "/results/", {"street": district["street2"].code, "category": category.pk}
    ).content.decode()
    assert "垃圾桶满溢" in both
    assert "路灯不亮" not in both


def test_the_results_page_costs_the_same_queries_for_more_rows(
    client, closed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get("/results/")
    assert response.status_code == 200


def test_calls_private_matters_and_room_numbers_stay_off_the_results(
    client, closed, operator, dispatcher, handler, district, category
):
    staff = {"dispatcher": dispatcher, "handler": handler, "grid_worker": dispatcher}
    staff["operator"] = operator
    family = f.make_category("婚姻家庭", code="20", never_public=True)
    f.make_rule(family, handler.grants.get().department)
    for channel, kind, title in (
        ("hotline", category, "来电反映垃圾未清"),  # a caller never agreed to publication
        ("web", family, "家暴求助"),  # a private category, even on a published channel
        ("web", category, "幸福苑3号楼2单元301室门口漏水"),
    ):
        case = f.make_case(
            actor=operator, grid=district["grid11"], category=kind, title=title, channel=channel
        )
        drive(case, Action.CLOSE, **staff)

    html = client.get("/results/").content.decode()
    assert "来电反映垃圾未清" not in html
    assert "家暴求助" not in html
    assert "幸福苑*号楼*单元*室门口漏水" in html
    assert "301" not in html


def test_a_warm_results_page_reads_the_count_and_the_rows_only(
    client, closed, warm_snapshots, django_assert_num_queries
):
    client.get("/results/")  # fills the per-process copies (streets, categories)
    # The capped count and the page's rows: streets, categories and place names come
    # from the per-process copies of the region and category trees.
    with django_assert_num_queries(2):
        assert client.get("/results/").status_code == 200
