"""The triage worker: suggestions for every new case, dispatch only above the threshold,
within the department's jurisdiction, and never over a dispatcher's decision."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.cases.tests import factories as f
from civicgrid.triage import auto
from civicgrid.triage.models import CaseTriage, Outcome

# A citizen message the shipped model files under 交通运输 with high confidence.
# (In this city's data bus routes are 城乡建设 matters; taxis are 交通运输.)
BUS = {
    "title": "出租车司机拒载还乱收费",
    "content": "昨晚在火车站打出租车，司机拒载，后来另一辆出租车不打表，乱收费五十元。",
}


def _bus_case(operator, district, **overrides):
    return f.make_case(actor=operator, grid=district["grid11"], **{**BUS, **overrides})


def test_a_confident_case_is_dispatched_by_the_worker_and_the_event_says_so(
    operator, district, transport
):
    case = _bus_case(operator, district)
    outcomes = auto.run_once()
    assert outcomes[Outcome.AUTO_DISPATCHED] == 1, outcomes

    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.category == transport
    assert case.main_department.code == "JTJ"
    assert case.handle_due_at is not None
    event = case.events.get(action=Action.DISPATCH)
    assert event.actor is None
    assert event.data["auto"] is True
    assert event.data["confidence"] >= 0.6
    assert event.data["threshold"] == 0.6
    assert event.data["category"].endswith("交通运输")


def test_below_the_threshold_the_case_waits_for_a_dispatcher_with_suggestions(
    operator, district, transport
):
    transport.auto_dispatch_threshold = 1.0
    transport.save()
    case = _bus_case(operator, district)
    auto.run_once()

    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    row = CaseTriage.objects.get(case=case)
    assert row.outcome == Outcome.SUGGESTED
    assert row.suggestions[0]["name"] == "交通运输"
    assert len(row.suggestions) <= 3
    assert 0.5 < row.confidence < 1.0


def test_no_threshold_means_never_automatic(operator, district, transport):
    transport.auto_dispatch_threshold = None
    transport.save()
    case = _bus_case(operator, district)
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.triage.outcome == Outcome.NO_THRESHOLD


def test_a_department_without_jurisdiction_there_is_not_dispatched_to(
    operator, district, other_district, transport
):
    department = transport.rules.get().main_department
    department.jurisdiction.set([other_district["district"]])
    case = _bus_case(operator, district)
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.triage.outcome == Outcome.OUT_OF_SCOPE


def test_the_category_given_at_intake_wins_over_a_disagreeing_model(
    operator, district, transport, category
):
    # The operator filed the taxi complaint under 市容环境: the model disagrees, so a
    # person decides.
    case = _bus_case(operator, district, category=category)
    category.auto_dispatch_threshold = 0.5
    category.save()
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.category == category
    assert case.triage.outcome == Outcome.DISAGREES


# --- a leaf, never a parent ------------------------------------------------------------


def _subcategories(transport, *names):
    return {
        name: f.make_category(name, code=f"03{i:02d}", parent=transport)
        for i, name in enumerate(names, start=1)
    }


def test_the_worker_narrows_the_models_first_level_guess_to_the_one_leaf_the_words_name(
    operator, district, transport
):
    leaf = _subcategories(transport, "出租车管理", "公交线路", "道路养护")["出租车管理"]
    case = _bus_case(operator, district)
    outcomes = auto.run_once()
    assert outcomes[Outcome.AUTO_DISPATCHED] == 1, outcomes
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.category == leaf  # not 交通运输
    assert case.main_department.code == "JTJ"  # the parent's rule covers its leaves
    assert case.events.get(action=Action.DISPATCH).data["category"].endswith("出租车管理")


def test_a_parent_with_a_single_leaf_is_filed_under_it(operator, district, transport):
    # The dispatcher would have no other choice: the words need not name it.
    only = _subcategories(transport, "公交线路")["公交线路"]
    case = _bus_case(operator, district)
    auto.run_once()
    case.refresh_from_db()
    assert (case.status, case.category) == (Status.DISPATCHED, only)


@pytest.mark.parametrize(
    ("subcategories", "words"),
    [
        (("公交线路", "道路养护"), {}),  # the taxi words name neither
        (
            ("出租车管理", "公交线路", "道路养护"),
            {"title": "出租车和公交线路都乱收费", "content": "出租车不打表，公交线路也乱收费。"},
        ),
    ],
    ids=["none", "two"],
)
def test_when_no_single_leaf_fits_the_dispatcher_chooses(
    operator, district, transport, subcategories, words
):
    _subcategories(transport, *subcategories)
    case = _bus_case(operator, district, **words)
    outcomes = auto.run_once()
    assert outcomes == {Outcome.NEEDS_LEAF: 1}
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.category is None
    assert case.triage.outcome == Outcome.NEEDS_LEAF


def test_a_parent_chosen_at_intake_is_narrowed_too_and_a_leaf_chosen_there_is_kept(
    operator, district, transport
):
    leaves = _subcategories(transport, "出租车管理", "公交线路")
    given_parent = _bus_case(operator, district, category=transport)
    given_leaf = _bus_case(operator, district, category=leaves["公交线路"])
    auto.run_once()
    given_parent.refresh_from_db()
    given_leaf.refresh_from_db()
    assert (given_parent.status, given_parent.category) == (Status.DISPATCHED, leaves["出租车管理"])
    # The operator's leaf stands (the model agrees on the first level): filed as given.
    assert (given_leaf.status, given_leaf.category) == (Status.DISPATCHED, leaves["公交线路"])


def test_a_case_that_needs_placing_waits(operator, district, transport):
    case = f.make_case(actor=operator, lng=None, lat=None, **BUS)
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.triage.outcome == Outcome.NEEDS_PLACEMENT


def test_a_returned_case_is_never_dispatched_again_by_the_model(
    operator, dispatcher, handler, district, transport, bureau
):
    case = _bus_case(operator, district)
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    lifecycle.apply(case, Action.RETURN, actor=handler, note="不是我们的")
    lifecycle.apply(case, Action.ACCEPT_RETURN, actor=dispatcher)
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.triage.outcome == Outcome.TAKEN


def test_a_withdrawn_case_is_never_dispatched_again_by_the_model(
    operator, dispatcher, district, transport, bureau
):
    case = _bus_case(operator, district)
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    lifecycle.apply(case, Action.WITHDRAW, actor=dispatcher, note="派错了，重新研判")
    auto.run_once()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.triage.outcome == Outcome.TAKEN


def test_each_case_is_triaged_once_even_when_run_again(operator, district, transport):
    _bus_case(operator, district)
    first = auto.run_once()
    second = auto.run_once()
    assert sum(first.values()) == 1
    assert not second
    assert CaseTriage.objects.count() == 1


def test_the_worker_command_runs_a_pass(operator, district, transport, capsys):
    case = _bus_case(operator, district)
    call_command("triage_worker", "--once")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert "1" in capsys.readouterr().out


def test_a_worker_loses_the_race_to_a_dispatcher_gracefully(
    operator, dispatcher, district, transport, bureau
):
    case = _bus_case(operator, district)
    stale = auto.pending()[0]
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    row = auto.triage(stale, auto.classify([stale])[0])
    assert row.outcome == Outcome.TAKEN
    case.refresh_from_db()
    assert case.main_department == bureau
    assert case.events.filter(action=Action.DISPATCH).count() == 1


def test_the_triage_queue_shows_the_models_suggestions_and_preselects_them(
    client, operator, dispatcher, district, transport
):
    transport.auto_dispatch_threshold = None
    transport.save()
    case = _bus_case(operator, district)
    client.force_login(dispatcher)
    # Before any worker ran: suggestions are computed for the page.
    page = client.get(reverse("triage:queue")).content.decode()
    assert case.number in page
    assert "交通运输" in page
    assert "区交通运输局" in page  # the department of the model's category, preselected
    auto.run_once()
    page = client.get(reverse("triage:queue")).content.decode()
    assert "automatic dispatch is off for this category" in page


def test_a_dispatcher_can_set_the_suggested_category_when_dispatching(
    client, operator, dispatcher, district, transport
):
    transport.auto_dispatch_threshold = None
    transport.save()
    case = _bus_case(operator, district)
    auto.run_once()
    client.force_login(dispatcher)
    department = transport.rules.get().main_department
    response = client.post(
        reverse("cases:act", args=[case.number, "dispatch"]),
        {"dispatch-category": transport.pk, "dispatch-main_department": department.pk},
    )
    assert response.status_code in (200, 302)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.category == transport


def test_the_api_suggestion_lists_the_models_categories(
    client, operator, dispatcher, district, transport
):
    case = _bus_case(operator, district)
    client.force_login(dispatcher)
    body = client.get(f"/api/cases/{case.number}/suggestion").json()
    assert body["categories"][0]["name"] == "交通运输"
    assert body["categories"][0]["probability"] > 0.5
    assert body["main_department"]["code"] == "JTJ"
    assert body["auto_dispatch"] is None


def test_the_citys_own_closed_cases_teach_the_model_a_category_it_never_saw(
    operator, district, settings, tmp_path
):
    import random

    from civicgrid.cases.models import Case
    from civicgrid.triage import dataset, services, training

    settings.DATA_DIR = tmp_path
    utilities = f.make_category("公用事业", code="90")
    water = f.make_category("供水", code="9001", parent=utilities)
    rng = random.Random(7)
    places = ["东城花园", "西城小区", "黄河路", "府前街", "胜利社区", "文汇街道", "锦华小区"]
    problems = [
        ("停水", "自来水停了一整天，没有任何通知，做饭洗澡都成问题"),
        ("水压低", "楼上住户水龙头几乎不出水，水压太低"),
        ("水管爆裂", "路边供水管道爆裂，水流满地，请尽快抢修"),
        ("水质浑浊", "自来水发黄浑浊，有异味，不敢饮用"),
        ("停暖", "暖气不热，家里只有十几度，供热公司电话打不通"),
    ]
    for i in range(60):
        place = rng.choice(places)
        name, detail = rng.choice(problems)
        case = f.make_case(
            actor=operator,
            grid=district["grid11"],
            category=water,
            title=f"{place}{name}",
            content=f"{place}{detail}，第{i}次反映。",
        )
        Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)

    own, few = dataset.from_cases()
    assert {m.label for m in own} == {"公用事业"}
    assert not few
    assert 5 <= sum(m.split == "test" for m in own) <= 25

    sample = random.Random(1).sample(dataset.load("train"), 600)
    train = sample + [m for m in own if m.split == "train"]
    test = [m for m in own if m.split == "test"]
    row, _current = services.train_and_register(train, test, activate=True)
    pipeline = training.load(row.path)
    assert "公用事业" in pipeline.classes_
    services._active.forget()
    best = services.suggest_categories("锦华小区停水", "今天早上开始停水，没有通知")[0]
    assert best[0] == "公用事业"
