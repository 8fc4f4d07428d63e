"""Issue 14, relationship manager: the 今日 page (follow-ups, maturities, birthdays, tasks and
appointments, new list items) and the tasks an rm keeps — scoped to the owner and their branch head."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from pages_data import list_item

from bankcrm.campaigns.models import RmTask
from bankcrm.core.models import ObjectChange
from bankcrm.customers.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm(client, small_bank, make_login):
    user = make_login("rm-wang", "rm", staff_no="S001")  # 王芳, 城东支行 B001, customer C001 张三
    client.force_login(user)
    return user


def add_task(client, **fields):
    data = {"title": "回访张三", "kind": "appointment", "due": "", "customer": "C001", **fields}
    return client.post("/campaigns/today/", data)


def local(days=0, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def test_an_rm_lands_on_the_today_page_and_the_nav_links_it(client, rm):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/campaigns/today/"
    html = response.content.decode()
    assert "今日" in html and 'href="/campaigns/today/"' in html
    # the customer field offers my customers only
    assert '<option value="C001">张三</option>' in html and "C002" not in html and "李四" not in html


def test_other_roles_keep_their_home(client, small_bank, make_login):
    client.force_login(make_login("bm-east", "branch_manager", branch_code="B001"))
    assert client.get("/")["Location"] == "/analytics/"


def test_a_task_is_created_shown_as_a_reminder_and_change_logged(client, rm):
    response = add_task(client, due=local(0))
    assert response.status_code == 302
    task = RmTask.objects.get()
    assert (task.owner_id, task.branch_id, task.customer_id, task.kind) == ("S001", "B001", "C001", "appointment")
    html = client.get("/campaigns/today/").content.decode()
    assert "回访张三" in html and "预约" in html
    assert 'data-testid="reminder-badge"' in html  # due today: counted in the nav badge
    logged = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(RmTask), object_id=str(task.pk))
    assert list(logged.values_list("action", flat=True)) == ["create"]


def test_an_overdue_task_is_a_reminder_a_later_one_is_not(client, rm):
    add_task(client, title="昨天的任务", due=local(-1))
    add_task(client, title="下周的任务", due=local(7))
    html = client.get("/campaigns/today/").content.decode()
    badge = html[html.index('data-testid="reminder-badge"') :]
    assert badge[badge.index(">") + 1 : badge.index("</span>")].strip() == "1"
    assert "昨天的任务" in html and "下周的任务" in html  # the later one under 以后


def test_marking_done_clears_the_reminder_and_is_logged(client, rm):
    add_task(client, due=local(0))
    task = RmTask.objects.get()
    assert client.post(f"/campaigns/today/tasks/{task.pk}/done/").status_code == 302
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    html = client.get("/campaigns/today/").content.decode()
    assert "回访张三" not in html and 'data-testid="reminder-badge"' not in html
    actions = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(RmTask), object_id=str(task.pk)
    ).values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]


def test_bad_input_names_the_field_in_chinese(client, rm):
    response = add_task(client, title="", due="明天", customer="C002")  # C002 is 李强's customer
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error="title"' in html and 'data-error="due"' in html and 'data-error="customer"' in html
    assert "C002" in html and "您的客户" in html
    assert not RmTask.objects.exists()


def test_another_rms_task_is_invisible_and_cannot_be_ticked(client, small_bank, make_login, rm):
    other = make_login("rm-li", "rm", staff_no="S002")
    theirs = RmTask.objects.create(
        title="李强的预约", kind="task", due=timezone.now(), owner=small_bank["staff"]["S002"], branch_id="B002"
    )
    assert "李强的预约" not in client.get("/campaigns/today/").content.decode()
    assert client.post(f"/campaigns/today/tasks/{theirs.pk}/done/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.done
    client.force_login(other)
    assert "李强的预约" in client.get("/campaigns/today/").content.decode()


def test_the_branch_head_sees_the_branchs_tasks_but_does_not_tick_them(small_bank, make_login):
    head = make_login("bm-east", "branch_manager", branch_code="B001")
    east = RmTask.objects.create(
        title="王芳的任务", due=timezone.now(), owner=small_bank["staff"]["S001"], branch_id="B001"
    )
    RmTask.objects.create(title="李强的任务", due=timezone.now(), owner=small_bank["staff"]["S002"], branch_id="B002")
    assert list(RmTask.objects.restrict(head, "view")) == [east]


def test_the_page_gathers_follow_ups_maturities_birthdays_and_new_items(client, small_bank, rm):
    c1, c2 = small_bank["customers"]["C001"], small_bank["customers"]["C002"]
    today = timezone.localdate()
    born = dt.date(today.year - 40, today.month, min(today.day, 28))
    c1.birth_date = born
    c1.save()
    c2.birth_date = born  # 李强's customer: not on 王芳's page
    c2.save()
    from bankcrm.customers.models import Product

    product = Product.objects.get(code="DD01")
    Account.objects.create(
        account_no="A1",
        customer=c1,
        product=product,
        open_date=dt.date(2025, 1, 1),
        maturity_date=today + dt.timedelta(days=6),
        status="active",
    )
    Account.objects.create(
        account_no="A2",
        customer=c1,
        product=product,
        open_date=dt.date(2025, 1, 1),
        maturity_date=today + dt.timedelta(days=7),
        status="active",
    )  # the eighth day: next week
    pending = list_item(c1, "edge", 1)
    broken = list_item(c1, "kyc_expiring", 1, status="promise_broken")
    list_item(c1, "maturing", 1, status="contacted")  # done: not a follow-up
    list_item(c2, "edge", 2)  # someone else's
    html = client.get("/campaigns/today/").content.decode()
    follow = html[html.index('id="today-follow-ups"') : html.index('id="today-maturities"')]
    assert follow.count("data-item=") == 2
    assert follow.index(f'data-item="{broken.pk}"') < follow.index(f'data-item="{pending.pk}"')
    maturities = html[html.index('id="today-maturities"') : html.index('id="today-birthdays"')]
    assert 'data-account="A1"' in maturities and 'data-account="A2"' not in maturities
    birthdays = html[html.index('id="today-birthdays"') : html.index('id="today-new-items"')]
    assert 'data-customer="C001"' in birthdays and 'data-customer="C002"' not in birthdays
    assert "40" in birthdays
    # the birth date is a reveal field: not the date, nor its year, anywhere on the page
    assert born.isoformat() not in html and f"{born:%m-%d}" not in birthdays and str(born.year) not in html
    # who learnt whose birthday is in the access log, one line per customer named
    from bankcrm.core.models import AccessLog

    assert list(AccessLog.objects.filter(fields="birthday").values_list("action", "customer_no")) == [("view", "C001")]
    new = html[html.index('id="today-new-items"') :]
    assert f'data-item="{pending.pk}"' in new


def test_the_today_page_is_for_signed_in_staff_only(client, small_bank):
    response = client.get("/campaigns/today/")
    assert response.status_code == 302 and "/login" in response["Location"]
