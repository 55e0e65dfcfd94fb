"""Data-encryption keys (个人信息保护法 第五十一条: 采取加密等安全技术措施).

Personal fields are sealed with AES-256-GCM. Each sealed value carries the id of the key that
sealed it (``v1:<key id>:<nonce+ciphertext, base64>``), so keys can be rotated while the
application runs: new writes use the active key, old values stay readable with their key until
``claimline keys rotate`` re-seals them. A separate HMAC key builds blind indexes (exact-match
look-ups such as "find the caller with this phone number") without decrypting anything.

The keyring lives outside the database (``CLAIMLINE_KEYRING_PATH``) and is never written into
backups: a backup names the key ids it needs, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from claimline.clock import utcnow
from claimline.config import get_settings
from claimline.errors import DomainError

SEALED_PREFIX = "v1"


class KeyringError(DomainError):
    status_code = 500
    default_code = "keyring_error"


@dataclass
class Keyring:
    """Encryption keys by id, the id of the active one, and the blind-index key."""

    keys: dict[str, bytes]
    active_key_id: str
    index_key: bytes
    created: dict[str, str] = field(default_factory=dict)

    @classmethod
    def generate(cls) -> Keyring:
        key_id = new_key_id()
        return cls(
            keys={key_id: AESGCM.generate_key(bit_length=256)},
            active_key_id=key_id,
            index_key=secrets.token_bytes(32),
            created={key_id: utcnow().isoformat()},
        )

    def seal(self, plaintext: str, *, context: str) -> str:
        """Encrypt; ``context`` (e.g. ``caller.phone``) is bound as associated data."""
        nonce = os.urandom(12)
        cipher = AESGCM(self.keys[self.active_key_id])
        blob = nonce + cipher.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{SEALED_PREFIX}:{self.active_key_id}:{base64.b64encode(blob).decode()}"

    def open(self, sealed: str, *, context: str) -> str:
        prefix, key_id, payload = sealed_parts(sealed)
        if prefix != SEALED_PREFIX or key_id not in self.keys:
            raise KeyringError(f"缺少解密密钥 {key_id}，请恢复对应的密钥文件", code="missing_key")
        blob = base64.b64decode(payload)
        cipher = AESGCM(self.keys[key_id])
        return cipher.decrypt(blob[:12], blob[12:], context.encode()).decode()

    def blind_index(self, normalised_value: str, *, context: str) -> str:
        digest = hmac.new(self.index_key, f"{context}\x00{normalised_value}".encode(), hashlib.sha256)
        return digest.hexdigest()

    def add_active_key(self) -> str:
        key_id = new_key_id()
        self.keys[key_id] = AESGCM.generate_key(bit_length=256)
        self.created[key_id] = utcnow().isoformat()
        self.active_key_id = key_id
        return key_id

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": 1,
                "active_key_id": self.active_key_id,
                "index_key": base64.b64encode(self.index_key).decode(),
                "keys": {
                    key_id: {"key": base64.b64encode(key).decode(), "created": self.created.get(key_id)}
                    for key_id, key in self.keys.items()
                },
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        data = json.loads(text)
        keys = {key_id: base64.b64decode(item["key"]) for key_id, item in data["keys"].items()}
        created = {key_id: item.get("created") or "" for key_id, item in data["keys"].items()}
        return cls(
            keys=keys,
            active_key_id=data["active_key_id"],
            index_key=base64.b64decode(data["index_key"]),
            created=created,
        )


def new_key_id() -> str:
    return "k" + utcnow().strftime("%Y%m%d") + secrets.token_hex(3)


def sealed_parts(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(":", 2)
    if len(parts) != 3:
        raise KeyringError("加密数据格式错误", code="sealed_format")
    return parts[0], parts[1], parts[2]


def sealed_key_id(sealed: str) -> str:
    return sealed_parts(sealed)[1]


def save_keyring(keyring: Keyring, path: Path) -> None:
    """Write atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.to_json())
    os.replace(tmp, path)


def load_or_create_keyring(path: Path) -> Keyring:
    if path.exists():
        return Keyring.from_json(path.read_text())
    if get_settings().environment == "production":
        raise KeyringError(f"生产环境找不到密钥文件 {path}", code="missing_keyring")
    keyring = Keyring.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # exclusive: several workers starting at once must agree on one keyring
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the other worker may still be writing it
            try:
                return Keyring.from_json(path.read_text())
            except (ValueError, KeyError):
                time.sleep(0.02)
        return Keyring.from_json(path.read_text())
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.to_json())
    return keyring


RELOAD_CHECK_SECONDS = 1.0


class _KeyringCache:
    """The keyring, re-read when its file changes: `keys rotate` adds a key while the app runs."""

    def __init__(self) -> None:
        self.keyring: Keyring | None = None
        self.path: Path | None = None
        self.mtime_ns = 0
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def get(self) -> Keyring:
        path = get_settings().effective_keyring_path
        now = time.monotonic()
        if self.keyring is not None and path == self.path and now - self.checked_at < RELOAD_CHECK_SECONDS:
            return self.keyring
        with self.lock:
            mtime = path.stat().st_mtime_ns if path.exists() else 0
            if self.keyring is None or path != self.path or mtime != self.mtime_ns:
                self.keyring = load_or_create_keyring(path)
                self.path = path
                # the time read BEFORE loading: a rotation that lands meanwhile is seen next time
                self.mtime_ns = mtime
            self.checked_at = now
            return self.keyring

    def clear(self) -> None:
        with self.lock:
            self.keyring = None
            self.path = None


_cache = _KeyringCache()


def get_keyring() -> Keyring:
    return _cache.get()


def reload_keyring() -> Keyring:
    _cache.clear()
    return _cache.get()
