"""Demo early warning (预警): a few categories rising sharply in a street today, so the one
screen shows surge notices. The cases are registered as the hotline would, then the
early-warning rule (``analytics.warning``) raises the notices from them, as
``civicgrid early-warning`` does every hour."""

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.analytics.models import SurgeNotice
from civicgrid.analytics.warning import raise_notices
from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category

# (street position among the district's streets, category name, cases today, title)
SURGES = (
    (0, "城市公共设施", 9, "小区路灯成片不亮"),
    (2, "噪音污染", 7, "夜间施工噪声扰民"),
    (4, "自来水供应", 6, "片区停水未通知"),
)
PREFIX = "预警演示："


def load_demo(district_code: str) -> list[SurgeNotice]:
    """Register today's rising cases once and raise their notices; the notices raised."""
    today = timezone.localdate()
    if Case.objects.filter(title__startswith=PREFIX, created_at__date=today).exists():
        return []
    district = Region.objects.filter(code=district_code).first()
    operator = User.objects.filter(username="operator").first()
    if district is None or operator is None:
        return []
    streets = list(
        Region.objects.filter(level=Level.STREET, path__startswith=district.path)
        .defer("boundary")
        .order_by("code")
    )
    for position, category_name, count, title in SURGES:
        if not streets:
            break
        street = streets[position % len(streets)]
        category = Category.objects.filter(name=category_name, active=True).first()
        grids = list(
            Region.objects.filter(level=Level.GRID, path__startswith=street.path)
            .defer("boundary")
            .order_by("code")[:count]
        )
        if category is None or not grids:
            continue
        for i in range(count):
            grid = grids[i % len(grids)]
            services.register_case(
                services.Intake(
                    channel="hotline",
                    title=f"{PREFIX}{title}",
                    content=f"{title}，附近居民反映较多，请尽快处理。",
                    category=category,
                    request_type="complaint",
                    lng=grid.centroid_lng,
                    lat=grid.centroid_lat,
                    datum="wgs84",
                    reporter_name="居民",
                    reporter_phone=f"1390537{i:04d}",
                ),
                actor=operator,
            )
    return raise_notices(today)
