"""Demo emergency command: the district's flood, hazardous-chemicals leak and crowd
plans (``data/emergency/*.json``, units by the demo's department codes), and one flood
drill so the command room has something to open."""

from pathlib import Path

from civicgrid.accounts.models import User
from civicgrid.emergency import plans, response, services, stockfile
from civicgrid.emergency.models import Incident, Plan
from civicgrid.emergency.resources import Expert, Item, Shelter, Stock, Team, Warehouse
from civicgrid.routing.models import Department

PLANS = Path(__file__).parent / "data" / "emergency"


def load_demo() -> None:
    """Safe to run again: plans are replaced by code, the drill made once."""
    commander = User.objects.get(username="commander")
    for path in sorted(PLANS.glob("*.json")):
        plans.import_plan(path.read_text(encoding="utf-8"), actor=commander)
    load_resources()
    if Incident.objects.filter(drill=True).exists():
        return
    drill = services.open_incident(
        actor=commander,
        title="广利河防汛演练",
        type_code="101",
        severity="larger",
        drill=True,
        address="广利河胜利大街桥段",
        lng=118.5826,
        lat=37.4501,
        radius_m=800,
    )
    response.start_plan(drill, Plan.objects.get(code="dyq-flood"), 4, actor=commander)


# Resources in 东营区 (positions inside the demo district; units by the demo's codes).
WAREHOUSES = [
    ("区防汛物资仓库", 118.560, 37.452, "府前大街以南"),
    ("胜利街道应急物资储备点", 118.505, 37.437, "胜利街道办事处院内"),
    ("辛店街道应急物资储备点", 118.458, 37.442, "辛店街道"),
    ("牛庄镇防汛仓库", 118.640, 37.338, "牛庄镇政府东侧"),
]
# (warehouse index, material code, quantity, minimum)
STOCK = [
    (0, "03010101", 20000, 5000),  # 沙袋
    (0, "03010102", 800, 200),  # 吨袋
    (0, "02010101", 600, 200),  # 救生衣
    (0, "02020101", 12, 4),  # 移动式发电机
    (0, "02030101", 8, 4),  # 移动排涝泵
    (1, "03010101", 3000, 1000),
    (1, "01020101", 120, 50),  # 救灾帐篷
    (1, "01030101", 400, 100),
    (2, "03010101", 800, 1000),  # below its minimum: the low-stock list shows it
    (2, "02010101", 150, 50),
    (3, "03010101", 6000, 2000),
    (3, "01010101", 500, 200),
]
TEAMS = [
    ("区防汛抢险队", 118.552, 37.449, 50, ["flood", "rescue"], "冲锋舟4艘、排涝泵6台"),
    ("区消防救援大队东城站", 118.620, 37.447, 40, ["fire", "rescue", "hazmat"], "消防车8辆"),
    ("胜利街道应急分队", 118.500, 37.433, 30, ["flood"], "沙袋车2辆"),
    ("区供电抢修队", 118.530, 37.462, 20, ["power"], "应急发电车2辆"),
    ("区卫生应急医疗队", 118.492, 37.478, 25, ["medical"], "救护车3辆"),
]
EXPERTS = [
    ("王建国", "水利", "13805460001", 118.525, 37.459),
    ("李红", "危险化学品", "13805460002", 118.610, 37.440),
    ("张伟", "医疗救治", "13805460003", 118.488, 37.480),
]
SHELTERS = [
    ("东营区体育中心避难场所", 118.540, 37.450, 8000, "I类"),
    ("胜利公园应急避难场所", 118.505, 37.440, 3000, "II类"),
    ("辛店中学避难点", 118.452, 37.438, 800, "III类"),
]


def load_resources() -> None:
    """Warehouses with sandbags and more, teams, experts and shelters; safe to rerun."""
    stockfile.load_materials()
    houses = []
    for name, lng, lat, address in WAREHOUSES:
        house, _new = Warehouse.objects.update_or_create(
            name=name, defaults={"lng": lng, "lat": lat, "address": address}
        )
        houses.append(house)
    for index, code, quantity, minimum in STOCK:
        Stock.objects.get_or_create(
            warehouse=houses[index],
            item=Item.objects.get(code=code),
            defaults={"quantity": quantity, "minimum": minimum},
        )
    water = Department.objects.filter(code="SLJ").first()
    for name, lng, lat, size, skills, equipment in TEAMS:
        Team.objects.get_or_create(
            name=name,
            defaults={
                "lng": lng,
                "lat": lat,
                "size": size,
                "skills": skills,
                "equipment": equipment,
                "unit": water if "flood" in skills else None,
            },
        )
    for name, field, phone, lng, lat in EXPERTS:
        Expert.objects.get_or_create(
            name=name, defaults={"field": field, "phone": phone, "lng": lng, "lat": lat}
        )
    for name, lng, lat, capacity, level in SHELTERS:
        Shelter.objects.get_or_create(
            name=name, defaults={"lng": lng, "lat": lat, "capacity": capacity, "level": level}
        )
