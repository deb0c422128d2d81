"""The database key and its envelope: the key wrapped for each account and for the county.

An encrypted station file is opened with a random 256-bit key (:func:`new_key`).  The key is
never stored in the clear.  The *envelope*, a small JSON file beside the database
(``caseworker.sqlite3.keys``), holds it wrapped (AES-256-GCM):

- once per account, by a key derived from the account's password (argon2id, with its own salt
  and cost); the name is bound into the wrapping, so an entry cannot be moved to another name;
- once by the county's recovery public key (X25519: an ephemeral key pair, HKDF-SHA256, then
  AES-256-GCM), so a forgotten password or a departed head does not lose the data.  Only the
  county holds the private key (:func:`new_recovery_pair`).

The envelope holds nothing secret in the clear: without a password or the county's private key
it opens nothing.  It travels with the database (each backup carries a copy of it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.i18n import _
from caseworker.security import passwords
from caseworker.store.engine import KEY_BYTES

SUFFIX = ".keys"
FORMAT = 1
_RECOVERY_INFO = b"caseworker recovery key v1"
_RECOVERY_AAD = b"caseworker-recovery"


class WrongPasswordError(UserError):
    """The name or the password is wrong (said the same way for both)."""


class EnvelopeError(UserError):
    """The envelope file is missing, unreadable or does not fit the database."""


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def fingerprint(key: bytes) -> str:
    """A short public identifier of a database key (tells envelopes and backups apart)."""
    return hashlib.sha256(b"caseworker key id\0" + key).hexdigest()[:16]


def envelope_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    return base64.b64decode(str(text), validate=True)


def _account_aad(name: str) -> bytes:
    return b"caseworker-account\0" + name.encode("utf-8")


def wrong_password() -> WrongPasswordError:
    return WrongPasswordError(_("The name or the password is wrong."))


@dataclass
class Envelope:
    """The wrapped copies of one database key (see the module notes)."""

    key_id: str
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    recovery: dict[str, str] | None = None

    # -- accounts ---------------------------------------------------------------------------

    def wrap_for(self, name: str, password: str, key: bytes) -> None:
        """Wrap ``key`` for the account ``name`` with its password (replacing any entry)."""
        cost = passwords.COST
        salt = passwords.new_salt()
        kek = passwords.derive_key(password, salt, cost)
        nonce = secrets.token_bytes(12)
        self.accounts[name] = {
            "kdf": "argon2id",
            "time": cost.time,
            "memory_kib": cost.memory_kib,
            "lanes": cost.lanes,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(AESGCM(kek).encrypt(nonce, key, _account_aad(name))),
        }

    def unwrap(self, name: str, password: str) -> bytes:
        """The database key, unwrapped with ``name``'s password; a wrong password, or a name
        without an entry, raises :class:`WrongPasswordError`."""
        entry = self.accounts.get(name)
        if entry is None:
            raise wrong_password()
        try:
            cost = passwords.Cost(int(entry["time"]), int(entry["memory_kib"]), int(entry["lanes"]))
            kek = passwords.derive_key(password, _unb64(entry["salt"]), cost)
            key = AESGCM(kek).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["wrapped"]), _account_aad(name)
            )
        except (InvalidTag, KeyError, ValueError, TypeError):
            raise wrong_password() from None
        return self._checked(key)

    def remove(self, name: str) -> None:
        self.accounts.pop(name, None)

    # -- the county's recovery key ----------------------------------------------------------

    def wrap_for_recovery(self, public_pem: bytes, key: bytes) -> None:
        public = load_public_key(public_pem)
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = ephemeral.public_key().public_bytes_raw()
        kek = _recovery_kek(ephemeral.exchange(public), ephemeral_public, public)
        nonce = secrets.token_bytes(12)
        self.recovery = {
            "alg": "x25519-hkdf-sha256-aes256gcm",
            "public": _b64(public.public_bytes_raw()),
            "ephemeral": _b64(ephemeral_public),
            "nonce": _b64(nonce),
            "wrapped": _b64(AESGCM(kek).encrypt(nonce, key, _RECOVERY_AAD)),
        }

    def unwrap_with_recovery(self, private_pem: bytes) -> bytes:
        """The database key, unwrapped with the county's private recovery key."""
        if self.recovery is None:
            raise EnvelopeError(_("This database's key was not wrapped for a county recovery key."))
        private = load_private_key(private_pem)
        try:
            ephemeral_public = _unb64(self.recovery["ephemeral"])
            shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
            kek = _recovery_kek(shared, ephemeral_public, private.public_key())
            key = AESGCM(kek).decrypt(
                _unb64(self.recovery["nonce"]), _unb64(self.recovery["wrapped"]), _RECOVERY_AAD
            )
        except (InvalidTag, KeyError, ValueError):
            raise EnvelopeError(
                _("That recovery key does not open this database (it is another county's key?).")
            ) from None
        return self._checked(key)

    def _checked(self, key: bytes) -> bytes:
        if fingerprint(key) != self.key_id:
            raise EnvelopeError(_("The key file does not belong to this database."))
        return key

    # -- the file ---------------------------------------------------------------------------

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "cipher": "sqlcipher4",
            "key_id": self.key_id,
            "accounts": self.accounts,
            "recovery": self.recovery,
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=True)

    def save(self, path: Path) -> None:
        """Write the envelope whole (atomically; never half a file)."""
        text = self.to_json()

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="ascii") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())

        write_atomically(path, write)

    @classmethod
    def load(cls, path: Path) -> Envelope | None:
        """The envelope at ``path``, or None when there is none (a plain database)."""
        try:
            data = json.loads(path.read_text(encoding="ascii"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise EnvelopeError(
                _("The key file {path} cannot be read: {reason}").format(path=path, reason=exc)
            ) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise EnvelopeError(
                _("The key file {path} is not one this version can read.").format(path=path)
            )
        return cls(
            key_id=str(data["key_id"]),
            accounts=dict(data.get("accounts") or {}),
            recovery=data.get("recovery"),
        )

    @classmethod
    def new(cls, key: bytes) -> Envelope:
        return cls(key_id=fingerprint(key))


def _recovery_kek(shared: bytes, ephemeral_public: bytes, public: X25519PublicKey) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + public.public_bytes_raw(),
        info=_RECOVERY_INFO,
    ).derive(shared)


def new_recovery_pair() -> tuple[bytes, bytes]:
    """A county recovery key pair: (private PEM, public PEM).  The county keeps the private
    one offline; every station gets the public one."""
    private = X25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def load_public_key(pem: bytes) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        key = None
    if not isinstance(key, X25519PublicKey):
        raise UserError(_("That file is not a county recovery public key."))
    return key


def load_private_key(pem: bytes) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, X25519PrivateKey):
        raise UserError(_("That file is not a county recovery private key."))
    return key
