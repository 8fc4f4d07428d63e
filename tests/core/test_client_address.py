"""The address in the access log and for lock-out (issue 8.4).

``X-Forwarded-For`` is believed only when the socket peer is a configured proxy
(BANKCRM_TRUSTED_PROXIES); then the client is the right-most address that is not itself a
trusted proxy — anything left of it was written by the client and may be forged.
"""

import pytest
from django.test import RequestFactory

from bankcrm.core.middleware import client_address
from webapi_data import bank360  # noqa: F401 (fixture)

PROXIES = "10.0.0.5, 10.1.0.0/16, fd00::/8"

CASES = [
    # (peer, X-Forwarded-For, expected, why)
    ("203.0.113.9", "", "203.0.113.9", "no header: the socket peer"),
    ("203.0.113.9", "1.2.3.4", "203.0.113.9", "peer is not a proxy: its header is ignored (forged)"),
    ("10.0.0.5", "198.51.100.7", "198.51.100.7", "the proxy names the client"),
    ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7", "left of the client's own hop is forgeable"),
    ("10.0.0.5", "198.51.100.7, 10.1.2.3", "198.51.100.7", "two trusted proxies in a row (CIDR)"),
    ("10.0.0.5", "10.1.2.3, 10.0.0.5", "10.0.0.5", "only proxies: the socket peer"),
    ("10.0.0.5", "not-an-ip, 198.51.100.7", "198.51.100.7", "garbage left of the client is never reached"),
    ("10.0.0.5", "198.51.100.7, garbage", "10.0.0.5", "garbage from the proxy side: the peer, not a guess"),
    ("fd00::1", "2001:db8::7", "2001:db8::7", "IPv6 proxy and client"),
    ("10.9.9.9", "198.51.100.7", "10.9.9.9", "an address outside the trusted networks"),
]


@pytest.mark.parametrize(("peer", "forwarded", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_forwarded_for_is_trusted_only_from_configured_proxies(settings, peer, forwarded, expected, why):
    settings.BANKCRM_TRUSTED_PROXIES = PROXIES
    meta = {"REMOTE_ADDR": peer}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == expected, why


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.BANKCRM_TRUSTED_PROXIES = ""
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "127.0.0.1"


def test_a_bad_proxy_entry_is_named(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.BANKCRM_TRUSTED_PROXIES = "10.0.0.5, 10.0.0.300"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")
    with pytest.raises(ImproperlyConfigured, match=r"BANKCRM_TRUSTED_PROXIES.*10\.0\.0\.300"):
        client_address(request)


def test_the_access_log_records_the_socket_peer_when_the_header_is_forged(bank360, make_login, settings):  # noqa: F811
    from django.test import Client

    from bankcrm.core.models import AccessLog

    settings.BANKCRM_TRUSTED_PROXIES = "10.0.0.5"
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    client.get("/customers/C001/", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AccessLog.objects.latest("pk").remote_addr == "203.0.113.9"
    behind = Client(REMOTE_ADDR="10.0.0.5")
    behind.force_login(make_login("lq", "rm", staff_no="S002"))
    behind.get("/customers/C002/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert AccessLog.objects.latest("pk").remote_addr == "198.51.100.7"


def test_axes_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.BANKCRM_TRUSTED_PROXIES = "10.0.0.5"
    forged = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert get_client_ip_address(forged) == "203.0.113.9"
    proxied = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert get_client_ip_address(proxied) == "198.51.100.7"
