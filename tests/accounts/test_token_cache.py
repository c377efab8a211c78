"""`CachingTokenStore`: successful API-token checks are reused for a few seconds, failures
never; a revocation through the cache takes effect at once, one behind its back (another
process) within the TTL."""

from __future__ import annotations

import threading
from datetime import datetime

from engine.accounts.model import utc_now
from engine.accounts.token_cache import CachingTokenStore
from engine.accounts.tokens import ApiToken, MemoryTokenStore, create_token


class Clock:
    """Monotonic seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingStore(MemoryTokenStore):
    """A token store counting its reads (each stands for a database query)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, token_id: str) -> ApiToken:
        self.reads += 1
        return super().get(token_id)


def cache(store: CountingStore, clock: Clock) -> CachingTokenStore:
    return CachingTokenStore(store, ttl=5.0, clock=clock)


def test_a_verified_token_is_not_read_again_within_the_ttl() -> None:
    store, clock = CountingStore(), Clock()
    tokens = cache(store, clock)
    record, text = create_token(tokens, "host")
    assert tokens.verify(text) == record
    clock.now += 4.9
    assert tokens.verify(text) == tokens.cached(text) == record
    assert store.reads == 1
    clock.now += 0.2
    assert tokens.cached(text) is None
    assert tokens.verify(text) == record and store.reads == 2


def test_a_revocation_through_the_cache_refuses_the_next_check() -> None:
    store, clock = CountingStore(), Clock()
    tokens = cache(store, clock)
    record, text = create_token(tokens, "host")
    assert tokens.verify(text) == record
    tokens.revoke(record.id, utc_now())
    assert tokens.cached(text) is None
    assert tokens.verify(text) is None


def test_a_revocation_elsewhere_is_seen_once_the_ttl_has_passed() -> None:
    store, clock = CountingStore(), Clock()
    tokens = cache(store, clock)
    record, text = create_token(tokens, "host")
    tokens.verify(text)
    store.revoke(record.id, utc_now())  # another process, on the same database
    assert tokens.verify(text) == record  # stale, at most the TTL
    clock.now += 5.0
    assert tokens.verify(text) is None


def test_unknown_wrong_and_revoked_tokens_are_never_cached() -> None:
    store, clock = CountingStore(), Clock()
    tokens = cache(store, clock)
    record, text = create_token(tokens, "host")
    revoked, revoked_text = create_token(tokens, "old")
    tokens.revoke(revoked.id, utc_now())
    unknown = "unimap_0123456789abcdef.secret"
    wrong = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    for _ in range(2):
        assert [tokens.verify(t) for t in (unknown, wrong, revoked_text)] == [None] * 3
    assert store.reads == 6  # each of the three read from the store both times
    assert [tokens.cached(t) for t in (unknown, wrong, revoked_text)] == [None] * 3
    store.add(ApiToken("0123456789abcdef", "late", record.secret_hash, utc_now()))
    late = f"unimap_0123456789abcdef.{text.partition('.')[2]}"
    assert tokens.verify(late) is not None  # a token created since a miss works at once


def test_a_check_racing_a_revocation_does_not_cache_the_stale_record() -> None:
    class SlowStore(MemoryTokenStore):
        def __init__(self) -> None:
            super().__init__()
            self.reading, self.go = threading.Event(), threading.Event()

        def get(self, token_id: str) -> ApiToken:
            found = super().get(token_id)  # read before the revocation commits
            self.reading.set()
            self.go.wait(5)
            return found

    store = SlowStore()
    tokens = CachingTokenStore(store, ttl=60.0)
    record, text = create_token(tokens, "host")
    checked: list[ApiToken | None] = []
    thread = threading.Thread(target=lambda: checked.append(tokens.verify(text)))
    thread.start()
    assert store.reading.wait(5)
    tokens.revoke(record.id, datetime.now().astimezone())
    store.go.set()
    thread.join(5)
    assert checked == [record]  # that check read the token before it was revoked
    assert tokens.cached(text) is None and tokens.verify(text) is None


def test_the_cache_keeps_at_most_size_entries() -> None:
    tokens = CachingTokenStore(MemoryTokenStore(), ttl=60.0, size=2)
    texts = [create_token(tokens, f"host-{n}")[1] for n in range(3)]
    for text in texts:
        tokens.verify(text)
    assert [tokens.cached(text) is not None for text in texts] == [False, True, True]
