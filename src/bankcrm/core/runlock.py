"""One run at a time: ``bankcrm import`` and ``bankcrm metrics`` each hold an exclusive lock (issue 8, item 10).

Two imports at once recorded files twice and doubled the quarantine. The lock has two parts:

* a lock file ``BANKCRM_HOME/locks/<name>.lock`` held with ``fcntl.flock`` (the home's warehouse and
  cache belong to one run; the kernel drops the lock when the process dies, even on kill -9, so a
  crashed run never blocks the next one). The holder writes its pid and start time into the file.
* on PostgreSQL also a session advisory lock (``pg_try_advisory_lock``) on a connection of its own,
  for homes on several machines sharing one database. The holder's pid and start time travel in
  that connection's ``application_name``, so the refused run can name them.

A second run does not wait: it fails at once with "another import is running since …, pid …".
"""

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext

APPLICATION_PREFIX = "bankcrm-lock "


class RunLocked(Exception):
    """Another run of the same kind holds the lock."""

    def __init__(self, name: str, since: str, pid: str):
        self.name, self.since, self.pid = name, since, pid
        super().__init__(self.message())

    def message(self) -> str:
        values = {"since": self.since or "?", "pid": self.pid or "?"}
        if self.name == "metrics":
            return gettext("another metrics run is running since %(since)s, pid %(pid)s") % values
        return gettext("another import is running since %(since)s, pid %(pid)s") % values


def lock_path(name: str) -> Path:
    return Path(settings.BANKCRM_HOME) / "locks" / f"{name}.lock"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key per lock name (the same in every process and release)."""
    return int.from_bytes(hashlib.sha256(f"bankcrm:{name}".encode()).digest()[:8], "big", signed=True)


def _now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")


def _holder_from_file(fh) -> tuple[str, str]:
    fh.seek(0)
    try:
        holder = json.loads(fh.read() or "{}")
    except ValueError:  # a holder still writing its line
        holder = {}
    return str(holder.get("since", "")), str(holder.get("pid", ""))


@contextlib.contextmanager
def _file_lock(name: str, wait: bool = False) -> Iterator[None]:
    path = lock_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(name, *_holder_from_file(fh)) from None
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({"pid": os.getpid(), "since": _now_text()}))
            fh.flush()
            yield
        finally:
            # The file stays (removing it would let a third run lock a new inode while a second
            # still waits on the old one); emptied, it names no holder.
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory_lock(name: str, wait: bool = False) -> Iterator[None]:
    # A connection of its own: the run's own connection commits, rolls back and may reconnect,
    # and a session lock must live exactly as long as the run.
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with conn.cursor() as cursor:
            label = f"{APPLICATION_PREFIX}{name} pid={os.getpid()} since={_now_text().replace(' ', 'T')}"
            cursor.execute("SELECT set_config('application_name', %s, false)", [label[:63]])
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s), true", [advisory_key(name)])
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
            if not cursor.fetchone()[-1]:
                since, pid = _advisory_holder(cursor, name)
                if pid == str(os.getpid()) and _freed_by_collecting(cursor, name):
                    pass  # our own process held it on a connection no longer referenced: now ours
                else:
                    raise RunLocked(name, since, pid)
        yield
    finally:
        conn.close()  # ends the session: PostgreSQL releases its advisory locks


def _freed_by_collecting(cursor, name: str) -> bool:
    """The lock is held by this very process: a lock connection that is no longer referenced (a run
    whose context was dropped without being left) is only closed when the garbage collector gets to
    it. Collect now and try once more; a lock this process really holds stays refused."""
    import gc

    gc.collect()
    cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
    return bool(cursor.fetchone()[0])


def _advisory_holder(cursor, name: str) -> tuple[str, str]:
    key = advisory_key(name)
    cursor.execute(
        """SELECT a.application_name, a.backend_start FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database
            WHERE datname = current_database())
          AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.objsubid = 1""",
        [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],  # how PostgreSQL shows a bigint key in pg_locks
    )
    row = cursor.fetchone()
    if row is None:
        return "", ""
    label, backend_start = row
    parts = dict(p.split("=", 1) for p in (label or "").split() if "=" in p)
    since = parts.get("since", "").replace("T", " ")
    if not since and isinstance(backend_start, dt.datetime):
        since = timezone.localtime(backend_start).strftime("%Y-%m-%d %H:%M:%S")
    return since, parts.get("pid", "")


@contextlib.contextmanager
def exclusive_run(name: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the ``name`` lock ("import", "metrics") for the block, or raise RunLocked at once.

    ``wait=True`` blocks until the holder is done instead ("migrate": the first command on an empty
    home creates the tables, a second one started meanwhile waits and then finds them; issue 15.8).
    """
    with _file_lock(name, wait):
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            with _advisory_lock(name, wait):
                yield
        else:
            yield
