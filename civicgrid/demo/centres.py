"""Demo levels of centres (docs/centres.md): in 东营区, two street sub-centres and their
communities' workstations staffed; starting levels for a few categories (some matters
always to the district, the utilities straight to their company); the rota of the units
stationed in the district centre; and demo cases held at each level.

Runs after the sample cases, so those stay with the district centre as before.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import grant_role
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.centres.models import DutyMode, Stationing
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category, Department, LevelRule, StartLevel

# (username, name, role) of the named accounts; the first street is the grid worker's.
STREET_DISPATCHERS = (("streetdispatcher", "刘街道"), ("street2dispatcher", "何街道"))
STATION_OPERATOR = ("station", "林社区")

# Matters the communities cannot take: always the district (TipDM first levels).
TO_DISTRICT = ("环境保护", "劳动和社会保障")
# The utilities go straight to their company (公用事业/…  → GS, GD, RQ, RL).
UTILITY_UNITS = (("供水", "GS"), ("供电", "GD"), ("燃气", "RQ"), ("供热", "RL"))


def _streets(district: Region, grids: list[Region]) -> list[Region]:
    """The grid worker's street first, then the next street by code."""
    streets = list(district.children.filter(level=Level.STREET).order_by("code"))
    first = next((s for s in streets if grids and grids[0].path.startswith(s.path)), None)
    ordered = [first] if first else []
    ordered += [s for s in streets if s != first]
    return ordered[:2]


def _account(username: str, name: str, role: str, regions, password: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=name)
        user.set_password(password)
        user.save()
        grant_role(user, role, regions=regions)
    return user


@transaction.atomic
def load_staff(district: Region, grids: list[Region], password: str) -> list[tuple]:
    """Street dispatchers, the named workstation operator and one operator for every
    other community of the two streets (ws-<community code>); returns the named ones as
    (username, role label, name, scope)."""
    named = []
    streets = _streets(district, grids)
    station_community = grids[0].parent if grids else None
    for (username, name), street in zip(STREET_DISPATCHERS, streets, strict=False):
        _account(username, name, Role.DISPATCHER, [street], password)
        named.append((username, str(Role.DISPATCHER.label), name, f"{street.name}分中心"))
    for street in streets:
        for community in street.children.filter(level=Level.COMMUNITY).order_by("code"):
            if community == station_community:
                # The workstation's operator takes calls and also decides on the
                # community's cases (pass down to the grid, raise to the street).
                username, name = STATION_OPERATOR
                user = _account(username, name, Role.OPERATOR, [community], password)
                if not user.has_role(Role.DISPATCHER):
                    grant_role(user, Role.DISPATCHER, regions=[community])
                    user.forget_grants()
                for role in (Role.OPERATOR, Role.DISPATCHER):
                    named.append((username, str(role.label), name, f"{community.name}工作站"))
            else:
                _account(
                    f"ws-{community.code}",
                    community.name[:30],
                    Role.OPERATOR,
                    [community],
                    password,
                )
    return named


def load_level_rules() -> None:
    for name in TO_DISTRICT:
        category = Category.objects.filter(name=name, parent__isnull=True).first()
        if category is not None:
            LevelRule.objects.get_or_create(
                category=category, defaults={"start": StartLevel.DISTRICT}
            )
    for name, code in UTILITY_UNITS:
        category = Category.objects.filter(name=name, parent__name="公用事业").first()
        unit = Department.objects.filter(code=code).first()
        if category is not None and unit is not None:
            LevelRule.objects.get_or_create(
                category=category, defaults={"start": StartLevel.UNIT, "unit": unit}
            )


def load_rota(district: Region) -> None:
    if Stationing.objects.filter(centre=district).exists():
        return
    today = timezone.localdate()
    stationed = list(Department.objects.filter(stationed=True, kind="bureau").order_by("code"))
    monday = today - timedelta(days=today.weekday())
    for i, department in enumerate(stationed):
        if i < 3:
            mode, starts, ends = DutyMode.PERMANENT, today - timedelta(days=365), None
        elif i < 6:
            # One week each, in turn: this week's is on duty.
            starts = monday + timedelta(weeks=i - 3)
            mode, ends = DutyMode.ROTATING, starts + timedelta(days=6)
        else:
            mode, starts, ends = DutyMode.ON_CALL, today - timedelta(days=30), None
        Stationing.objects.create(
            centre=district,
            department=department,
            mode=mode,
            starts_on=starts,
            ends_on=ends,
            desk=f"{i + 1}号窗口" if mode == DutyMode.PERMANENT else "",
        )


def load_level_cases(grids: list[Region]) -> None:
    """Cases held at each level: at the workstation, passed down to the grid worker,
    raised to the street, raised to the district."""
    if not grids or Case.objects.filter(title__startswith="【分级】").exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=_names())}
    if len(users) < 4:
        return
    category = Category.objects.filter(name="城市建设和市政管理").first()
    grid = grids[0]

    def report(title: str, content: str):
        intake = services.Intake(
            channel="grid_patrol",
            title=title,
            content=content,
            category=category,
            request_type="complaint",
            lng=grid.centroid_lng,
            lat=grid.centroid_lat,
            datum="wgs84",
            reporter_name="周女士",
            reporter_phone="13905461234",
        )
        return services.register_case(intake, actor=users["gridworker"])

    report("【分级】小区门口垃圾桶破损", "垃圾桶破损，垃圾散落在路边。")
    passed = report("【分级】楼道灯不亮", "3号楼2单元楼道灯坏了一周。")
    services.act(passed, Action.PASS_DOWN, actor=users["station"], note="请网格员上门查看")
    raised = report("【分级】小区内违章搭建", "邻居在楼下绿地搭建棚子。")
    services.act(raised, Action.ESCALATE, actor=users["streetdispatcher"], note="需要执法队处理")
    district = report("【分级】道路积水严重", "雨后主路积水没过脚踝，多个小区受影响。")
    services.act(district, Action.ESCALATE, actor=users["streetdispatcher"], note="涉及多个社区")
    district.refresh_from_db()
    services.act(district, Action.ESCALATE, actor=users["streetdispatcher"], note="需要区级统筹")


def _names() -> tuple[str, ...]:
    return ("gridworker", "station", "streetdispatcher", "dispatcher")


def load_demo(district_code: str, password: str) -> list[tuple]:
    """Safe to run again. Returns the named accounts to print."""
    district = Region.objects.get(code__startswith=district_code, level=Level.DISTRICT)
    worker = User.objects.filter(username="gridworker").first()
    grids = list(Region.objects.filter(grants__user=worker).order_by("code")) if worker else []
    named = load_staff(district, grids, password)
    load_level_rules()
    load_rota(district)
    load_level_cases(grids)
    return named
