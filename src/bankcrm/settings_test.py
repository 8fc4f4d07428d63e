"""Settings for the test suite: a throw-away BANKCRM_HOME per test process (xdist workers too)."""

import os
import tempfile

os.environ["BANKCRM_HOME"] = os.environ.get("BANKCRM_TEST_HOME") or tempfile.mkdtemp(prefix="bankcrm-test-")

from bankcrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
AXES_ENABLED = False  # lock-out has its own test that turns it back on
# Throttling has its own test (tests/web/test_api_contract.py) that lowers the rates; the rest of the
# suite (schemathesis, the generated client) makes many calls a minute as one user.
BANKCRM_API = {**BANKCRM_API, "throttle_user": "100000/minute", "throttle_anon": "100000/minute"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
