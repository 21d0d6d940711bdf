"""The photo report (随手拍): no account, a case number and a private link at once."""

import io
import re

import pytest
from django.conf import settings
from PIL import Image

from civicgrid.cases.models import Attachment, Case, CaseEvent, Channel
from civicgrid.citizens.models import Tracking, TrackingRole, token_hash

from .conftest import open_form, photo, report_data

pytestmark = pytest.mark.django_db


def _files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_a_citizen_files_a_photo_report_and_gets_a_number_and_a_private_link(
    client, district, category, media_in_tmp
):
    data = report_data(client, district["grid11"], category=str(category.pk))
    response = client.post("/report/", {**data, "photos": photo()})

    assert response.status_code == 200
    html = response.content.decode()
    case = Case.objects.get()
    assert case.number in html
    token = re.search(r"/track/([A-Za-z0-9_\-]+)/", html).group(1)
    assert "Keep this link" in html
    # Only the token's hash is stored; the link opens the case.
    tracking = Tracking.objects.get()
    assert tracking.token_hash == token_hash(token) != token
    assert tracking.case == case
    assert tracking.role == TrackingRole.REPORTER
    assert client.get(f"/track/{token}/").status_code == 200
    # Registered as the citizen channel, with no staff account, at the grid's district.
    assert case.channel == Channel.CITIZEN
    assert case.created_by is None
    assert case.grid == district["grid11"]
    assert case.owner_region == district["district"]
    assert case.category == category
    assert case.reporter_phone == "13812345678"
    assert case.title == "小区北门路灯坏了三天，晚上很黑"
    event = CaseEvent.objects.get(case=case, action="register")
    assert event.data["channel"] == Channel.CITIZEN
    assert event.actor is None
    assert list(event.attachments.all()) == list(case.attachments.all())


def test_the_stored_photo_is_upright_and_carries_no_gps_or_other_metadata(
    client, district, media_in_tmp
):
    data = report_data(client, district["grid11"])
    client.post("/report/", {**data, "photos": photo()})

    stored = Attachment.objects.get()
    raw = stored.file.open("rb").read()
    assert b"Exif" not in raw
    assert b"SecretPhone" not in raw
    assert b"Owner Name" not in raw
    image = Image.open(io.BytesIO(raw))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "icc_profile" not in image.info
    assert "exif" not in image.info
    # Orientation 6 (turn 90° clockwise): the 40×20 photo is stored 20×40, red on top.
    assert image.size == (20, 40)
    assert image.getpixel((10, 5))[0] > 200  # red
    assert image.getpixel((10, 35))[2] > 200  # blue
    assert stored.content_type == "image/jpeg"
    assert stored.name == "photo-1.jpg"
    # Nothing else was written: no original kept beside it.
    assert len(_files(media_in_tmp)) == 1


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(
    client, district, media_in_tmp
):
    data = report_data(client, district["grid11"])
    fake = photo("evil.jpg", b"%PDF-1.4 not an image at all", "image/jpeg")
    response = client.post("/report/", {**data, "photos": fake})

    assert response.status_code == 400
    assert "“evil.jpg” is not a JPEG, PNG or WebP photo." in response.content.decode()
    assert Case.objects.count() == 0
    assert _files(media_in_tmp) == []


def test_a_photo_over_10_mb_is_refused(client, district, media_in_tmp):
    data = report_data(client, district["grid11"])
    big = photo("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024), "image/jpeg")
    response = client.post("/report/", {**data, "photos": big})

    assert response.status_code == 400
    assert "“big.jpg” is larger than 10 MB." in response.content.decode()
    assert Case.objects.count() == 0
    assert _files(media_in_tmp) == []


def test_more_than_six_photos_are_refused(client, district):
    data = report_data(client, district["grid11"])
    response = client.post("/report/", {**data, "photos": [photo(f"p{i}.jpg") for i in range(7)]})

    assert response.status_code == 400
    assert "At most 6 photos, please." in response.content.decode()
    assert Case.objects.count() == 0


def test_png_and_webp_photos_are_taken(client, district):
    images = []
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (30, 30), "green").save(out, fmt)
        images.append(photo(f"x.{fmt.lower()}", out.getvalue(), mime))
    data = report_data(client, district["grid11"])
    response = client.post("/report/", {**data, "photos": images})

    assert response.status_code == 200
    assert sorted(a.content_type for a in Attachment.objects.all()) == ["image/jpeg"] * 2


def test_a_wrong_answer_to_the_check_question_creates_nothing(client, district):
    data = report_data(client, district["grid11"])
    data["answer"] = str(int(data["answer"]) + 1)
    response = client.post("/report/", data)

    assert response.status_code == 400
    assert "That answer is not right" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_check_answer_cannot_be_reused_with_another_form(client, district):
    first, second = open_form(client), open_form(client)
    data = report_data(client, district["grid11"])
    data.update(key=second["key"], challenge=first["challenge"], answer=first["answer"])
    response = client.post("/report/", data)

    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_a_script_filling_the_hidden_field_is_refused(client, district):
    data = report_data(client, district["grid11"], website="http://spam.example")
    response = client.post("/report/", data)

    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_a_resend_of_the_same_form_files_one_case_and_shows_a_link_again(client, district):
    data = report_data(client, district["grid11"])
    first = client.post("/report/", {**data, "photos": photo()})
    again = client.post("/report/", {**data, "photos": photo()})

    assert first.status_code == again.status_code == 200
    case = Case.objects.get()
    assert case.number in again.content.decode()
    assert case.attachments.count() == 1
    token = re.search(r"/track/([A-Za-z0-9_\-]+)/", again.content.decode()).group(1)
    assert client.get(f"/track/{token}/").status_code == 200


def test_an_address_alone_is_accepted_and_the_case_waits_for_placement(client, district):
    data = report_data(client, None, address="西二路5号公交站旁")
    response = client.post("/report/", data)

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.needs_placement is True
    assert case.address == "西二路5号公交站旁"
    # Unplaced, it still lands at a district centre, where dispatchers see it.
    assert case.owner_region == district["district"]


def test_a_report_without_position_or_address_is_refused(client, district):
    response = client.post("/report/", report_data(client, None))

    assert response.status_code == 400
    assert "Share your position, pin it on the map, or type the address." in (
        response.content.decode()
    )
    assert Case.objects.count() == 0


def test_consent_and_a_phone_are_required(client, district):
    data = report_data(client, district["grid11"], phone="12")
    del data["consent"]
    response = client.post("/report/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please read and accept how your report is used." in html
    assert "This does not look like a phone number." in html
    assert Case.objects.count() == 0


def test_the_public_pages_need_no_login_and_speak_chinese_by_default(client, district):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/report/")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
    # The language switch works for someone without an account.
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/report/"}, follow=True)
    assert '<html lang="en">' in switched.content.decode()
    assert "Report a problem" in switched.content.decode()
    assert client.get("/results/").status_code == 200


def test_a_report_sent_without_a_multipart_boundary_is_a_clear_400(client, district):
    response = client.generic(
        "POST",
        "/report/",
        b'--x\r\nContent-Disposition: form-data; name="phone"\r\n\r\n1\r\n--x--\r\n',
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "could not be read" in html
    assert not Case.objects.exists()
