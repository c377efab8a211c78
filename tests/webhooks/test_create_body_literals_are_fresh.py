"""A webhook create body never shares a container its mapping wrote as a literal (Mailchimp
sends `sources` as a JSON literal): changing one body changes no later one."""

from __future__ import annotations

from engine.api import Engine
from engine.webhooks.subscriptions import create_body, subscription_spec


def test_changing_one_create_bodys_literal_sources_leaves_the_next_body_untouched() -> None:
    mapping = Engine.load().mapping("mailchimp")
    _, subs = subscription_spec(mapping)
    source = {"url": "https://example.test/hook", "events": ["subscribe"]}
    first = create_body(mapping, subs, source)
    first["sources"]["api"] = False
    assert create_body(mapping, subs, source)["sources"] == {
        "user": True,
        "admin": True,
        "api": True,
    }
