"""The acting user and request of the current unit of work.

Set by ``RequestContextMiddleware`` for web requests and by ``acting_as`` for
commands, so the change log and access log know who did what without every
service having to pass the request around.
"""

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActionContext:
    user: object | None = None
    user_name: str = "system"
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    remote_addr: str = ""


_current: ContextVar[ActionContext | None] = ContextVar("bankcrm_action_context", default=None)


def current() -> ActionContext:
    return _current.get() or ActionContext()


@contextlib.contextmanager
def acting_as(
    user: object | None = None, *, user_name: str | None = None, remote_addr: str = ""
) -> Iterator[ActionContext]:
    name = user_name or (getattr(user, "get_username", lambda: "")() if user is not None else "") or "system"
    ctx = ActionContext(user=user, user_name=name, remote_addr=remote_addr)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
