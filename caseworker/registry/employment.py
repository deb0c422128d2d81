"""Employment with dates: episodes of work, and the derived "employed" of a person.

An :class:`~caseworker.store.models.EmploymentEpisode` says a person worked from
``starts_on`` to ``ends_on`` (both days included; open while ``ends_on`` is None), of one
kind, with its evidence.  ``person.employed`` is the derived current value, kept in step by
every function here; the assessment on a past date asks :func:`employed_on` that date.

Rules:

- dates are of things that happened: neither a start nor an end is after today;
- episodes of one person do not overlap, and at most one is open;
- ending an episode "from" a day means the last day of work was the day before.

Every change here is followed by the zero-employment family tracker
(:func:`caseworker.registry.families.follow_person`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import ValidationError
from caseworker.i18n import N_, _
from caseworker.registry import families
from caseworker.store.models import EmploymentEpisode, Person


class Kind(StrEnum):
    """How the employment is shown (the pack's employment evidence, and the rest)."""

    CONTRACT = "contract"  # labour contract (劳动合同)
    BUSINESS_LICENCE = "business_licence"  # self-employed with a business licence
    FLEXIBLE = "flexible"  # flexible employment (灵活就业)
    INCOME = "income"  # labour income at least the local minimum wage
    PUBLIC_WELFARE = "public_welfare"  # a public-welfare post (公益性岗位)
    UNSPECIFIED = "unspecified"  # ticked "employed" on the person's form


KIND_LABELS: dict[Kind, str] = {
    Kind.CONTRACT: N_("Labour contract"),
    Kind.BUSINESS_LICENCE: N_("Business licence"),
    Kind.FLEXIBLE: N_("Flexible employment"),
    Kind.INCOME: N_("Labour income"),
    Kind.PUBLIC_WELFARE: N_("Public-welfare post"),
    Kind.UNSPECIFIED: N_("Employed (no evidence recorded)"),
}


def covers(episodes: Iterable[EmploymentEpisode], on: dt.date) -> bool:
    """Whether one of ``episodes`` (live ones) covers the day ``on``."""
    return any(
        not e.deleted and e.starts_on <= on and (e.ends_on is None or on <= e.ends_on)
        for e in episodes
    )


def episodes(session: Session, person_id: uuid.UUID) -> list[EmploymentEpisode]:
    """The person's live episodes, oldest first."""
    return list(
        session.scalars(
            select(EmploymentEpisode)
            .where(EmploymentEpisode.person_id == person_id, EmploymentEpisode.deleted.is_(False))
            .order_by(EmploymentEpisode.starts_on, EmploymentEpisode.created_hlc)
        )
    )


def employed_on(session: Session, person_id: uuid.UUID, on: dt.date) -> bool:
    return covers(episodes(session, person_id), on)


def employed_on_many(
    session: Session, person_ids: Sequence[uuid.UUID], on: dt.date
) -> set[uuid.UUID]:
    """The persons of ``person_ids`` employed on ``on`` (one query)."""
    if not person_ids:
        return set()
    rows = session.scalars(
        select(EmploymentEpisode.person_id).where(
            EmploymentEpisode.person_id.in_(list(person_ids)),
            EmploymentEpisode.deleted.is_(False),
            EmploymentEpisode.starts_on <= on,
            (EmploymentEpisode.ends_on.is_(None)) | (EmploymentEpisode.ends_on >= on),
        )
    )
    return set(rows)


def _check_past(on: dt.date, field: str) -> None:
    today = wall.today()
    if on > today:
        raise ValidationError(
            _("The date {date} is in the future; record employment once it has begun.").format(
                date=on.isoformat()
            ),
            field,
        )


def start(
    session: Session,
    person: Person,
    on: dt.date,
    kind: Kind | str = Kind.UNSPECIFIED,
    *,
    evidence: str = "",
    source: str = "registry",
) -> EmploymentEpisode:
    """Record that ``person`` is employed from ``on``; refused if already employed then."""
    kind = Kind(kind)
    _check_past(on, "starts_on")
    if on < person.birth_date:
        raise ValidationError(_("The start of work is before the birth date."), "starts_on")
    if person.id is None:
        person.id = uuid.uuid4()
    existing = [] if _is_new(session, person) else episodes(session, person.id)
    for episode in existing:
        if episode.ends_on is None or episode.ends_on >= on:
            raise ValidationError(
                _("{name} is already recorded as employed from {date}.").format(
                    name=person.name, date=episode.starts_on.isoformat()
                ),
                "starts_on",
            )
    values = episode_values(
        person.id, on, kind, evidence=evidence, source=source, demo=bool(person.demo),
        station_code=person.station_code,
    )  # fmt: skip
    # person_id is set now as well: the change log takes the values before the flush
    episode = EmploymentEpisode(person=person, **values)
    session.add(episode)
    refresh(person, [*existing, episode])
    if existing or not _is_new(session, person):
        families.follow_person(session, person.id)
    return episode


def episode_values(
    person_id: uuid.UUID,
    on: dt.date,
    kind: Kind | str = Kind.UNSPECIFIED,
    *,
    evidence: str = "",
    source: str = "registry",
    demo: bool = False,
    station_code: str | None = None,
) -> dict[str, object]:
    """The values of a new open episode from ``on`` (for :func:`start`, and for bulk loads
    through :func:`caseworker.store.changelog.insert_records`, which need every value)."""
    values: dict[str, object] = {
        "id": uuid.uuid4(), "person_id": person_id, "starts_on": on, "ends_on": None,
        "kind": Kind(kind).value, "evidence": evidence.strip(), "source": source, "demo": demo,
    }  # fmt: skip
    if station_code:
        values["station_code"] = station_code
    return values


def end(session: Session, person: Person, on: dt.date) -> EmploymentEpisode | None:
    """Record that ``person`` is not employed from ``on`` (the last day of work was the day
    before).  An episode that began on ``on`` itself was a mistake and is tombstoned."""
    _check_past(on, "ends_on")
    current = [e for e in episodes(session, person.id) if e.ends_on is None]
    if not current:
        return None
    episode = current[-1]
    if episode.starts_on >= on:
        episode.deleted = True
    else:
        episode.ends_on = on - dt.timedelta(days=1)
    refresh(person, episodes(session, person.id))
    families.follow_person(session, person.id)
    return episode


def set_current(
    session: Session, person: Person, employed: bool, today: dt.date | None = None
) -> None:
    """The person's form says employed (or not) today: start or end an episode to match."""
    today = today or wall.today()
    current = not _is_new(session, person) and employed_on(session, person.id, today)
    if employed and not current:
        start(session, person, today)
    elif not employed and current:
        end(session, person, today)
    else:
        person.employed = employed


def refresh(person: Person, person_episodes: Iterable[EmploymentEpisode]) -> None:
    """Set the derived ``person.employed`` from the episodes, for today."""
    employed = covers(person_episodes, wall.today())
    if person.employed != employed:
        person.employed = employed


def _is_new(session: Session, person: Person) -> bool:
    """Not yet in the database (so it has no episodes; and asking would flush it early)."""
    return person.id is None or person in session.new


def label(kind: str) -> str:
    try:
        return _(KIND_LABELS[Kind(kind)])
    except ValueError:
        return kind
