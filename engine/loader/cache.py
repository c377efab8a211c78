"""The on-disk cache of loaded and checked mappings: `unimap` starts without re-reading YAML.

Loading the bundled mappings parses every YAML file (pure Python) and runs every check; the
outcome only depends on the files, the engine and the interpreter. So it is kept on disk,
under a key that hashes all of them:

* the content of every file below each mapping folder (and each path's absolute location);
  a file over the loader's size cap by its size alone (the loader refuses it unread);
* the engine (its version, and the size and modification time of each of its modules and
  of the bundled schemas, so an edited checkout never reads an older engine's result), the
  pydantic install, the Python version, and the working directory (problems name files
  relative to it).

A changed file gives another key, so a stale entry is never read: it is simply not found.

Two entries per key: `summary` (JSON: problems, notes, file count, provider names — what
`unimap validate` prints, readable without the mapping models) and `result` (the pickled
`LoadResult` the engine runs on). Pickle runs code while it loads, so an entry is only read:

* from `$UNIMAP_HOME/cache` when that folder and the home are owned by this user and no one
  else may write to them (else the cache is not used at all);
* after its HMAC-SHA256 (over kind, key and payload, with a 32-byte key made on first use
  and kept owner-only in that folder) checks out: a file from another installation, copied
  in or corrupt, is ignored and rewritten.

Writes go to a temporary file, then `os.replace`, so a reader never sees half an entry. The
newest `KEEP` entries of each kind are kept. `UNIMAP_MAPPINGS_CACHE=off` turns the cache off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import sys
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

from engine import __version__
from engine.loader import bounded_read
from engine.paths import default_home, ensure_private_dir, schemas_dir

CACHE_ENV = "UNIMAP_MAPPINGS_CACHE"
"""Set to `off` to load mappings from their files every time."""
KEEP = 8
"""Entries of each kind kept (other mapping folders, working directories)."""
MAX_HASHED_BYTES = 64 * 1024 * 1024
"""Mapping folders larger than this are not cached (hashing them would cost too much)."""
_ENGINE_DIR = Path(__file__).resolve().parents[1]
_TAG_SIZE = 32


def _hash_stats(digest: hashlib._Hash, root: Path, suffixes: tuple[str, ...]) -> None:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(suffixes):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())


def _environment(digest: hashlib._Hash) -> None:
    """The engine, pydantic and the interpreter, as they are installed."""
    digest.update(f"{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
    digest.update(f"{os.getcwd()}\0".encode())
    _hash_stats(digest, _ENGINE_DIR, (".py",))
    _hash_stats(digest, schemas_dir(), (".json",))
    for package in ("pydantic", "pydantic_core"):
        spec = find_spec(package)
        origin = spec.origin if spec is not None else None
        if origin:
            info = os.stat(origin)
            digest.update(f"{origin}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())


def _hash_tree(digest: hashlib._Hash, path: Path, budget: list[int]) -> bool:
    """Hash a file or every file below a folder (`.git` left out); False when over budget."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = []
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            files += [Path(folder, name) for name in sorted(names)]
    else:
        digest.update(f"missing\0{path.absolute()}\0".encode())
        return True
    for file in files:
        info = file.stat()
        if info.st_size > bounded_read.MAX_FILE_BYTES:
            # The loader refuses it by its size without reading it; so does the key.
            digest.update(f"{file.absolute()}\0{info.st_size}\0too large\0".encode())
            continue
        content = file.read_bytes()
        budget[0] -= len(content)
        if budget[0] < 0:
            return False
        digest.update(f"{file.absolute()}\0{len(content)}\0".encode())
        digest.update(content)
    return True


def layers_key(layers: Sequence[Sequence[Path]]) -> str | None:
    """The cache key of loading `layers`; None when the folders are too large to cache."""
    digest = hashlib.sha256(b"unimap mapping cache 1\0")
    _environment(digest)
    budget = [MAX_HASHED_BYTES]
    for layer in layers:
        digest.update(b"layer\0")
        for path in layer:
            if not _hash_tree(digest, Path(path), budget):
                return None
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Owned by this user, and no one else may write to it."""
    info = os.lstat(path)
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class MappingCache:
    """Signed cache entries in a private folder (see the module docstring)."""

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self._secret = secret

    @classmethod
    def open(cls) -> MappingCache | None:
        """The cache under `$UNIMAP_HOME/cache`, or None when it is off or not private."""
        if os.environ.get(CACHE_ENV, "").strip().lower() in ("off", "0", "false", "no"):
            return None
        try:
            home = default_home()
            folder = ensure_private_dir(ensure_private_dir(home) / "cache")
            if not (_private(home) and _private(folder)):
                return None
            return cls(folder, _secret(folder / "key"))
        except OSError:
            return None

    def _tag(self, kind: str, key: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, f"{kind}\0{key}\0".encode() + payload, "sha256").digest()

    def read(self, kind: str, key: str) -> bytes | None:
        """The payload of an entry whose signature checks out, else None."""
        try:
            data = (self.folder / f"{kind}-{key}").read_bytes()
        except OSError:
            return None
        tag, payload = data[:_TAG_SIZE], data[_TAG_SIZE:]
        if len(tag) != _TAG_SIZE or not hmac.compare_digest(tag, self._tag(kind, key, payload)):
            return None
        return payload

    def write(self, kind: str, key: str, payload: bytes) -> None:
        """Store an entry atomically (errors are ignored: the cache is only a speed-up)."""
        import tempfile  # only written on a miss

        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".entry-")
            with os.fdopen(handle, "wb") as out:
                out.write(self._tag(kind, key, payload) + payload)
            os.replace(temporary, self.folder / f"{kind}-{key}")
            self._prune(kind)
        except OSError:
            return

    def _prune(self, kind: str) -> None:
        entries = sorted(
            self.folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime_ns, reverse=True
        )
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)


def _secret(path: Path) -> bytes:
    """The installation's cache key: 32 random bytes, owner-only, made on first use."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not _private(path) or os.lstat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PermissionError(f"{path} is not private") from None
        secret = path.read_bytes()
        if len(secret) != 32:
            raise PermissionError(f"{path} is not a cache key") from None
        return secret
    secret = os.urandom(32)
    with os.fdopen(handle, "wb") as out:
        out.write(secret)
    return secret
