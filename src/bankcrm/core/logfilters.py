"""Logging filters (settings.LOGGING)."""

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """A 4xx answer is logged as one line, without the traceback of the exception behind it.

    Django logs every PermissionDenied / Http404 with ``exc_info``: a walk through the pages as a
    role without some permission wrote 78 full tracebacks for 78 ordinary 403s (issue 14). The
    status, method and path say all there is to say; a 5xx keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
