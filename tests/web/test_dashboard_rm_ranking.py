"""Issue 14: the branch head's dashboard links to the reports' ranking of their relationship managers."""

import re

from webapi_data import page_client


def ranking_link(html):
    found = re.search(r'id="rm-ranking" href="([^"]+)"', html)
    return found.group(1) if found else None


def test_a_branch_head_gets_the_link_to_their_rms_ranking(bank360, make_login):
    client = page_client(make_login("boss", "branch_manager", branch_code="B001"))
    link = ranking_link(client.get("/analytics/").content.decode())
    assert link == "/reports/?unit=branch:B001"
    ranking = client.get(link)
    assert ranking.status_code == 200
    assert "王芳" in ranking.content.decode()  # S001, the rm of the branch's customer C001


def test_rms_and_head_office_get_no_such_link(bank360, make_login):
    for login in (make_login("wf", "rm", staff_no="S001"), make_login("ho", "head_office")):
        page = page_client(login).get("/analytics/")
        assert page.status_code == 200 and ranking_link(page.content.decode()) is None
