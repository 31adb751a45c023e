"""Log records of a kernel show the browser no traceback.

In a kernel, everything written to stderr (``sys.stderr`` and, with ipykernel's fd capture,
file descriptor 2 as well) is streamed to the browser. The comm machinery reports a failing
``comm_open`` with ``logger.error(..., exc_info=True)``: sent by a page, or by anyone with the
page's websocket, a malformed message used to show them a traceback with the server's paths.
Here the records of the widget machinery keep their one-line message plus the exception's type,
without the traceback and without the exception's text (which may hold paths too).
"""

from __future__ import annotations

import logging

__all__ = ["WIDGET_LOGGERS", "keep_kernel_errors_off_the_page"]

#: Loggers of the widget machinery that report failures with a traceback.
WIDGET_LOGGERS = ("Comm", "ipywidgets", "traitlets", "ipykernel.comm")


class NoTraceback(logging.Filter):
    """Replace a record's traceback by the exception's type name."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.getMessage()} ({record.exc_info[0].__name__})"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def keep_kernel_errors_off_the_page() -> None:
    """Add :class:`NoTraceback` to the widget machinery's loggers (idempotent)."""
    for name in WIDGET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoTraceback) for f in logger.filters):
            logger.addFilter(NoTraceback())
