"""The screening and statistics endpoints under /api/mediation/."""

import pytest

from civicgrid.cases.tests.test_api import get, post
from civicgrid.mediation import figures
from civicgrid.mediation.models import Dispute, ScreeningReport, Source

pytestmark = pytest.mark.django_db


def test_a_grid_worker_files_a_screening_through_the_api_once_per_period(grid_worker, district):
    body = {
        "grid": district["grid11"].code,
        "findings": [{"type": "0201", "summary": "两户因排水争吵", "people_involved": 3}],
    }
    sent = post(grid_worker, "/api/mediation/screening", body)
    assert sent.status_code == 201, sent.content
    [number] = sent.json()["disputes"]
    assert Dispute.objects.get(case__number=number).source == Source.SCREENING
    again = post(grid_worker, "/api/mediation/screening", {**body, "findings": [], "zero": True})
    assert again.status_code == 400
    # In the API's default language (Chinese): this grid's period is already filed.
    assert "已报送" in again.json()["message"]
    assert ScreeningReport.objects.count() == 1


def test_a_screening_of_someone_elses_grid_is_refused_through_the_api(grid_worker, district):
    sent = post(
        grid_worker, "/api/mediation/screening", {"grid": district["grid22"].code, "zero": True}
    )
    assert sent.status_code == 403
    assert not ScreeningReport.objects.exists()


def test_the_board_and_the_statistics_answer_a_leader_only(leader, grid_worker, district):
    figures.seed(district["district"])
    board = get(leader, "/api/mediation/screening/board")
    assert board.status_code == 200
    assert {c["community"] for c in board.json()} == {
        district["community1"].code,
        district["community2"].code,
    }
    stats = get(leader, "/api/mediation/statistics", group="source", source="court_entrusted")
    assert stats.status_code == 200
    [row] = stats.json()["rows"]
    assert (row["accepted"], row["succeeded"], row["rate"]) == (1970, 1121, "56.90")
    assert get(grid_worker, "/api/mediation/statistics").status_code == 403
    assert get(grid_worker, "/api/mediation/screening/board").status_code == 403
    assert get(leader, "/api/mediation/statistics", group="nonsense").status_code == 400
