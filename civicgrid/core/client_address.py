"""The address of the client behind a request, for limits that count per address.

Shared by the citizens' rate limits and the staff sign-in throttling, so both count
the same address behind the same proxy.
"""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header a trusted proxy sets.

    Behind a reverse proxy every request comes from the proxy; name the header it
    writes (``CIVICGRID_CLIENT_IP_HEADER=HTTP_X_REAL_IP``) so each client is counted.
    """
    header = getattr(settings, "CIVICGRID_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    # X-Forwarded-For lists the client first, then each proxy.
    value = value.split(",")[0].strip()
    return value or request.META.get("REMOTE_ADDR", "") or "unknown"
