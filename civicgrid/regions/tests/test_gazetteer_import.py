"""Importing the gazetteer from CSV and Excel: all or nothing, bad rows named, re-import
updates instead of adding."""

import io

import prcoords
import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from civicgrid.regions.gazetteer_import import ImportFailed, import_places
from civicgrid.regions.models import Place, PlaceKind
from civicgrid.regions.tests import factories as f


def csv_bytes(district, rows: list[str], header="name,kind,lon,lat,region,aliases") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def good_rows(district):
    c1, c2 = district["community1"], district["community2"]
    lng1, lat1 = f.point_in(district["grid11"])
    lng2, lat2 = f.point_in(district["grid22"])
    return [
        f"东营社区,社区,{lng1},{lat1},{c1.code},东营居委会",
        f"文汇街道,街道,{lng1 + 0.001},{lat1},,",
        f"府前大街,road,{lng2},{lat2},{c2.code},府前街;政府大街",
    ]


def test_a_csv_file_is_imported_with_its_search_keys_and_regions(district, good_rows):
    result = import_places(csv_bytes(district, good_rows), source="test.csv")

    assert (result.created, result.updated) == (3, 0)
    place = Place.objects.get(name="东营社区")
    assert place.kind == PlaceKind.COMMUNITY
    assert place.initials == "dysq"
    assert place.pinyin == "dongyingshequ"
    assert place.region == district["community1"]
    assert place.alias_list() == ["东营居委会"]
    # No region code: the community the point lies in.
    assert Place.objects.get(name="文汇街道").region == district["community1"]
    assert Place.objects.get(name="府前大街").alias_list() == ["府前街", "政府大街"]


def test_an_excel_file_is_imported_like_a_csv_file(district):
    lng, lat = f.point_in(district["grid12"])
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "经度", "纬度", "区划代码", "别名"])
    # Excel keeps a long code as a number, and coordinates as numbers.
    sheet.append(["区政府", "地标", lng, lat, int(district["community1"].code), None])
    sheet.append(["西四路100号", "门牌地址", lng + 0.001, lat, None, None])
    data = io.BytesIO()
    book.save(data)

    result = import_places(data.getvalue())

    assert result.created == 2
    landmark = Place.objects.get(name="区政府")
    assert (landmark.kind, landmark.region) == (PlaceKind.LANDMARK, district["community1"])
    assert (landmark.lng, landmark.lat) == (pytest.approx(lng), pytest.approx(lat))
    assert Place.objects.get(name="西四路100号").initials == "xsl100h"


def test_a_bad_row_is_named_with_its_reason_and_nothing_is_imported(district, good_rows):
    rows = [*good_rows, "菜市场,集市,118.5,37.4,,", f"广场,地标,东经,{f.Y0},,"]

    with pytest.raises(ImportFailed) as refused:
        import_places(csv_bytes(district, rows))

    assert refused.value.errors == [
        "row 5: unknown kind “集市”: use street, community, road, landmark or address "
        "(街道/镇, 社区/村, 道路, 地标, 门牌地址)",
        "row 6: longitude “东经” is not a number",
    ]
    assert not Place.objects.exists()


def test_a_point_far_from_the_district_and_an_unknown_region_are_refused(district, good_rows):
    lng, lat = f.point_in(district["grid11"])
    rows = ["北京站,地标,116.427,39.903,,", f"某村,村,{lng},{lat},999999999999,"]

    with pytest.raises(ImportFailed) as refused:
        import_places(csv_bytes(district, rows))

    first, second = refused.value.errors
    assert first.startswith("row 2: the point 116.427, 39.903 lies outside the area served")
    assert second == "row 3: there is no region with code 999999999999"


def test_bad_rows_can_be_skipped_and_are_still_listed(district, good_rows):
    rows = [*good_rows, "无名,地标,,,,"]

    result = import_places(csv_bytes(district, rows), skip_bad_rows=True)

    assert result.created == 3
    assert result.skipped == ["row 5: longitude “” is not a number"]


def test_the_same_place_twice_in_a_file_is_refused(district, good_rows):
    with pytest.raises(ImportFailed) as refused:
        import_places(csv_bytes(district, [*good_rows, good_rows[0]]))

    assert refused.value.errors == [
        "row 5: the same place (name, kind and region) as row 2",
    ]


def test_importing_the_same_file_again_changes_nothing_and_a_moved_point_is_updated(
    district, good_rows
):
    import_places(csv_bytes(district, good_rows), source="test.csv")
    ids = set(Place.objects.values_list("pk", flat=True))

    again = import_places(csv_bytes(district, good_rows), source="test.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    old_lng = str(f.point_in(district["grid11"])[0])
    new_lng = f.point_in(district["grid12"])[0]
    moved = [good_rows[0].replace(old_lng, str(new_lng)), *good_rows[1:]]
    third = import_places(csv_bytes(district, moved), source="test.csv")
    assert (third.created, third.updated) == (0, 1)
    assert set(Place.objects.values_list("pk", flat=True)) == ids
    assert Place.objects.get(name="东营社区").lng == pytest.approx(new_lng)


def test_replace_removes_what_the_same_source_no_longer_has(district, good_rows):
    import_places(csv_bytes(district, good_rows), source="test.csv")
    import_places(csv_bytes(district, good_rows[:1]), source="other.csv")

    result = import_places(csv_bytes(district, good_rows[1:]), source="test.csv", replace=True)

    # 东营社区 now belongs to other.csv, whose import is not replaced.
    assert result.removed == 0
    result = import_places(csv_bytes(district, good_rows[2:]), source="test.csv", replace=True)
    assert result.removed == 1
    assert sorted(Place.objects.values_list("name", flat=True)) == ["东营社区", "府前大街"]


def test_gcj02_coordinates_are_stored_as_wgs84(district):
    lng, lat = f.point_in(district["grid21"])
    gcj_lat, gcj_lng = prcoords.wgs_gcj((lat, lng))

    import_places(csv_bytes(district, [f"胜利广场,地标,{gcj_lng},{gcj_lat},,"]), datum="gcj02")

    place = Place.objects.get()
    assert (place.lng, place.lat) == (pytest.approx(lng, abs=1e-6), pytest.approx(lat, abs=1e-6))
    assert place.region == district["community2"]


def test_a_gb18030_csv_from_chinese_excel_is_read(district, good_rows):
    data = csv_bytes(district, good_rows).decode().encode("gb18030")

    assert import_places(data).created == 3


def test_a_file_without_the_needed_columns_says_which_are_missing(district):
    with pytest.raises(ImportFailed) as refused:
        import_places("名称,经度\n东营社区,118.5\n".encode())

    assert refused.value.errors[0].startswith("row 1: the header lacks the columns kind, lat")


def test_the_command_imports_and_reports_bad_rows_in_the_users_language(
    district, good_rows, tmp_path, settings
):
    settings.LANGUAGE_CODE = "en"
    path = tmp_path / "places.csv"
    path.write_bytes(csv_bytes(district, [*good_rows, "坏行,地标,x,1,,"]))

    with pytest.raises(CommandError, match="row 5: longitude “x” is not a number"):
        call_command("import_gazetteer", str(path), verbosity=0)
    assert not Place.objects.exists()

    out = io.StringIO()
    call_command(
        "import_gazetteer",
        str(path),
        "--skip-bad-rows",
        verbosity=0,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "3 added" in out.getvalue()
