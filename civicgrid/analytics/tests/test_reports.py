"""Daily, weekly and monthly reports (日分析、周总结、月通报): the page, the Excel workbook
and the PDF, and a period without data."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.analytics import periods, reports
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.tests.helpers import full_loop
from civicgrid.cases.models import Case, Rating
from civicgrid.cases.tests import factories as f
from civicgrid.core.pdf import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(operator, district, category, bureau):
    """Four cases this week in street 1 (one dispatched to the bureau and overdue, one
    rated satisfied), one web case in street 2."""
    made = [
        f.make_case(actor=operator, grid=district["grid11"], category=category) for _ in range(4)
    ]
    made.append(
        f.make_case(actor=operator, grid=district["grid21"], category=category, channel="web")
    )
    Case.objects.filter(pk=made[0].pk).update(
        main_department=bureau, due_at=timezone.now() - timedelta(hours=1)
    )
    Case.objects.filter(pk=made[1].pk).update(rating=Rating.SATISFIED)
    return made


def test_the_report_counts_by_channel_category_area_and_unit(district, month, category, bureau):
    full_loop(category, district["grid11"], bureau, timezone.now(), rating="satisfied")
    roll_up()
    today = timezone.localdate()
    # Around today, wide enough for the loop's later steps whatever the hour.
    period = periods.of("custom", start=today - timedelta(days=1), end=today + timedelta(days=3))
    report = reports.build(district["district"], period)
    assert report.counts["received"] == 6
    assert {x.name: x.received for x in report.by_channel} == {
        "12345 hotline": 5,
        "website / app": 1,
    }
    assert [(x.name, x.received) for x in report.by_category] == [(category.name, 6)]
    assert {x.name: x.received for x in report.by_area} == {
        district["street1"].name: 5,
        district["street2"].name: 1,
    }
    (unit,) = report.worst_units
    assert (unit.name, unit.received, unit.satisfaction) == (bureau.name, 1, 100.0)
    assert report.rates["satisfaction"] == 100.0


def test_the_report_page_shows_the_figures_and_links_to_the_cases(client, leader, district, month):
    client.force_login(leader)
    response = client.get(reverse("analytics:report"), {"period": "month"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Monthly bulletin" in html
    assert district["street1"].name in html
    assert "created_after=" in html
    assert 'id="report-as-of"' in html


def _received_in(workbook: bytes) -> int:
    book = load_workbook(BytesIO(workbook))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    return summary["Cases received"]


def test_the_workbook_opens_with_openpyxl_and_holds_each_table(
    client, leader, operator, district, category, month, settings
):
    from django.core.cache import cache

    from civicgrid.core import bodies

    client.force_login(leader)
    url, week = reverse("analytics:report_xlsx"), {"period": "week"}
    response = client.get(url, week)
    book = load_workbook(BytesIO(response.content))
    assert {"Summary", "By channel", "By area", "The ten worst units"} <= set(book.sheetnames)
    assert _received_in(response.content) == 5
    areas = list(book["By area"].iter_rows(min_row=2, values_only=True))
    assert (district["street1"].name, 4) == areas[0][:2]
    # Kept for a minute while the week runs: the same file, a 304 for the browser holding it.
    assert client.get(url, week, headers={"If-None-Match": response["ETag"]}).status_code == 304
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    assert settings.ANALYTICS_REPORT_CACHE_SECONDS == 60
    assert _received_in(client.get(url, week).content) == 5
    cache.clear()  # the minute passes
    bodies.forget()
    assert _received_in(client.get(url, week).content) == 6


def test_the_pdf_has_the_title_the_areas_and_the_rates(client, leader, district, month):
    client.force_login(leader)
    response = client.get(reverse("analytics:report_pdf"), {"period": "day"})
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "Daily analysis" in text
    assert district["street1"].name in text
    assert "Satisfaction rate" in text


def test_a_period_with_no_data_says_so_everywhere(client, leader, district, category):
    client.force_login(leader)
    params = {"period": "month", "on": "2020-02-10"}
    html = client.get(reverse("analytics:report"), params).content.decode()
    assert "No cases were received in this period." in html
    pdf = client.get(reverse("analytics:report_pdf"), params)
    assert "No cases were received in this period." in text_of(pdf.content)
    book = load_workbook(BytesIO(client.get(reverse("analytics:report_xlsx"), params).content))
    assert book["Summary"]["A2"].value == "No cases were received in this period."


def test_a_bad_day_gives_a_message_and_todays_report(client, leader, district):
    client.force_login(leader)
    response = client.get(reverse("analytics:report"), {"period": "week", "on": "2026-13-45"})
    assert "Enter days as YYYY-MM-DD." in response.content.decode()


def test_the_report_api_gives_the_month(client, leader, district, month):
    from civicgrid.accounts.models import ApiToken

    _token, raw = ApiToken.issue(leader, "test")
    response = client.get(
        "/api/analytics/reports/month", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert response.json()["received"] == 5
    unknown = client.get("/api/analytics/reports/year", headers={"Authorization": f"Bearer {raw}"})
    assert unknown.status_code == 400


def test_only_leaders_read_the_reports(client, handler, district):
    client.force_login(handler)
    assert client.get(reverse("analytics:report")).status_code == 403
    assert client.get(reverse("analytics:report_pdf")).status_code == 403
