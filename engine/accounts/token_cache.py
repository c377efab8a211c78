"""`CachingTokenStore`: an API-token store that remembers successful verifications briefly.

`unimap serve` checks the bearer token of every request; without a cache that is one database
read (in a worker thread) per request. `verify(text)` keeps each *successful* verification for
`ttl` seconds (default 5), keyed by the SHA-256 of the whole token text (never the text
itself), in a bounded LRU of `size` entries. What is never cached: a malformed, unknown,
revoked or wrong token (each is looked up again every time, so a token created since is
accepted at once).

Revocation stays correct:

* through this store (`revoke`, which the server's own code and tests use), the token's
  entries are evicted as soon as the store has revoked it, and a verification that read the
  token before the revocation committed is not cached afterwards (a revocation counter);
* through another process (`unimap tokens revoke` against the same database, another worker),
  this process may accept the token for at most `ttl` seconds after the revocation: the
  bound documented in `docs/server.md`. `ttl=0` turns the cache off.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from engine.accounts.tokens import ApiToken, ApiTokenStore, hash_secret, verify_token

__all__ = ["DEFAULT_TOKEN_CACHE_TTL", "CachingTokenStore"]

#: How long a successful verification is trusted without reading the store again, seconds.
DEFAULT_TOKEN_CACHE_TTL = 5.0


class CachingTokenStore:
    """An `ApiTokenStore` over `store` whose `verify` caches successes (module doc)."""

    def __init__(
        self,
        store: ApiTokenStore,
        *,
        ttl: float = DEFAULT_TOKEN_CACHE_TTL,
        size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Cache up to `size` verifications for `ttl` seconds each (`clock`: tests)."""
        if ttl < 0 or size < 1:
            raise ValueError("ttl must be at least 0 and size at least 1")
        self.store = store
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[ApiToken, float]] = OrderedDict()
        self._revocations = 0

    def __repr__(self) -> str:
        """Show the store and the settings (never a cached entry)."""
        return f"CachingTokenStore({self.store!r}, ttl={self.ttl:g}, size={self.size})"

    def cached(self, text: str) -> ApiToken | None:
        """The token `text` stands for when a fresh successful verification is cached (never
        blocks on the store: callable from an event loop)."""
        key = hash_secret(text)
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if entry[1] <= self._clock():
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return entry[0]

    def verify(self, text: str) -> ApiToken | None:
        """`verify_token(store, text)`, answered from the cache when it can be."""
        if self.ttl == 0:
            return verify_token(self.store, text)
        found = self.cached(text)
        if found is not None:
            return found
        with self._lock:
            revocations = self._revocations
        record = verify_token(self.store, text)
        if record is None:
            return None
        with self._lock:
            if revocations == self._revocations:  # no revocation since the read: still true
                self._cache[hash_secret(text)] = (record, self._clock() + self.ttl)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return record

    def add(self, token: ApiToken) -> ApiToken:
        """Store a new token record."""
        return self.store.add(token)

    def get(self, token_id: str) -> ApiToken:
        """Return the token record with this id (from the store)."""
        return self.store.get(token_id)

    def list(self) -> builtins.list[ApiToken]:
        """Every token, revoked ones too, oldest first."""
        return self.store.list()

    def revoke(self, token_id: str, when: datetime) -> ApiToken:
        """Revoke in the store, then forget every cached verification of the token."""
        try:
            return self.store.revoke(token_id, when)
        finally:
            with self._lock:
                self._revocations += 1
                for key in [k for k, (record, _) in self._cache.items() if record.id == token_id]:
                    del self._cache[key]
