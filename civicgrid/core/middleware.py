"""Chinese first: pages follow the user's own choice of language, not the browser's; and a
background poll never drops the session a signed-out form was kept in."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware

# Paths other systems call: they get answers in the language they ask for.
SYSTEM_PATHS = ("/api/", "/open311/", "/alerts/")


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but the UI ignores ``Accept-Language``.

    Staff machines often run English-language browsers; the product is Chinese unless
    the user picks English with the language switch (a cookie). Other systems calling
    ``/api/`` or ``/open311/`` still get answers in the language they ask for.
    """

    def process_request(self, request):
        chose = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        if not chose and not request.path.startswith(SYSTEM_PATHS):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class KeepSessionOnPolls:
    """A background htmx request never deletes the session cookie.

    A request carrying the cookie of a session that has run out makes Django's
    ``SessionMiddleware`` delete the cookie in its answer. A poll (the unread badge, every
    minute) sent just before a signed-out form was posted comes back after it, and its
    deletion would drop the new session the form's draft was kept in
    (``cases.views.drafts``). Listed just before ``SessionMiddleware``, this sees its
    answer and takes such a deletion out, for requests the page makes by itself
    (``HX-Request``) only; a page load still clears a dead cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true":
            cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
            if cookie is not None and not cookie.value and str(cookie["max-age"]) == "0":
                del response.cookies[settings.SESSION_COOKIE_NAME]
        return response
