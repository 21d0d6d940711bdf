"""The reported figures come back exactly from seeded months (a twentieth of the size;
``civicgrid seed-figures`` writes the full numbers, docs/assessment.md says how long)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.assessment.indicators import indicators, percent
from civicgrid.assessment.rollup import figures_from_scratch, figures_in_table
from civicgrid.assessment.seed import PLACES

pytestmark = pytest.mark.django_db

SCALE = 0.05


def test_the_full_plans_hold_the_reported_totals():
    yicheng, zhangye = PLACES["yicheng"], PLACES["zhangye"]
    assert yicheng.received == 41_028
    assert percent(yicheng.closed / (yicheng.closed + yicheng.unsatisfied)) == "98.6 %"
    assert (zhangye.received, zhangye.closed) == (38_000, 37_000)


def test_seeded_months_show_exactly_the_reported_figures(district, category, bureau, capsys):
    call_command("seed_figures", "yicheng", "--month", "2026-10", "--scale", str(SCALE))
    call_command("seed_figures", "zhangye", "--month", "2026-09", "--scale", str(SCALE))
    october = indicators(date(2026, 10, 1), date(2026, 10, 31), "all")[0]
    assert october.counts["received"] == round(41_028 * SCALE)  # 2,051
    assert october.counts["rated"] == round(41_028 * SCALE)
    assert percent(october.rates["satisfaction"]) == "98.6 %"
    september = indicators(date(2026, 9, 1), date(2026, 9, 30), "all")[0]
    assert september.counts["received"] == 38_000 * SCALE
    assert september.counts["closed"] == 37_000 * SCALE
    assert "Received 1900, closed 1850" in capsys.readouterr().out
    assert figures_in_table() == figures_from_scratch()


@pytest.mark.slow
def test_the_whole_yicheng_month_seeded_into_an_empty_month_gives_the_reported_figures(
    district, category, bureau, capsys
):
    """Full size, not scaled: 41,028 requests and 98.6 % satisfied, exactly.

    About seven minutes, so it is marked ``slow`` and left out of the default run (the
    scaled test above runs the same code); ``uv run pytest -m slow`` runs it."""
    from civicgrid.assessment.services import month_bounds, month_moments
    from civicgrid.cases.models import Case

    first, last = month_bounds(date(2026, 6, 1))
    since, until = month_moments(first, last)
    assert not Case.objects.filter(created_at__gte=since, created_at__lt=until).exists()
    call_command("seed_figures", "yicheng", "--month", "2026-06")
    june = indicators(first, last, "all")[0]
    assert june.counts["received"] == 41_028
    assert Case.objects.filter(created_at__gte=since, created_at__lt=until).count() == 41_028
    assert june.counts["rated"] == 41_028
    assert june.counts["satisfied"] + june.counts["basically"] == 40_454
    assert percent(june.rates["satisfaction"]) == "98.6 %"
    assert "Received 41028" in capsys.readouterr().out


def test_a_month_is_seeded_once(district, category, bureau):
    call_command("seed_figures", "zhangye", "--month", "2026-09", "--scale", "0.001")
    with pytest.raises(CommandError, match="already seeded"):
        call_command("seed_figures", "zhangye", "--month", "2026-09", "--scale", "0.001")
    with pytest.raises(CommandError, match="already has cases"):
        call_command("seed_figures", "yicheng", "--month", "2026-09", "--scale", "0.001")
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_figures", "zhangye", "--month", "2026-08", "--scale", "2")
