"""The mediation API is mounted through modules.py and documented in the OpenAPI schema."""

from civicgrid.api import api


def test_the_mediation_api_is_in_the_openapi_schema():
    paths = api.get_openapi_schema()["paths"]
    assert "/api/mediation/disputes" in paths
    assert "/api/mediation/risk-board" in paths
