"""Small things a user noticed on the staff pages (#10 defect 17): a photo's file name
under its thumbnail, the complaint on the callback card."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def handled(new_case, dispatcher, bureau):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    return new_case


def test_a_photos_thumbnail_shows_its_file_name(client, handled, handler, grid_worker):
    _token, raw = ApiToken.issue(handler, "tests")
    response = Client().post(
        f"/api/cases/{handled.number}/attachments",
        {"file": f.make_image("井盖现场.jpg")},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content

    shown = 'title="井盖现场.jpg">井盖现场.jpg</span>'
    client.force_login(handler)
    assert shown in client.get(reverse("cases:detail", args=[handled.number])).content.decode()
    services.act(handled, Action.ACKNOWLEDGE, actor=handler)
    services.act(handled, Action.REPLY, actor=handler, reply="井盖已更换。")
    client.force_login(grid_worker)  # to verify: the reply's files are on the task card
    assert shown in client.get(reverse("cases:tasks")).content.decode()


def test_the_callback_card_shows_the_complaint_and_the_reply(
    client, new_case, operator, dispatcher, handler, grid_worker, bureau
):
    """Who calls back reads what the citizen said and what they were told."""
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    services.act(new_case, Action.REPLY, actor=handler, reply="路灯已修复。")
    services.act(new_case, Action.VERIFY_PASS, actor=grid_worker)

    client.force_login(operator)
    html = client.get(reverse("cases:callbacks")).content.decode()
    assert new_case.number in html
    assert "What the citizen said" in html
    assert new_case.content in html
    assert "路灯已修复。" in html


def test_a_long_timeline_shows_its_latest_events_and_a_link_to_all(client, leader, new_case):
    """A case of 300 events made a 150 kB page; it now shows the latest 30 (#10)."""
    from civicgrid.cases import events
    from civicgrid.cases.events import Note
    from civicgrid.cases.views.detail import TIMELINE_LATEST

    for i in range(TIMELINE_LATEST + 5):
        events.record(new_case, Note.ADD_NOTE, actor=None, note=f"第{i}次补充")
    events.record(new_case, Note.RECOMPUTE_DEADLINE, actor=None)  # internal, last
    client.force_login(leader)
    url = reverse("cases:detail", args=[new_case.number])
    html = client.get(url).content.decode()
    assert html.count('<li class="event ') == TIMELINE_LATEST
    assert "Show the 7 earlier events" in html  # registration + 6 notes
    assert "第34次补充" in html
    assert "第6次补充" in html
    assert "第5次补充" not in html
    assert html.index("第33次补充") < html.index("第34次补充")  # oldest first still
    assert 'class="event event-recompute_deadline internal"' in html
    everything = client.get(url, {"timeline": "all"}).content.decode()
    assert everything.count('<li class="event ') == TIMELINE_LATEST + 7
    assert "earlier event" not in everything
