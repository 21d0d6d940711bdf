"""The dispatch form: any leaf category (a grouped tree), the suggestions on top, the
suggested department preselected, the units grouped by kind and sorted."""

import re

import pytest

from civicgrid.cases import lifecycle, services
from civicgrid.cases.forms import dispatch
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import act_url, detail_url, refreshed, signed_in


@pytest.fixture
def tree(db):
    """环境保护 with two branches of leaves; noise goes to law enforcement, the rest of
    the branch to the environment bureau."""
    environment = f.make_category("环境保护", code="04")
    management = f.make_category("环保管理", code="0401", parent=environment)
    pollution = f.make_category("环境污染", code="0402", parent=environment)
    nodes = {"environment": environment, "pollution": pollution}
    nodes["enforcement"] = f.make_category("环境执法", code="040101", parent=management)
    for code, name in [
        ("01", "大气污染"),
        ("02", "水污染"),
        ("03", "噪音污染"),
        ("04", "其他污染"),
    ]:
        nodes[name] = f.make_category(name, code=f"0402{code}", parent=pollution)
    return nodes


@pytest.fixture
def units(db, district, tree):
    made = {
        "HBJ": f.make_department("市生态环境局分局", code="HBJ"),
        "ZFJ": f.make_department("区综合行政执法局", code="ZFJ"),
        "JD2": f.make_department("黄河路街道办事处", code="JD2", kind="street"),
        "JD1": f.make_department("文汇街道办事处", code="JD1", kind="street"),
        "GS": f.make_department("东营区供水公司", code="GS", kind="company"),
    }
    for unit in made.values():
        unit.jurisdiction.add(district["district"])
    f.make_rule(tree["environment"], made["HBJ"])
    f.make_rule(tree["噪音污染"], made["ZFJ"])
    return made


@pytest.fixture
def model_says(monkeypatch):
    """The triage model's guesses for every case: first-level categories only."""

    def say(*guesses):
        found = [{"category": c.pk, "code": c.code, "name": c.name, "p": p} for c, p in guesses]
        monkeypatch.setattr(dispatch, "category_guesses", lambda case: found)

    return say


def dispatch_form(client, case) -> str:
    html = client.get(detail_url(case)).content.decode()
    return html[html.index('class="action-form action-dispatch"') :].split("</form>", 1)[0]


def select(form: str, name: str) -> str:
    return form[form.index(f'name="dispatch-{name}"') :].split("</select>", 1)[0]


def chosen(select_html: str) -> str:
    return re.search(r"<option[^>]* selected[^>]*>([^<]*)<", select_html).group(1)


def test_every_leaf_is_offered_under_its_parent_path_and_no_parent_is(
    client, dispatcher, operator, district, tree, units, model_says
):
    model_says((tree["environment"], 0.87))
    case = f.make_case(actor=operator, grid=district["grid11"], title="小区门口的路灯坏了")
    categories = select(dispatch_form(signed_in(client, dispatcher), case), "category")
    pollution = categories[categories.index('<optgroup label="0402 环境保护 › 环境污染">') :]
    pollution = pollution.split("</optgroup>", 1)[0]
    assert [name for name in re.findall(r">(\d{6} [^<]+)<", pollution)] == [
        "040201 大气污染",
        "040202 水污染",
        "040203 噪音污染",
        "040204 其他污染",
    ]
    assert '<optgroup label="0401 环境保护 › 环保管理">' in categories
    assert "data-search=" in categories  # picker.js makes it searchable
    # No leaf fits "路灯": the guess is shown, disabled, and nothing is preselected.
    guess = f'value="{tree["environment"].pk}"'
    assert re.search(rf"<option {guess}[^>]* disabled>04 环境保护 · model 87%", categories)
    assert chosen(categories) == "— choose a category —"
    assert chosen(select(dispatch_form(client, case), "main_department")) == "市生态环境局分局"


def test_the_leaf_the_words_name_is_suggested_first_and_its_department_preselected(
    client, dispatcher, operator, district, tree, units, model_says
):
    model_says((tree["environment"], 0.87))
    case = f.make_case(
        actor=operator, grid=district["grid11"], title="楼下烧烤店噪声扰民", content="每晚到两点"
    )
    form = dispatch_form(signed_in(client, dispatcher), case)
    categories = select(form, "category")
    suggested = categories[categories.index('<optgroup label="Suggested categories">') :]
    assert suggested.index("040203 噪音污染 · 环境保护 87%") < suggested.index("</optgroup>")
    assert chosen(categories) == "040203 噪音污染 · 环境保护 87%"
    # The rules of the leaf, not of 环境保护: noise goes to law enforcement.
    assert chosen(select(form, "main_department")) == "区综合行政执法局"
    noise = re.search(rf'<option value="{tree["噪音污染"].pk}" data-department="(\d+)"', categories)
    assert noise.group(1) == str(units["ZFJ"].pk)


def test_units_are_grouped_by_kind_and_sorted_by_code_within_each(
    client, dispatcher, new_case, units
):
    main = select(dispatch_form(signed_in(client, dispatcher), new_case), "main_department")
    groups = re.findall(r'<optgroup label="([^"]+)">', main)
    assert groups == ["government bureau", "street / town office", "company / utility"]
    streets = main[main.index('label="street / town office"') :].split("</optgroup>", 1)[0]
    assert streets.index("文汇街道办事处") < streets.index("黄河路街道办事处")  # JD1, JD2


def test_a_parent_category_is_refused_with_a_clear_error_and_nothing_changes(
    client, dispatcher, operator, district, tree, units
):
    case = f.make_case(actor=operator, grid=district["grid11"], category=tree["enforcement"])
    response = signed_in(client, dispatcher).post(
        act_url(case, Action.DISPATCH),
        {"dispatch-category": tree["pollution"].pk, "dispatch-main_department": units["HBJ"].pk},
    )
    assert response.status_code == 400
    assert "“0402 环境污染” has subcategories: choose the one that fits." in (
        response.content.decode()
    )
    case = refreshed(case)
    assert (case.status, case.category) == (Status.REGISTERED, tree["enforcement"])


def test_every_door_refuses_a_parent_to_a_person_and_to_the_triage_worker(
    dispatcher, operator, district, tree, units
):
    case = f.make_case(actor=operator, grid=district["grid11"])
    with pytest.raises(lifecycle.InvalidAction) as refused:
        services.act(
            case,
            Action.DISPATCH,
            actor=dispatcher,
            main_department=units["HBJ"].pk,
            category=tree["environment"].pk,
        )
    assert refused.value.errors == {"category": refused.value.message}
    assert refreshed(case).status == Status.REGISTERED
    # Nor may the triage worker's automatic dispatch (no actor) file there.
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(
            refreshed(case),
            Action.DISPATCH,
            actor=None,
            main_department=units["HBJ"],
            category=tree["environment"],
        )
    assert refreshed(case).status == Status.REGISTERED


def test_a_case_filed_under_a_parent_gets_its_leaf_at_dispatch(
    client, dispatcher, operator, district, tree, units
):
    case = f.make_case(actor=operator, grid=district["grid11"], category=tree["environment"])
    signed_in(client, dispatcher)
    kept = client.post(
        act_url(case, Action.DISPATCH), {"dispatch-main_department": units["HBJ"].pk}
    )
    assert kept.status_code == 400
    assert "Choose the subcategory this case belongs to." in kept.content.decode()
    assert refreshed(case).status == Status.REGISTERED

    client.post(
        act_url(case, Action.DISPATCH),
        {"dispatch-category": tree["噪音污染"].pk, "dispatch-main_department": units["ZFJ"].pk},
    )
    case = refreshed(case)
    assert (case.status, case.category) == (Status.DISPATCHED, tree["噪音污染"])
    assert "040203 噪音污染" in client.get(detail_url(case)).content.decode()


def test_a_leaf_category_given_at_intake_is_kept_unless_changed(
    client, dispatcher, operator, district, tree, units
):
    case = f.make_case(actor=operator, grid=district["grid11"], category=tree["水污染"])
    categories = select(dispatch_form(signed_in(client, dispatcher), case), "category")
    assert chosen(categories) == "040202 水污染 · as registered"
    client.post(act_url(case, Action.DISPATCH), {"dispatch-main_department": units["HBJ"].pk})
    case = refreshed(case)
    assert (case.status, case.category) == (Status.DISPATCHED, tree["水污染"])


def test_a_first_level_guess_without_subcategories_is_itself_suggested(
    client, dispatcher, operator, district, tree, units, model_says
):
    traffic = f.make_category("交通运输", code="03")
    f.make_rule(traffic, units["ZFJ"])
    model_says((traffic, 0.7), (tree["environment"], 0.2))
    case = f.make_case(actor=operator, grid=district["grid11"], title="公交车不按站停")
    form = dispatch_form(signed_in(client, dispatcher), case)
    assert chosen(select(form, "category")) == "03 交通运输 · 70%"
    assert chosen(select(form, "main_department")) == "区综合行政执法局"
