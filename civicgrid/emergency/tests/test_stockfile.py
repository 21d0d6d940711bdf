"""Resources from Excel: good rows saved, one bad row and nothing is."""

import io

import pytest
from openpyxl import Workbook

from civicgrid.emergency import stockfile
from civicgrid.emergency.resources import Item, Stock, Team, Warehouse

pytestmark = pytest.mark.django_db


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_material_codes_load_with_sandbags_among_the_leaves():
    assert stockfile.load_materials() > 20
    assert Item.objects.get(code="03010101").name == "沙袋"
    assert Item.objects.get(code="03").name == "工程材料与机械加工设备"


def test_warehouses_then_their_stock_are_imported_with_progress():
    stockfile.load_materials()
    seen = []
    n = stockfile.import_workbook(
        "warehouses",
        xlsx(("name", "lng", "lat", "address"), ("区防汛仓库", 118.5, 37.45, "府前大街")),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert n == 1
    assert seen == [(1, 1)]
    stockfile.import_workbook(
        "stock",
        xlsx(("warehouse", "item", "quantity", "minimum"), ("区防汛仓库", "03010101", 5000, 1000)),
    )
    assert Stock.objects.get(warehouse__name="区防汛仓库").quantity == 5000


def test_one_bad_row_saves_nothing_and_every_error_names_its_row():
    data = xlsx(
        ("name", "lng", "lat", "size", "skills"),
        ("防汛抢险队", 118.5, 37.45, 50, "flood，rescue"),
        ("坏队", "abc", 37.45, 10, ""),
        ("", 118.5, 37.4, 1, ""),
    )
    with pytest.raises(stockfile.ImportRefused) as refused:
        stockfile.import_workbook("teams", data)
    assert refused.value.errors[0].startswith("Row 3:")
    assert refused.value.errors[1].startswith("Row 4:")
    assert not Team.objects.exists()


def test_unknown_warehouses_codes_and_negative_stock_are_refused():
    stockfile.load_materials()
    Warehouse.objects.create(name="库", lng=118.5, lat=37.4)
    data = xlsx(
        ("warehouse", "item", "quantity"),
        ("无此库", "03010101", 1),
        ("库", "03", 1),
        ("库", "03010101", -5),
    )
    with pytest.raises(stockfile.ImportRefused) as refused:
        stockfile.import_workbook("stock", data)
    assert len(refused.value.errors) == 3
    assert not Stock.objects.exists()
    with pytest.raises(stockfile.ImportRefused, match="not an Excel"):
        stockfile.import_workbook("stock", b"not a workbook")
    with pytest.raises(stockfile.ImportRefused, match="Missing columns"):
        stockfile.import_workbook("stock", xlsx(("warehouse",), ("库",)))


def test_the_admin_imports_a_workbook_and_shows_row_errors(admin_client):
    bad = xlsx(("name", "lng", "lat"), ("队", "x", 37.4))
    page = admin_client.post("/admin/emergency/team/import/", {"file": _named(bad)})
    assert "Row 2:" in page.content.decode()
    assert not Team.objects.exists()
    upload = io.BytesIO(xlsx(("name", "lng", "lat", "size"), ("防汛抢险队", 118.5, 37.45, 50)))
    upload.name = "teams.xlsx"
    done = admin_client.post("/admin/emergency/team/import/", {"file": upload})
    assert done.status_code == 302
    assert Team.objects.get().size == 50


def _named(data: bytes):
    upload = io.BytesIO(data)
    upload.name = "resources.xlsx"
    return upload
