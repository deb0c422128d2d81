"""The station this installation serves, and its villages and communities."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core.errors import ValidationError
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store.models import Station, Village
from caseworker.store.uow import STATION_KEY, Store

_CODE = re.compile(r"^\d{9}(?:\d{3})?$")
_SPLIT = re.compile(r"[\n,，、;；\t]+")
_COMMUNITY_SUFFIXES = ("社区", "居委会", "街道")


def validate_code(code: str) -> str:
    code = code.strip()
    if not _CODE.match(code):
        raise ValidationError(
            _(
                "A station code is the 9- or 12-digit administrative code of the township or street."
            ),
            "code",
        )
    return code


def split_village_list(text: str) -> list[str]:
    """Village names typed or pasted as a list (one a line, or separated by commas)."""
    seen: list[str] = []
    for part in _SPLIT.split(text):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def village_kind(name: str) -> str:
    return "community" if name.endswith(_COMMUNITY_SUFFIXES) else "village"


def initialise(
    store: Store,
    code: str,
    name: str,
    villages: Sequence[str],
    *,
    contact_name: str = "",
    contact_phone: str = "",
) -> Station:
    """Create (or update) the station of this installation with its villages."""
    require_store(store, Action.CHANGE_SETTINGS)
    code = validate_code(code)
    name = name.strip()
    if not name:
        raise ValidationError(_("Enter the station's name."), "name")
    if len(name) > 100:
        raise ValidationError(_("The name is longer than {n} characters.").format(n=100), "name")
    for village in villages:
        if len(village) > 60:
            raise ValidationError(
                _("The village name {name} is too long.").format(name=village), "villages"
            )
    if store.station_code and store.station_code != code:
        raise ValidationError(
            _("This database belongs to station {code}; use another database file for another station.")
            .format(code=store.station_code),
            "code",
        )  # fmt: skip
    store.set_station_code(code)
    with store.transaction() as session:
        session.info["station_code"] = code
        station = session.scalar(select(Station).where(Station.code == code))
        if station is None:
            station = Station(code=code, name=name, station_code=code)
            session.add(station)
            session.flush()
        else:
            station.name = name
        if contact_name:
            station.contact_name = contact_name.strip()
        if contact_phone:
            station.contact_phone = contact_phone.strip()
        existing = {
            v.name: v
            for v in session.scalars(select(Village).where(Village.station_id == station.id))
        }
        for order, village_name in enumerate(villages):
            found = existing.get(village_name)
            if found is None:
                session.add(
                    Village(
                        station_id=station.id,
                        name=village_name,
                        kind=village_kind(village_name),
                        sort_order=order,
                        station_code=code,
                    )
                )
            elif found.deleted:
                found.deleted = False

        _adopt_unowned(session, code)
        store.put_setting(session, STATION_KEY, code)
    return station


def _adopt_unowned(session: Session, code: str) -> None:
    """Records made before the station was set up (the staff member named first) take its
    code: every record has an owner (a logged change)."""
    from caseworker.store.audit import synced_models

    for model in synced_models():
        for record in session.scalars(select(model).where(model.station_code == "")):
            record.station_code = code


def villages(session: Session, station_code: str) -> list[Village]:
    return list(
        session.scalars(
            select(Village)
            .where(Village.station_code == station_code, Village.deleted.is_(False))
            .order_by(Village.sort_order, Village.name)
        )
    )
