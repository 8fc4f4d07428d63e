"""The one change log: every ChangeLoggedModel save/delete becomes an ObjectChange."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.forms.models import model_to_dict

from .context import current

_PRECHANGE_ATTR = "_bankcrm_prechange"
_SKIP_FIELDS = {"created", "last_updated"}


def serialize_object(instance) -> dict:
    data = model_to_dict(
        instance, fields=[f.name for f in instance._meta.concrete_fields if f.name not in _SKIP_FIELDS]
    )
    # A stored file is logged by its name in the storage (the content is not the log's business).
    data = {k: (v.name or None) if isinstance(v, FieldFile) else v for k, v in data.items()}
    # Fields a model keeps out of the log (e.g. a staff member's ID number, shown nowhere in full):
    # a fingerprint, so the history still says *that* it changed, never what it is.
    for name in getattr(type(instance), "changelog_redacted_fields", ()):
        if data.get(name):
            data[name] = "redacted:" + hashlib.sha256(str(data[name]).encode()).hexdigest()[:12]
    # Round-trip through the JSON encoder so Decimals, dates and UUIDs become plain text.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _is_logged(sender) -> bool:
    from .models import ChangeLoggedModel

    return issubclass(sender, ChangeLoggedModel)


def record_change(instance, action: str, before: dict | None, after: dict | None):
    from django.contrib.contenttypes.models import ContentType

    from .models import ObjectChange

    ctx = current()
    user = ctx.user if getattr(ctx.user, "pk", None) else None
    return ObjectChange.objects.create(
        user=user,
        user_name=ctx.user_name[:150],
        request_id=ctx.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


@receiver(pre_save)
def _capture_prechange(sender, instance, raw=False, **kwargs):
    if raw or not _is_logged(sender) or instance.pk is None:
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    setattr(instance, _PRECHANGE_ATTR, previous.snapshot() if previous is not None else None)


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_logged(sender):
        return
    before = None if created else getattr(instance, _PRECHANGE_ATTR, None)
    after = instance.snapshot()  # a model may leave a secret out (WebhookSubscription)
    if before == after:
        return
    record_change(instance, "create" if before is None else "update", before, after)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if _is_logged(sender):
        record_change(instance, "delete", instance.snapshot(), None)
