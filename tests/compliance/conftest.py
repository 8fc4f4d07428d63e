"""Fixtures shared by the web tests (tests/webapi_data.py)."""

from webapi_data import api_client, bank360  # noqa: F401
