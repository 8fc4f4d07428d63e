"""Response-letter templates (issue 14): the bank words them in admin, the desk fills them per complaint."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bankcrm.complaints import services
from bankcrm.complaints.models import LetterTemplate
from bankcrm.core.models import AccessLog


@pytest.fixture
def template(db):
    return LetterTemplate.objects.create(
        name="reply",
        subject="Re: {reference}",
        body="Dear {customer_name}, your complaint of {received} ({category}) will be answered by {deadline}. "
        "Compensation: {compensation}. {unknown_stays}",
    )


def test_letter_print_view_fills_the_placeholders_and_is_logged(register, handler, client, template):
    complaint = register(customer="C001")  # received 2026-09-23, cn decision due 2026-10-08
    services.respond(complaint, handler, compensation=Decimal("1234.5"))
    client.force_login(handler)
    html = client.get(f"/complaints/{complaint.reference}/letter/{template.pk}/").content.decode()
    assert f"Re: {complaint.reference}" in html
    assert "Dear 张三, your complaint of 2026-09-23 (收费定价) will be answered by 2026-10-08." in html
    assert "Compensation: 1,234.50." in html
    assert "{unknown_stays}" in html  # a stray placeholder is left as written, never an error page
    assert AccessLog.objects.filter(
        user_name="desk", action="view", customer_no="C001", detail__startswith="letter"
    ).exists()


def test_letter_download_is_plain_text_and_an_export(register, handler, client, template):
    complaint = register(customer="C001")
    client.force_login(handler)
    r = client.get(f"/complaints/{complaint.reference}/letter/{template.pk}/?format=txt")
    assert r["Content-Type"] == "text/plain; charset=utf-8"
    assert f'filename="{complaint.reference}-letter.txt"' in r["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith(f"Re: {complaint.reference}\r\n\r\nDear 张三")
    assert AccessLog.objects.filter(user_name="desk", action="export", customer_no="C001").exists()


def test_an_unknown_placeholder_is_refused_when_the_template_is_saved(db):
    t = LetterTemplate(name="typo", body="Dear {customer_nmae}, {reference.__class__}")
    with pytest.raises(ValidationError) as err:
        t.full_clean()
    assert "{customer_nmae}" in str(err.value) and "{customer_name}" in str(err.value)


def add_default_template():
    """What migration 0004 does (a transactional test elsewhere may have flushed its row)."""
    import importlib

    from django.apps import apps

    importlib.import_module("bankcrm.complaints.migrations.0004_letter_template").add_default_template(apps, None)


def test_the_bank_starts_with_one_template_and_the_complaint_page_offers_it(register, handler, client):
    add_default_template()
    complaint = register(customer="C001")
    default = LetterTemplate.objects.get(name="处理答复函")
    client.force_login(handler)
    html = client.get(f"/complaints/{complaint.reference}/").content.decode()
    assert f"/complaints/{complaint.reference}/letter/{default.pk}/" in html
    letter = client.get(f"/complaints/{complaint.reference}/letter/{default.pk}/").content.decode()
    assert "尊敬的张三" in letter and complaint.reference in letter and "{" not in letter.split('id="letter"')[1]


def test_letters_need_the_handlers_permission(register, make_login, client, template):
    complaint = register(customer="C001")
    client.force_login(make_login("rm1", "rm", staff_no="S001"))
    assert client.get(f"/complaints/{complaint.reference}/letter/{template.pk}/").status_code == 403


def test_admin_edits_templates_and_shows_attachments(register, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    complaint = register()
    client.force_login(admin_user)
    add = client.get("/admin/complaints/lettertemplate/add/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "{customer_name}" in add  # the placeholders are listed beside the body
    r = client.post(
        "/admin/complaints/lettertemplate/add/",
        {"name": "typo", "subject": "", "body": "Dear {customer_nmae}", "active": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200 and "unknown placeholder(s) {customer_nmae}" in r.content.decode()
    assert client.get(f"/admin/complaints/complaint/{complaint.pk}/change/").status_code == 200
