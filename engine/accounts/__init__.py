"""Linked accounts: provider credentials kept encrypted at rest and out of every output.

* `model`: `Account`, `AccountStatus`.
* `store`: the `AccountStore` protocol (plug in your own) and `MemoryAccountStore`.
* `sqlite_store`: `SqliteAccountStore`, the embedded default (`$UNIMAP_HOME/unimap.db`).
* `postgres_store`: `PostgresAccountStore`, for several workers (`postgresql://` URLs).
* `database`: `open_store` / `default_store` pick one from `UNIMAP_DATABASE_URL`; schema
  upgrades (`migrations`) and moving accounts between databases.
* `keys` / `crypto`: the AES-256-GCM key and the versioned ciphertext format.
* `secrets`: `Secret`, `redact`, `SecretRedactingFilter`.
* `errors`: the errors raised here (all unified `UnimapError`s).

See `docs/accounts.md`. The names below are imported on first use (PEP 562): reading the
cursor key (`keys`) does not load the database stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_exports

if TYPE_CHECKING:
    from engine.accounts.database import DATABASE_URL_ENV, default_store, open_store
    from engine.accounts.errors import (
        AccountNotFoundError,
        AccountsError,
        AccountStoreError,
        CredentialDecryptionError,
        DuplicateAccountError,
        InsecureKeyFileError,
        SchemaVersionError,
        SecretKeyError,
    )
    from engine.accounts.home import default_home
    from engine.accounts.keys import SECRET_KEY_ENV, generate_key, load_key
    from engine.accounts.model import Account, AccountStatus, UnreadableAccount, new_account_id
    from engine.accounts.postgres_store import PostgresAccountStore
    from engine.accounts.sqlite_store import SqliteAccountStore
    from engine.accounts.store import AccountStore, MemoryAccountStore
    from engine.secrets import Secret, SecretRedactingFilter, redact

_WHERE = {
    "DATABASE_URL_ENV": "engine.accounts.database",
    "default_store": "engine.accounts.database",
    "open_store": "engine.accounts.database",
    "AccountNotFoundError": "engine.accounts.errors",
    "AccountsError": "engine.accounts.errors",
    "AccountStoreError": "engine.accounts.errors",
    "CredentialDecryptionError": "engine.accounts.errors",
    "DuplicateAccountError": "engine.accounts.errors",
    "InsecureKeyFileError": "engine.accounts.errors",
    "SchemaVersionError": "engine.accounts.errors",
    "SecretKeyError": "engine.accounts.errors",
    "default_home": "engine.accounts.home",
    "SECRET_KEY_ENV": "engine.accounts.keys",
    "generate_key": "engine.accounts.keys",
    "load_key": "engine.accounts.keys",
    "Account": "engine.accounts.model",
    "AccountStatus": "engine.accounts.model",
    "new_account_id": "engine.accounts.model",
    "UnreadableAccount": "engine.accounts.model",
    "PostgresAccountStore": "engine.accounts.postgres_store",
    "SqliteAccountStore": "engine.accounts.sqlite_store",
    "AccountStore": "engine.accounts.store",
    "MemoryAccountStore": "engine.accounts.store",
    "Secret": "engine.secrets",
    "SecretRedactingFilter": "engine.secrets",
    "redact": "engine.secrets",
}

__all__ = [
    "DATABASE_URL_ENV",
    "SECRET_KEY_ENV",
    "Account",
    "AccountNotFoundError",
    "AccountStatus",
    "AccountStore",
    "AccountStoreError",
    "AccountsError",
    "CredentialDecryptionError",
    "DuplicateAccountError",
    "InsecureKeyFileError",
    "MemoryAccountStore",
    "PostgresAccountStore",
    "SchemaVersionError",
    "Secret",
    "SecretKeyError",
    "SecretRedactingFilter",
    "SqliteAccountStore",
    "UnreadableAccount",
    "default_home",
    "default_store",
    "generate_key",
    "load_key",
    "new_account_id",
    "open_store",
    "redact",
]


__getattr__ = lazy_exports(__name__, _WHERE)
