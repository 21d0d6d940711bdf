"""civicgrid import-regions: validated first, reported by line, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from civicgrid.regions.datum import Datum
from civicgrid.regions.models import Region
from civicgrid.regions.services import ImportFailed, import_regions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Commands speak the default language (Chinese); these tests read English."""
    with override("en"):
        yield


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[100, 30], [100.1, 30], [100.1, 30.1], [100, 30.1], [100, 30]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[100, 30], [100.1, 30.1], [100.1, 30], [100, 30.1], [100, 30]]],
}


def feature(code, name, level, parent="", geometry=SQUARE, **extra):
    props = {"code": code, "name": name, "level": level, "parent_code": parent, **extra}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(tmp_path, features):
    path = tmp_path / "regions.geojson"
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text(
        '{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n", encoding="utf-8"
    )
    return path


def good_tree():
    return [
        feature("519900000000", "测试市", "city", geometry=None),
        feature("519901000000", "测试区", "district", "519900000000"),
        feature("519901001000", "测试街道", "street", "519901000000"),
        feature("519901001001", "测试社区", "community", "519901001000"),
        feature("519901001001001", "测试社区第1网格", "grid", "519901001001", grid_kind="basic"),
    ]


def test_a_good_file_is_imported_with_its_tree(tmp_path, capsys):
    call_command("import_regions", str(write(tmp_path, good_tree())))
    grid = Region.objects.get(code="519901001001001")
    assert grid.path == "519900000000/519901000000/519901001000/519901001001/519901001001001/"
    assert grid.centroid_lng == pytest.approx(100.05, abs=0.05)
    assert "grid: 1" in capsys.readouterr().out


def test_a_broken_file_names_every_bad_line_and_imports_nothing(tmp_path):
    features = good_tree() + [
        feature("519901001001002", "坏网格", "grid", "519901001001", geometry=BOWTIE),  # line 7
        feature("519901001009001", "孤儿网格", "grid", "519901001009"),  # line 8
        feature("51990100100", "短码社区", "community", "519901001000"),  # line 9
        feature("519901001001", "重复社区", "community", "519901001000"),  # line 10
    ]
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", str(write(tmp_path, features)))
    message = str(failed.value)
    assert "line 7" in message
    assert "Self-intersection" in message
    assert "line 8" in message
    assert "line 9" in message
    assert "line 10" in message
    assert "line 5" not in message.split("line 10")[0][-5:]
    assert "nothing imported" in message
    assert not Region.objects.filter(code__startswith="5199").exists()


def test_a_grid_must_sit_under_a_community(tmp_path):
    features = good_tree()[:3] + [feature("519901001000001", "错层网格", "grid", "519901001000")]
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", str(write(tmp_path, features)))
    assert "line 5" in str(failed.value)
    assert not Region.objects.filter(code__startswith="5199").exists()


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [\n  {oops}\n]}', encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", str(path))
    assert "line 3" in str(failed.value)
    with override("zh-hans"), pytest.raises(CommandError) as failed:
        call_command("import_regions", str(path))
    assert "第 3 行" in str(failed.value)


def test_gcj02_files_are_stored_as_wgs84(tmp_path):
    call_command("import_regions", str(write(tmp_path, good_tree())), datum="gcj02")
    district = Region.objects.get(code="519901000000")
    first_x = district.boundary["coordinates"][0][0][0]
    assert first_x != 100
    assert abs(first_x - 100) < 0.01


def test_a_refused_file_leaves_regions_already_there_as_they_were(tmp_path):
    call_command("import_regions", str(write(tmp_path, good_tree())))
    renamed = good_tree()
    renamed[2]["properties"]["name"] = "改名街道"  # line 4: a good change…
    renamed[4]["geometry"] = BOWTIE  # line 6: …in a file with a bad polygon
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", str(write(tmp_path, renamed)))
    assert "line 6" in str(failed.value)
    assert Region.objects.get(code="519901001000").name == "测试街道"
    assert Region.objects.get(code="519901001001001").boundary["coordinates"][0][0] == [100, 30]


def test_features_given_as_a_list_are_reported_by_their_position():
    features = good_tree()
    features[3]["properties"]["households"] = -5
    features[4]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[200, 30], [200, 31], [201, 30], [200, 30]]],
    }
    with pytest.raises(ImportFailed) as failed:
        import_regions(features, datum=Datum.WGS84)
    assert [e.split(" (")[0] for e in failed.value.errors] == ["feature 4", "feature 5"]
    assert "households" in failed.value.errors[0]
    assert "longitude" in failed.value.errors[1]
    assert not Region.objects.filter(code__startswith="5199").exists()


def test_line_numbers_hold_when_other_members_come_first(tmp_path):
    path = tmp_path / "pretty.geojson"
    document = {"name": "features", "type": "FeatureCollection", "features": good_tree()}
    document["features"][4]["properties"]["code"] = "519901001002001"  # not its community's
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    text = path.read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(text, start=1) if line == "    {"]
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", str(path))
    assert f"line {starts[4]} (519901001002001)" in str(failed.value)


def test_moving_a_street_to_another_district_moves_its_communities_and_grids(tmp_path):
    call_command("import_regions", str(write(tmp_path, good_tree())))
    moved = [
        feature("519902000000", "新区", "district", "519900000000"),
        feature("519901001000", "测试街道", "street", "519902000000"),
    ]
    call_command("import_regions", str(write(tmp_path, moved)))
    grid = Region.objects.get(code="519901001001001")
    assert grid.path.startswith("519900000000/519902000000/519901001000/")
    assert [r.code for r in grid.lineage()][3] == "519902000000"


def test_reimporting_a_file_writes_nothing(tmp_path):
    path = write(tmp_path, good_tree())
    call_command("import_regions", str(path), datum="gcj02")
    before = dict(Region.objects.values_list("code", "updated_at"))
    call_command("import_regions", str(path), datum="gcj02")
    assert dict(Region.objects.values_list("code", "updated_at")) == before
