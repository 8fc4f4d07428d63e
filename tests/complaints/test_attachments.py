"""Attachments (issue 14): evidence and recordings with size and type limits, the virus-scan hook,
stored under BANKCRM_HOME through the ``complaint_attachments`` storage, downloads logged."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bankcrm.complaints import attachments
from bankcrm.complaints.models import Attachment
from bankcrm.core.models import AccessLog, ObjectChange


def infected_scanner(file, name):
    return ("infected", "EICAR-Test-File") if b"EICAR" in file.read() else ("clean", "scanned by the test")


def broken_scanner(file, name):
    raise ConnectionError("clamd is down")


def conf(**overrides):
    return {**settings.BANKCRM_COMPLAINTS, **overrides}


def test_upload_stores_under_bankcrm_home_records_not_scanned_and_downloads_logged(register, handler, client):
    complaint = register(customer="C001")
    client.force_login(handler)
    upload = SimpleUploadedFile("回单.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    r = client.post(f"/complaints/{complaint.reference}/attachments/", {"file": upload, "kind": "evidence"})
    assert r.status_code == 302
    a = Attachment.objects.get()
    assert (a.original_name, a.size, a.kind, a.scan) == ("回单.pdf", 16, "evidence", "not_scanned")
    home = Path(settings.BANKCRM_HOME).resolve()
    stored = Path(a.file.path).resolve()
    assert stored.is_relative_to(home / "attachments") and stored.read_bytes() == b"%PDF-1.4 receipt"
    assert "回单" not in stored.name  # the stored name is ours, the customer's name is data
    html = client.get(f"/complaints/{complaint.reference}/").content.decode()
    assert 'data-attachment="回单.pdf"' in html and 'data-scan="not_scanned"' in html
    assert complaint.events.filter(action="attach").count() == 1
    logged = ObjectChange.objects.get(action="create", object_repr__contains="回单.pdf")
    assert logged.postchange_data["file"] == a.file.name  # the change log names the stored file
    r = client.get(f"/complaints/{complaint.reference}/attachments/{a.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 receipt"
    assert "attachment" in r["Content-Disposition"]
    assert AccessLog.objects.filter(
        user_name="desk", action="export", customer_no="C001", detail__contains="回单.pdf"
    ).exists()


@pytest.mark.parametrize(
    ("name", "content", "limits", "message"),
    [
        ("run.exe", b"MZ", {}, "files of type .exe are not accepted"),
        ("big.pdf", b"x" * 2048, {"attachment_max_bytes": 1024}, "the largest accepted is"),
        ("empty.pdf", b"", {}, "is empty"),
        ("note.rtf", b"{\\rtf", {"attachment_types": "pdf"}, "accepted: pdf"),
        ("note.doc", b"x", {"attachment_types": ["pdf", ".docx"]}, "accepted: pdf, docx"),
    ],
)
def test_limits_refuse_with_a_clear_message(register, handler, settings, name, content, limits, message):
    settings.BANKCRM_COMPLAINTS = conf(**limits)
    complaint = register()
    with pytest.raises(ValidationError) as err, translation.override("en"):
        attachments.add_attachment(complaint, user=handler, file=SimpleUploadedFile(name, content))
    assert message in str(err.value) and name in str(err.value)
    assert not Attachment.objects.exists()


def test_the_scanner_hook_refuses_infected_files_and_records_clean_ones(register, handler, settings):
    settings.BANKCRM_COMPLAINTS = conf(virus_scanner=f"{__name__}.infected_scanner")
    complaint = register()
    with pytest.raises(ValidationError) as err:
        attachments.add_attachment(complaint, user=handler, file=SimpleUploadedFile("a.pdf", b"X5O EICAR"))
    assert "EICAR-Test-File" in str(err.value) and "未通过病毒扫描" in str(err.value)  # in the user's language
    a = attachments.add_attachment(complaint, user=handler, file=SimpleUploadedFile("b.pdf", b"%PDF fine"))
    assert (a.scan, a.scan_detail) == ("clean", "scanned by the test")
    assert a.file.open("rb").read() == b"%PDF fine"  # the scanner read it; the whole file is still stored


def test_a_failing_scanner_refuses_the_file(register, handler, settings):
    settings.BANKCRM_COMPLAINTS = conf(virus_scanner=f"{__name__}.broken_scanner")
    with pytest.raises(ValidationError) as err, translation.override("en"):
        attachments.add_attachment(register(), user=handler, file=SimpleUploadedFile("a.pdf", b"%PDF"))
    assert "virus scan failed" in str(err.value)
    assert not Attachment.objects.exists()


def test_downloads_are_scoped(register, handler, make_login, client):
    complaint = register(customer="C001")
    a = attachments.add_attachment(complaint, user=handler, file=SimpleUploadedFile("a.pdf", b"%PDF"))
    client.force_login(make_login("west", "complaint_handler", branch_code="B002"))
    assert client.get(f"/complaints/{complaint.reference}/attachments/{a.pk}/").status_code == 404
    assert not AccessLog.objects.filter(user_name="west").exists()


def test_page_upload_error_is_shown(register, handler, client):
    complaint = register()
    client.force_login(handler)
    r = client.post(
        f"/complaints/{complaint.reference}/attachments/",
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "files of type .exe are not accepted" in r.content.decode()
