"""``Server-Timing``: how long the server spent on a request, and in the database.

Off unless ``CIVICGRID_SERVER_TIMING=1``: then every response carries, for the browser's
developer tools and for ``bench/pages.py``::

    Server-Timing: total;dur=41.2, cpu;dur=30.5, db;dur=12.7;desc="9 queries"

``total`` is the time from this middleware (the first) to the response, in
milliseconds; ``cpu`` the processor time of the request's thread in that span (on a busy
machine, ``total`` grows with the wait for a processor, ``cpu`` hardly); ``db`` the time
spent inside database calls of the thread and their number. A streaming response's body
is produced after the header is sent, so its time is not in ``total``. The cost is one
wrapper call per query.
"""

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


class _DatabaseClock:
    """An execute wrapper adding up the time and number of the queries it sees."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


class ServerTimingMiddleware:
    """Adds a ``Server-Timing`` header (total and database time, query count)."""

    def __init__(self, get_response):
        if not settings.CIVICGRID_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        clock = _DatabaseClock()
        start, cpu_start = time.perf_counter(), time.thread_time()
        with connections["default"].execute_wrapper(clock):
            response = self.get_response(request)
        total = (time.perf_counter() - start) * 1000
        cpu = (time.thread_time() - cpu_start) * 1000
        response["Server-Timing"] = (
            f"total;dur={total:.1f}, cpu;dur={cpu:.1f}, "
            f'db;dur={clock.seconds * 1000:.1f};desc="{clock.queries} queries"'
        )
        return response
