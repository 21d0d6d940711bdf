"""Schema-driven fuzzing: the JSON API and Open311 never answer with a server error.

schemathesis reads each door's own description — the OpenAPI schema the API serves at
``/api/openapi.json`` and the GeoReport v2 Swagger description in
``civicgrid/open311/tests/schemas/swagger.json`` — and sends every operation valid and
invalid requests (its coverage phase, then ``EXAMPLES`` generated ones) through the
WSGI application in process, against a small district with cases. The API is called
as an operator with a token (110's doors as 110's integration account) and as an
anonymous visitor; Open311 with a client system's key. The must: no 5xx, ever.
Answers must also match their schema (and, for the API, their content type).

Reproducible: a fixed seed and deterministic generation, so CI sends the same
requests every run. Every 5xx found here is a bug to fix, not to exclude.
"""

import copy
import json
import time
import zlib
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from civicgrid.accounts.models import ApiToken, Integration, Role
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.neighbours import build_grid_neighbours
from civicgrid.knowledge import services as knowledge
from civicgrid.open311.models import ClientSystem
from civicgrid.routing.models import RequestType

SWAGGER = Path(__file__).parents[1] / "civicgrid/open311/tests/schemas/swagger.json"
JURISDICTION = "fuzz.civicgrid.example"
OPEN311_KEY = "o311_fuzzing-client-key"
EXAMPLES = 25
CONFIG = {
    "seed": 20261122,
    "generation": {
        "max-examples": EXAMPLES,
        "deterministic": True,
        "mode": "all",
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
}
API_CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
OPEN311_CHECKS = [not_a_server_error, response_schema_conformance]

pytestmark = pytest.mark.django_db
# The district is made once for the module and read by every example; no deadline on a
# shared two-core machine.
SETTINGS = hypothesis.settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
CALLS: Counter = Counter()


def _served_here(raw: dict) -> dict:
    """The published description, pointed at our prefix, jurisdiction and formats."""
    raw = copy.deepcopy(raw)
    raw["basePath"] = "/open311/v2"
    raw["host"] = "localhost"
    raw["schemes"] = ["http"]
    raw["parameters"]["jurisdiction_id"]["enum"] = [JURISDICTION]
    raw["parameters"]["response_format"]["enum"] = ["json", "xml"]
    return raw


# The application as gunicorn runs it; the schemas are read once, when tests are collected.
APP = get_wsgi_application()
api = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", APP, config=SchemathesisConfig.from_dict(CONFIG)
)
open311 = schemathesis.openapi.from_dict(
    _served_here(json.loads(SWAGGER.read_text())), config=SchemathesisConfig.from_dict(CONFIG)
)
open311.app = APP


@pytest.fixture(scope="module", autouse=True)
def count_the_calls(request):
    """Print how many requests were sent, and their statuses, once the module is done."""
    started = time.perf_counter()
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not CALLS:
        return
    statuses = ", ".join(f"{key}: {n}" for key, n in sorted(CALLS.items()))
    with capture.global_and_fixture_disabled():  # shown even when output is captured
        reporter.write_line(
            f"\nschema fuzz: {sum(CALLS.values())} calls in "
            f"{time.perf_counter() - started:.0f} s ({statuses})"
        )


@pytest.fixture(autouse=True)
def requests_inside_the_test_transaction():
    """Django closes the database connection after each request; here that would end the
    test's transaction, so, as Django's own test client does, it stays open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> dict:
    """Something for every endpoint to find: grids, categories, cases (a 举报 among
    them), a knowledge entry, an Open311 client; the ids that exist, by parameter.

    Made once for the module, in a transaction rolled back at its end; each operation's
    test rolls back what its requests wrote, so every operation starts from this world.
    """
    with (
        override_settings(CIVICGRID_OPEN311_JURISDICTION=JURISDICTION),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> dict:
    district = f.make_district()
    f.make_district(prefix="3798", name="邻区")
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    category = f.make_category("市容环境", code="01")
    f.make_rule(category, f.make_department("城市管理局", code="CGJ"))
    f.make_department("邻区城市管理局", code="LQCGJ")
    build_grid_neighbours()
    leaf = f.make_category("占道停车", code="0101", parent=category)
    cases = [
        f.make_case(actor=operator, grid=district[grid], category=leaf, title=title)
        for grid, title in [("grid11", "路灯不亮"), ("grid12", "垃圾堆放"), ("grid21", "占道停车")]
    ]
    cases.append(f.make_case(actor=operator, category=category, request_type=RequestType.REPORT))
    entry = knowledge.create_entry(actor=None, question="路灯不亮找谁", answer="城市管理局路灯所。")
    app = f.make_integration_account(Integration.OPEN311, regions=[district["district"]])
    client = ClientSystem(name="市民APP", user=app)
    client.set_key(OPEN311_KEY)
    client.save()
    numbers = [c.number for c in cases]
    _token, raw = ApiToken.issue(operator, "schema fuzz")
    police = f.make_integration_account(Integration.POLICE_110, regions=[district["district"]])
    return {
        "token": raw,
        "police_token": ApiToken.issue(police, "schema fuzz 110")[1],
        "known": {
            "number": numbers,
            "service_request_id": numbers,
            "entry_id": [entry.pk],
            "service_code": [leaf.code, category.code],
        },
    }


def _aim(case, known: dict[str, list]) -> None:
    """Point about half the generated ids at rows that exist, so operations run on real
    cases instead of only answering 404. Chosen from the generated value: reproducible."""
    for values in (case.path_parameters, case.query):
        for name, choices in known.items():
            if values and name in values:
                pick = zlib.crc32(repr(values[name]).encode())
                if pick % 2:
                    values[name] = choices[pick % len(choices)]


@api.parametrize()
@SETTINGS
def test_the_api_never_answers_with_a_server_error(case, world):
    _aim(case, world["known"])
    # 110's door opens only to 110's integration account: fuzz it as that account.
    token = world["police_token"] if "/diversion/" in case.path else world["token"]
    for headers in ({"Authorization": f"Bearer {token}"}, {}):
        # The checks raise on the first failure; the status is asserted for the reader.
        response = case.call_and_validate(headers=headers, checks=API_CHECKS)
        CALLS[f"api {response.status_code}"] += 1
        assert response.status_code < 500


@open311.parametrize()
@SETTINGS
def test_open311_never_answers_with_a_server_error(case, world):
    _aim(case, world["known"])
    response = case.call_and_validate(params={"api_key": OPEN311_KEY}, checks=OPEN311_CHECKS)
    CALLS[f"open311 {response.status_code}"] += 1
    assert response.status_code < 500
