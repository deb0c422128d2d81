"""Acts that change no record but are logged like a change: account changes, a full value
shown or exported, an export.  They go into the hash-chained change log (who, when, what, why)
in the caller's transaction, so they are as tamper-evident as every other change."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from caseworker.store import changelog

ACCOUNT = "account"
ACCESS = "access"
#: ops of access acts
REVEAL = "reveal"
EXPORT = "export"
BACKUP = "backup"
RESTORE = "restore"


_ACT_NAMESPACE = uuid.UUID("5d0f2c8e-8a33-4b55-9c1e-616363657373")


def act_id(what: str) -> uuid.UUID:
    """The stable ``entity_id`` of acts on ``what`` (``persons`` for an export …)."""
    return uuid.uuid5(_ACT_NAMESPACE, what)


def record(
    session: Session,
    entity: str,
    entity_id: uuid.UUID,
    op: str,
    field: str,
    old: str | None,
    new: str | None,
) -> None:
    """Append one log row for an act, in ``session``'s transaction."""
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    changelog.log_act(session.connection(), context, entity, entity_id, op, field, old, new)
