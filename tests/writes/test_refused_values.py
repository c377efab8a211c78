"""A unified value a write maps through a provider value map that has no entry for it (and no
`_default`) is a `validation_error` naming the unified field and the allowed values; nothing
is sent."""

from __future__ import annotations

import pytest
import respx

from engine.errors import ValidationError
from tests.writes.synthetic import answer, contact, relay, sent


def test_an_unmapped_status_is_refused_before_sending(relay_api: respx.MockRouter) -> None:
    with pytest.raises(ValidationError) as caught:
        relay().contacts.create({"email": "ann@relay.test", "status": "bounced"})
    assert [p.to_dict() for p in caught.value.details] == [
        {
            "field": "status",
            "message": "'bounced' cannot be written to Relay; allowed: active, unsubscribed",
        }
    ]
    assert sent(relay_api) == []


def test_an_update_with_an_unmapped_status_is_refused(relay_api: respx.MockRouter) -> None:
    with pytest.raises(ValidationError) as caught:
        relay().contacts.update("7", {"status": "cleaned"})
    assert [p.field for p in caught.value.details] == ["status"]
    assert sent(relay_api) == []


def test_a_mapped_status_is_sent_as_the_providers_value(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts").mock(return_value=answer(201, {"id": 7}))
    relay_api.get("/contacts/7").mock(return_value=answer(200, contact(7, "ann@relay.test")))
    relay().contacts.create({"email": "ann@relay.test", "status": "active"})
    assert sent(relay_api)[0][2] == {"email": "ann@relay.test", "state": "subscribed"}


def test_a_bulk_item_with_an_unmapped_status_fails_alone(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts").mock(return_value=answer(204))
    relay_api.get("/contacts/b@relay.test").mock(
        return_value=answer(200, contact(2, "b@relay.test"))
    )
    items = [{"email": "a@relay.test", "status": "complained"}, {"email": "b@relay.test"}]
    results = relay().contacts.bulk_upsert(items)["result"]
    assert [r["success"] for r in results] == [False, True]
    assert results[0]["error"]["fields"][0]["field"] == "status"
    posted = [body for m, _, body in sent(relay_api) if m == "POST"]
    assert posted == [{"email": "b@relay.test", "update_enabled": True}]
