"""Plain factory functions for tests: a small square district, departments, cases.

The test district is a 2 × 2 km square split into two streets, each with one
community of two grids, so tests know exactly which point lands in which grid.
"""

import io
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from shapely.geometry import box, mapping

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import grant_role
from civicgrid.cases.services import Intake, register_case
from civicgrid.regions.models import GridKind, Level, Region
from civicgrid.routing.models import Category, Department, DepartmentKind, RoutingRule

_seq = count(1)

# Lower-left corner of the test district (WGS84), far from the demo district.
X0, Y0 = 100.50, 30.45
STEP = 0.01  # about 1 km


def _region(code, name, level, parent=None, bounds=None, kind=""):
    boundary = mapping(box(*bounds)) if bounds else None
    centre = box(*bounds).centroid if bounds else None
    region, _created = Region.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "grid_kind": kind,
            "boundary": boundary,
            "centroid_lng": centre.x if centre else None,
            "centroid_lat": centre.y if centre else None,
        },
    )
    return region


def make_district(prefix: str = "3799", name: str = "测试区") -> dict:
    """A district with 2 streets × 1 community × 2 grids; returns the regions by key.

    Each prefix gets its own place on the map, so two test districts never overlap.
    """
    x0 = X0 + (int(prefix) % 100) * 0.1
    city = _region(f"{prefix}00000000", "测试市", Level.CITY)
    district = _region(
        f"{prefix}01000000", name, Level.DISTRICT, city, (x0, Y0, x0 + 4 * STEP, Y0 + 2 * STEP)
    )
    regions = {"city": city, "district": district}
    for s in (1, 2):
        x = x0 + (s - 1) * 2 * STEP
        street = _region(
            f"{prefix}0100{s}000",
            f"第{s}街道",
            Level.STREET,
            district,
            (x, Y0, x + 2 * STEP, Y0 + 2 * STEP),
        )
        community = _region(
            f"{prefix}0100{s}001",
            f"第{s}社区",
            Level.COMMUNITY,
            street,
            (x, Y0, x + 2 * STEP, Y0 + 2 * STEP),
        )
        regions[f"street{s}"], regions[f"community{s}"] = street, community
        for g in (1, 2):
            gx = x + (g - 1) * STEP
            regions[f"grid{s}{g}"] = _region(
                f"{community.code}00{g}",
                f"第{s}社区第{g}网格",
                Level.GRID,
                community,
                (gx, Y0, gx + STEP, Y0 + 2 * STEP),
                GridKind.BASIC,
            )
    from civicgrid.regions import locator

    locator.refresh()
    return regions


def point_in(grid: Region) -> tuple[float, float]:
    """(lng, lat) in WGS84 at the centre of a test grid."""
    return grid.centroid_lng, grid.centroid_lat


def make_department(name: str = "城市管理局", **overrides) -> Department:
    code = overrides.pop("code", f"D{next(_seq):04d}")
    return Department.objects.create(
        code=code, name=name, kind=overrides.pop("kind", DepartmentKind.BUREAU), **overrides
    )


def make_category(name: str = "市容环境", **overrides) -> Category:
    code = overrides.pop("code", f"C{next(_seq):04d}")
    return Category.objects.create(code=code, name=name, **overrides)


def make_rule(category, main_department, region=None, co=()) -> RoutingRule:
    rule = RoutingRule.objects.create(
        category=category, region=region, main_department=main_department
    )
    rule.co_departments.set(co)
    return rule


def make_user(role: str, *, regions=(), department=None, username: str = "") -> User:
    """A person holding one role grant with this scope."""
    user = User.objects.create_user(
        username=username or f"{role}{next(_seq)}", password="pw-for-tests", first_name=role
    )
    grant_role(user, role, regions=regions, department=department)
    return user


def make_integration_account(kind: str, *, regions=(), username: str = "") -> User:
    """Another system's account (110, an Open311 client): no password, its own door only."""
    user = User.objects.create_user(
        username=username or f"{kind}{next(_seq)}", integration=kind, first_name=kind
    )
    grant_role(user, Role.INTEGRATION, regions=regions)
    return user


def make_case(*, actor, grid=None, category=None, **overrides):
    lng, lat = point_in(grid) if grid is not None else (None, None)
    intake = Intake(
        channel=overrides.pop("channel", "hotline"),
        title=overrides.pop("title", "路灯不亮"),
        content=overrides.pop("content", "小区门口的路灯坏了三天，晚上很黑。"),
        category=category,
        lng=overrides.pop("lng", lng),
        lat=overrides.pop("lat", lat),
        reporter_name=overrides.pop("reporter_name", "张三"),
        reporter_phone=overrides.pop("reporter_phone", "13812345678"),
        **overrides,
    )
    return register_case(intake, actor=actor)


ROLES = Role


GPS_IFD = 0x8825


def make_image(name: str = "现场.jpg", *, size=(40, 20), gps: bool = False) -> SimpleUploadedFile:
    """An upload of a real image (its format from the name), red left and blue right.

    With ``gps``, a JPEG carries what a phone writes: a GPS fix, the make, the owner.
    """
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    fmt = {"png": "PNG", "webp": "WEBP", "gif": "GIF"}.get(name.rsplit(".", 1)[-1], "JPEG")
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretPhone"  # Make
        exif[0x013B] = "Owner Name"  # Artist
        exif[GPS_IFD] = {1: "N", 2: (37.0, 27.0, 30.0), 3: "E", 4: (118.0, 30.0, 15.0)}
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return SimpleUploadedFile(name, out.getvalue(), f"image/{fmt.lower()}")
