"""A centre's cases stay in scope when its region moves in the tree: ``owner_path``, the
copy of the centre's path the scope filters read, follows the move (as the join to the
centre did before it was copied)."""

import json

import pytest
from django.db.models import Q

from civicgrid.accounts.models import Role
from civicgrid.cases.models import Case
from civicgrid.cases.scope import visible_cases
from civicgrid.regions.models import Region
from civicgrid.regions.services import import_regions

from . import factories as f

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[100, 30], [100.1, 30], [100.1, 30.1], [100, 30.1], [100, 30]]],
}


def feature(code, name, level, parent="", **extra):
    props = {"code": code, "name": name, "level": level, "parent_code": parent, **extra}
    return {"type": "Feature", "properties": props, "geometry": SQUARE if parent else None}


def load(tmp_path, features):
    path = tmp_path / "regions.geojson"
    document = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    import_regions(path)


def test_a_street_moved_to_another_district_keeps_its_cases_in_the_new_districts_scope(
    tmp_path,
):
    load(
        tmp_path,
        [
            feature("519900000000", "测试市", "city"),
            feature("519901000000", "测试区", "district", "519900000000"),
            feature("519902000000", "新区", "district", "519900000000"),
            feature("519901001000", "测试街道", "street", "519901000000"),
        ],
    )
    street = Region.objects.get(code="519901001000")
    case = Case.objects.create(
        number="T-1", channel="hotline", title="路灯不亮", owner_region=street
    )
    new_district = Region.objects.get(code="519902000000")
    operator = f.make_user(Role.OPERATOR, regions=[new_district])
    assert not visible_cases(operator, Case.objects.all()).exists()

    load(tmp_path, [feature("519901001000", "测试街道", "street", "519902000000")])

    street.refresh_from_db()
    assert street.path.startswith(new_district.path)
    case.refresh_from_db()
    assert case.owner_path == street.path
    operator = f.make_user(Role.OPERATOR, regions=[new_district])
    assert list(visible_cases(operator, Case.objects.all())) == [case]
    assert not Case.objects.filter(Q(owner_path__startswith="519900000000/519901000000/")).exists()
