"""Errors raised by the account store, key management and credential encryption.

They are unified errors (`engine.errors.UnimapError`), each also under `AccountsError`:

| class | unified base | code | status |
|---|---|---|---|
| `AccountNotFoundError` | `NotFoundError` | `not_found` | 404 |
| `DuplicateAccountError` | `ValidationError` | `validation_error` | 409 |
| `SecretKeyError`, `InsecureKeyFileError` | `ConfigurationError` | `configuration_error` | 500 |
| `CredentialDecryptionError` | `ConfigurationError` | `configuration_error` | 500 |
| `SchemaVersionError` | `ConfigurationError` | `configuration_error` | 500 |
| `AccountStoreError` | `ConfigurationError` | `configuration_error` | 500 (503 when locked) |

The key, decryption and schema errors are the host's own set-up problem, not the caller's, hence
500. No message ever contains a credential value: they name accounts, fields, files and
environment variables only.
"""

from __future__ import annotations

from engine.errors import ConfigurationError, NotFoundError, UnimapError, ValidationError

__all__ = [
    "AccountNotFoundError",
    "AccountStoreError",
    "AccountsError",
    "CredentialDecryptionError",
    "DuplicateAccountError",
    "InsecureKeyFileError",
    "SchemaVersionError",
    "SecretKeyError",
]


class AccountsError(UnimapError):
    """Base class of every error raised by `engine.accounts` (it sets no code of its own)."""


class AccountNotFoundError(AccountsError, NotFoundError):
    """No account with the given id exists in the store."""

    default_message = "The account was not found."

    def __init__(self, account_id: str) -> None:
        """Build the error for the missing `account_id`."""
        super().__init__(f"account not found: {account_id!r}")
        self.account_id = account_id


class DuplicateAccountError(AccountsError, ValidationError):
    """An account with the same id is already stored."""

    default_status = 409
    default_message = "An account with this id already exists."

    def __init__(self, account_id: str) -> None:
        """Build the error for the already-present `account_id`."""
        super().__init__(f"an account with id {account_id!r} already exists")
        self.account_id = account_id


class SecretKeyError(AccountsError, ConfigurationError):
    """The encryption key is missing, malformed or stored insecurely."""

    default_status = 500
    default_message = "The credential encryption key is not usable."


class InsecureKeyFileError(SecretKeyError):
    """The key file is accessible by users other than its owner, so it is refused."""


class CredentialDecryptionError(AccountsError, ConfigurationError):
    """A stored secret could not be decrypted: wrong key, or tampered or moved ciphertext."""

    default_status = 500
    default_message = "A stored credential could not be decrypted."


class SchemaVersionError(AccountsError, ConfigurationError):
    """The database was written by a newer Unimap whose schema this version cannot read."""

    default_status = 500
    default_message = "The account database was written by a newer version of Unimap."


class AccountStoreError(AccountsError, ConfigurationError):
    """The account database cannot be used: corrupt, not a database, unreadable, or locked by
    another process for longer than the timeout. The message says what to do about it."""

    default_status = 500
    default_message = "The account database cannot be used."
