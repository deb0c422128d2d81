"""The algorithm suites of the bundles: signing, and encryption to the recipient's public key.

A suite is named in every public-key file, bundle header and manifest, so another one (a
national-standard SM2/SM3/SM4 suite, say) can be added beside :data:`CW1` without changing the
bundle format: implement :class:`Suite` and register it in :data:`SUITES`.

``cw1`` uses the ``cryptography`` library (no hand-made primitives):

- signatures: Ed25519 over the manifest's bytes;
- encryption: an ephemeral X25519 key agreement with the recipient's X25519 key, HKDF-SHA256
  over the shared secret (salt: the ephemeral and the recipient's public keys; info: the suite
  name), and ChaCha20-Poly1305 with a random 96-bit nonce; the bundle's clear header is the
  associated data, so it cannot be changed either.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw
RAW_PRIVATE = serialization.PrivateFormat.Raw
NO_ENCRYPTION = serialization.NoEncryption()


class CryptoError(Exception):
    """A signature that does not verify, or a ciphertext that does not open."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A party's private keys (raw bytes): one to sign, one to receive encrypted bundles."""

    suite: str
    sign: bytes
    box: bytes


@dataclass(frozen=True, slots=True)
class PublicKeys:
    suite: str
    sign: bytes
    box: bytes

    @property
    def key_id(self) -> str:
        """The fingerprint a person reads out to compare (32 hex digits)."""
        return key_id(self.suite, self.sign, self.box)


@dataclass(frozen=True, slots=True)
class Sealed:
    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes


class Suite(Protocol):
    name: str

    def generate(self) -> KeyPair: ...

    def public(self, keys: KeyPair) -> PublicKeys: ...

    def sign(self, keys: KeyPair, message: bytes) -> bytes: ...

    def verify(self, public: PublicKeys, message: bytes, signature: bytes) -> None: ...

    def seal(
        self, recipient: PublicKeys, plaintext: bytes, associated: Callable[[bytes, bytes], bytes]
    ) -> tuple[bytes, Sealed]:
        """Encrypt to ``recipient``; ``associated(ephemeral, nonce)`` gives the associated data
        (the header that names them).  Returns it with the sealed parts."""
        ...

    def open(self, keys: KeyPair, sealed: Sealed, associated: bytes) -> bytes: ...


class _Cw1:
    """Ed25519 + X25519 / HKDF-SHA256 / ChaCha20-Poly1305."""

    name = "cw1-ed25519-x25519-chacha20poly1305"
    KEY_BYTES = 32
    NONCE_BYTES = 12
    SIGNATURE_BYTES = 64

    def generate(self) -> KeyPair:
        sign = Ed25519PrivateKey.generate().private_bytes(RAW, RAW_PRIVATE, NO_ENCRYPTION)
        box = X25519PrivateKey.generate().private_bytes(RAW, RAW_PRIVATE, NO_ENCRYPTION)
        return KeyPair(self.name, sign, box)

    def public(self, keys: KeyPair) -> PublicKeys:
        sign = Ed25519PrivateKey.from_private_bytes(keys.sign).public_key()
        box = X25519PrivateKey.from_private_bytes(keys.box).public_key()
        return PublicKeys(
            self.name, sign.public_bytes(RAW, RAW_PUBLIC), box.public_bytes(RAW, RAW_PUBLIC)
        )

    def sign(self, keys: KeyPair, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(keys.sign).sign(message)

    def verify(self, public: PublicKeys, message: bytes, signature: bytes) -> None:
        if len(signature) != self.SIGNATURE_BYTES:
            raise CryptoError("bad signature length")
        try:
            Ed25519PublicKey.from_public_bytes(public.sign).verify(signature, message)
        except (InvalidSignature, ValueError) as exc:
            raise CryptoError("the signature does not verify") from exc

    def _key(self, shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=self.KEY_BYTES,
            salt=ephemeral + recipient,
            info=self.name.encode("ascii"),
        ).derive(shared)

    def seal(
        self, recipient: PublicKeys, plaintext: bytes, associated: Callable[[bytes, bytes], bytes]
    ) -> tuple[bytes, Sealed]:
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = ephemeral.public_key().public_bytes(RAW, RAW_PUBLIC)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.box))
        key = self._key(shared, ephemeral_public, recipient.box)
        nonce = os.urandom(self.NONCE_BYTES)
        aad = associated(ephemeral_public, nonce)
        ciphertext = ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)
        return aad, Sealed(ephemeral_public, nonce, ciphertext)

    def open(self, keys: KeyPair, sealed: Sealed, associated: bytes) -> bytes:
        if len(sealed.ephemeral) != self.KEY_BYTES or len(sealed.nonce) != self.NONCE_BYTES:
            raise CryptoError("bad key or nonce length")
        private = X25519PrivateKey.from_private_bytes(keys.box)
        own_public = private.public_key().public_bytes(RAW, RAW_PUBLIC)
        try:
            shared = private.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral))
        except ValueError as exc:  # a low-order point gives an all-zero secret
            raise CryptoError("bad ephemeral key") from exc
        key = self._key(shared, sealed.ephemeral, own_public)
        try:
            return ChaCha20Poly1305(key).decrypt(sealed.nonce, sealed.ciphertext, associated)
        except InvalidTag as exc:
            raise CryptoError("the ciphertext does not open with this key") from exc


CW1 = _Cw1()
#: Every suite this program knows, by name.
SUITES: dict[str, Suite] = {CW1.name: CW1}
DEFAULT_SUITE = CW1.name


def suite(name: str) -> Suite:
    try:
        return SUITES[name]
    except KeyError:
        raise CryptoError(f"unknown algorithm suite {name!r}") from None


def key_id(suite_name: str, sign: bytes, box: bytes) -> str:
    return hashlib.sha256(
        suite_name.encode("ascii") + b"\0" + sign + box, usedforsecurity=True
    ).hexdigest()[:32]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int | None = None) -> bytes:
    """Decode base64 strictly; ``size`` the exact length expected."""
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if size is not None and len(data) != size:
        raise ValueError(f"expected {size} bytes, got {len(data)}")
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
