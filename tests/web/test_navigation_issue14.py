"""Issue 14 bug 3: navigation and buttons follow permissions; error pages are the product's own.

For every login role of ``org/roles.py`` each link of the navigation bar must open (a link that
answers 403 is a dead end); the 登记投诉 button shows only to roles allowed to register; 403 and
404 pages are translated pages with the navigation and the reason, while the API stays JSON.
"""

import re

import pytest

from bankcrm.org.choices import UserRole

pytestmark = pytest.mark.django_db

SCOPES = {
    "rm": {"staff_no": "S001"},
    "branch_manager": {"branch_code": "B001"},
    "lobby": {"branch_code": "B001"},
}
NAV = re.compile(r'<ul class="navbar-nav[^"]*">(.*?)</ul>', re.S)


def nav_links(html: str) -> list[str]:
    block = NAV.search(html)
    assert block, "the page has no navigation bar"
    return re.findall(r'href="([^"]+)"', block.group(1))


@pytest.mark.parametrize("role", UserRole.values)
def test_every_navigation_link_opens_for_every_role(client, small_bank, make_login, role):
    client.force_login(make_login(f"nav-{role}", role, **SCOPES.get(role, {})))
    home = client.get("/", follow=True)
    assert home.status_code == 200
    links = nav_links(home.content.decode())
    assert links, f"{role} sees no navigation at all"
    dead = {link: client.get(link).status_code for link in links}
    assert {link: s for link, s in dead.items() if s != 200} == {}, f"dead ends for {role}"


@pytest.mark.parametrize("role", UserRole.values)
def test_register_complaint_button_only_for_roles_that_may_register(client, small_bank, make_login, role):
    client.force_login(make_login(f"btn-{role}", role, **SCOPES.get(role, {})))
    queue = client.get("/complaints/")
    if queue.status_code != 200:
        return  # the queue itself is not in this role's navigation (checked above)
    may_register = client.get("/complaints/new/").status_code == 200
    assert ('href="/complaints/new/"' in queue.content.decode()) == may_register


def test_403_page_is_translated_with_navigation_and_reason(client, small_bank, make_login):
    client.force_login(make_login("mk", "marketing"))
    r = client.get("/complaints/new/")
    assert r.status_code == 403
    html = r.content.decode()
    assert "<h1>403 Forbidden</h1>" not in html
    assert "navbar-nav" in html and "没有权限" in html
    assert 'lang="zh-hans"' in html


def test_404_page_is_translated_with_navigation(client, small_bank, make_login):
    client.force_login(make_login("rm1", "rm", staff_no="S001"))
    r = client.get("/customers/NOPE404/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "The requested resource was not found" not in html
    assert "navbar-nav" in html and "找不到" in html
    r = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404 and "not found" in r.content.decode().lower() and "navbar" in r.content.decode()


def test_api_errors_stay_json(client, small_bank, make_login):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_login("mk", "marketing"))
    r = api.get("/api/complaints/NOPE/")
    assert r.status_code in (403, 404) and r["Content-Type"].startswith("application/json")
    assert "detail" in r.json()


def test_500_page_is_the_products_own_and_translated(rf):
    from bankcrm.core.views import server_error

    r = server_error(rf.get("/customers/"))
    html = r.content.decode()
    assert r.status_code == 500 and "服务器错误" in html and "navbar" in html and "Server Error (500)" not in html
    api = server_error(rf.get("/api/customers/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
