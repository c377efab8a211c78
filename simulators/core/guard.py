"""Limits on what a client may send a simulator, checked before its pipeline sees a request.

`unimap sandbox` serves the simulators over HTTP, so anything on the machine (or a web page
through DNS rebinding, see `simulators.core.hosts`) can send them hostile requests. Instead of
answering 500 (or storing a 100 MB field), every transport passes each request through
`screened` first:

* a body over `MAX_BODY_BYTES` is `413 Payload Too Large`;
* a query value over `MAX_QUERY_VALUE` characters is `414 URI Too Long`;
* a JSON body nested deeper than `MAX_JSON_DEPTH`, holding a text over `MAX_TEXT` characters,
  or a number (or a text of digits) over `MAX_DIGITS` digits is `422` (such a number would
  also fail Python's integer conversion later on).

Bodies that are not JSON pass untouched: each simulator answers them as its provider does.
Path parameters are capped by the router (`simulators.core.router.MAX_PATH_PARAM`), which
answers with the provider's own 404. Refusals are `{"message": ..., "status": ...}` JSON.
"""

from __future__ import annotations

import json
from typing import Any

from simulators.core.messages import SimRequest, SimResponse, SimulatedProvider, json_response

MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body accepted (a 1,000-record batch is well under 1 MB)."""
MAX_QUERY_VALUE = 2048
"""The longest query parameter value accepted."""
MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects accepted in a JSON body."""
MAX_TEXT = 65_536
"""The longest text (a field value, a key) accepted in a JSON body."""
MAX_DIGITS = 1024
"""The longest number, or text of decimal digits, accepted in a JSON body."""

_MAX_INT_BITS = int(MAX_DIGITS * 3.33)


def refusal(status: int, message: str) -> SimResponse:
    """The JSON answer to a request refused by a limit."""
    return json_response(status, {"message": message, "status": status})


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"holds a text longer than {MAX_TEXT} characters"
        if len(value) > MAX_DIGITS and value.isdecimal():
            return f"holds a number of more than {MAX_DIGITS} digits"
    elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        return f"holds a number of more than {MAX_DIGITS} digits"
    return None


def json_problem(data: Any) -> str | None:
    """What in parsed JSON exceeds a limit, in words (None when nothing does)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"is nested more than {MAX_JSON_DEPTH} levels deep"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                problem = _value_problem(key)
                if problem is not None:
                    return problem
                stack.append((item, depth + 1))
            continue
        problem = _value_problem(value)
        if problem is not None:
            return problem
    return None


def body_problem(body: bytes) -> str | None:
    """What makes a JSON body unacceptable (None for acceptable or non-JSON bodies)."""
    if body.lstrip()[:1] not in (b"{", b"["):
        return None
    try:
        data = json.loads(body)
    except RecursionError:
        return f"is nested more than {MAX_JSON_DEPTH} levels deep"
    except ValueError:  # not JSON (or Python's own number limit): the simulator decides
        return None
    return json_problem(data)


def screen(request: SimRequest) -> SimResponse | None:
    """The refusal of a request over a limit, or None when it may be handled."""
    if len(request.body) > MAX_BODY_BYTES:
        return refusal(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    for name, value in request.query.items():
        if len(value) > MAX_QUERY_VALUE:
            too_long = f"query parameter '{name[:64]}' is longer than {MAX_QUERY_VALUE} characters"
            return refusal(414, too_long)
    problem = body_problem(request.body)
    if problem is not None:
        return refusal(422, f"the JSON body {problem}")
    return None


def screened(simulator: SimulatedProvider, request: SimRequest) -> SimResponse:
    """`simulator.handle(request)`, unless a limit refuses the request first."""
    refused = screen(request)
    return refused if refused is not None else simulator.handle(request)
