"""Files on cases: told by their bytes, images cleaned, served only through the scope check."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Attachment
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import intake_data

CASES = "/api/cases"
OOXML = "application/vnd.openxmlformats-officedocument"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def handled(new_case, dispatcher, bureau):
    """The test case, dispatched to the handler's bureau (so the handler sees it)."""
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    return new_case


def bearer(user) -> dict:
    """The token header, asking for messages in English."""
    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def upload(user, case, file):
    return Client().post(f"{CASES}/{case.number}/attachments", {"file": file}, headers=bearer(user))


def office(part: str) -> bytes:
    """A minimal Office Open XML zip: a Word document (``word/``) or a workbook (``xl/``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(f"{part}/document.xml", "<document/>")
    return out.getvalue()


def assert_bare(stored: Attachment):
    raw = stored.file.open("rb").read()
    for secret in (b"Exif", b"SecretPhone", b"Owner Name"):
        assert secret not in raw
    image = Image.open(io.BytesIO(raw))
    assert dict(image.getexif()) == {}
    assert stored.content_type == f"image/{image.format.lower()}"


# --- what is kept ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_a_handler_attaches_through_the_api_is_stored_without_gps_or_exif(handled, handler):
    response = upload(handler, handled, f.make_image("现场.jpg", gps=True))

    assert response.status_code == 201, response.content
    stored = handled.attachments.get()
    assert_bare(stored)
    assert (stored.name, stored.content_type) == ("现场.jpg", "image/jpeg")
    assert response.json()["content_type"] == "image/jpeg"


@pytest.mark.django_db
def test_a_photo_attached_to_a_reply_on_the_page_is_stored_without_gps_or_exif(
    client, handled, handler
):
    client.force_login(handler)
    client.post(reverse("cases:act", args=[handled.number, Action.ACKNOWLEDGE]))
    response = client.post(
        reverse("cases:act", args=[handled.number, Action.REPLY]),
        {"reply-reply": "已修复。", "reply-files": [f.make_image("修好了.jpg", gps=True)]},
    )

    assert response.status_code == 302
    stored = handled.attachments.get()
    assert stored.event.action == Action.REPLY
    assert_bare(stored)


@pytest.mark.django_db
def test_the_stored_type_is_what_the_bytes_are_not_what_the_name_or_header_say(handled, handler):
    pdf = SimpleUploadedFile("scan.jpg", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", "image/jpeg")
    response = upload(handler, handled, pdf)

    assert response.status_code == 201, response.content
    stored = handled.attachments.get()
    assert stored.content_type == "application/pdf"
    # The download opens in a PDF reader, not an image viewer.
    assert stored.name == "scan.jpg.pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("报告.docx", office("word"), f"{OOXML}.wordprocessingml.document"),
        ("台账.xlsx", office("xl"), f"{OOXML}.spreadsheetml.sheet"),
        ("记录.txt", "现场记录：井盖已更换。\r\n".encode("gb18030"), "text/plain"),
    ],
    ids=["word", "excel", "gb18030-text"],
)
def test_documents_are_kept_as_sent_with_their_type(handled, handler, name, content, stored_type):
    response = upload(handler, handled, SimpleUploadedFile(name, content, "application/x-what"))

    assert response.status_code == 201, response.content
    stored = handled.attachments.get()
    assert (stored.name, stored.content_type) == (name, stored_type)
    assert stored.file.open("rb").read() == content


# --- what is refused ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_html_file_named_photo_jpg_is_refused_and_nothing_is_stored(
    handled, handler, media_in_tmp
):
    response = upload(handler, handled, SimpleUploadedFile("photo.jpg", HTML, "image/jpeg"))

    assert response.status_code == 400
    assert response.json()["message"] == (
        "“photo.jpg” is a web page or other markup; attach it as a PDF instead."
    )
    assert not handled.attachments.exists()
    assert not media_in_tmp.exists() or not any(p.is_file() for p in media_in_tmp.rglob("*"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tools.zip", office("misc")),  # a zip, but not an Office document
        ("setup.pdf", b"MZ\x90\x00" + b"\0" * 200),  # a Windows program named as a PDF
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 200),  # a JPEG signature, no image
    ],
    ids=["zip", "program", "broken-jpeg"],
)
def test_a_file_of_another_kind_is_refused_naming_it(client, operator, district, name, content):
    case = f.make_case(actor=operator, grid=district["grid11"])
    response = upload(operator, case, SimpleUploadedFile(name, content, "application/pdf"))

    assert response.status_code == 400
    message = f"“{name}” is not a photo, PDF, Word or text file (or an Excel sheet)."
    assert response.json()["message"] == message
    assert not case.attachments.exists()


def exe_named_jpg():
    """A Windows program renamed ``photo.jpg`` and sent as a JPEG."""
    return SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\0" * 200, "image/jpeg")


EXE_REFUSED = "“photo.jpg” is not a photo, PDF, Word or text file (or an Excel sheet)."


def test_a_program_renamed_jpg_is_refused_at_the_intake_form(client, operator, district, category):
    client.force_login(operator)
    data = intake_data(district, category, attachments=[exe_named_jpg()])
    response = client.post(reverse("cases:intake"), data)

    assert response.status_code == 400
    assert EXE_REFUSED in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_program_renamed_jpg_is_refused_with_a_reply(client, handled, handler):
    client.force_login(handler)
    client.post(reverse("cases:act", args=[handled.number, Action.ACKNOWLEDGE]))
    response = client.post(
        reverse("cases:act", args=[handled.number, Action.REPLY]),
        {"reply-reply": "已修复。", "reply-files": [exe_named_jpg()]},
        follow=True,
    )

    assert EXE_REFUSED in response.content.decode()
    assert not handled.attachments.exists()
    assert not handled.events.filter(action=Action.REPLY).exists()


@pytest.mark.django_db
def test_a_program_renamed_jpg_is_refused_when_a_file_is_added(handled, handler):
    response = upload(handler, handled, exe_named_jpg())

    assert response.status_code == 400
    assert response.json()["message"] == EXE_REFUSED
    assert not handled.attachments.exists()


# --- how files are sent back -------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_is_always_a_download_and_never_sniffed(client, handled, handler):
    notes = SimpleUploadedFile("notes.txt", b"Site visit done. <b>ok</b>", "text/html")
    stored = services.add_file(handled, notes, actor=handler)
    client.force_login(handler)
    response = client.get(reverse("cases:attachment", args=[handled.number, stored.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("encoding", "charset"), [("utf-8", "utf-8"), ("gb18030", "gb18030")], ids=["utf8", "gbk"]
)
def test_a_text_file_is_served_with_the_charset_it_was_written_in(
    client, handled, handler, dispatcher, encoding, charset
):
    text = "现场记录：井盖已更换，路面已恢复。\n"
    stored = services.add_file(
        handled, SimpleUploadedFile("记录.txt", text.encode(encoding)), actor=handler
    )
    client.force_login(handler)
    page = client.get(reverse("cases:attachment", args=[handled.number, stored.pk]))
    api = Client().get(f"{CASES}/{handled.number}/attachments/{stored.pk}", headers=bearer(handler))

    for response in (page, api):
        assert response["Content-Type"] == f"text/plain; charset={charset}"
        body = b"".join(response.streaming_content)
        assert body.decode(charset) == text


@pytest.mark.django_db
def test_a_file_stored_before_types_were_detected_is_never_served_as_html(
    client, new_case, operator
):
    # Earlier versions stored the type the sender claimed.
    old = Attachment.objects.create(
        case=new_case,
        file=SimpleUploadedFile("page.html", HTML),
        name="page.html",
        content_type="text/html",
        size=len(HTML),
    )
    client.force_login(operator)
    response = client.get(reverse("cases:attachment", args=[new_case.number, old.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_file_url_in_the_api_downloads_the_file_for_someone_who_sees_the_case(
    handled, handler, dispatcher
):
    upload(handler, handled, f.make_image("现场.jpg", gps=True))
    detail = Client().get(f"{CASES}/{handled.number}", headers=bearer(dispatcher)).json()
    (listed,) = detail["attachments"]
    stored = handled.attachments.get()

    assert listed["url"] == f"{CASES}/{handled.number}/attachments/{stored.pk}"
    response = Client().get(listed["url"], headers=bearer(dispatcher))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()


@pytest.mark.django_db
def test_the_file_url_is_a_404_for_an_outsider_and_for_another_case(
    handled, handler, outsider, operator, district
):
    upload(handler, handled, f.make_image("现场.jpg"))
    stored = handled.attachments.get()
    url = f"{CASES}/{handled.number}/attachments/{stored.pk}"
    other = f.make_case(actor=operator, grid=district["grid12"])

    refused = Client().get(url, headers=bearer(outsider))
    assert refused.status_code == 404
    assert refused.json()["message"] == f"There is no case {handled.number} that you can see."
    elsewhere = f"{CASES}/{other.number}/attachments/{stored.pk}"
    assert Client().get(elsewhere, headers=bearer(operator)).status_code == 404
    huge = f"{CASES}/{handled.number}/attachments/{10**30}"
    assert Client().get(huge, headers=bearer(operator)).status_code in (400, 404)


@pytest.mark.django_db
def test_stored_files_are_not_served_under_the_media_url(client, handled, handler, settings):
    stored = services.add_file(handled, f.make_image("现场.jpg"), actor=handler)
    client.force_login(handler)

    assert client.get(f"/{settings.MEDIA_URL}{stored.file.name}").status_code == 404


@pytest.mark.django_db
def test_the_admin_links_a_file_through_the_checked_view_not_the_media_url(
    admin_client, handled, handler
):
    stored = services.add_file(handled, f.make_image("现场.jpg"), actor=handler)
    page = admin_client.get(reverse("admin:cases_attachment_change", args=[stored.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("cases:attachment", args=[handled.number, stored.pk]) in html
    assert "/media/" not in html
