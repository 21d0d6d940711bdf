"""Plain factory functions for tests: users and cases, plus the test district
(``regions.tests.factories``) and departments and categories (``routing.tests.factories``),
so upper apps need one import.
"""

import io
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import grant_role
from civicgrid.cases.services import Intake, register_case
from civicgrid.regions.tests.factories import STEP, X0, Y0, make_district, point_in
from civicgrid.routing.tests.factories import make_category, make_department, make_rule

__all__ = [
    "STEP",
    "X0",
    "Y0",
    "make_case",
    "make_category",
    "make_department",
    "make_district",
    "make_image",
    "make_integration_account",
    "make_rule",
    "make_user",
    "point_in",
]

_seq = count(1)


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
