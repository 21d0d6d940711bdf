"""The triage queue page: the dispatcher's registered cases with their suggestions."""

import pytest
from django.urls import reverse

from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.cases.services import act
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import act_url, refreshed, signed_in


@pytest.fixture
def many_cases(operator, district, category):
    return [
        f.make_case(
            actor=operator,
            grid=district[f"grid{1 + i % 2}{1 + i // 2 % 2}"],
            category=category,
            title=f"第{i}件",
        )
        for i in range(12)
    ]


def forms_of(client, case, **headers):
    """What a card's button loads: the case's triage forms (htmx) or their page."""
    url = reverse("triage:case_forms", args=[case.number])
    return client.get(url, {"next": "/triage/"}, **headers)


def test_the_triage_page_shows_the_suggested_department(client, dispatcher, bureau, new_case):
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    assert new_case.number in html
    assert f"<strong>{bureau.name}</strong>" in html
    form = forms_of(client, new_case, HTTP_HX_REQUEST="true").content.decode()
    assert f'<option value="{bureau.pk}" selected>{bureau.name}</option>' in form


def test_a_card_carries_one_button_and_its_forms_come_on_demand(
    client, dispatcher, bureau, new_case
):
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    card = html[html.index('id="triage-queue"') :]
    assert "<form" not in card[: card.index("</article>")]
    url = reverse("triage:case_forms", args=[new_case.number])
    assert f'hx-get="{url}?next=/triage/"' in card
    assert f'href="{url}?next=/triage/"' in card  # without script: a page of its own

    fragment = forms_of(client, new_case, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'class="action-form action-dispatch"' in fragment
    assert 'class="action-form action-answer_directly"' in fragment
    assert '<input type="hidden" name="next" value="/triage/">' in fragment
    page = forms_of(client, new_case).content.decode()
    assert "<html" in page
    assert 'class="action-form action-dispatch"' in page


def test_the_forms_of_a_case_someone_else_dispatched_say_so(client, dispatcher, bureau, new_case):
    act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    html = forms_of(signed_in(client, dispatcher), new_case, HTTP_HX_REQUEST="true")
    assert "<form" not in html.content.decode()
    assert "Nothing for you to do on this case now" in html.content.decode()


def test_an_outsider_gets_no_forms_of_a_case(client, outsider, new_case):
    assert forms_of(signed_in(client, outsider), new_case).status_code in (403, 404)


def test_an_outsider_sees_an_empty_triage_queue(client, outsider, new_case):
    response = signed_in(client, outsider).get(reverse("triage:queue"))
    assert response.status_code == 200
    assert new_case.number not in response.content.decode()
    assert "Nothing waiting for triage." in response.content.decode()


def test_the_triage_queue_puts_urgent_cases_first(client, dispatcher, operator, district, category):
    normal = f.make_case(actor=operator, grid=district["grid11"], category=category)
    urgent = f.make_case(
        actor=operator, grid=district["grid12"], category=category, urgency="urgent"
    )
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    assert html.index(urgent.number) < html.index(normal.number)


def test_dispatching_from_the_queue_hands_the_case_to_the_department(
    client, dispatcher, handler, bureau, new_case
):
    signed_in(client, dispatcher)
    response = client.post(
        act_url(new_case, Action.DISPATCH),
        {"dispatch-main_department": bureau.pk, "dispatch-note": "请尽快处理", "next": "/triage/"},
    )
    assert response["Location"] == "/triage/"
    assert refreshed(new_case).status == Status.DISPATCHED
    html = signed_in(client, handler).get(reverse("cases:inbox")).content.decode()
    assert new_case.number in html


def test_placing_a_case_on_the_map_resolves_its_grid(
    client, dispatcher, operator, district, category
):
    unplaced = f.make_case(actor=operator, category=category)
    signed_in(client, dispatcher)
    assert unplaced.number in client.get(reverse("triage:queue")).content.decode()
    lng, lat = f.point_in(district["grid21"])
    client.post(
        act_url(unplaced, Action.PLACE),
        {"place-lng": lng, "place-lat": lat, "place-datum": "wgs84"},
    )
    unplaced = refreshed(unplaced)
    assert unplaced.grid == district["grid21"]
    assert not unplaced.needs_placement


def test_the_triage_filter_returns_only_the_queue_to_htmx(client, dispatcher, new_case):
    signed_in(client, dispatcher)
    response = client.get(reverse("triage:queue"), {"light": "red"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="triage-queue"' in html
    assert "<html" not in html
    assert new_case.number not in html  # a new case is not overdue


def test_the_triage_queue_runs_a_fixed_number_of_queries(
    client, dispatcher, many_cases, django_assert_max_num_queries, warm_snapshots
):
    signed_in(client, dispatcher)
    client.get(reverse("triage:queue"))  # warm (see ``warm_snapshots``)
    # 16 (the work strip's counts are one query, the returned cases one more, which of
    # the dispatcher's regions are cities one more: the owning centre's rule,
    # ``scope.owns``); and each of the page's six case lists reads the ids of the cases
    # opened to the user first (one small indexed query, so the scope's OR reads
    # indexes: docs/performance.md).
    with django_assert_max_num_queries(22):
        response = client.get(reverse("triage:queue"))
    assert all(case.number in response.content.decode() for case in many_cases)


def _queue_queries(client, count: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("triage:queue"))
    html = response.content.decode()
    assert html.count('class="queue-row"') == count
    return len(queries), len(response.content)


def test_a_full_page_of_cards_costs_the_queries_of_five_and_a_page_a_third_of_the_old(
    client, dispatcher, operator, district, category
):
    """31 units and a tree of 500 categories: before, each of 50 cards carried them in
    full forms (400 KB); the cards are light and the forms come on demand. A page holds
    ``QUEUE_SIZE`` cards; the rest wait on the next page."""
    from civicgrid.cases.views.queues import QUEUE_SIZE
    from civicgrid.triage.models import CaseTriage, Outcome

    units = [
        f.make_department(f"第{i}街道办事处", code=f"JD{i:02d}", kind="street") for i in range(30)
    ]
    for i in range(15):
        parent = f.make_category(f"分类{i}", code=f"{10 + i:02d}")
        for j in range(33):
            f.make_category(f"子类{i}-{j}", code=f"{10 + i:02d}{j:02d}", parent=parent)
    guess = [{"category": category.pk, "code": category.code, "name": category.name, "p": 0.9}]

    def add(n):
        for i in range(n):
            case = f.make_case(actor=operator, grid=district["grid11"], category=category)
            CaseTriage.objects.create(
                case=case,
                suggestions=guess,
                category=category,
                confidence=0.9,
                threshold=None,
                outcome=Outcome.SUGGESTED,
                department=units[i % 30],
            )

    signed_in(client, dispatcher)
    add(5)
    client.get(reverse("triage:queue"))  # the per-process snapshots are built
    five, _size = _queue_queries(client, 5)
    add(45)
    fifty, size = _queue_queries(client, QUEUE_SIZE)
    assert fifty == five
    assert size < 150_000
    html = client.get(reverse("triage:queue"), {"page": 2}).content.decode()
    assert html.count('class="queue-row"') == 50 - QUEUE_SIZE


def test_the_work_strip_counts_what_waits_and_each_list_shows_what_it_needs(
    client, dispatcher, handler, bureau, operator, district, category
):
    """Extension requests (with the days asked and why), returned cases, cases to place,
    overdue and unsatisfied callbacks: counted at the top, each list one click away."""
    asking = f.make_case(actor=operator, grid=district["grid11"], category=category)
    act(asking, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    act(asking, Action.ACKNOWLEDGE, actor=handler)
    act(asking, Action.REQUEST_EXTENSION, actor=handler, days=3, note="需要协调供电部门停电施工")
    sent_back = f.make_case(actor=operator, grid=district["grid12"], category=category)
    act(sent_back, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    act(sent_back, Action.RETURN, actor=handler, note="不属于本单位职责")
    unplaced = f.make_case(actor=operator, category=category)

    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    strip = html[html.index('class="work-strip"') : html.index("</nav>", html.index("work-strip"))]

    def count(work: str) -> str:
        tile = strip[strip.index(f'data-work="{work}"') :]
        return tile[tile.index('class="work-count">') + 19 : tile.index("</span>")]

    assert [count(w) for w in ("extensions", "returned", "placement", "unsatisfied")] == [
        "1",
        "1",
        "1",
        "0",
    ]
    extensions = html[html.index('id="extensions"') : html.index('id="returned"')]
    assert asking.number in extensions
    assert "3 working days asked" in extensions
    assert "需要协调供电部门停电施工" in extensions
    returned = html[html.index('id="returned"') : html.index('id="placement"')]
    assert sent_back.number in returned
    assert asking.number not in returned
    assert unplaced.number in html[html.index('id="placement"') :]


def test_the_overdue_tile_counts_open_cases_past_their_deadline(
    client, dispatcher, operator, district, category
):
    from datetime import timedelta

    from django.utils import timezone

    from civicgrid.cases.models import Case

    late = f.make_case(actor=operator, grid=district["grid11"], category=category)
    f.make_case(actor=operator, grid=district["grid12"], category=category)
    past = timezone.now() - timedelta(hours=1)
    Case.objects.filter(pk=late.pk).update(due_at=past, warn_at=past - timedelta(hours=1))
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    strip = html[html.index("work-strip") : html.index("</nav>", html.index("work-strip"))]
    assert 'href="/cases/?light=red"' in strip
    tile = strip[strip.index('data-work="overdue"') :]
    assert tile[tile.index('class="work-count">') + 19 : tile.index("</span>")] == "1"


@pytest.mark.parametrize(
    ("score", "threshold", "shown_score", "shown_threshold"),
    [(0.984, 0.985, "98.4%", "98.5%"), (0.9795, 0.98, "97%", "98%")],
)
def test_a_score_below_the_threshold_reads_lower_than_it(
    client, dispatcher, category, new_case, score, threshold, shown_score, shown_threshold
):
    from civicgrid.triage.models import CaseTriage, Outcome

    guess = {"category": category.pk, "code": category.code, "name": category.name, "p": score}
    CaseTriage.objects.create(
        case=new_case,
        suggestions=[guess],
        category=category,
        confidence=score,
        threshold=threshold,
        outcome=Outcome.SUGGESTED,
    )
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    assert f"{category.name} <b>{shown_score}</b>" in html
    assert f" {shown_threshold})" in html


def test_escalating_to_the_city_moves_the_case_to_the_citys_queue(
    client, dispatcher, operator, district, category, new_case
):
    from civicgrid.accounts.models import Role

    city_dispatcher = f.make_user(Role.DISPATCHER, regions=[district["city"]], username="city")
    stays = f.make_case(actor=operator, grid=district["grid21"], category=category)
    signed_in(client, dispatcher)
    escalate = {"escalate-to": "parent", "escalate-note": "需市级协调"}
    client.post(act_url(new_case, Action.ESCALATE), escalate, follow=True)
    assert refreshed(new_case).owner_region == district["city"]
    html = client.get(reverse("triage:queue")).content.decode()
    assert new_case.number not in html
    assert stays.number in html
    signed_in(client, city_dispatcher)
    html = client.get(reverse("triage:queue")).content.decode()
    assert new_case.number in html
    assert stays.number not in html  # the district triages its own cases

    again = client.post(act_url(new_case, Action.ESCALATE), escalate)
    assert again.status_code == 400
    html = again.content.decode()
    alert = html.split('class="alert alert-error" role="alert">', 1)[1].split("</div>", 1)[0]
    assert f"is already with {district['city'].name}, the highest centre" in alert


def test_a_work_list_shows_its_first_rows_and_says_how_many_wait(
    client, dispatcher, operator, monkeypatch
):
    from civicgrid.triage import views

    monkeypatch.setattr(views, "WORK_LIST", 2)
    for i in range(3):
        f.make_case(actor=operator, grid=None, title=f"无位置{i}")
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    section = html[html.index('id="placement"') :]
    section = section[: section.index("</section>")]
    assert section.count("<article") == 2
    assert "The first 2 of 3, most pressing first" in section
