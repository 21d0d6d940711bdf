"""Photos on cases: checked by their content, turned upright, and re-encoded bare.

A phone photo carries where it was taken (GPS), the phone's make and serial numbers,
times and sometimes the owner's name. Only the cleaned copy is stored, whoever sent it
(a citizen on ``/report/``, staff on a case): Pillow decodes the upload (so its type is
what its bytes say, not its name), applies the EXIF orientation, converts colours to
sRGB, shrinks it to at most ``MAX_SIDE`` pixels and writes a new file from the pixels
alone: no EXIF, GPS, XMP, ICC profile or comment survives. The original is never
written anywhere.

Decoding is the expensive part, and an upload of a few kilobytes can declare any size,
so the work is bounded before any pixel is decoded:

- each photo: at most ``MAX_PIXELS`` and ``MAX_LONG_SIDE``, read from the header;
- a JPEG is decoded at the smallest of 1/2, 1/4 or 1/8 scale that still gives the
  stored size (``Image.draft``: the decoder skips the detail), so a 24-megapixel photo
  costs what a 6-megapixel one does;
- the pixels decoded for one request, summed over its files, at most
  ``REQUEST_PIXELS`` (``Budget``).

Every web process is bounded on its own this way, whatever other processes do; how
many requests reach the decoder at all is bounded by the rate limits in the database
(citizens' per-address and per-phone counters, checked before any photo is decoded).
"""

import io
import logging
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIDE = 2560
# Phones store 12 MP (4032 × 3024) by default, the newest 24 MP; their 48–200 MP modes
# are opt-in and make files over MAX_BYTES anyway. Stored at MAX_SIDE, a photo needs
# 6.5 MP at most: anything above 24 MP is not a phone photo but extra work.
MAX_PIXELS = 24_000_000
# A panorama within MAX_PIXELS; a 1 × 100000 strip is not a photo of a place.
MAX_LONG_SIDE = 12_000
# Decoded pixels per request: six 12 MP phone photos (which reduced JPEG decoding cannot
# shrink, being less than twice MAX_SIDE) fit; so do three 24 MP lossless images.
REQUEST_PIXELS = 80_000_000
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
JPEG_QUALITY = 85

# Pillow's own guard against decompression bombs, set to our cap: it warns above it
# and refuses to open twice it, whoever calls Pillow in this process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoProblem(ValueError):
    """A photo that cannot be taken; the message is translated and names the file."""


class NotAPhoto(PhotoProblem):
    """The bytes are not an image of an accepted format (the caller may say it its way)."""


class CleanPhoto(SimpleUploadedFile):
    """A photo this module wrote: pixels only. Storing it needs no further check."""


@dataclass
class Budget:
    """The pixels one request may still decode (``REQUEST_PIXELS`` to start with)."""

    pixels: int = REQUEST_PIXELS

    def spend(self, pixels: int, name: str) -> None:
        if pixels > self.pixels:
            message = _(
                "The photos have too many pixels together; leave out “%(name)s” or send "
                "smaller photos."
            )
            raise PhotoProblem(message % {"name": name})
        self.pixels -= pixels


def clean_photos(files) -> list[CleanPhoto]:
    """Every upload cleaned (``clean_photo``), or ``PhotoProblem`` for the first bad one."""
    files = [f for f in files if f]
    if len(files) > MAX_PHOTOS:
        raise PhotoProblem(_("At most %(max)d photos, please.") % {"max": MAX_PHOTOS})
    budget = Budget()
    return [
        clean_photo(upload, name=f"photo-{number}", budget=budget)
        for number, upload in enumerate(files, start=1)
    ]


def clean_photo(
    upload, *, name: str, budget: Budget, formats=PHOTO_FORMATS, lossless: bool = False
) -> CleanPhoto:
    """A new JPEG from the upload's pixels only, stored as ``name`` plus its extension.

    PNG instead of JPEG when the image has transparency, or with ``lossless`` when the
    upload was PNG or GIF (a screenshot or a scan, whose text JPEG would blur).
    """
    shown = (getattr(upload, "name", "") or "")[:80]
    if upload.size > MAX_BYTES:
        raise PhotoProblem(_("“%(name)s” is larger than 10 MB.") % {"name": shown})
    too_many = PhotoProblem(
        _("“%(name)s” has too many pixels (at most %(max)d megapixels); send a smaller photo.")
        % {"name": shown, "max": MAX_PIXELS // 1_000_000}
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in formats:
                raise _not_a_photo(shown)
            if image.width * image.height > MAX_PIXELS or max(image.size) > MAX_LONG_SIDE:
                raise too_many
            source_format = image.format
            pixels = _decoded(image, budget, shown)
    except PhotoProblem:
        raise
    except Image.DecompressionBombError:
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_a_photo(shown) from None
    return _written(pixels, name, lossless=lossless and source_format in ("PNG", "GIF"))


def _not_a_photo(shown: str) -> NotAPhoto:
    return NotAPhoto(_("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": shown})


def _decoded(image: Image.Image, budget: Budget, shown: str) -> Image.Image:
    """The upright sRGB pixels at most ``MAX_SIDE``, decoding no more than needed."""
    target = _fitted(image.size)
    if image.format == "JPEG":
        # The header is all that is read so far: ask the decoder for the reduced scale.
        image.draft(image.mode, target)
    budget.spend(image.width * image.height, shown)
    image.load()
    icc = image.info.get("icc_profile")
    if image.mode in ("1", "P", "PA"):
        # Palette pixels resize by nearest neighbour only: make them colours first.
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return _in_srgb(ImageOps.exif_transpose(image), icc)


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` shrunk, keeping its shape, to fit ``MAX_SIDE`` × ``MAX_SIDE``."""
    scale = min(1.0, MAX_SIDE / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _written(pixels: Image.Image, name: str, *, lossless: bool) -> CleanPhoto:
    # A new image holds the pixels and nothing else: no info, EXIF or profile to copy.
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if bare.mode == "RGBA" or lossless:
        bare.save(out, "PNG")
        return CleanPhoto(f"{name}.png", out.getvalue(), "image/png")
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return CleanPhoto(f"{name}.jpg", out.getvalue(), "image/jpeg")


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
