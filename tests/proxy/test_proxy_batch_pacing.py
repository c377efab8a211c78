"""A proxied batch is paced like the engine's own: upsert-only batches use the import bucket."""

from __future__ import annotations

from engine.api import Engine
from engine.proxy import proxy_request


def _session():
    engine = Engine.load()
    return engine.connect("mailerlite", credentials={"api_key": "k"}).session


def test_a_proxied_upsert_only_batch_consumes_the_import_bucket() -> None:
    body = {
        "requests": [{"method": "POST", "path": "api/subscribers", "body": {"email": "a@b.co"}}] * 3
    }
    request = proxy_request(_session(), "POST", "/batch", body=body)
    assert request.buckets == ("general", "imports")


def test_a_proxied_mixed_batch_consumes_only_the_general_bucket() -> None:
    body = {
        "requests": [
            {"method": "POST", "path": "api/subscribers", "body": {"email": "a@b.co"}},
            {"method": "GET", "path": "api/groups"},
        ]
    }
    assert proxy_request(_session(), "POST", "/batch", body=body).buckets == ("general",)


def test_a_proxied_plain_call_consumes_the_default_buckets() -> None:
    assert proxy_request(_session(), "POST", "/subscribers", body={"email": "a@b.co"}).buckets == (
        "general",
    )
