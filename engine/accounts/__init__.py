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

See `docs/accounts.md`.
"""

from engine.accounts.database import DATABASE_URL_ENV, default_store, open_store
from engine.accounts.errors import (
    AccountNotFoundError,
    AccountsError,
    CredentialDecryptionError,
    DuplicateAccountError,
    InsecureKeyFileError,
    SchemaVersionError,
    SecretKeyError,
)
from engine.accounts.home import default_home
from engine.accounts.keys import SECRET_KEY_ENV, generate_key, load_key
from engine.accounts.model import Account, AccountStatus, new_account_id
from engine.accounts.postgres_store import PostgresAccountStore
from engine.accounts.sqlite_store import SqliteAccountStore
from engine.accounts.store import AccountStore, MemoryAccountStore
from engine.secrets import Secret, SecretRedactingFilter, redact

__all__ = [
    "DATABASE_URL_ENV",
    "SECRET_KEY_ENV",
    "Account",
    "AccountNotFoundError",
    "AccountStatus",
    "AccountStore",
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
    "default_home",
    "default_store",
    "generate_key",
    "load_key",
    "new_account_id",
    "open_store",
    "redact",
]
