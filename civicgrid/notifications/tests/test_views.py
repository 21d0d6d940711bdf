"""Notifications in the web UI: the badge, the list, marking read."""

import pytest
from django.urls import reverse

from civicgrid.cases.tests import factories as f
from civicgrid.notifications.models import Notification


@pytest.fixture
def noticed_case(dispatcher, operator, district, category, django_capture_on_commit_callbacks):
    """A new urgent case, with the notice the dispatcher gets once intake commits."""
    with django_capture_on_commit_callbacks(execute=True):
        case = f.make_case(
            actor=operator, grid=district["grid11"], category=category, urgency="urgent"
        )
    return case


def badge(html):
    start = html.index('id="unread-badge"')
    return html[html.index(">", start) + 1 : html.index("<", start)]


def test_the_header_badge_counts_unread_notifications(client, dispatcher, noticed_case):
    client.force_login(dispatcher)
    assert badge(client.get(reverse("triage:queue")).content.decode()) == "1"


def test_the_badge_alone_is_served_to_htmx_polling(client, dispatcher, noticed_case):
    client.force_login(dispatcher)
    html = client.get(reverse("notifications:badge")).content.decode()
    assert html.startswith('<span id="unread-badge"')
    assert badge(html) == "1"
    assert 'hx-trigger="every 60s"' in html


def test_the_list_shows_the_notice_and_opening_it_marks_it_read(client, dispatcher, noticed_case):
    client.force_login(dispatcher)
    html = client.get(reverse("notifications:list")).content.decode()
    assert noticed_case.number in html
    assert 'Unread <span class="count">1</span>' in html
    notice = Notification.objects.get(recipient=dispatcher)
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response["Location"] == reverse("cases:detail", args=[noticed_case.number])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert badge(client.get(reverse("notifications:list")).content.decode()) == "0"


def test_the_unread_tab_hides_what_was_read(client, dispatcher, noticed_case):
    client.force_login(dispatcher)
    client.post(reverse("notifications:read_all"))
    html = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert noticed_case.number not in html
    assert "No notifications." in html


def test_nobody_can_mark_another_persons_notice(client, leader, dispatcher, noticed_case):
    notice = Notification.objects.get(recipient=dispatcher)
    client.force_login(leader)
    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_list_takes_a_fixed_number_of_queries(
    client,
    dispatcher,
    operator,
    district,
    category,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
    warm_snapshots,
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            f.make_case(
                actor=operator, grid=district["grid12"], category=category, urgency="urgent"
            )
    client.force_login(dispatcher)
    client.get(reverse("notifications:list"))  # warm (see ``warm_snapshots``)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert response.content.decode().count('class="notice unread"') == 8
