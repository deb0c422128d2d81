"""Reading and checking the change log: a person's history, and ``audit verify``.

:func:`verify` checks, in this order, and names the first broken row:

1. the chain: every row's ``prev_hash`` is the hash of the row before it, its ``hash`` is the
   hash of its content, ``seq`` only grows, and every stamp is well formed;
2. the guards: the triggers that refuse unlogged writes are all in place;
3. the records: replaying each record's log rows (its insert or baseline values, then every
   update) gives exactly the row in the table, and the row's stamp is its last log row's.
   A column added by a later migration is checked from the first log row that carries it.

A change made around the program (another tool editing the file, a restored page) breaks at
least one of them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core.clock import Timestamp
from caseworker.store import changelog, guards
from caseworker.store.base import Base, Synced
from caseworker.store.bulk import table_name
from caseworker.store.models import (
    AssistanceContact,
    AssistanceOffer,
    AssistanceOutcome,
    AssistancePlan,
    ChangeLog,
    EmploymentEpisode,
    HouseholdMember,
    ProofItem,
    RecognitionCase,
    RecognitionStep,
    Staff,
)

Progress = Callable[[str, int], bool]


@dataclass(frozen=True, slots=True)
class Entry:
    """One change, as a person reads it."""

    seq: int
    at: dt.datetime
    actor: str  # the staff member's name, or "" for the program itself
    device_id: str
    entity: str
    entity_id: uuid.UUID
    op: str
    field: str
    old_value: str | None
    new_value: str | None

    @property
    def values(self) -> dict[str, str | None]:
        """The values of an insert or baseline row."""
        if self.field != "*" or not self.new_value:
            return {}
        data: dict[str, str | None] = json.loads(self.new_value)
        return data


def staff_names(session: Session) -> dict[uuid.UUID, str]:
    return {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.name))}


def entries(session: Session, entity_ids: Sequence[uuid.UUID]) -> list[Entry]:
    """The log rows of these records, oldest first."""
    if not entity_ids:
        return []
    names = staff_names(session)
    rows = session.scalars(
        select(ChangeLog).where(ChangeLog.entity_id.in_(list(entity_ids))).order_by(ChangeLog.seq)
    )
    return [
        Entry(
            r.seq, r.at, names.get(r.actor_id, "") if r.actor_id else "", r.device_id,
            r.entity, r.entity_id, r.op, r.field, r.old_value, r.new_value,
        )
        for r in rows
    ]  # fmt: skip


def person_records(session: Session, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The person's record and the records that belong to them: household memberships,
    employment episodes, recognition cases with their steps and proofs, assistance plans with
    their contacts, offers and outcomes."""
    ids = [person_id]
    ids += session.scalars(select(HouseholdMember.id).where(HouseholdMember.person_id == person_id))
    ids += session.scalars(
        select(EmploymentEpisode.id).where(EmploymentEpisode.person_id == person_id)
    )
    cases = list(
        session.scalars(select(RecognitionCase.id).where(RecognitionCase.person_id == person_id))
    )
    ids += cases
    if cases:
        ids += session.scalars(select(RecognitionStep.id).where(RecognitionStep.case_id.in_(cases)))
        ids += session.scalars(select(ProofItem.id).where(ProofItem.case_id.in_(cases)))
    for model in (AssistancePlan, AssistanceContact, AssistanceOffer, AssistanceOutcome):
        ids += session.scalars(select(model.id).where(model.person_id == person_id))
    return ids


def person_history(session: Session, person_id: uuid.UUID) -> list[Entry]:
    return entries(session, person_records(session, person_id))


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the log and the records disagree on.  ``seq`` names the log row when one is
    to blame; ``code`` is one of the codes below (the front ends word it)."""

    code: str
    seq: int | None = None
    entity: str = ""
    entity_id: uuid.UUID | None = None
    detail: str = ""


BROKEN_LINK = "broken_link"  # prev_hash is not the previous row's hash
BAD_HASH = "bad_hash"  # the row's content does not match its hash
SEQ_ORDER = "seq_order"
BAD_STAMP = "bad_stamp"
MISSING_GUARD = "missing_guard"
NOT_IN_LOG = "not_in_log"  # a record with no log rows
NO_VALUES = "no_values"  # a record whose log has no insert or baseline values
MISMATCH = "mismatch"  # replaying the log does not give the record
STAMP_MISMATCH = "stamp_mismatch"  # the record's updated_hlc is not its last log row's
RECORD_GONE = "record_gone"  # log rows for a record that is not in the table


@dataclass
class Verification:
    rows: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled

    @property
    def first_broken_seq(self) -> int | None:
        return next((p.seq for p in self.problems if p.seq is not None), None)


def _check_chain(session: Session, report: Verification, progress: Progress | None) -> None:
    prev_hash = changelog.GENESIS
    prev_seq = 0
    stream = session.execute(
        select(ChangeLog).order_by(ChangeLog.seq), execution_options={"yield_per": 5000}
    ).scalars()
    for row in stream:
        report.rows += 1
        values = {name: getattr(row, name) for name in changelog.HASHED}
        if row.seq <= prev_seq:
            report.problems.append(Problem(SEQ_ORDER, row.seq))
            return
        if row.prev_hash != prev_hash:
            report.problems.append(Problem(BROKEN_LINK, row.seq, row.entity, row.entity_id))
            return
        if changelog.digest(values) != row.hash:
            report.problems.append(Problem(BAD_HASH, row.seq, row.entity, row.entity_id))
            return
        try:
            Timestamp.parse(row.hlc)
        except ValueError:
            report.problems.append(Problem(BAD_STAMP, row.seq, row.entity, row.entity_id, row.hlc))
            return
        prev_hash, prev_seq = row.hash, row.seq
        if progress is not None and report.rows % 20000 == 0 and not progress("chain", report.rows):
            report.cancelled = True
            return


def synced_models() -> list[type[Synced]]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)]


def _log_states(
    session: Session, entity: str
) -> Iterator[tuple[uuid.UUID, dict[str, str | None] | None, str, int]]:
    """Per record of ``entity`` (in id order): the replayed values (None if there are no
    insert/baseline values), the last stamp, and the seq of its last row."""
    stream = session.execute(
        select(
            ChangeLog.entity_id, ChangeLog.op, ChangeLog.field, ChangeLog.new_value,
            ChangeLog.hlc, ChangeLog.seq,
        )
        .where(ChangeLog.entity == entity)
        .order_by(ChangeLog.entity_id, ChangeLog.seq),
        execution_options={"yield_per": 5000},
    )  # fmt: skip
    current: uuid.UUID | None = None
    state: dict[str, str | None] | None = None
    last_hlc = ""
    last_seq = 0
    for entity_id, op, name, new_value, hlc, seq in stream:
        if entity_id != current:
            if current is not None:
                yield current, state, last_hlc, last_seq
            current, state = entity_id, None
        if name == "*":
            state = json.loads(new_value) if new_value else state
        elif state is not None:
            state[name] = new_value
        last_hlc, last_seq = hlc, seq
        del op
    if current is not None:
        yield current, state, last_hlc, last_seq


def _table_states(
    session: Session, model: type[Synced]
) -> Iterator[tuple[uuid.UUID, dict[str, str | None], str]]:
    keys = changelog.logged_keys(model.__mapper__)  # type: ignore[attr-defined]
    columns = [getattr(model, k) for k in keys]
    stream = session.execute(
        select(model.id, model.updated_hlc, *columns).order_by(model.id),
        execution_options={"yield_per": 5000},
    )
    for row in stream:
        values = {k: changelog.encode(v) for k, v in zip(keys, row[2:], strict=True)}
        yield row[0], values, row[1]


def _check_records(session: Session, report: Verification, progress: Progress | None) -> None:
    for model in synced_models():
        entity = table_name(model.__mapper__)  # type: ignore[attr-defined]
        logged = _log_states(session, entity)
        stored = _table_states(session, model)
        log_item = next(logged, None)
        table_item = next(stored, None)
        while log_item is not None or table_item is not None:
            if table_item is not None and (log_item is None or table_item[0] < log_item[0]):
                report.problems.append(Problem(NOT_IN_LOG, None, entity, table_item[0]))
                table_item = next(stored, None)
                continue
            assert log_item is not None
            if table_item is None or log_item[0] < table_item[0]:
                report.problems.append(Problem(RECORD_GONE, log_item[3], entity, log_item[0]))
                log_item = next(logged, None)
                continue
            report.records += 1
            record_id, state, last_hlc, last_seq = log_item
            _, values, updated_hlc = table_item
            if state is None:
                report.problems.append(Problem(NO_VALUES, last_seq, entity, record_id))
            else:
                # A column added by a later migration is absent from rows logged before it
                # existed: it is checked from the first log row that carries it.
                differ = sorted(k for k in values if k in state and state[k] != values[k])
                if differ:
                    report.problems.append(
                        Problem(MISMATCH, last_seq, entity, record_id, ", ".join(differ))
                    )
            if updated_hlc != last_hlc:
                report.problems.append(Problem(STAMP_MISMATCH, last_seq, entity, record_id))
            log_item = next(logged, None)
            table_item = next(stored, None)
            if (
                progress is not None
                and report.records % 20000 == 0
                and not progress("records", report.records)
            ):
                report.cancelled = True
                return


def verify(session: Session, *, progress: Progress | None = None) -> Verification:
    """Check the log's chain, the guards and every synced record (see the module notes)."""
    report = Verification()
    _check_chain(session, report, progress)
    if report.cancelled:
        return report
    dialect = session.get_bind().dialect.name
    missing = guards.expected_names(dialect) - guards.installed(session.connection())
    for name in sorted(missing):
        report.problems.append(Problem(MISSING_GUARD, None, detail=name))
    _check_records(session, report, progress)
    return report


def describe_values(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()) if v not in (None, ""))
