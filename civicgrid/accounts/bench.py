"""The baseline of ``bench/intake.py``: the cheapest honest write a Django request can do.

Mounted only when ``CIVICGRID_BENCH_ENDPOINTS`` is on. It pays what every API request
pays — the middleware stack, the same bearer-token lookup, a JSON body parse, a JSON
answer — and then inserts one row, so "intake ÷ bare" isolates the cost of intake itself.
"""

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from civicgrid.core.models import BenchRow

from .auth import user_for_token


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or user_for_token(raw) is None:
        return JsonResponse({"code": "unauthenticated", "message": "bad token"}, status=401)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"code": "invalid", "message": "not JSON"}, status=400)
    title = body.get("title", "") if isinstance(body, dict) else ""
    row = BenchRow.objects.create(payload=str(title)[:200])
    return JsonResponse({"id": row.pk, "database": connection.vendor}, status=201)
