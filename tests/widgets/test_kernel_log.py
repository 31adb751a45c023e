"""A failing comm_open shows the browser no traceback: the unit (the log filter) here; the real
kernel behind a real server in tests/apps/test_no_tracebacks.py."""

from __future__ import annotations

import io
import logging

from widgets.kernel_log import WIDGET_LOGGERS, NoTraceback, keep_kernel_errors_off_the_page


def test_a_record_with_a_traceback_keeps_its_message_and_the_exception_type_only() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("igm-test-kernel-log")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.addFilter(NoTraceback())
    logger.propagate = False
    try:
        try:
            raise ValueError("/srv/igm/.venv/lib/python3.11/site-packages/ipywidgets/x.py")
        except ValueError:
            logger.error("Exception opening comm with target: %s", "jupyter.widget", exc_info=True)
        logger.error("plain %s", "message")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert text == (
        "Exception opening comm with target: jupyter.widget (ValueError)\nplain message\n"
    )
    assert "Traceback" not in text and "site-packages" not in text


def test_the_widget_loggers_get_the_filter_once() -> None:
    import widgets  # noqa: F401  (importing the package installs it)

    keep_kernel_errors_off_the_page()
    keep_kernel_errors_off_the_page()
    for name in WIDGET_LOGGERS:
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, NoTraceback)]
        assert len(filters) == 1, name
