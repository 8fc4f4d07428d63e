"""The access log: every read of personal data and every export leaves a line (DESIGN rule 2).

In core because every app that shows a customer writes it; compliance reads it.
"""

from .context import current
from .models import AccessLog


def record_access(
    action: str,
    *,
    customer_no: str = "",
    user=None,
    fields: str = "",
    reason: str = "",
    path: str = "",
    detail: str = "",
) -> AccessLog:
    ctx = current()
    user = user if user is not None else ctx.user
    user_name = getattr(user, "get_username", lambda: "")() if user is not None else ctx.user_name
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_name=user_name or ctx.user_name,
        action=action,
        customer_no=customer_no,
        fields=fields,
        reason=reason[:200],
        path=path[:300],
        remote_addr=ctx.remote_addr,
        request_id=ctx.request_id,
        detail=detail[:300],
    )
