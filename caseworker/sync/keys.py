"""Keys: this installation's private keys (outside the database file), public-key files, and
the keys a database trusts (the county's enrolled stations; a station's county).

Private keys
------------
Made at ``caseworker init`` (a station) and ``caseworker county init`` (a county), one file
per key pair in the user's data folder (``~/.local/share/caseworker/keys/KEY_ID.key``): the
folder is made 0700 and the file 0600, written whole or not at all.  The database names the
key it uses (the logged setting ``sync_key_id``), never holds it.  What protects the key now
is the operating system's account: anyone who can read the user's files can sign bundles as
this station.  Wrapping it with a key derived from each staff account's password comes with the
accounts (issue 14).  A key file readable by others is refused, as ssh does.

Public-key files (``.pub``)
---------------------------
A small JSON text: role (station or county), code, name, suite, the two public keys and their
key id (a fingerprint to read out over the phone), signed by the key itself so a damaged or
edited file is noticed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.i18n import _
from caseworker.store import changelog
from caseworker.store.sync_models import SyncPeer
from caseworker.sync import crypto

KEY_SETTING = "sync_key_id"
PUBLIC_FORMAT = "caseworker-public-key"
PRIVATE_FORMAT = "caseworker-private-key"
STATION = "station"
COUNTY = "county"
MAX_PUBLIC_FILE = 16 << 10


@dataclass(frozen=True, slots=True)
class Party:
    """Who holds a key pair: a station or the county, by code and name."""

    role: str
    code: str
    name: str
    public: crypto.PublicKeys

    @property
    def key_id(self) -> str:
        return self.public.key_id


# ---------------------------------------------------------------------------------------------
# Private key files
# ---------------------------------------------------------------------------------------------


def _private_path(folder: Path, key_id: str) -> Path:
    return folder / f"{key_id}.key"


def _ensure_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if sys.platform != "win32":
        os.chmod(folder, 0o700)


def make_keys(folder: Path, role: str, code: str) -> crypto.PublicKeys:
    """Make a key pair and keep the private half in ``folder`` (0700; the file 0600)."""
    suite = crypto.suite(crypto.DEFAULT_SUITE)
    pair = suite.generate()
    public = suite.public(pair)
    data = {
        "format": PRIVATE_FORMAT, "role": role, "code": code, "suite": pair.suite,
        "key_id": public.key_id, "sign": crypto.b64(pair.sign), "box": crypto.b64(pair.box),
    }  # fmt: skip
    _ensure_folder(folder)
    path = _private_path(folder, public.key_id)
    fd, tmp = tempfile.mkstemp(prefix=".key.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.chmod(tmp, 0o600)
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return public


def load_private(folder: Path, key_id: str) -> crypto.KeyPair:
    """This installation's private keys named ``key_id``; a clear error when they are missing
    or readable by others."""
    path = _private_path(folder, key_id)
    if not path.exists():
        raise UserError(
            _(
                "The private key {key} of this database is not on this computer ({path}). "
                "Make new keys (sync keys --new) and have them enrolled again."
            ).format(key=key_id, path=path)
        )
    if sys.platform != "win32" and path.stat().st_mode & 0o077:
        raise UserError(
            _("The key file {path} can be read by other users; allow only its owner (chmod 600).")
            .format(path=path)
        )  # fmt: skip
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pair = crypto.KeyPair(
            str(data["suite"]), crypto.unb64(data["sign"], 32), crypto.unb64(data["box"], 32)
        )
        public = crypto.suite(pair.suite).public(pair)
    except (OSError, ValueError, KeyError, TypeError, crypto.CryptoError) as exc:
        raise UserError(_("The key file {path} is damaged.").format(path=path)) from exc
    if public.key_id != key_id:
        raise UserError(_("The key file {path} is damaged.").format(path=path))
    return pair


def own_key_id(session: Session) -> str:
    from caseworker.store.models import Setting

    row = session.get(Setting, KEY_SETTING)
    return row.value if row is not None else ""


def own_keys(folder: Path, session: Session) -> tuple[str, crypto.KeyPair]:
    key_id = own_key_id(session)
    if not key_id:
        raise UserError(
            _("This database has no keys yet: make them with caseworker sync keys (a station) "
              "or caseworker county keys (a county).")
        )  # fmt: skip
    return key_id, load_private(folder, key_id)


# ---------------------------------------------------------------------------------------------
# Public key files
# ---------------------------------------------------------------------------------------------


def _public_body(party: Party) -> dict[str, Any]:
    return {
        "format": PUBLIC_FORMAT, "version": 1, "role": party.role, "code": party.code,
        "name": party.name, "suite": party.public.suite, "key_id": party.key_id,
        "sign": crypto.b64(party.public.sign), "box": crypto.b64(party.public.box),
    }  # fmt: skip


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def public_file_text(party: Party, pair: crypto.KeyPair) -> str:
    body = _public_body(party)
    signature = crypto.suite(pair.suite).sign(pair, _canonical(body))
    return json.dumps({**body, "signature": crypto.b64(signature)}, ensure_ascii=False, indent=1)


def read_public_file(path: Path) -> Party:
    """A public-key file, checked (format, key id, self-signature)."""
    bad = _("{path} is not a caseworker public-key file, or it is damaged.").format(path=path)
    try:
        if path.stat().st_size > MAX_PUBLIC_FILE:
            raise ValidationError(bad)
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(_("The file {path} does not exist.").format(path=path)) from None
    except (OSError, ValueError) as exc:
        raise ValidationError(bad) from exc
    try:
        if data.get("format") != PUBLIC_FORMAT or data.get("role") not in (STATION, COUNTY):
            raise ValueError("format")
        suite = crypto.suite(str(data["suite"]))
        public = crypto.PublicKeys(
            suite.name, crypto.unb64(data["sign"], 32), crypto.unb64(data["box"], 32)
        )
        party = Party(str(data["role"]), str(data["code"]), str(data["name"])[:100], public)
        if public.key_id != data["key_id"]:
            raise ValueError("key id")
        signature = crypto.unb64(data["signature"])
        suite.verify(public, _canonical(_public_body(party)), signature)
    except (ValueError, KeyError, TypeError, AttributeError, crypto.CryptoError) as exc:
        raise ValidationError(bad) from exc
    return party


# ---------------------------------------------------------------------------------------------
# Trusted keys (sync_peer)
# ---------------------------------------------------------------------------------------------


def peer_public(peer: SyncPeer) -> crypto.PublicKeys:
    return crypto.PublicKeys(
        peer.suite, crypto.unb64(peer.sign_key, 32), crypto.unb64(peer.box_key, 32)
    )


def peers(session: Session, role: str, *, live_only: bool = True) -> list[SyncPeer]:
    stmt = select(SyncPeer).where(SyncPeer.role == role)
    if live_only:
        stmt = stmt.where(SyncPeer.revoked_at.is_(None))
    return list(session.scalars(stmt.order_by(SyncPeer.code, SyncPeer.added_at)))


def add_peer(session: Session, party: Party) -> SyncPeer:
    """Trust ``party``'s keys in this database (logged in the change log)."""
    peer = SyncPeer(
        key_id=party.key_id, role=party.role, code=party.code, name=party.name,
        suite=party.public.suite, sign_key=crypto.b64(party.public.sign),
        box_key=crypto.b64(party.public.box), added_at=wall.now(), revoked_at=None,
    )  # fmt: skip
    session.add(peer)
    session.flush()
    _log_peer(session, peer, None)
    return peer


def revoke_peer(session: Session, peer: SyncPeer) -> None:
    before = _peer_text(peer)
    peer.revoked_at = wall.now()
    session.flush()
    _log_peer(session, peer, before)


def _peer_text(peer: SyncPeer) -> str:
    return json.dumps(
        {"role": peer.role, "code": peer.code, "name": peer.name, "key_id": peer.key_id,
         "revoked": peer.revoked_at is not None},
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip


def _log_peer(session: Session, peer: SyncPeer, before: str | None) -> None:
    context = session.info[changelog.CONTEXT_KEY]
    changelog.log_setting(
        session.connection(), context, f"sync_peer.{peer.key_id}", before, _peer_text(peer)
    )
