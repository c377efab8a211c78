"""Authenticated encryption of stored secrets (AES-256-GCM).

Ciphertext format, version 1 (all stored as one BLOB)::

    version (1 byte, 0x01) | key id (8 bytes) | nonce (12 bytes) | AES-GCM ciphertext + tag (16)

* A fresh random 96-bit nonce per value (never reused: at 2**32 values per key the collision
  probability is still below 2**-32).
* The associated data binds each value to its place: `associated_data(account_id, field, name)`.
  A ciphertext copied to another account, another field or another name fails authentication.
* The key id (the first 8 bytes of HMAC-SHA256(key, "unimap key id v1")) identifies the key a
  value was written with, so a wrong key gives a precise error instead of a generic failure,
  and future key rotation can tell old values from new. It reveals nothing about the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.accounts.errors import CredentialDecryptionError, SecretKeyError
from engine.accounts.keys import KEY_BYTES

__all__ = ["FORMAT_VERSION", "SecretCipher", "associated_data", "key_id"]

#: The version byte of ciphertexts written by this module.
FORMAT_VERSION = 1
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER = 1 + _KEY_ID_BYTES + _NONCE_BYTES


def key_id(key: bytes) -> bytes:
    """Return the 8-byte public identifier of `key`."""
    return hmac.new(key, b"unimap key id v1", hashlib.sha256).digest()[:_KEY_ID_BYTES]


def associated_data(account_id: str, field: str, name: str) -> bytes:
    """Return the AES-GCM associated data binding a value to `account_id`, `field`, `name`."""
    return json.dumps(["unimap.account-secret", FORMAT_VERSION, account_id, field, name]).encode()


class SecretCipher:
    """Encrypts and decrypts secret strings with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        """Use `key` (32 bytes)."""
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise SecretKeyError(f"the credential key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        self._key_id = key_id(key)

    @property
    def key_id(self) -> str:
        """The current key's public identifier, in hex."""
        return self._key_id.hex()

    def encrypt(self, plaintext: str, associated: bytes) -> bytes:
        """Encrypt `plaintext` bound to `associated` data; return the versioned blob."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), associated)
        return bytes([FORMAT_VERSION]) + self._key_id + nonce + sealed

    def decrypt(self, blob: bytes, associated: bytes, *, what: str) -> str:
        """Decrypt a blob written by `encrypt` with the same `associated` data.

        `what` describes the value for error messages (e.g. "credential 'api_key' of account
        'acc_x'"). Raises `CredentialDecryptionError`, never returns garbage.
        """
        if len(blob) < _HEADER + _TAG_BYTES or blob[0] != FORMAT_VERSION:
            version = blob[0] if blob else None
            raise CredentialDecryptionError(
                f"cannot decrypt {what}: unknown ciphertext format (version byte {version!r}, "
                f"{len(blob)} bytes); it was not written by this version of Unimap"
            )
        stored_key_id = blob[1 : 1 + _KEY_ID_BYTES]
        if not hmac.compare_digest(stored_key_id, self._key_id):
            raise CredentialDecryptionError(
                f"cannot decrypt {what}: it was encrypted with a different key "
                f"(key id {stored_key_id.hex()}, current key id {self.key_id}). Set "
                "UNIMAP_SECRET_KEY, or restore $UNIMAP_HOME/secret.key, to the key it was "
                "written with, or link the account again"
            )
        nonce = blob[1 + _KEY_ID_BYTES : _HEADER]
        try:
            plaintext = self._aead.decrypt(nonce, blob[_HEADER:], associated)
            return plaintext.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise CredentialDecryptionError(
                f"cannot decrypt {what}: authentication failed; the stored value was altered "
                "or copied from another account or field"
            ) from None
