"""Setting up both ends: a county database, keys, enrolment of stations, trust in the county.

A database is a station's (``caseworker init``) or a county's (``caseworker county init``),
never both: the logged setting ``sync_role`` says which (a station's database from before
this setting has none and is a station's).  The county's code is its 6-digit administrative
code; the county's own stamps and log rows carry it as their station code.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core.errors import UserError, ValidationError
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store.models import Setting
from caseworker.store.sync_models import SyncPeer
from caseworker.store.uow import STATION_KEY, Store
from caseworker.sync import crypto, keys

ROLE_SETTING = "sync_role"
COUNTY_NAME_SETTING = "county_name"
_COUNTY_CODE = re.compile(r"^\d{6}$")


def role(store: Store) -> str:
    """``county``, ``station``, or "" for a database not set up yet."""
    value = store.setting(ROLE_SETTING)
    if value:
        return value
    return keys.STATION if store.station_code else ""


def is_county(store: Store) -> bool:
    return role(store) == keys.COUNTY


def require_county(store: Store) -> None:
    if not is_county(store):
        raise UserError(_("This is not a county database; make one with caseworker county init."))


def require_station(store: Store) -> None:
    if is_county(store):
        raise UserError(_("This is the county's database; this command is for a station."))
    if not store.station_code:
        raise UserError(_("Set up the station first (caseworker init)."))


def validate_county_code(code: str) -> str:
    code = code.strip()
    if not _COUNTY_CODE.match(code):
        raise ValidationError(
            _("A county code is the 6-digit administrative code of the county."), "code"
        )
    return code


def init_county(store: Store, code: str, name: str, keys_folder: Path) -> crypto.PublicKeys:
    """Make this (new, empty) database the county's, with the county's keys."""
    code = validate_county_code(code)
    name = name.strip()
    if not name:
        raise ValidationError(_("Enter the county's name."), "name")
    current = role(store)
    if current == keys.STATION:
        raise UserError(
            _("This database belongs to station {code}; use another database file for the county.")
            .format(code=store.station_code)
        )  # fmt: skip
    if current == keys.COUNTY and store.station_code != code:
        raise UserError(
            _("This database is county {code}'s already.").format(code=store.station_code)
        )
    store.set_station_code(code)
    with store.transaction() as session:
        store.put_setting(session, STATION_KEY, code)
        store.put_setting(session, ROLE_SETTING, keys.COUNTY)
        store.put_setting(session, COUNTY_NAME_SETTING, name[:100])
    return ensure_keys(store, keys_folder)


def county_name(store: Store) -> str:
    return store.setting(COUNTY_NAME_SETTING)


def ensure_keys(store: Store, folder: Path, *, new: bool = False) -> crypto.PublicKeys:
    """This database's public keys, made first when it has none (or ``new``)."""
    with store.reading() as session:
        key_id = keys.own_key_id(session)
    if key_id and not new:
        pair = keys.load_private(folder, key_id)
        return crypto.suite(pair.suite).public(pair)
    current = role(store)
    if not current:
        raise UserError(_("Set up the station first (caseworker init)."))
    public = keys.make_keys(folder, current, store.station_code)
    store.set_setting(keys.KEY_SETTING, public.key_id)
    return public


def own_party(store: Store, folder: Path, name: str) -> tuple[keys.Party, crypto.KeyPair]:
    with store.reading() as session:
        key_id, pair = keys.own_keys(folder, session)
    public = crypto.suite(pair.suite).public(pair)
    assert public.key_id == key_id
    return keys.Party(role(store), store.station_code, name, public), pair


def write_public_key(store: Store, folder: Path, path: Path, name: str) -> keys.Party:
    from caseworker.core.files import write_atomically

    ensure_keys(store, folder)
    party, pair = own_party(store, folder, name)
    text = keys.public_file_text(party, pair)
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return party


def enroll(store: Store, path: Path) -> tuple[keys.Party, bool]:
    """Register a station's public key at the county; (the station, whether it was new)."""
    require_county(store)
    require_store(store, Action.COUNTY_ADMIN)
    party = keys.read_public_file(path)
    if party.role != keys.STATION:
        raise ValidationError(_("{path} is not a station's public key.").format(path=path))
    from caseworker.registry.stations import validate_code

    validate_code(party.code)
    with store.transaction() as session:
        existing = session.get(SyncPeer, party.key_id)
        if existing is not None:
            if existing.revoked_at is not None:
                raise UserError(
                    _("The key {key} of station {code} was revoked; it cannot be enrolled again.")
                    .format(key=party.key_id, code=party.code)
                )  # fmt: skip
            return party, False
        keys.add_peer(session, party)
    return party, True


def revoke(store: Store, key_or_code: str) -> list[SyncPeer]:
    """Revoke a station's key (by key id) or every key of a station (by code)."""
    require_county(store)
    require_store(store, Action.COUNTY_ADMIN)
    with store.transaction() as session:
        found = [p for p in keys.peers(session, keys.STATION) if key_or_code in (p.key_id, p.code)]
        if not found:
            raise UserError(_("No enrolled key or station {value}.").format(value=key_or_code))
        for peer in found:
            keys.revoke_peer(session, peer)
    return found


def trust(store: Store, path: Path, *, replace: bool = False) -> tuple[keys.Party, bool]:
    """Trust the county's public key at a station; (the county, whether it was new)."""
    require_station(store)
    party = keys.read_public_file(path)
    if party.role != keys.COUNTY:
        raise ValidationError(_("{path} is not the county's public key.").format(path=path))
    with store.transaction() as session:
        if session.get(SyncPeer, party.key_id) is not None:
            return party, False
        current = keys.peers(session, keys.COUNTY)
        if current and not replace:
            raise UserError(
                _("This station already trusts the county key {key} ({code}); add --replace "
                  "to trust the new one instead.").format(key=current[0].key_id, code=current[0].code)
            )  # fmt: skip
        for old in current:
            keys.revoke_peer(session, old)
        keys.add_peer(session, party)
    return party, True


def trusted_county(session: Session) -> SyncPeer:
    found = keys.peers(session, keys.COUNTY)
    if not found:
        raise UserError(
            _("This station trusts no county key yet: caseworker sync trust county.pub")
        )
    return found[-1]


def find_peer(session: Session, key_id: str) -> SyncPeer | None:
    return session.scalar(select(SyncPeer).where(SyncPeer.key_id == key_id))


def settings(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Setting.key, Setting.value)).all())
