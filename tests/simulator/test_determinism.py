"""Same seed, same answers; different seed, different data."""

from __future__ import annotations

from simulators.mailerlite import FakeClock, Simulator


def transcript(seed: int) -> list[bytes]:
    sim = Simulator(seed=seed, clock=FakeClock()).seed_data(subscribers=120, groups=3, segments=3)
    out: list[bytes] = []
    with sim.client() as client:
        out.append(client.get("/subscribers", params={"limit": 50, "include": "groups"}).content)
        out.append(client.get("/groups").content)
        out.append(client.get("/segments").content)
        out.append(client.post("/subscribers", json={"email": "d@example.com"}).content)
        out.append(
            client.post(
                "/webhooks", json={"url": "http://x.test", "events": ["subscriber.created"]}
            ).content
        )
        out.append(client.post("/fields", json={"name": "Extra", "type": "number"}).content)
    sim.close()
    return out


def test_same_seed_gives_byte_identical_responses() -> None:
    assert transcript(42) == transcript(42)


def test_different_seeds_give_different_data() -> None:
    assert transcript(42)[0] != transcript(43)[0]


def test_seeded_data_mixes_statuses_and_custom_fields() -> None:
    sim = Simulator(seed=3).seed_data(subscribers=500, groups=2, segments=2)
    statuses = {s.status for s in sim.state.subscribers.values()}
    assert statuses == {"active", "unsubscribed", "unconfirmed", "bounced", "junk"}
    types = {f.key: f.type for f in sim.state.fields.values() if not f.is_default}
    assert types == {"loyalty_tier": "text", "score": "number", "birthday": "date"}
    assert all(g.members for g in sim.state.groups.values())
