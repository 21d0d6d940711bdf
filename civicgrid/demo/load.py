"""The demo city: 东营区 with its streets, communities and 948 grids, its bureaus,
a category tree, routing rules, time limits, one account per role and some cases.

Every step is idempotent: running ``civicgrid demo`` twice keeps existing data.
Sources of the shipped data are cited in ``civicgrid/demo/data/README.md``.
"""

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import grant_role
from civicgrid.core.calendar import available_years, load_official_year
from civicgrid.core.models import CalendarYear
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import (
    Category,
    Department,
    DepartmentKind,
    LimitUnit,
    RoutingRule,
    Step,
    TimeLimitPolicy,
    Urgency,
)

from .alerts import load_demo as load_alert_sources
from .assessment import load_demo as load_assessment
from .centres import load_demo as load_centres
from .diversion import load_demo_110, print_demo_110
from .emergency import load_demo as load_emergency
from .fieldwork import load_demo as load_fieldwork
from .hot_issues import load_demo_hot_issues
from .knowledge_seed import load_demo as load_knowledge_base
from .mediation import load_demo as load_mediation
from .open311 import load_demo_client, print_demo_client
from .petitions import load_demo as load_petitions
from .reply_templates import load_demo as load_reply_templates
from .supervision import load_demo as load_supervision
from .surges import load_demo as load_surges

DATA = Path(__file__).parent / "data"
DISTRICT_CODE = "370502000000"
DEMO_PASSWORD = "civicgrid-demo"

CENTRE = ("ZHZX", "东营区社会治理综合指挥中心")
BUREAUS = [
    ("ZJJ", "区住房和城乡建设局"),
    ("ZFJ", "区综合行政执法局"),
    ("HBJ", "市生态环境局东营区分局"),
    ("JTJ", "区交通运输局"),
    ("JYJ", "区教育和体育局"),
    ("RSJ", "区人力资源和社会保障局"),
    ("SWJ", "区商务局"),
    ("WJJ", "区卫生健康局"),
    ("SCJ", "区市场监督管理局"),
    ("ZRJ", "区自然资源局"),
    ("YJJ", "区应急管理局"),
    ("MZJ", "区民政局"),
    ("SLJ", "区水务局"),
    ("NYJ", "区农业农村局"),
    ("SFJ", "区司法局"),
]
# Stationed in the command centre (派驻): nine, as in Dongying.
STATIONED = {"ZJJ", "ZFJ", "HBJ", "JTJ", "RSJ", "SCJ", "YJJ", "MZJ", "SLJ"}
COMPANIES = [
    ("GD", "国网东营供电公司东营区供电中心"),
    ("GS", "东营区供水公司"),
    ("RQ", "东营区燃气公司"),
    ("RL", "东营区热力公司"),
]
UTILITIES = [("01", "供水", "GS"), ("02", "供电", "GD"), ("03", "燃气", "RQ"), ("04", "供热", "RL")]

# First- and second-level categories of the taxonomy → main department code.
ROUTES = {
    "城乡建设": "ZJJ",
    "城乡建设/城市建设和市政管理": "ZFJ",
    "城乡建设/安全生产": "YJJ",
    "城乡建设/城乡规划": "ZRJ",
    "城乡建设/集体土地上房屋拆迁与补偿": "ZRJ",
    "环境保护": "HBJ",
    "交通运输": "JTJ",
    "教育文体": "JYJ",
    "劳动和社会保障": "RSJ",
    "商贸旅游": "SWJ",
    "商贸旅游/市场监管": "SCJ",
    "商贸旅游/质监检验检疫": "SCJ",
    "卫生计生": "WJJ",
    "卫生计生/食品药品监管": "SCJ",
    "民政": "MZJ",
    "农村农业": "NYJ",
    "农村农业/水利水电": "SLJ",
    "国土资源": "ZRJ",
    "经济管理/安全生产": "YJJ",
    "政法/仲裁与调解": "SFJ",
    "政法/法律服务": "SFJ",
}
# Village matters go to the street or town office of the place (a region-specific rule).
STREET_ROUTED = "城乡建设/村镇建设"
# Private matters of a family, never published (Category.never_public): what a caller
# says about a marriage, a child or violence at home was never meant for the public.
# The TipDM tree has no domestic-violence category: such calls go to the women's
# federation (妇联), so its category is marked.
PRIVATE_CATEGORIES = (
    ("党务政务", "群众团体", "妇联工作"),
    ("民政", "社会服务", "婚姻登记"),
    ("民政", "社会服务", "收养登记"),
    ("卫生计生", "人口计生", "失独家庭"),
    ("卫生计生", "人口计生", "违法生育"),
)


@dataclass
class DemoAccount:
    username: str
    role: str
    name: str
    scope: str


def load_demo(progress: bool = True) -> list[DemoAccount]:
    """Load everything the demo needs; safe to run again."""
    steps = [
        (_("working calendar"), load_calendar),
        (_("regions and grids"), lambda: load_geography(progress)),
        (_("gazetteer"), load_gazetteer),
        (_("departments"), load_departments),
        (_("categories"), load_categories),
        (_("routing rules"), load_routing_rules),
        (_("auto-dispatch thresholds"), load_auto_dispatch),
        (_("time limits"), load_time_limits),
        (_("accounts"), load_accounts),
        (_("sample cases"), lambda: load_sample_cases(progress)),
        (_("knowledge base"), load_knowledge_base),
        (_("reply templates"), load_reply_templates),
        (_("hot issues"), lambda: load_demo_hot_issues(progress)),
        (_("supervision"), load_supervision),
        (_("Open311 client"), lambda: load_demo_client(DISTRICT_CODE)),
        (_("110 diversion account"), lambda: load_demo_110(DISTRICT_CODE)),
        (_("platform alert sources"), lambda: load_alert_sources(DISTRICT_CODE)),
        (_("mediation centre"), lambda: load_mediation(DISTRICT_CODE)),
        (_("petitions"), lambda: load_petitions(DISTRICT_CODE)),
        (_("levels of centres"), lambda: load_centres(DISTRICT_CODE, DEMO_PASSWORD)),
        (_("emergency plans"), load_emergency),
        (_("field work (households, visits, tasks, points)"), load_fieldwork),
        (_("assessment month"), lambda: load_assessment(progress)),
        (_("surges (early warning)"), lambda: load_surges(DISTRICT_CODE)),
    ]
    accounts: list[DemoAccount] = []
    for label, step in steps:
        if progress:
            print(f"· {label}…", flush=True)  # noqa: T201
        result = step()
        if label == _("accounts"):
            accounts = result
        if label == _("levels of centres"):
            accounts += [DemoAccount(*row) for row in result]
    return accounts


def load_calendar() -> None:
    for year in available_years():
        if year >= 2024 and not CalendarYear.objects.filter(year=year).exists():
            load_official_year(year)


def load_geography(progress: bool) -> None:
    from civicgrid.regions.services import load_demo_geography

    if Region.objects.filter(level=Level.GRID, code__startswith="370502").count() < 948:
        load_demo_geography(progress=progress)


def load_gazetteer() -> None:
    """Every street, town, community and village of the district, findable at intake."""
    from civicgrid.regions.gazetteer import load_region_places

    load_region_places(_district())


def _district() -> Region:
    return Region.objects.get(code=DISTRICT_CODE)


@transaction.atomic
def load_departments() -> None:
    district = _district()
    code, name = CENTRE
    centre, _c = Department.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": DepartmentKind.CENTRE,
            "stationed": True,
            "region": district,
        },
    )
    centre.jurisdiction.add(district)
    for code, name in BUREAUS:
        dept, _c = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": DepartmentKind.BUREAU, "stationed": code in STATIONED},
        )
        dept.jurisdiction.add(district)
    for code, name in COMPANIES:
        dept, _c = Department.objects.update_or_create(
            code=code, defaults={"name": name, "kind": DepartmentKind.COMPANY}
        )
        dept.jurisdiction.add(district)
    for street in Region.objects.filter(level=Level.STREET, parent=district):
        dept, _c = Department.objects.update_or_create(
            code=f"JD{street.code[:9]}",
            defaults={
                "name": f"{street.name}办事处",
                "kind": DepartmentKind.STREET,
                "region": street,
            },
        )
        dept.jurisdiction.add(street)


@transaction.atomic
def load_categories() -> None:
    """The 3-level taxonomy (15 / 103 / 390), coded 2 + 2 + 2 digits, plus utilities."""
    codes: dict[tuple[str, ...], str] = {}
    nodes: dict[str, Category] = {}

    created: set[tuple[str, ...]] = set()

    def node(path: tuple[str, ...], **extra) -> Category:
        if path in codes:
            return nodes[codes[path]]
        parent = node(path[:-1]) if len(path) > 1 else None
        siblings = sum(1 for p in codes if len(p) == len(path) and p[:-1] == path[:-1])
        code = (parent.code if parent else "") + f"{siblings + 1:02d}"
        category, new = Category.objects.update_or_create(
            code=code, defaults={"name": path[-1], "parent": parent, **extra}
        )
        codes[path], nodes[code] = code, category
        if new:
            created.add(path)
        return category

    with open(DATA / "taxonomy_3level.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            node((row["一级分类"], row["二级分类"], row["三级分类"]))
    utilities = node(("公用事业",), default_urgency=Urgency.SAME_DAY)
    for _n, name, _dept in UTILITIES:
        node(("公用事业", name), default_urgency=Urgency.SAME_DAY)
    utilities.save()
    # Marked once, when created: an admin who unmarks one keeps it so on the next load.
    private = [codes[path] for path in PRIVATE_CATEGORIES if path in created]
    Category.objects.filter(code__in=private).update(never_public=True, updated_at=timezone.now())


def _category(path: str) -> Category | None:
    parts = path.split("/")
    query = Category.objects.filter(name=parts[-1])
    if len(parts) > 1:
        query = query.filter(parent__name=parts[-2], parent__parent__isnull=True)
    else:
        query = query.filter(parent__isnull=True)
    return query.first()


@transaction.atomic
def load_routing_rules() -> None:
    departments = {d.code: d for d in Department.objects.all()}
    for path, dept_code in ROUTES.items():
        category = _category(path)
        if category is not None:
            RoutingRule.objects.update_or_create(
                category=category, region=None, defaults={"main_department": departments[dept_code]}
            )
    for _n, name, dept_code in UTILITIES:
        category = _category(f"公用事业/{name}")
        RoutingRule.objects.update_or_create(
            category=category, region=None, defaults={"main_department": departments[dept_code]}
        )
    village = _category(STREET_ROUTED)
    for street in Region.objects.filter(level=Level.STREET, parent=_district()):
        office = departments.get(f"JD{street.code[:9]}")
        if village is not None and office is not None:
            rule, _c = RoutingRule.objects.update_or_create(
                category=village, region=street, defaults={"main_department": office}
            )
            rule.co_departments.set([departments["ZJJ"]])


@transaction.atomic
def load_auto_dispatch() -> None:
    """Turn automatic dispatch on for the categories the model speaks of, each at the
    confidence where the shipped model was right 99 % of the time on held-out messages.
    A threshold an admin has set is kept."""
    from civicgrid.triage.services import suggested_thresholds

    for name, threshold in suggested_thresholds().items():
        Category.objects.filter(
            name=name, parent__isnull=True, auto_dispatch_threshold__isnull=True
        ).update(auto_dispatch_threshold=threshold, updated_at=timezone.now())


@transaction.atomic
def load_time_limits() -> None:
    from civicgrid.cases.deadlines import DEFAULT_LIMITS

    for (urgency, step), (amount, unit) in DEFAULT_LIMITS.items():
        TimeLimitPolicy.objects.get_or_create(
            category=None, urgency=urgency, step=step, defaults={"amount": amount, "unit": unit}
        )
    # Complaints about building quality take longest in practice: 13 working days.
    quality = _category("城乡建设/工程质量")
    if quality is not None:
        TimeLimitPolicy.objects.get_or_create(
            category=quality,
            urgency=Urgency.NORMAL,
            step=Step.HANDLE,
            defaults={"amount": 13, "unit": LimitUnit.WORKING_DAYS},
        )


def _demo_grid_worker_scope() -> list[Region]:
    """The grids of the first urban community with several grids."""
    for community in Region.objects.filter(level=Level.COMMUNITY, code__startswith="370502001"):
        grids = list(community.children.filter(level=Level.GRID))
        if len(grids) >= 3:
            return grids
    return list(Region.objects.filter(level=Level.GRID)[:3])


def _demo_community() -> Region:
    """The community of the demo grid worker's grids (it rates the departments)."""
    grids = _demo_grid_worker_scope()
    return grids[0].parent if grids and grids[0].parent else _district()


def _scope_text(regions, department) -> str:
    scope = department.name if department else "、".join(r.name for r in regions[:3])
    if len(regions) > 3:
        scope += _(" and %(n)d more") % {"n": len(regions) - 3}
    return scope


@transaction.atomic
def load_accounts() -> list[DemoAccount]:
    district = _district()
    street = district.children.filter(level=Level.STREET).order_by("code").first()
    grids = _demo_grid_worker_scope()
    departments = {d.code: d for d in Department.objects.all()}
    # username, name, grants: (role, regions, department), the first grant is home.
    specs: list[tuple[str, str, list[tuple[str, list[Region], Department | None]]]] = [
        ("admin", "系统管理员", [(Role.ADMIN, [district], None)]),
        ("operator", "王话务", [(Role.OPERATOR, [district], None)]),
        ("dispatcher", "李派单", [(Role.DISPATCHER, [district], None)]),
        # The city's centre: what the district escalates to the city lands in its queue.
        ("citydispatcher", "冯市派", [(Role.DISPATCHER, [district.parent or district], None)]),
        ("handler", "赵执法", [(Role.HANDLER, [], departments["ZFJ"])]),
        ("handler_zjj", "钱住建", [(Role.HANDLER, [], departments["ZJJ"])]),
        ("gridworker", "孙网格", [(Role.GRID_WORKER, grids, None)]),
        ("leader", "周主任", [(Role.LEADER, [district], None)]),
        ("mediator", "吴调解", [(Role.MEDIATOR, [district], None)]),
        # Discipline inspection (纪检监察), watching the law-enforcement bureau.
        ("inspector", "陈纪检", [(Role.INSPECTOR, [], departments["ZFJ"])]),
        # The emergency command room (应急指挥中心) on duty for the district.
        ("commander", "韩应急", [(Role.COMMANDER, [district], None)]),
        # The assessment officer (考核办), and a community that rates the departments.
        ("assessor", "韩考核", [(Role.ASSESSOR, [district], None)]),
        # The court's liaison (法院联络员) at the centre: what the court sent, and back.
        ("liaison", "钟法联", [(Role.COURT_LIAISON, [district], None)]),
        ("community", "何社区", [(Role.LEADER, [_demo_community()], None)]),
        # One official, two roles: dispatches for the district, mediates in one street.
        (
            "official",
            "郑双岗",
            [(Role.DISPATCHER, [district], None), (Role.MEDIATOR, [street or district], None)],
        ),
    ]
    accounts = []
    for username, name, grants in specs:
        user = User.objects.filter(username=username).first()
        if user is None:
            is_admin = grants[0][0] == Role.ADMIN
            user = User(username=username, first_name=name)
            user.is_staff = user.is_superuser = is_admin
            user.set_password(DEMO_PASSWORD)
            user.save()
            for role, regions, department in grants:
                grant_role(user, role, regions=regions, department=department)
        for role, regions, department in grants:
            scope = _scope_text(regions, department)
            accounts.append(DemoAccount(username, str(Role(role).label), name, scope))
    _department_handlers(departments)
    return accounts


def _department_handlers(departments: dict) -> None:
    """One more handler per department (h-<code>), so every bureau can log in."""
    for code, department in departments.items():
        username = f"h-{code.lower()}"
        if (
            department.grants.filter(role=Role.HANDLER).exists()
            or User.objects.filter(username=username).exists()
        ):
            continue
        user = User(username=username, first_name=department.name[:30])
        user.set_password(DEMO_PASSWORD)
        user.save()
        grant_role(user, Role.HANDLER, department=department)


LABEL_TO_CATEGORY = {
    "城乡建设": "城乡建设/城市建设和市政管理",
    "环境保护": "环境保护/环境污染",
    "交通运输": "交通运输/交通运输",
    "教育文体": "教育文体/教育行政管理",
    "劳动和社会保障": "劳动和社会保障/劳动关系",
    "商贸旅游": "商贸旅游/市场监管",
    "卫生计生": "卫生计生/公共卫生",
}


def load_sample_cases(progress: bool, count: int = 80) -> None:
    """Real citizen messages (anonymised by their publisher) placed in random grids."""
    from civicgrid.cases import services
    from civicgrid.cases.lifecycle import Action
    from civicgrid.cases.models import Case
    from civicgrid.routing.services import suggest

    if Case.objects.exists():
        return
    rng = random.Random(2026)
    users = {u.username: u for u in User.objects.all()}
    grids = list(Region.objects.filter(level=Level.GRID, code__startswith="370502"))
    worker_grids = set(
        Region.objects.filter(grants__user=users["gridworker"]).values_list("pk", flat=True)
    )
    with open(DATA / "messages_sample.csv", encoding="utf-8") as f:
        messages = list(csv.DictReader(f))
    rng.shuffle(messages)
    for i, message in enumerate(tqdm(messages[:count], disable=not progress, desc=_("cases"))):
        category = _category(LABEL_TO_CATEGORY[message["label"]])
        grid = rng.choice([g for g in grids if g.pk in worker_grids] if i % 5 == 0 else grids)
        intake = services.Intake(
            channel=rng.choice(["hotline", "hotline", "web", "grid_patrol"]),
            title=message["title"][:200],
            content=message["detail"] or message["title"],
            category=category,
            request_type=rng.choice(["complaint", "help", "inquiry"]),
            lng=grid.centroid_lng,
            lat=grid.centroid_lat,
            datum="wgs84",
            reporter_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
            reporter_phone=f"13{rng.randint(100000000, 999999999)}",
        )
        case = services.register_case(intake, actor=users["operator"])
        _advance(case, rng.randint(0, 6), users, suggest, Action, services)


def _advance(case, steps, users, suggest, action, services) -> None:
    """Walk a demo case some way round the loop, as the staff would."""
    main, co = suggest(case.category, case.grid)
    if steps == 0 or main is None:
        return
    services.act(
        case,
        action.DISPATCH,
        actor=users["dispatcher"],
        main_department=main,
        co_departments=co,
        note="请按职责办理",
    )
    handler = User.objects.filter(grants__role=Role.HANDLER, grants__department=main).first()
    if steps == 1 or handler is None:
        return
    services.act(case, action.ACKNOWLEDGE, actor=handler)
    if steps == 2:
        return
    services.act(case, action.REPLY, actor=handler, reply="已到现场处理完毕，问题已解决。")
    if steps == 3:
        return
    services.act(case, action.VERIFY_PASS, actor=users["dispatcher"], note="现场核查属实")
    if steps == 4:
        if case.pk % 2 == 0:  # some callers did not answer: tried again later (回访)
            services.act(
                case, action.CALLBACK, actor=users["operator"], outcome="no_answer", note="无人接听"
            )
        return
    services.act(case, action.CALLBACK, actor=users["operator"], rating="satisfied")
    services.act(case, action.CLOSE, actor=users["operator"])


def print_accounts(accounts: list[DemoAccount]) -> None:
    print("\n" + _("Demo accounts (password: %(pw)s)") % {"pw": DEMO_PASSWORD})  # noqa: T201
    width = max(len(a.username) for a in accounts) + 2
    previous = ""
    for a in accounts:
        # A person with several grants: one line per grant, the name once.
        who = "" if a.username == previous else a.username
        previous = a.username
        print(f"  {who:<{width}} {a.role:<20} {a.name}  [{a.scope}]")  # noqa: T201
    print(_("  …and one handler per department: h-<department code>, e.g. h-gd, h-jd370502001"))  # noqa: T201
    print_demo_client()
    print_demo_110()
