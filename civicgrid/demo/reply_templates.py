"""The demo's reply templates (常用语): a few standard phrases, written for the demo.

Each is (title, text, category path or None for every category, owning department's
code or None for shared, order). Loading again updates them by title and department.
"""

from django.db import transaction

from civicgrid.cases.models import ReplyTemplate
from civicgrid.routing.models import Category, Department

PUBLIC_WORKS = "城乡建设/城市建设和市政管理/城市公共设施"
SANITATION = "城乡建设/城市建设和市政管理/环境卫生"
CITY_MANAGEMENT = "城乡建设/城市建设和市政管理"
HEATING = "城乡建设/城市建设和市政管理/冬季采暖"
ESTATES = "城乡建设/城市建设和市政管理/小区管理"
NOISE = "环境保护/环境污染/噪音污染"

TEMPLATES: list[tuple[str, str, str | None, str | None, int]] = [
    (
        "答复开头",
        "您好！关于您反映的问题（工单号{case_number}），经核实，现答复如下：",
        None,
        None,
        10,
    ),
    (
        "答复结尾",
        "如仍有疑问，可拨打12345热线或通过“随手拍”继续反映。感谢您对我们工作的理解与支持！",
        None,
        None,
        90,
    ),
    (
        "咨询已电话解答",
        "您咨询的问题已在电话中为您详细解答。如需办理相关业务，请携带有效身份证件到"
        "区政务服务中心相应窗口办理。",
        None,
        None,
        50,
    ),
    (
        "路灯已修复",
        "经现场核查，您反映的路灯不亮问题属实。我局已于{date}安排维修人员更换灯具，"
        "目前已恢复正常照明。",
        PUBLIC_WORKS,
        "ZFJ",
        10,
    ),
    (
        "井盖已更换",
        "经现场核查，破损井盖已于{date}更换完毕，现场已清理，安全隐患已消除。",
        PUBLIC_WORKS,
        "ZFJ",
        20,
    ),
    (
        "垃圾已清运",
        "接到反映后，环卫作业人员已于{date}将该处堆积垃圾清运完毕，并增加了该路段的保洁频次。",
        SANITATION,
        "ZFJ",
        10,
    ),
    (
        "占道经营已劝离",
        "执法队员已到现场，对占道经营的商户进行了劝离和教育，并将该路段列为日常巡查重点。",
        CITY_MANAGEMENT,
        "ZFJ",
        40,
    ),
    (
        "供暖温度答复口径",
        "按照规定，供暖期内居民卧室、起居室温度应不低于18℃。已通知供热单位入户测温，"
        "不达标的将限期整改。",
        HEATING,
        None,
        10,
    ),
    (
        "物业服务问题已约谈",
        "我局已约谈该小区物业服务企业，责令其在5个工作日内整改，并将跟踪督促整改落实。",
        ESTATES,
        "ZJJ",
        10,
    ),
    (
        "夜间施工噪音已查处",
        "经查，该工地未办理夜间施工许可。我局已责令其立即停止夜间作业，并依法立案调查。",
        NOISE,
        "HBJ",
        10,
    ),
]


def _category(path: str) -> Category | None:
    top, middle, leaf = (path.split("/") + [None, None])[:3]
    query = Category.objects.filter(parent__isnull=True, name=top)
    if middle:
        query = Category.objects.filter(name=middle, parent__name=top, parent__parent=None)
    if leaf:
        query = Category.objects.filter(
            name=leaf, parent__name=middle, parent__parent__name=top, parent__parent__parent=None
        )
    return query.first()


@transaction.atomic
def load_demo() -> int:
    """Load the demo's templates; those whose category or department is missing are skipped."""
    departments = {d.code: d for d in Department.objects.all()}
    loaded = 0
    for title, text, path, department_code, position in TEMPLATES:
        category = _category(path) if path else None
        department = departments.get(department_code) if department_code else None
        if (path and category is None) or (department_code and department is None):
            continue
        ReplyTemplate.objects.update_or_create(
            title=title,
            department=department,
            defaults={"text": text, "category": category, "position": position, "active": True},
        )
        loaded += 1
    return loaded
