"""The assessment pages, the public grid rating and lists, and /api/assessment."""

import re
from datetime import date

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken, Role
from civicgrid.assessment import services
from civicgrid.assessment.models import ListKind, MonthList, ReverseEvaluation, Scheme
from civicgrid.assessment.rollup import roll_up
from civicgrid.cases.tests import factories as f

from .helpers import full_loop, moment

pytestmark = pytest.mark.django_db

NOV = "2026-11"
FIVE = {"community-stars": 5}


@pytest.fixture
def assessor(district):
    return f.make_user(Role.ASSESSOR, regions=[district["district"]], username="assessor")


@pytest.fixture
def november(assessor, district, category, bureau, other_bureau):
    services.save_scheme(
        actor=assessor,
        name="方案",
        valid_from=date(2026, 11, 1),
        weights={"response": 30, "resolution": 35, "satisfaction": 35},
    )
    start = moment("2026-11-02 09:00")
    full_loop(category, district["grid11"], bureau, start)
    full_loop(category, district["grid11"], other_bureau, start, rating="unsatisfied")
    roll_up()


def solve(question: str) -> str:
    """The answer to the check question as the English page asks it."""
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    return str(a + b if "plus" in question else a - b)


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_assessment_officer_sees_the_months_ranking(client, assessor, november, bureau):
    client.force_login(assessor)
    page = client.get(f"/assessment/?month={NOV}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "方案" in html
    assert html.index(bureau.name) < html.index("邻区城市管理局")  # the best first
    assert '<span class="tag grade-A">A</span>' in html


def test_a_month_without_data_or_scheme_says_so_and_a_bad_month_is_refused(
    client, assessor, november
):
    client.force_login(assessor)
    assert (
        "No assessment scheme is in force"
        in client.get("/assessment/?month=2026-01").content.decode()
    )
    assert 'id="no-data"' in client.get("/assessment/?month=2026-12").content.decode()
    assert "YYYY-MM" in client.get("/assessment/?month=2026-13", follow=True).content.decode()


def test_the_indicators_page_shows_rates_and_stages_and_no_data_plainly(client, assessor, november):
    client.force_login(assessor)
    html = client.get(
        "/assessment/figures/?start=2026-11-01&end=2026-11-30&level=unit"
    ).content.decode()
    assert "satisfaction rate" in html
    assert "100.0 %" in html
    assert "0.0 %" in html
    assert 'id="stages"' in html
    empty = client.get("/assessment/figures/?start=2020-01-01&end=2020-01-31&level=grid")
    assert 'id="no-data"' in empty.content.decode()
    reversed_period = client.get("/assessment/figures/?start=2026-11-30&end=2026-11-01&level=unit")
    assert "ends before it starts" in reversed_period.content.decode()


def test_a_handler_may_not_open_the_assessment(client, handler):
    client.force_login(handler)
    assert client.get("/assessment/").status_code == 403


def test_compiling_and_publishing_the_lists(client, assessor, november, bureau, other_bureau):
    client.force_login(assessor)
    client.post("/assessment/lists/", {"month": NOV})
    listed = MonthList.objects.get()
    assert [e.department_id for e in listed.entries.filter(kind=ListKind.RED)] == [bureau.pk]
    assert [e.department_id for e in listed.entries.filter(kind=ListKind.BLACK)] == [
        other_bureau.pk
    ]
    assert "城市管理局" not in client.get("/results/units/").content.decode()
    client.post("/assessment/lists/", {"month": NOV, "public": "1"})
    public = client.get("/results/units/").content.decode()
    assert bureau.name in public
    assert "Accountability records" not in public
    page = client.get(f"/assessment/lists/?month={NOV}").content.decode()
    assert "shown to the public" in page


def test_a_resident_rates_their_grid_with_the_check_question(client, district):
    grid = district["grid11"]
    html = client.get("/rate-grid/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    question = re.search(r'class="question">([^<]+)<', html).group(1)
    form = {
        "key": key,
        "challenge": token,
        "answer": solve(question),
        "grid": grid.pk,
        "stars": 4,
        "comment": "很好",
        "phone": "13800000001",
        "consent": "on",
    }
    wrong = client.post("/rate-grid/", {**form, "answer": "99"})
    assert wrong.status_code == 400
    assert not ReverseEvaluation.objects.exists()
    done = client.post("/rate-grid/", form)
    assert done.status_code == 200
    assert 'id="rated"' in done.content.decode()
    rating = ReverseEvaluation.objects.get()
    assert (rating.region_id, rating.stars) == (grid.pk, 4)
    spam = client.post("/rate-grid/", {**form, "website": "http://spam"})
    assert spam.status_code == 400


def test_the_grid_rating_form_is_rate_limited_per_address(client, district, settings):
    settings.CIVICGRID_CITIZEN_PER_IP = 1
    client.post("/rate-grid/", {"grid": district["grid11"].pk})
    assert client.post("/rate-grid/", {"grid": district["grid11"].pk}).status_code == 429


def test_a_grid_worker_rates_their_community_on_the_staff_page(client, grid_worker, district):
    client.force_login(grid_worker)
    page = client.get("/assessment/reverse/").content.decode()
    assert 'id="rate-community"' in page
    assert 'id="rate-department"' not in page
    client.post(
        "/assessment/reverse/",
        {
            "kind": "grid_worker",
            "community-target": district["community1"].pk,
            "community-stars": 5,
        },
    )
    assert ReverseEvaluation.objects.get().region_id == district["community1"].pk
    refused = client.post(
        "/assessment/reverse/",
        {
            "kind": "grid_worker",
            "community-target": district["community2"].pk,
            "community-stars": 5,
        },
        follow=True,
    )
    assert ReverseEvaluation.objects.count() == 1
    assert "Choose whom you rate" in refused.content.decode()


def test_the_api_gives_indicators_scores_and_schemes(client, assessor, november, bureau):
    headers = bearer(assessor)
    rows = client.get(
        f"/api/assessment/indicators?start=2026-11-01&end=2026-11-30&level=unit&ids={bureau.pk}",
        headers=headers,
    ).json()
    assert rows[0]["rates"]["satisfaction"] == 1.0
    assert rows[0]["stages"]["acknowledge"]["should"] == 1
    scores = client.get(f"/api/assessment/scores?month={NOV}", headers=headers).json()
    assert scores["rows"][0]["id"] == bureau.pk
    assert scores["rows"][0]["grade"] == "A"
    assert client.get("/api/assessment/schemes", headers=headers).json()[0]["name"] == "方案"


def test_the_api_answers_no_data_plainly_and_refuses_bad_input(client, assessor, november):
    headers = bearer(assessor)
    idle = f.make_department("园林局", code="YLJ")
    row = client.get(
        f"/api/assessment/indicators?start=2020-01-01&end=2020-01-31&ids={idle.pk}",
        headers=headers,
    ).json()[0]
    assert row["has_data"] is False
    assert set(row["rates"].values()) == {None}
    bad = client.get("/api/assessment/indicators?start=2026-11-30&end=2026-11-01", headers=headers)
    assert bad.status_code == 400
    assert client.get("/api/assessment/scores?month=11-2026", headers=headers).status_code == 400
    refused = client.post(
        "/api/assessment/schemes",
        {"name": "x", "valid_from": "2027-01-01", "weights": {"satisfaction": 90}},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400
    assert "add up to 90" in refused.json()["message"]
    made = client.post(
        "/api/assessment/schemes",
        {"name": "2027", "valid_from": "2027-01-01", "weights": {"satisfaction": 100}},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201
    assert Scheme.objects.count() == 2


def test_the_api_refuses_a_handler(client, handler):
    assert client.get("/api/assessment/schemes", headers=bearer(handler)).status_code == 403


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/assessment/indicators",
        "/api/assessment/scores",
        "/api/assessment/schemes",
    } <= set(paths)


def test_the_admin_edits_a_future_scheme_and_refuses_weights_that_do_not_add_up(admin_client):
    today = timezone.localdate()
    future = date(today.year + 1, 1, 1)
    form = {
        "name": "明年",
        "valid_from": future.isoformat(),
        "grade_a": 90,
        "grade_b": 75,
        "grade_c": 60,
        "red_size": 3,
        "black_size": 3,
        "weight_satisfaction": 60,
        "weight_response": 30,
    }
    for code in services.INDICATOR_CODES:
        form.setdefault(f"weight_{code}", 0)
    refused = admin_client.post("/admin/assessment/scheme/add/", form)
    assert "add up to 90" in refused.content.decode()
    assert not Scheme.objects.exists()
    admin_client.post("/admin/assessment/scheme/add/", {**form, "weight_resolution": 10})
    assert Scheme.objects.get().weights == {"satisfaction": 60, "response": 30, "resolution": 10}
