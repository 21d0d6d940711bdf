"""The address of the client behind a request, for limits that count per address.

Shared by the citizens' rate limits and the staff sign-in throttling, so both count
the same address behind the same proxy.
"""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header a trusted proxy sets.

    Behind a reverse proxy every request comes from the proxy; name the header it
    writes (``CIVICGRID_CLIENT_IP_HEADER=HTTP_X_REAL_IP``) so each client is counted.
    A list header such as X-Forwarded-For is read from the right: each proxy appends
    the address it saw, so the entries on the left are whatever the client sent and
    a client could dodge every limit by inventing one per request. With
    ``CIVICGRID_TRUSTED_PROXIES`` proxies in front of us, the client is the entry that
    many places from the right.
    """
    header = getattr(settings, "CIVICGRID_CLIENT_IP_HEADER", "")
    entries = [e.strip() for e in request.META.get(header, "").split(",")] if header else []
    entries = [e for e in entries if e]
    trusted = max(1, int(getattr(settings, "CIVICGRID_TRUSTED_PROXIES", 1)))
    if entries:
        return entries[-trusted] if len(entries) >= trusted else entries[0]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
