"""The demo's three alert sources, one per adapter, with published secrets.

Like the demo passwords, the secrets are in this file: never use them outside the
demo (rotate them in the admin). ``civicgrid send-test-alert <slug>`` posts a sample.
"""

from django.db import transaction

from civicgrid.alerts.models import AlertSource, SourceKind
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category

# (name, slug, kind, secret, {alert type: category path in the demo taxonomy}, options)
DEMO_SOURCES = [
    (
        "东营区水位监测平台",
        "dongying-flood",
        SourceKind.FLOOD,
        "demo-flood-secret-do-not-use-in-production",
        {"high_water": "农村农业/水利水电/防汛抗旱"},
        {"threshold_m": 2.8, "urgent_margin_m": 0.5},
    ),
    (
        "东营区智慧消防平台",
        "dongying-fire",
        SourceKind.FIRE,
        "demo-fire-secret-do-not-use-in-production",
        {t: "城乡建设/安全生产/安全隐患" for t in ("smoke", "temperature", "electrical")},
        {},
    ),
    (
        "东营区视频智能分析平台",
        "dongying-video",
        SourceKind.VIDEO,
        "demo-video-secret-do-not-use-in-production",
        {
            "illegal_parking": "城乡建设/城市建设和市政管理/城管执法",
            "street_vending": "城乡建设/城市建设和市政管理/城管执法",
        },
        {},
    ),
]


def category_code(path: str) -> str | None:
    """The code of the category at a name path (一级/二级/三级), or None."""
    names = path.split("/")
    query = Category.objects.filter(name=names[-1])
    lookup = "parent"
    for name in reversed(names[:-1]):
        query = query.filter(**{f"{lookup}__name": name})
        lookup += "__parent"
    query = query.filter(**{f"{lookup}__isnull": True})
    return query.values_list("code", flat=True).first()


@transaction.atomic
def load_demo(district_code: str = "370502000000") -> list[AlertSource]:
    """Create the demo alert sources once; safe to run again (existing ones are kept)."""
    district = Region.objects.filter(code=district_code, level=Level.DISTRICT).first()
    if district is None:
        return []
    sources = []
    for name, slug, kind, secret, paths, options in DEMO_SOURCES:
        source = AlertSource.objects.filter(slug=slug).first()
        if source is None:
            codes = {t: code for t, path in paths.items() if (code := category_code(path))}
            source = AlertSource.objects.create(
                name=name,
                slug=slug,
                kind=kind,
                secret=secret,
                region=district,
                options={**options, "categories": codes},
            )
        sources.append(source)
    return sources
