"""Attachments of a complaint (evidence, recordings): limits, the virus-scan hook, storing.

Limits and the scanner are settings (``BANKCRM_COMPLAINTS``: ``attachment_max_bytes``,
``attachment_types``, ``virus_scanner``). The scanner is a dotted path to a callable
``scan(file, name) -> (result, detail)`` with result ``clean``, ``infected`` or ``not_scanned``; the
default scans nothing and says so, so an inspector can see which files were never scanned. An
``infected`` file is refused and not stored; a scanner that fails refuses the file too (fail closed).
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from . import events
from .models import Attachment, Complaint

log = logging.getLogger("bankcrm.complaints")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png", "txt")


def _conf() -> dict:
    return getattr(settings, "BANKCRM_COMPLAINTS", {})


def max_bytes() -> int:
    return int(_conf().get("attachment_max_bytes", DEFAULT_MAX_BYTES))


def allowed_types() -> list[str]:
    """The accepted extensions: "pdf,jpg,…" (a bankcrm.toml value is text) or a list."""
    value = _conf().get("attachment_types", DEFAULT_TYPES)
    items = value.split(",") if isinstance(value, str) else value
    return [t.strip().lower().lstrip(".") for t in items if t.strip()]


def not_scanned(file, name: str) -> tuple[str, str]:
    """The default scanner: nothing is scanned, and the attachment records that."""
    return Attachment.Scan.NOT_SCANNED, gettext("no virus scanner configured")


def scan(file, name: str) -> tuple[str, str]:
    scanner = import_string(_conf().get("virus_scanner", "bankcrm.complaints.attachments.not_scanned"))
    try:
        result, detail = scanner(file, name)
    except Exception as exc:  # a scanner down must not let files through unchecked
        log.exception("virus scanner failed on %s", name)
        raise ValidationError({"file": gettext("the virus scan failed (%(error)s); try again later") % {
            "error": type(exc).__name__}}) from exc  # fmt: skip
    finally:
        file.seek(0)
    if result == "infected":
        raise ValidationError(
            {"file": gettext("%(name)s was refused by the virus scan: %(detail)s") % {"name": name, "detail": detail}}
        )
    if result not in Attachment.Scan.values:
        result, detail = Attachment.Scan.NOT_SCANNED, f"scanner answered {result!r}"
    return result, str(detail)[:200]


def check(file, name: str) -> None:
    """Size and type limits, with the limit in the message (in the user's language)."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in allowed_types():
        raise ValidationError(
            {"file": gettext("%(name)s: files of type .%(suffix)s are not accepted; accepted: %(types)s")
             % {"name": name, "suffix": suffix or "?", "types": ", ".join(allowed_types())}}
        )  # fmt: skip
    if file.size > max_bytes():
        raise ValidationError(
            {"file": gettext("%(name)s is %(size)s MB; the largest accepted is %(limit)s MB")
             % {"name": name, "size": f"{file.size / 1048576:.1f}", "limit": f"{max_bytes() / 1048576:.1f}"}}
        )  # fmt: skip
    if file.size == 0:
        raise ValidationError({"file": gettext("%(name)s is empty") % {"name": name}})


def add_attachment(complaint: Complaint, *, user, file, kind: str = Attachment.Kind.EVIDENCE, now=None) -> Attachment:
    """Check, scan and store one file for ``complaint``; one ``attach`` event on its timeline."""
    name = (getattr(file, "name", "") or "file").rsplit("/", 1)[-1][:200]
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": gettext("unknown kind %(value)s") % {"value": kind}})
    check(file, name)
    result, detail = scan(file, name)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    now = now or timezone.now()
    with transaction.atomic():
        attachment = Attachment(
            complaint=complaint, kind=kind, original_name=name, size=file.size, sha256=digest.hexdigest(),
            uploaded_by=user if getattr(user, "pk", None) else None, uploaded_at=now, scan=result,
            scan_detail=detail,
        )  # fmt: skip
        attachment.file.save(name, file, save=False)
        attachment.save()
        events.complaint_attachment_added(complaint, user, attachment=attachment, at=now)
    return attachment
