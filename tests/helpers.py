"""Small helpers for tests: valid ID numbers and quick registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseworker.core import idcard


def make_id(division: str = "650102", birth: dt.date = dt.date(1990, 1, 1), seq: int = 123) -> str:
    first17 = f"{division}{birth:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_char(first17)


def register(store: Any, name: str, id_number: str, **fields: object) -> Any:
    from caseworker.registry import persons

    with store.transaction() as session:
        villages = persons.village_names(session, store.station_code)
        data = persons.validate({"name": name, "id_number": id_number, **fields}, villages=villages)
        return persons.register(session, data).person


def on_day(day: dt.date) -> Any:
    """A block in which "today" is ``day`` (the program's wall clock, see core.wall)."""
    from caseworker.core import wall

    return wall.use(wall.FixedWall.on(day))


def log_actors(session: Any, rows: Any) -> list[str]:
    """The staff names of change-log rows ("" for the program itself)."""
    from caseworker.store import audit

    names = audit.staff_names(session)
    return [names.get(r.actor_id, "") if r.actor_id else "" for r in rows]


def provide_all_proofs(session: Any, case_id: Any) -> None:
    """Tick every proof of a case's checklist as provided (steps then need no confirmation)."""
    from caseworker.recognition import service

    for proof in {item.proof for item in service.proofs(session, case_id)}:
        service.provide_proof(session, case_id, proof, True)


def recognise(store: Any, person_id: Any, *, applied: dt.date = dt.date(2024, 9, 2)) -> Any:
    """Carry a person's case from application to recognition (notice from 2024-09-27,
    recognised on 2024-10-10), claiming the categories the assessment matches on ``applied``."""
    from caseworker.recognition import service, workflow

    with store.transaction(actor="王芳") as session, on_day(dt.date(2024, 10, 10)):
        decision = service.assess_person(session, person_id, applied)
        codes = [c.value for c in decision.categories] or ["long_term_unemployed_1y"]
        case = service.open_application(session, person_id, applied, codes)
        provide_all_proofs(session, case.id)
        steps = (
            workflow.CommunityReview(on=dt.date(2024, 9, 5), passed=True),
            workflow.TownshipReview(on=dt.date(2024, 9, 10), passed=True),
            workflow.StartPublicNotice(start=dt.date(2024, 9, 27)),
            workflow.Recognise(on=dt.date(2024, 10, 10)),
        )
        for step in steps:
            case = service.advance(session, case.id, step)
        return case
