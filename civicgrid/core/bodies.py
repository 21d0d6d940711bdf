"""Response bodies built once per version of the rows they show, shared by every process.

Some answers are the same for everyone and change only when an administrator edits a
small table: the region tree's outlines (a megabyte of GeoJSON), the category tree
(655 rows through the API schema). Rendering them per request cost 0.3–2 s. Here a
body is built once per *version* of its table (``version``: a count and a latest
``updated_at``, one small aggregate read on every request) and kept:

- in the shared cache (``settings.CACHES``: a file cache every process on the machine
  reads) under its name and version, so another process does not build it again;
- in this process, the last few bodies by name and version (a dict lookup instead of
  reading and unpickling a file).

The version is read from the database each time, so an edit reaches the next answer of
every process: nothing another process needs lives only in this one. ``answer`` adds an
``ETag`` made of the name and version (no hashing of the body) and answers a matching
``If-None-Match`` with 304; with ``Accept-Encoding: gzip`` it sends the body compressed
once per version, not once per request.
"""

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

KEPT_HERE = 32  # bodies kept in this process (by name and version)
SHARED_SECONDS = 24 * 3600  # a version's body in the shared cache; a new version is a new key


@dataclass(frozen=True)
class Body:
    """One rendered body, its gzip form and the tag that names it."""

    text: bytes
    gzipped: bytes
    etag: str


T = TypeVar("T")
_MISSING = object()
_here: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()


def key_of(name: str, version: tuple) -> str:
    """The cache key of ``name`` at ``version`` (short: file names and memcached keys)."""
    digest = hashlib.sha256(repr((name, version)).encode()).hexdigest()[:32]
    return f"body:{digest}"


def kept(name: str, version: tuple, build: Callable[[], T]) -> T:
    """What ``build`` makes for ``name`` at ``version``: from this process, else from the
    shared cache, else built (and kept in both). The value must pickle."""
    key = key_of(name, version)
    with _lock:
        if key in _here:
            _here.move_to_end(key)
            return _here[key]
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = build()
        cache.set(key, found, SHARED_SECONDS)
    with _lock:
        _here[key] = found
        while len(_here) > KEPT_HERE:
            _here.popitem(last=False)
    return found


def body(name: str, version: tuple, build: Callable[[], str]) -> Body:
    """The body ``build`` renders for ``name`` at ``version`` (``kept``), with its gzip
    form and its tag."""

    def rendered() -> Body:
        text = build().encode()
        tag = f'"{key_of(name, version)[5:]}"'
        return Body(text, gzip.compress(text, compresslevel=6, mtime=0), tag)

    return kept(name, version, rendered)


def forget() -> None:
    """Drop what this process keeps (tests; the shared cache is cleared on its own)."""
    with _lock:
        _here.clear()


def answer(
    request: HttpRequest,
    found: Body,
    *,
    content_type: str,
    cache_control: str,
    compress: bool = True,
) -> HttpResponse:
    """``found`` as the response: 304 when the client holds it, gzipped when it may (and
    ``compress``: the API answers plain, as its other endpoints do)."""
    tag = found.etag
    gzipped = compress and "gzip" in request.headers.get("Accept-Encoding", "")
    held = {
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    }
    if tag in held or "*" in held:
        response: HttpResponse = HttpResponseNotModified()
    elif gzipped:
        response = HttpResponse(found.gzipped, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(found.text, content_type=content_type)
    # The same tag for both encodings, weak as Django's gzip makes it: the same content.
    response["ETag"] = f"W/{tag}" if gzipped else tag
    response["Cache-Control"] = cache_control
    if compress:
        patch_vary_headers(response, ("Accept-Encoding",))
    return response
