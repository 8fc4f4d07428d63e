"""Issue 15.7: the end of an import is announced to ``import.finished`` subscribers (ADR 0606)."""

import json

from bankcrm.core.models import WebhookDelivery, WebhookSubscription
from bankcrm.ingest.models import ImportRun


def test_a_finished_import_is_queued_with_its_counts(db, delivery, run_import):
    WebhookSubscription.objects.create(name="dw", url="http://127.0.0.1:9/", secret="x" * 16,
                                       event_types=["import.finished"])  # fmt: skip
    d = delivery().write_all()
    code, report = run_import(d.folder)
    assert code == 0
    envelope = json.loads(WebhookDelivery.objects.get().body)
    run = ImportRun.objects.get()
    assert envelope["type"] == "import.finished"
    assert envelope["data"]["import_run_id"] == run.pk and envelope["data"]["status"] == "finished"
    by_file = {f["file"]: f for f in envelope["data"]["files"]}
    assert {f["file"] for f in report["files"]} == set(by_file)
    customers = next(f for f in report["files"] if f["table"] == "customers")
    assert by_file[customers["file"]]["rows_loaded"] == customers["rows_loaded"]
    # the delivery folder's path is the operator's, not the integrator's business
    assert "directory" not in envelope["data"]
