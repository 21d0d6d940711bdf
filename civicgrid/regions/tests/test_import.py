"""civicgrid import-regions: validated first, reported by line, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from civicgrid.regions.models import Region

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
