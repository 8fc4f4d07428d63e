"""The OpenAPI schema, the docs page (assets local, no CDN), and schemathesis against the schema.

No marker excludes these, so `make test` runs them on SQLite and on PostgreSQL.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from webapi_data import token_client


def test_schema_lists_the_customer_and_audit_endpoints(client, make_login):
    client.force_login(make_login("dev", "head_office"))  # the schema needs a login (issue 15.6)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/customers/",
        "/api/v1/customers/{customer_no}/",
        "/api/v1/customers/{customer_no}/reveal/",
        "/api/v1/access-log/",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{code}/",
        "/api/v1/campaigns/{code}/transition/",
        "/api/v1/sales/",
        "/api/v1/sales/{sale_id}/transition/",
    ):
        assert path in paths
    params = {p["name"] for p in paths["/api/v1/customers/"]["get"]["parameters"]}
    assert {"q", "branch", "tier", "rm", "page", "page_size"} <= params


def test_docs_page_uses_only_local_assets(client, make_login):
    client.force_login(make_login("dev", "head_office"))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert sources, html
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # CSP: no inline script
    for source in sources:
        if source.startswith("/static/"):
            asset = client.get(source)
            assert asset.status_code == 200, source
            b"".join(asset.streaming_content) if asset.streaming else asset.content


def _wsgi_app():
    """The project's WSGI app, minus closing the database connection after each request.

    Like Django's test client: the test's transaction (and on PostgreSQL its connection) must
    survive the calls schemathesis makes.
    """
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()

    def wrapped(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wrapped


def _schema():
    """The schema /api/schema/ serves, generated in process (serving it needs a login, and at import
    there is no database to sign in against; generating it touches no table)."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = _wsgi_app()
    return loaded


schema = _schema()


@pytest.fixture
def admin_token(bank360, make_login):
    from bankcrm.org.services import issue_token

    make_login("schema-admin", "admin")
    return issue_token("schema-admin")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors(case, admin_token):
    response = case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=[not_a_server_error])
    assert response.status_code != 401  # the generated calls really reach the views, signed in


def test_token_first_so_missing_credentials_are_401_not_403(bank360, api_client, make_login):
    assert api_client.get("/api/customers/").status_code == 401
    ok = token_client(make_login("ho", "head_office")).get("/api/customers/")
    assert ok.status_code == 200


def test_an_unexpected_error_is_json_500_and_logged(bank360, make_login, monkeypatch, caplog):
    from bankcrm.api import customers as views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "build_360", broken)
    response = token_client(make_login("ho", "head_office")).get("/api/customers/C001/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}
    assert "boom" not in response.content.decode()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
