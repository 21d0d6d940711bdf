"""Photos made to exhaust the server are refused before they cost much; phone photos pass."""

import struct
import zlib

import pytest
from PIL import Image

from civicgrid.cases.models import Attachment, Case

from .conftest import jpeg_with_gps, photo, report_data

pytestmark = pytest.mark.django_db

TOO_MANY = "“%s” has too many pixels (at most 24 megapixels); send a smaller photo."


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, *, bits: int = 8, colour: int = 2) -> bytes:
    """A valid black PNG, written row by row: a few kB however many pixels it declares.

    ``colour`` is the PNG colour type (2 RGB, 0 grey); 1-bit grey makes a bomb.
    """
    channels = 3 if colour == 2 else 1
    packer, row = zlib.compressobj(1), b"\0" * (1 + (width * channels * bits + 7) // 8)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bits, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def _refused(client, district, media_in_tmp, uploads, message: str):
    data = report_data(client, district["grid11"])
    response = client.post("/report/", {**data, "photos": uploads})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Case.objects.count() == 0
    assert _files(media_in_tmp) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("flat.png", lambda: png(7000, 7000)),  # 49 MP in 150 kB
        ("strip.png", lambda: png(1, 100_000)),  # a line, not a photo
        ("bomb.png", lambda: png(30000, 30000, bits=1, colour=0)),  # 900 MP: Pillow's guard
    ],
    ids=["7000x7000", "1x100000", "bomb"],
)
def test_it_refuses_a_photo_with_too_many_pixels_naming_it_and_storing_nothing(
    client, district, media_in_tmp, name, content
):
    upload = photo(name, content(), "image/png")
    _refused(client, district, media_in_tmp, [photo("ok.jpg"), upload], TOO_MANY % name)


def test_it_refuses_a_report_whose_photos_together_decode_too_many_pixels(
    client, district, media_in_tmp
):
    # Each 24 MP image is allowed alone; a request may decode 80 MP, so three fit.
    big = png(6000, 4000, colour=0)
    uploads = [photo(f"scan-{i}.png", big, "image/png") for i in range(1, 5)]
    message = "The photos have too many pixels together; leave out “scan-4.png”"
    _refused(client, district, media_in_tmp, uploads, message)


def test_a_24_megapixel_phone_photo_is_taken_upright_small_and_bare(client, district, media_in_tmp):
    content = jpeg_with_gps(size=(6000, 4000), orientation=6)
    data = report_data(client, district["grid11"])
    response = client.post("/report/", {**data, "photos": photo("IMG_4032.jpg", content)})

    assert response.status_code == 200
    stored = Image.open(Attachment.objects.get().file.open("rb"))
    # Turned upright (6000 × 4000 lying → standing), shrunk to 2560 px, red on top.
    assert stored.size == (1707, 2560)
    assert stored.getpixel((850, 100))[0] > 200
    assert stored.getpixel((850, 2460))[2] > 200
    assert dict(stored.getexif()) == {}
    assert len(_files(media_in_tmp)) == 1
