"""Chinese first: pages follow the user's own choice of language, not the browser's."""

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
