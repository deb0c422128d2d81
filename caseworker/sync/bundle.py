"""Bundles: signed manifests and their members, sealed for one recipient; opened and checked.

A bundle's manifest names the format, the kind (``changes`` from a station, ``receipt`` from
the county), the schema revision, who made it (role, code, key id, device) and for whom, its
UUID, when it was made (instant and hybrid-logical-clock stamp), the algorithm suite, and every
member with its size and SHA-256 digest; each kind adds its own fields (see
:mod:`caseworker.sync.export` and :mod:`caseworker.sync.receipt`).  The manifest is signed by
the sender; the whole content is encrypted to the recipient (:mod:`caseworker.sync.container`).

Opening checks, in this order, and refuses the bundle whole at the first failure: the frame
and header; that it is for this database's key; that the sender's key is trusted here and not
revoked; that it decrypts; the archive's shape; the manifest's signature (nothing else of the
archive is read before); the manifest's fields; each member's size and digest.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caseworker import __version__
from caseworker.i18n import _
from caseworker.store.sync_models import SyncPeer
from caseworker.sync import crypto
from caseworker.sync.container import (
    DEFAULT_LIMITS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SIGNATURE,
    Archive,
    Limits,
    framed_header,
    loads_object,
    pack,
    refused,
    unframe,
)
from caseworker.sync.keys import peer_public

CHANGES = "changes"
RECEIPT = "receipt"


def canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Endpoint:
    role: str
    code: str
    key_id: str
    name: str = ""
    device_id: str = ""

    def as_json(self) -> dict[str, str]:
        data = {"role": self.role, "code": self.code, "key_id": self.key_id, "name": self.name}
        if self.device_id:
            data["device_id"] = self.device_id
        return data


def manifest_base(
    kind: str,
    schema: str,
    sender: Endpoint,
    recipient: Endpoint,
    *,
    at: dt.datetime,
    hlc: str,
    suite: str,
) -> dict[str, Any]:
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "schema_revision": schema, "program_version": __version__,
        "bundle_id": str(uuid.uuid4()), "created_at": at.astimezone(dt.UTC).isoformat(),
        "created_hlc": hlc, "suite": suite, "from": sender.as_json(), "to": recipient.as_json(),
    }  # fmt: skip


def seal(
    pair: crypto.KeyPair,
    recipient: crypto.PublicKeys,
    manifest: dict[str, Any],
    members: dict[str, bytes],
) -> tuple[bytes, str]:
    """The ``.cwb`` bytes of a bundle, and its manifest hash."""
    manifest = {
        **manifest,
        "members": {
            name: {"sha256": crypto.sha256(data), "size": len(data)}
            for name, data in members.items()
        },
    }
    manifest_bytes = canonical_json(manifest)
    suite = crypto.suite(pair.suite)
    signature = suite.sign(pair, manifest_bytes)
    inner = pack({MANIFEST: manifest_bytes, SIGNATURE: signature, **members})

    def header(ephemeral: bytes, nonce: bytes) -> bytes:
        return framed_header(
            {
                "format": FORMAT, "version": FORMAT_VERSION, "suite": suite.name,
                "from": manifest["from"]["key_id"], "to": manifest["to"]["key_id"],
                "epk": crypto.b64(ephemeral), "nonce": crypto.b64(nonce),
            }
        )  # fmt: skip

    associated, sealed = suite.seal(recipient, inner, header)
    return associated + sealed.ciphertext, crypto.sha256(manifest_bytes)


@dataclass(frozen=True, slots=True)
class Opened:
    """A bundle whose signature and members were checked."""

    manifest: dict[str, Any]
    manifest_hash: str
    members: dict[str, bytes]
    inner: bytes  # the decrypted archive (kept for a held bundle)
    sender: SyncPeer

    @property
    def bundle_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.manifest["bundle_id"]))


def open_sealed(
    data: bytes,
    own_key_id: str,
    own_pair: crypto.KeyPair,
    lookup: Callable[[str], SyncPeer | None],
    limits: Limits = DEFAULT_LIMITS,
) -> Opened:
    """Open and check a ``.cwb`` file addressed to ``own_key_id`` (see the module notes);
    ``lookup(key_id)`` gives the trusted sender, or None."""
    framed = unframe(data, limits)
    header = framed.header
    try:
        suite = crypto.suite(str(header.get("suite")))
    except crypto.CryptoError:
        raise refused(
            _("The bundle uses the algorithm suite {suite}, which this program does not know.")
            .format(suite=str(header.get("suite"))[:60])
        ) from None  # fmt: skip
    if header.get("to") != own_key_id:
        raise refused(_("The bundle is addressed to another key, not to this database's."))
    sender = lookup(str(header.get("from")))
    if sender is None:
        raise refused(
            _("The bundle comes from a key that is not enrolled here ({key}).").format(
                key=str(header.get("from"))[:40]
            )
        )
    if sender.revoked_at is not None:
        raise refused(
            _("The bundle comes from {code}, whose key {key} was revoked.").format(
                code=sender.code, key=sender.key_id
            )
        )
    try:
        sealed = crypto.Sealed(
            crypto.unb64(header.get("epk"), 32),
            crypto.unb64(header.get("nonce")),
            framed.ciphertext,
        )
        inner = suite.open(own_pair, sealed, framed.associated)
    except (ValueError, crypto.CryptoError):
        raise refused(
            _("The bundle cannot be decrypted: it is damaged, or it was not made for this key.")
        ) from None
    opened = open_inner(inner, sender, limits)
    if (
        opened.manifest["from"]["key_id"] != header.get("from")
        or opened.manifest["suite"] != suite.name
    ):
        raise refused(_("The bundle's header does not match its signed manifest."))
    if opened.manifest["to"]["key_id"] != own_key_id:
        raise refused(_("The bundle's header does not match its signed manifest."))
    return opened


def open_inner(inner: bytes, sender: SyncPeer, limits: Limits = DEFAULT_LIMITS) -> Opened:
    """Check the decrypted archive of a bundle from ``sender`` (also used to apply a bundle
    held earlier)."""
    archive = Archive(inner, limits)
    if not {MANIFEST, SIGNATURE} <= archive.names:
        raise refused(_("The bundle lacks its signed manifest."))
    manifest_bytes = archive.read(MANIFEST, limits.max_manifest)
    signature = archive.read(SIGNATURE, limits.max_signature)
    public = peer_public(sender)
    try:
        crypto.suite(public.suite).verify(public, manifest_bytes, signature)
    except crypto.CryptoError:
        raise refused(
            _("The bundle's signature does not verify: it was changed or forged.")
        ) from None
    manifest = loads_object(manifest_bytes, "manifest")
    _check_manifest(manifest, sender)
    members: dict[str, bytes] = {}
    declared: dict[str, Any] = manifest["members"]
    if archive.names != {MANIFEST, SIGNATURE, *declared}:
        raise refused(_("The bundle's parts do not match its manifest."))
    for name, spec in declared.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("size"), int):
            raise refused(_("The bundle's {part} is not valid.").format(part="manifest"))
        size = spec["size"]
        if size < 0 or size > limits.max_total:
            raise refused(_("The bundle's part {name} is larger than allowed.").format(name=name))
        data = archive.read(name, size)
        if len(data) != size or crypto.sha256(data) != spec.get("sha256"):
            raise refused(
                _("The bundle's part {name} does not match its manifest.").format(name=name)
            )
        members[name] = data
    return Opened(manifest, crypto.sha256(manifest_bytes), members, inner, sender)


def check_schema(manifest: dict[str, Any]) -> None:
    """Refuse a bundle made with another database schema (the records would not fit)."""
    from caseworker.store.migrate import HEAD_REVISION

    if manifest.get("schema_revision") != HEAD_REVISION:
        raise refused(
            _("The bundle was made with database schema {theirs}; this database's is {ours}. "
              "Install the same version of the program at both ends.")
            .format(theirs=str(manifest.get("schema_revision"))[:20], ours=HEAD_REVISION)
        )  # fmt: skip


def _check_manifest(manifest: dict[str, Any], sender: SyncPeer) -> None:
    def bad() -> Exception:
        return refused(_("The bundle's {part} is not valid.").format(part="manifest"))

    if manifest.get("format") != FORMAT:
        raise bad()
    if manifest.get("format_version") != FORMAT_VERSION:
        raise refused(
            _("The bundle is of format version {v}, which this program does not read.").format(
                v=manifest.get("format_version")
            )
        )
    for key in ("from", "to", "members"):
        if not isinstance(manifest.get(key), dict):
            raise bad()
    for key in ("kind", "schema_revision", "bundle_id", "created_at", "created_hlc", "suite"):
        if not isinstance(manifest.get(key), str):
            raise bad()
    try:
        uuid.UUID(manifest["bundle_id"])
        dt.datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        raise bad() from None
    sent_by = manifest["from"]
    if sent_by.get("key_id") != sender.key_id or sent_by.get("code") != sender.code:
        raise refused(
            _("The bundle says it is from {code}, but it is signed by the key of {signer}.").format(
                code=str(sent_by.get("code"))[:20], signer=sender.code
            )
        )
    if sent_by.get("role") != sender.role:
        raise bad()
