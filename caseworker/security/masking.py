"""Masking by role: ID numbers, phone numbers and bank accounts are shown whole only where the
role and the place need them; showing or exporting a whole value otherwise is an act with a
reason, written to the change log (who, what, when, why).

==================  =====================================================================
place               whole values for
==================  =====================================================================
a list              nobody (lists are masked; a whole list needs a reveal with a reason)
a person's page     caseworkers and station heads (the person's own page, as the forms)
a person's form     caseworkers and station heads (the form carries the person's ID)
an export           nobody without a reason (the export is logged with it)
==================  =====================================================================

A station without accounts shows what it showed before accounts existed (its person pages and
forms whole, its lists masked); a reveal there is still logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

from caseworker.core.errors import ValidationError
from caseworker.core.idcard import mask as mask_id
from caseworker.i18n import _
from caseworker.security import journal
from caseworker.security.roles import Action, Principal, Role, require
from caseworker.store.uow import Store

MIN_REASON = 2
MAX_REASON = 200
FIELDS = ("id_number", "phone", "bank_account")


class Place(StrEnum):
    LIST = "list"
    PERSON_PAGE = "person_page"
    FORM = "form"
    EXPORT = "export"


def mask_phone(value: str) -> str:
    """``182****6761``: the first three and the last four digits."""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_bank(value: str) -> str:
    """``**** 1234``: only the last four characters."""
    text = value.replace(" ", "").strip()
    if not text:
        return ""
    return "**** " + text[-4:] if len(text) > 4 else "*" * len(text)


def mask(field: str, value: str | None) -> str:
    if not value:
        return ""
    if field == "id_number":
        return mask_id(value)
    if field == "phone":
        return mask_phone(value)
    if field == "bank_account":
        return mask_bank(value)
    return value


def shows_whole(principal: Principal | None, place: Place, *, open_mode: bool) -> bool:
    """Whether ``place`` shows whole values to ``principal`` without a reveal."""
    if place in (Place.LIST, Place.EXPORT):
        return False
    if principal is None:
        return open_mode
    return bool(principal.roles & {Role.CASEWORKER, Role.HEAD})


def shown(store: Store, place: Place, field: str, value: str | None) -> str:
    """``value`` as ``place`` shows it to the logged-in staff member."""
    if field in FIELDS and not shows_whole(
        store.principal, place, open_mode=not store.accounts_required
    ):
        return mask(field, value)
    return value or ""


def check_reason(reason: str | None, *, required: bool) -> str:
    text = (reason or "").strip()
    if not text and not required:
        return ""
    if len(text) < MIN_REASON:
        raise ValidationError(
            _("Say why the whole value is needed (at least {n} characters).").format(n=MIN_REASON),
            "reason",
        )
    if len(text) > MAX_REASON:
        raise ValidationError(
            _("The reason is longer than {n} characters.").format(n=MAX_REASON), "reason"
        )
    return text


def reveal(
    store: Store,
    person_ids: Iterable[uuid.UUID],
    fields: Iterable[str],
    reason: str | None,
    place: Place,
) -> str:
    """Record that whole ``fields`` of the persons are shown (or exported) for ``reason``:
    one change-log row per person and field, in one transaction.  A station with accounts
    needs a reason; returns it, checked."""
    text = check_reason(reason, required=store.accounts_required)
    ids = list(person_ids)
    names = list(fields)
    if store.write_refusal is not None:
        return text  # a read-only file: nothing can be logged, and nothing could be changed
    with store.transaction() as session:
        require(session, Action.REVEAL)
        for person_id in ids:
            for field in names:
                journal.record(
                    session, journal.ACCESS, person_id, journal.REVEAL, field, place.value,
                    text,
                )  # fmt: skip
    return text
