"""The dispatcher at the triage page in Chromium: a light card, its form on demand, the
category found by typing, the department following the category."""

import pytest

from civicgrid.cases.models import Status
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import Category
from civicgrid.triage.models import CaseTriage, Outcome

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def city(district, dispatcher, operator):
    building = f.make_category("城乡建设", code="01")
    f.make_category(
        "城市公共设施", code="010101", parent=f.make_category("市政", code="0101", parent=building)
    )
    environment = f.make_category("环境保护", code="04")
    pollution = f.make_category("环境污染", code="0402", parent=environment)
    for code, name in [("01", "大气污染"), ("02", "水污染"), ("03", "噪音污染")]:
        f.make_category(name, code=f"0402{code}", parent=pollution)
    enforcement = f.make_department("区综合行政执法局", code="ZFJ")
    environment_bureau = f.make_department("市生态环境局东营区分局", code="HBJ")
    f.make_department("文汇街道办事处", code="JD01", kind="street")
    f.make_rule(building, enforcement)
    f.make_rule(environment, environment_bureau)
    case = f.make_case(
        actor=operator,
        grid=district["grid11"],
        title="广场舞音响太吵",
        content="每晚十点以后还在放",
    )
    # The model read it as a building matter, and no subcategory fits its words.
    guess = {"category": building.pk, "code": "01", "name": "城乡建设", "p": 0.62}
    CaseTriage.objects.create(
        case=case,
        suggestions=[guess],
        category=building,
        confidence=0.62,
        outcome=Outcome.SUGGESTED,
        department=enforcement,
    )
    noise = Category.objects.get(name="噪音污染")
    return {"case": case, "noise": noise, "HBJ": environment_bureau, "ZFJ": enforcement}


def test_the_dispatcher_finds_the_leaf_by_typing_and_the_department_follows(
    live_server, page, sign_in, artifacts, city
):
    case = city["case"]
    sign_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/triage/")

    card = page.locator("article.queue-row", has_text=case.number)
    assert card.locator("form").count() == 0  # a light card: one button
    page.screenshot(path=str(artifacts / "triage-cards.png"), full_page=True)
    card.locator("a.open-forms").click()
    form = card.locator("form.action-dispatch")
    form.wait_for()
    category = form.locator("select[name=dispatch-category]")
    department = form.locator("select[name=dispatch-main_department]")
    assert department.input_value() == str(city["ZFJ"].pk)  # the model's guess's unit

    search = form.locator("input.picker-search")
    search.fill("噪音")
    shown = category.evaluate(
        "s => Array.from(s.options).filter(o => !o.hidden && o.value).map(o => o.text)"
    )
    assert shown == ["040203 噪音污染"]
    search.press("Enter")
    assert category.input_value() == str(city["noise"].pk)
    assert department.input_value() == str(city["HBJ"].pk)  # the rules for noise
    page.screenshot(path=str(artifacts / "triage-dispatch-form.png"), full_page=True)

    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/triage/")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.category == city["noise"]
    assert case.main_department == city["HBJ"]
    page.goto(f"{live_server.url}/cases/{case.number}/")
    assert "040203 噪音污染" in page.locator(".facts").inner_text()
