"""The routing table: imported from a CSV (all or nothing), read by every process, and
used by "nearest" when it knows the pair of places; the road estimate otherwise."""

import os

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civicgrid.cases.tests import factories as f
from civicgrid.emergency import resourcing
from civicgrid.emergency.resources import Team, TravelTime

from .factories import open_flood


@pytest.fixture
def flood(commander, district):
    return open_flood(commander, district)  # in grid 11: community 1 of street 1


@pytest.fixture
def teams(flood, district):
    """A team next door in the same community, and one over in street 2."""
    near = Team.objects.create(name="近队", skills=["flood"], lng=flood.lng + 0.01, lat=flood.lat)
    x, y = f.point_in(district["grid22"])
    far = Team.objects.create(name="远队", skills=["flood"], lng=x, lat=y)
    return near, far


def _csv(tmp_path, text: str, name: str = "table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_routing_table_nearest_ranks_by_distance_and_says_estimate(flood, teams):
    found = resourcing.nearest(flood, "teams", actor=flood.commander)
    assert [t.name for t in found] == ["近队", "远队"]
    assert {t.travel_source for t in found} == {"estimate"}
    assert found[0].travel_min == resourcing.travel_minutes(found[0].distance_km)


def test_an_imported_routing_table_ranks_nearest_by_its_minutes(
    tmp_path, client, flood, teams, district
):
    c1, c2 = district["community1"].code, district["community2"].code
    s1 = district["street1"].code
    # Community 2 has a fast road to community 1; within street 1 the river is in the way.
    path = _csv(tmp_path, f"from_code,to_code,minutes\n{c2},{c1},2\n{s1},{s1},12.5\n")
    call_command("import_travel_table", str(path), verbosity=0)
    assert TravelTime.objects.count() == 2

    found = resourcing.nearest(flood, "teams", actor=flood.commander)
    assert [(t.name, t.travel_min, t.travel_source) for t in found] == [
        ("远队", 2.0, "table"),
        ("近队", 12.5, "table"),
    ]
    # The incident page labels the minutes by where they came from.
    client.force_login(flood.commander)
    page = client.get(f"/emergency/{flood.pk}/").content.decode()
    assert "min by the routing table" in page


def test_a_pair_not_in_the_table_falls_back_to_the_estimate(tmp_path, flood, teams, district):
    c1, c2 = district["community1"].code, district["community2"].code
    call_command(
        "import_travel_table", str(_csv(tmp_path, f"from_code,to_code,minutes\n{c2},{c1},2\n"))
    )
    by_name = {t.name: t for t in resourcing.nearest(flood, "teams", actor=flood.commander)}
    assert (by_name["远队"].travel_min, by_name["远队"].travel_source) == (2.0, "table")
    assert by_name["近队"].travel_source == "estimate"
    assert by_name["近队"].travel_min == resourcing.travel_minutes(by_name["近队"].distance_km)


def test_the_api_says_where_the_minutes_came_from(tmp_path, client, flood, teams, district):
    from .test_api import bearer

    c1, c2 = district["community1"].code, district["community2"].code
    call_command(
        "import_travel_table", str(_csv(tmp_path, f"from_code,to_code,minutes\n{c2},{c1},2\n"))
    )
    reply = client.get(
        f"/api/emergency/incidents/{flood.pk}/nearest?kind=teams", headers=bearer(flood.commander)
    )
    assert reply.status_code == 200, reply.content
    rows = reply.json()["resources"]
    assert [(r["name"], r["travel_source"]) for r in rows] == [
        ("远队", "table"),
        ("近队", "estimate"),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("{c1},999999999999,3", "Unknown region code 999999999999"),
        ("{c1},{c2},-4", "Line 2: the minutes -4 are negative."),
        ("{c1},{c2},soon", "Line 2: the minutes 'soon' are not a number."),
        ("{grid},{c2},3", "a street or community code is needed"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_imported(tmp_path, district, row, problem):
    c1, c2 = district["community1"].code, district["community2"].code
    TravelTime.objects.create(from_code=c1, to_code=c2, minutes=7)
    bad = row.format(c1=c1, c2=c2, grid=district["grid11"].code)
    path = _csv(tmp_path, f"from_code,to_code,minutes\n{bad}\n{c2},{c1},5\n")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_travel_table", str(path))
    assert "nothing imported" in str(refused.value)
    assert problem in str(refused.value)
    # The table in use is untouched.
    assert list(TravelTime.objects.values_list("from_code", "to_code", "minutes")) == [
        (c1, c2, 7.0)
    ]


def test_a_refused_file_is_reported_in_chinese_by_default(tmp_path, district):
    c1 = district["community1"].code
    path = _csv(tmp_path, f"from_code,to_code,minutes\n{c1},{c1},-1\n")
    with translation.override("zh-hans"), pytest.raises(CommandError) as refused:
        call_command("import_travel_table", str(path))
    assert "未导入任何数据" in str(refused.value)
    assert not TravelTime.objects.exists()


def test_a_file_missing_a_column_is_refused(tmp_path, district):
    path = _csv(tmp_path, "from,to,minutes\na,b,1\n")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_travel_table", str(path))
    assert "missing: from_code, to_code" in str(refused.value)


def _team(flood, name):
    found = resourcing.nearest(flood, "teams", actor=flood.commander)
    return next(t for t in found if t.name == name)


def test_a_table_file_named_in_settings_is_reread_when_it_changes(
    tmp_path, settings, flood, teams, district
):
    c1, c2 = district["community1"].code, district["community2"].code
    path = _csv(tmp_path, f"from_code,to_code,minutes\n{c2},{c1},2\n")
    settings.EMERGENCY_TRAVEL_TABLE = str(path)
    far = next(
        t for t in resourcing.nearest(flood, "teams", actor=flood.commander) if t.name == "远队"
    )
    assert (far.travel_min, far.travel_source) == (2.0, "table")
    path.write_text(f"from_code,to_code,minutes\n{c2},{c1},9\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    far = next(
        t for t in resourcing.nearest(flood, "teams", actor=flood.commander) if t.name == "远队"
    )
    assert far.travel_min == 9.0
