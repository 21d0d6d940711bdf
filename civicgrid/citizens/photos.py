"""Citizens' photos: checked by their content, turned upright, and re-encoded bare.

A phone photo carries where it was taken (GPS), the phone's make and serial numbers,
times and sometimes the owner's name. Only the cleaned copy is stored: Pillow decodes
the upload (so its type is what its bytes say, not its name), applies the EXIF
orientation, converts colours to sRGB, shrinks it to at most ``MAX_SIDE`` pixels and
writes a new file from the pixels alone: no EXIF, GPS, XMP, ICC profile or comment
survives. The original is never written anywhere.
"""

import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIDE = 2560
# Checked from the header before decoding, so a small file cannot unpack into gigabytes.
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85


class PhotoProblem(ValueError):
    """A photo that cannot be taken; the message is translated and names the file."""


def clean_photos(files) -> list[SimpleUploadedFile]:
    """Every upload cleaned (``clean_photo``), or ``PhotoProblem`` for the first bad one."""
    files = [f for f in files if f]
    if len(files) > MAX_PHOTOS:
        raise PhotoProblem(_("At most %(max)d photos, please.") % {"max": MAX_PHOTOS})
    return [clean_photo(upload, number) for number, upload in enumerate(files, start=1)]


def clean_photo(upload, number: int = 1) -> SimpleUploadedFile:
    """A new JPEG (PNG when it has transparency) from the upload's pixels only."""
    name = (getattr(upload, "name", "") or "")[:80]
    if upload.size > MAX_BYTES:
        raise PhotoProblem(_("“%(name)s” is larger than 10 MB.") % {"name": name})
    not_a_photo = PhotoProblem(_("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise not_a_photo
            if image.width * image.height > MAX_PIXELS:
                raise PhotoProblem(
                    _("“%(name)s” has too many pixels; send a smaller photo.") % {"name": name}
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            icc = image.info.get("icc_profile")
            pixels = _in_srgb(upright, icc)
    except PhotoProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels and nothing else: no info, EXIF or profile to copy.
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if bare.mode == "RGBA":
        bare.save(out, "PNG", optimize=True)
        return SimpleUploadedFile(f"photo-{number}.png", out.getvalue(), "image/png")
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return SimpleUploadedFile(f"photo-{number}.jpg", out.getvalue(), "image/jpeg")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB (or RGBA) pixels in sRGB: a wide-gamut phone photo keeps its colours."""
    mode = "RGBA" if _has_alpha(image) else "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.info("colour profile ignored", exc_info=True)
    return image.convert(mode)
