"""A citizen files a photo report on a phone, follows the link and rates the reply.

Headless Chromium at 390 × 844 on the demo district; the staff steps between (dispatch,
acknowledge, reply, site check) go through the services. Screenshots of each page go
to ``test-artifacts/citizen-*.png`` for people to look at.
"""

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from civicgrid.accounts.models import User
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Channel, Rating, Status
from civicgrid.cases.services import Intake, register_case
from civicgrid.demo import load
from civicgrid.duplicates.neighbours import build_grid_neighbours
from civicgrid.routing.models import Category

DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_city(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    build_grid_neighbours()


def solve(question: str) -> str:
    """The check question in either language: 三 加 五 / 3 plus 5."""
    numbers = [DIGITS.get(c, c) for c in re.findall(r"\d+|[零一二三四五六七八九]", question)]
    a, b = (int(n) for n in numbers[:2])
    return str(a - b if ("minus" in question or "减" in question) else a + b)


def phone_photo(path: Path) -> Path:
    """A camera-like JPEG with GPS and a sideways orientation."""
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    image.paste((60, 60, 60), (0, 300, 640, 480))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (37.0, 27.0, 30.0), 3: "E", 4: (118.0, 30.0, 15.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def test_a_citizen_reports_with_a_photo_on_a_phone_and_rates_the_reply(
    demo_city,
    live_server,
    tmp_path,
    shot,
    new_page,
):
    # Citizens pick from the first two levels of the taxonomy.
    category = Category.objects.get(name="城市建设和市政管理", parent__name="城乡建设")
    worker = User.objects.get(username="gridworker")
    grid = worker.grants.get().regions.order_by("code").first()
    # Someone else already reported a problem there: "same problem?" lists it. (A photo
    # report: a hotline call is never published, so it would not be listed.)
    register_case(
        Intake(
            channel=Channel.CITIZEN,
            title="路口井盖松动，车过有响声",
            content="路口井盖松动",
            category=category,
            lng=grid.centroid_lng,
            lat=grid.centroid_lat,
            reporter_phone="13800000000",
        ),
        actor=User.objects.get(username="operator"),
    )

    page = new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lng},
        permissions=["geolocation"],
    )

    # 1. The report form, photo from the gallery, position from the phone.
    page.goto(f"{live_server.url}/report/")
    shot(page, "citizen-01-form")
    page.set_input_files("input[name=photos]", str(phone_photo(tmp_path / "IMG_2041.jpg")))
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_description", "小区北门外三盏路灯连续三晚不亮，老人夜里出行不便。")
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('#id_lng').value !== ''")
    page.wait_for_selector(".nearby-item")
    assert "井盖松动" in page.locator("#nearby").inner_text()
    page.fill("#id_phone", "13905461234")
    page.fill("#id_answer", solve(page.locator(".question").inner_text()))
    page.check("#id_consent")
    shot(page, "citizen-02-filled")
    with page.expect_navigation():
        page.click("[data-submit]")

    # 2. The case number and the private link, at once.
    shot(page, "citizen-03-confirmation")
    number = page.locator("[data-case-number]").inner_text().strip()
    link = page.locator("[data-tracking-link]").input_value()
    case = Case.objects.get(number=number)
    assert case.channel == Channel.CITIZEN
    assert case.grid == grid
    assert case.attachments.count() == 1
    stored = Image.open(case.attachments.get().file.open("rb"))
    assert stored.size == (480, 640)
    assert dict(stored.getexif()) == {}

    # 3. Staff handle it (services), the citizen opens the link.
    dispatcher = User.objects.get(username="dispatcher")
    handler = User.objects.get(username="handler")
    bureau = handler.grants.get().department
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    lifecycle.apply(case, Action.ACKNOWLEDGE, actor=handler)
    lifecycle.apply(case, Action.REPLY, actor=handler, reply="已更换三盏路灯灯泡，现已恢复照明。")
    lifecycle.apply(case, Action.VERIFY_PASS, actor=worker, note="现场查看，路灯已亮")
    page.goto(link)
    shot(page, "citizen-04-tracking")
    assert "已更换三盏路灯灯泡" in page.locator(".reply-card").inner_text()
    assert bureau.name in page.locator("[data-timeline]").inner_text()

    # 4. The rating: the callback, without a phone call.
    page.locator("label.rating-satisfied").click()
    page.fill("#id_comment", "修得很快，谢谢")
    with page.expect_navigation():
        page.click(".rate-card button[type=submit]")
    shot(page, "citizen-05-rated")
    case.refresh_from_db()
    assert case.status == Status.RATED
    assert case.rating == Rating.SATISFIED
    assert page.locator(".rate-card .tag").count() == 1
    page.context.close()
