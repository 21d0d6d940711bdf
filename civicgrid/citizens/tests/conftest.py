"""Helpers for the citizens' tests: the public form as a browser fills it, photos, the loop."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f

ORIENTATION = 0x0112
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a fresh folder per test (local storage)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def solve(question: str) -> str:
    """The answer to the check question as the English page asks it."""
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    return str(a + b if "plus" in question else a - b)


def open_form(client) -> dict:
    """GET /report/ and read what the page gives: the key, the signed check, the question."""
    page = client.get("/report/")
    assert page.status_code == 200
    html = page.content.decode()
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    question = re.search(r'class="question">([^<]+)<', html).group(1)
    return {"key": key, "challenge": token, "answer": solve(question)}


def report_data(client, grid=None, **overrides) -> dict:
    """A complete, valid report form (position at the centre of ``grid``)."""
    data = {
        **open_form(client),
        "description": "小区北门路灯坏了三天，晚上很黑",
        "phone": "13812345678",
        "name": "李四",
        "consent": "on",
        "address": "",
        "datum": "wgs84",
    }
    if grid is not None:
        data["lng"], data["lat"] = f.point_in(grid)
    data.update(overrides)
    return data


def jpeg_with_gps(size=(40, 20), orientation=6) -> bytes:
    """A JPEG whose left half is red and right half blue, with GPS, a make and orientation."""
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "SecretPhone"  # Make
    exif[0x013B] = "Owner Name"  # Artist
    exif[GPS_IFD] = {1: "N", 2: (37.0, 27.0, 30.0), 3: "E", 4: (118.0, 30.0, 15.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def photo(name="IMG_0001.jpg", content=None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_with_gps(), content_type)


def drive(case, to: str, *, dispatcher, handler, grid_worker, operator=None, bureau=None):
    """Move ``case`` through the loop as staff would, up to the action ``to`` (inclusive)."""
    main = bureau or handler.grants.get().department
    steps = [
        (Action.DISPATCH, dispatcher, {"main_department": main}),
        (Action.ACKNOWLEDGE, handler, {}),
        (Action.REPLY, handler, {"reply": "已更换路灯灯泡，现已恢复照明。咨询电话 05468888888"}),
        (Action.VERIFY_PASS, grid_worker, {}),
        (Action.CALLBACK, operator, {"rating": "satisfied"}),
        (Action.CLOSE, operator, {}),
    ]
    for action, actor, data in steps:
        note = "请尽快处理" if action == Action.DISPATCH else ""
        lifecycle.apply(case, action, actor=actor, note=note, **data)
        case.refresh_from_db()
        if action == to:
            return case
    return case
