"""Schemathesis against our own OpenAPI schema: generated requests to every registry and accounts
operation never get a server error, and every response matches its documented schema and content
type. Deterministic (derandomised) and small, so it runs with the suite on both databases.

Status codes are not checked against the schema: refusals (400 from a service, 403, 404 outside
the scope) are part of the contract described in docs/api.md, not listed per operation."""
import pytest
import schemathesis
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from .. import factories as f

PATTERNS = [path("api/", include("jifang.registry.api.urls")), path("api/", include("jifang.accounts.api.urls"))]
schema = schemathesis.openapi.from_dict(SchemaGenerator(patterns=PATTERNS).get_schema(request=None, public=True))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def headers(db, wuhua_officer, wuhua_unit):
    """A district officer's token over a small registry, so that ids 1.. exist and some are outside scope."""
    for unit in (wuhua_unit, f.UnitFactory(district_id="530103")):
        site = f.SiteFactory(unit=unit, district_id=unit.district_id)
        f.SitePartFactory(site=site)
        f.DeviceFactory(system=f.SystemFactory(site=site, firm=f.FirmFactory()))
    return {"Authorization": f"Token {Token.objects.create(user=wuhua_officer).key}"}


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes a
    connection that is inside the test's transaction (PostgreSQL); Django's own test client
    disconnects it the same way for the length of a request."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=3, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, headers, keep_connection):
    from jifang.wsgi import application

    case.call_and_validate(app=application, headers=headers, checks=CHECKS)
