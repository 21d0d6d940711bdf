"""A citizen's words are text everywhere: a report written as HTML never runs as script.

The attack: four anonymous reports whose first line is an HTML image with an ``onerror``
handler become a hot issue with that title, shown on a leader's hot-issue map. The page
must carry the words as text only, under a policy that refuses inline script.
"""

import json
import re

import pytest

from civicgrid.duplicates.models import HotIssue
from civicgrid.duplicates.services import refresh_hot_issues

from .conftest import report_data

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=top.xss=1>"


def test_a_report_written_as_html_becomes_a_hot_issue_whose_title_stays_text(
    client, district, category, leader
):
    for n in range(4):
        data = report_data(
            client,
            district["grid11"],
            category=str(category.pk),
            phone=f"1390000000{n}",
            description=f"{HOSTILE}\n小区北门路灯坏了三天，晚上很黑，老人出门不方便。",
        )
        assert client.post("/report/", data).status_code == 200
    refresh_hot_issues()
    assert HotIssue.objects.get().title == HOSTILE

    client.force_login(leader)
    page = client.get("/hot-issues/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=top.xss=1&gt;" in html
    points = re.search(r'<script id="hot-points" type="application/json">(.*?)</script>', html)
    assert json.loads(points.group(1))[0]["title"] == HOSTILE  # data for the map, as text
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
