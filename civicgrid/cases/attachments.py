"""What may be attached to a case, told by its bytes, and how a stored file is sent back.

The client's ``Content-Type`` header and the file's name say what the sender claims;
only the bytes decide (magic numbers, read by the ``filetype`` package). Images are
cleaned like citizens' photos (``photos``: upright, sRGB, at most 2560 px, no EXIF or
GPS), and stored as the image the cleaner wrote; documents are stored as sent, with the
type their bytes show. Anything else is refused with a message naming the file.

Sending back: images of the types the cleaner writes are shown inline; everything else
is a download (``Content-Disposition: attachment``), text with its charset, and
``nosniff`` stops a browser from guessing HTML in a file labelled otherwise.
"""

import codecs
import re
from pathlib import PurePath

import filetype
from django.core.files import File
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import photos

MAX_BYTES = 10 * 1024 * 1024
# Read to tell the type: enough for every signature ``filetype`` knows (zip-based Office
# files name their first parts within the first few kilobytes).
HEAD_BYTES = 8192

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Detected type → the extensions a name of that type may have (the first one is added
# when the name has none of them, so a download opens in the right program).
DOCUMENT_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "application/msword": (".doc",),
    DOCX: (".docx",),
    "application/vnd.ms-excel": (".xls",),
    XLSX: (".xlsx",),
    TEXT: (".txt", ".csv", ".log", ".md"),
}
# What the cleaner writes, and so what is ever shown inline.
INLINE_TYPES = {"image/jpeg", "image/png"}
# Text may hold tabs, line ends and form feeds; other control characters mean binary.
BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


class FileProblem(ValueError):
    """A file that cannot be attached; the message is translated and names the file."""


class Document(File):
    """A document whose type its bytes showed, stored as sent."""

    def __init__(self, upload, *, name: str, content_type: str):
        super().__init__(upload, name=name)
        self.content_type = content_type
        self.size = upload.size


def check_files(files) -> list:
    """Every upload checked (``check``) with one budget of decoded pixels for them all."""
    budget = photos.Budget()
    return [check(upload, budget=budget) for upload in files]


def check(upload, *, budget: photos.Budget | None = None):
    """The file to store for ``upload``: a cleaned image, or a ``Document``.

    Raises ``FileProblem``. A file already checked (a ``CleanPhoto`` or a ``Document``)
    is returned as it is, so a caller may check early, outside its transaction.
    """
    if isinstance(upload, (photos.CleanPhoto, Document)):
        return upload
    name = _name(upload)
    if upload.size > MAX_BYTES:
        raise FileProblem(_("“%(name)s” is larger than 10 MB.") % {"name": name})
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    detected = filetype.guess_mime(head)
    if detected in IMAGE_TYPES:
        return _cleaned(upload, name, budget or photos.Budget())
    if detected in DOCUMENT_EXTENSIONS:
        return Document(upload, name=_named(name, detected), content_type=detected)
    if detected is None:
        # No signature: plain text has none. Anything else without one is refused.
        problem = _text_problem(upload, name)
        if problem is None:
            return Document(upload, name=_named(name, TEXT), content_type=TEXT)
        raise FileProblem(problem or _not_accepted(name))
    raise FileProblem(_not_accepted(name))


def _not_accepted(name: str) -> str:
    return _("“%(name)s” is not a photo, PDF, Word or text file (or an Excel sheet).") % {
        "name": name
    }


def _name(upload) -> str:
    """The name as sent, without folders or characters a file name cannot hold."""
    raw = PurePath((getattr(upload, "name", "") or "").replace("\\", "/")).name
    cleaned = "".join(c for c in raw if c.isprintable() and c not in '<>:"|?*')
    return cleaned.strip(" .")[:150] or "file"


def _named(name: str, content_type: str) -> str:
    extensions = DOCUMENT_EXTENSIONS[content_type]
    return name if name.lower().endswith(extensions) else name + extensions[0]


def _cleaned(upload, name: str, budget: photos.Budget) -> photos.CleanPhoto:
    try:
        return photos.clean_photo(
            upload,
            name=PurePath(name).stem or "image",
            budget=budget,
            formats=IMAGE_FORMATS,
            lossless=True,
        )
    except photos.NotAPhoto:
        raise FileProblem(_not_accepted(name)) from None
    except photos.PhotoProblem as problem:
        raise FileProblem(str(problem)) from None


def _text_problem(upload, name: str) -> str | None:
    """None for plain text (UTF-8 or GB18030), else why it is refused ("" if not text)."""
    text = _decoded(upload)
    upload.seek(0)
    if text is None or BINARY.search(text):
        return ""
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        # HTML, SVG or XML: markup a browser could run, not a note.
        return _("“%(name)s” is a web page or other markup; attach it as a PDF instead.") % {
            "name": name
        }
    return None


def _decoded(upload) -> str | None:
    data = upload.read(MAX_BYTES + 1)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    return None


def download(stored) -> FileResponse:
    """A stored attachment as a response: inline only if it is a cleaned image."""
    content_type = stored.content_type if stored.content_type in _SERVED else ""
    try:
        opened = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    if content_type == TEXT:
        content_type = f"{TEXT}; charset={_charset(opened)}"
    response = FileResponse(
        opened,
        as_attachment=content_type not in INLINE_TYPES,
        filename=stored.name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _charset(opened) -> str:
    """The encoding a stored text file was checked in: UTF-8, else GB18030 (``_decoded``)."""
    data = opened.read(MAX_BYTES + 1)
    opened.seek(0)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


# Types a stored file is sent with; files stored before types were detected may carry
# whatever their sender claimed, and are sent as plain bytes.
_SERVED = IMAGE_TYPES | set(DOCUMENT_EXTENSIONS)
