"""Queue rows are light: a case and one button; the row's forms come on demand (#10).

A queue of 50 rows used to carry 50 sets of forms (200 kB and more); now each row names
the usual next step and loads its forms into itself with htmx, or as a page of their own
without script. Every action stays reachable from there.
"""

import pytest
from django.urls import reverse

from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import (
    act_url,
    dispatched,
    refreshed,
    replied,
    signed_in,
    verified,
)
from civicgrid.cases.views.queues import QUEUE_SIZE

HTMX = {"HTTP_HX_REQUEST": "true"}


def cases(operator, district, category, n=3):
    return [
        f.make_case(actor=operator, grid=district["grid11"], category=category, title=f"第{i}件")
        for i in range(n)
    ]


def forms_url(case, queue):
    return reverse("cases:row_forms", args=[case.number, queue])


def assert_light_rows(html, cases, queue, next_url):
    """No action form on the page, one button per row that loads that row's forms."""
    assert 'class="action-form' not in html
    assert html.count('class="button primary open-forms"') == len(cases)
    for case in cases:
        url = forms_url(case, queue)
        assert f'hx-get="{url}?next={next_url}"' in html
        assert f'href="{url}?next={next_url}"' in html  # without script: a page


@pytest.fixture
def inbox_cases(operator, district, category, dispatcher, bureau):
    return [dispatched(c, dispatcher, bureau) for c in cases(operator, district, category)]


def test_inbox_rows_carry_a_button_and_their_forms_come_on_demand(client, handler, inbox_cases):
    html = signed_in(client, handler).get(reverse("cases:inbox")).content.decode()
    assert_light_rows(html, inbox_cases, "inbox", "/inbox/")
    assert "Acknowledge</a>" in html  # the button names the usual next step

    case = inbox_cases[0]
    fragment = client.get(forms_url(case, "inbox"), {"next": "/inbox/"}, **HTMX).content.decode()
    assert "<html" not in fragment
    for action in (Action.ACKNOWLEDGE, Action.RETURN):
        assert f'class="action-form action-{action}"' in fragment
    assert '<input type="hidden" name="next" value="/inbox/">' in fragment
    page = client.get(forms_url(case, "inbox"), {"next": "/inbox/"}).content.decode()
    assert "<html" in page
    assert 'class="action-form action-acknowledge"' in page

    response = client.post(act_url(case, Action.ACKNOWLEDGE), {"next": "/inbox/"})
    assert response.status_code == 302
    assert refreshed(case).status == Status.HANDLING


def test_tasks_rows_carry_a_button_and_their_forms_come_on_demand(
    client, operator, district, category, dispatcher, handler, grid_worker, bureau
):
    rows = [replied(c, dispatcher, handler, bureau) for c in cases(operator, district, category)]
    html = signed_in(client, grid_worker).get(reverse("cases:tasks")).content.decode()
    assert_light_rows(html, rows, "tasks", "/tasks/")
    fragment = client.get(forms_url(rows[0], "tasks"), **HTMX).content.decode()
    for action in (Action.VERIFY_PASS, Action.VERIFY_FAIL):
        assert f'class="action-form action-{action}"' in fragment


def test_callback_rows_carry_a_button_and_their_forms_come_on_demand(
    client, operator, district, category, dispatcher, handler, grid_worker, bureau
):
    rows = [
        verified(c, dispatcher, handler, grid_worker, bureau)
        for c in cases(operator, district, category)
    ]
    html = signed_in(client, operator).get(reverse("cases:callbacks")).content.decode()
    assert_light_rows(html, rows, "callbacks", "/callbacks/")
    fragment = client.get(forms_url(rows[0], "callbacks"), **HTMX).content.decode()
    assert 'class="action-form action-callback"' in fragment
    assert '<details class="action" open>' in fragment  # the callback form, open


def test_a_full_inbox_page_stays_small(
    client, handler, operator, dispatcher, district, category, bureau
):
    """50 rows: a page of summaries, not of forms (it was 199 kB on the bench)."""
    for case in cases(operator, district, category, n=QUEUE_SIZE):
        dispatched(case, dispatcher, bureau)
    html = signed_in(client, handler).get(reverse("cases:inbox")).content.decode()
    assert html.count('class="button primary open-forms"') == QUEUE_SIZE
    assert len(html.encode()) < 80_000


def test_the_triage_page_lists_cases_to_place_without_their_forms(client, operator, dispatcher):
    unplaced = f.make_case(actor=operator, grid=None)
    assert unplaced.needs_placement
    html = signed_in(client, dispatcher).get(reverse("triage:queue")).content.decode()
    section = html[html.index('id="placement"') :]
    section = section[: section.index("</section>")]
    assert 'class="action-form' not in section
    assert "data-map-picker" not in section
    assert f'hx-get="{forms_url(unplaced, "placement")}?next=/triage/"' in section
    fragment = client.get(forms_url(unplaced, "placement"), **HTMX).content.decode()
    assert 'class="action-form action-place"' in fragment
    assert "data-map-picker" in fragment


def test_row_forms_keep_to_the_queue_and_the_role(client, handler, grid_worker, inbox_cases):
    case = inbox_cases[0]
    signed_in(client, handler)
    assert client.get(reverse("cases:row_forms", args=[case.number, "nowhere"])).status_code == 404
    assert client.get(forms_url(case, "tasks")).status_code == 403  # not a grid worker
    signed_in(client, grid_worker)
    assert client.get(forms_url(case, "inbox")).status_code == 403


def test_inbox_counts_stop_at_their_bound_and_the_next_page_goes_on_in_order(
    client, handler, inbox_cases, monkeypatch
):
    """The light tabs count up to ``WORK_COUNT_BOUND`` ("2+" beyond: a department's
    whole inbox is not read to count it); a page ends where the next begins."""
    from civicgrid.cases import queries
    from civicgrid.cases.views import queues

    monkeypatch.setattr(queries, "WORK_COUNT_BOUND", 2)
    monkeypatch.setattr(queues, "QUEUE_SIZE", 2)
    signed_in(client, handler)
    first = client.get(reverse("cases:inbox")).content.decode()
    assert '<span class="count">2+</span>' in first  # all three, counted to two
    second = client.get(reverse("cases:inbox"), {"page": 2}).content.decode()
    shown = [c.number for c in inbox_cases if c.number in first]
    assert len(shown) == 2
    (rest,) = [c.number for c in inbox_cases if c.number in second]
    assert rest not in shown
