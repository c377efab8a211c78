"""Link tokens are masked in the server's access log."""

from __future__ import annotations

import logging

from engine.server.link_page.logs import ACCESS_LOGGER, LinkTokenLogFilter
from tests.link_page.conftest import LinkServer

TOKEN = "lt_AbC-12_xyzXYZ0123456789abcdefghijklmnopqrs"


def access_record(path: str) -> logging.LogRecord:
    """A record shaped like uvicorn's access log line."""
    return logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_a_link_path_is_masked_in_the_access_line() -> None:
    record = access_record(f"/link/{TOKEN}?x=1")
    assert LinkTokenLogFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /link/lt_…?x=1 HTTP/1.1" 200'


def test_other_paths_are_left_alone() -> None:
    record = access_record("/healthz")
    LinkTokenLogFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200'


def test_serving_the_link_page_installs_the_filter_once(link_server: LinkServer) -> None:
    filters = logging.getLogger(ACCESS_LOGGER).filters
    assert sum(isinstance(f, LinkTokenLogFilter) for f in filters) == 1
