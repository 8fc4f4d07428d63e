"""Fixtures shared by the core tests (tests/webapi_data.py)."""

from webapi_data import bank360  # noqa: F401
