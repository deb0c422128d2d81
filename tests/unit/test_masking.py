"""Masking by role, and the whole value shown or exported only as a logged act with a reason."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from caseworker.cli import main
from caseworker.core.errors import ValidationError
from caseworker.security import accounts, masking
from caseworker.security.masking import Place
from caseworker.security.roles import NotAllowedError, Principal, Role
from caseworker.store.models import ChangeLog
from tests.helpers import make_id, register

PASSWORD = "admin pass 1"


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_a_masked_phone_keeps_at_most_seven_digits(phone: str) -> None:
    shown = masking.mask_phone(phone)
    assert len(shown) == len(phone)
    assert sum(c.isdigit() for c in shown) <= min(7, max(0, len(phone) - 4) + 4)
    if len(phone) >= 8:
        assert shown[:3] == phone[:3]
        assert shown[-4:] == phone[-4:]
        assert "*" in shown


@given(st.text(alphabet="0123456789 ", min_size=0, max_size=30))
def test_a_masked_bank_account_keeps_only_the_last_four(account: str) -> None:
    shown = masking.mask_bank(account)
    digits = account.replace(" ", "")
    assert sum(c.isdigit() for c in shown) <= 4
    if len(digits) > 4:
        assert shown.endswith(digits[-4:])


def test_whole_values_by_role_and_place() -> None:
    def who(*roles: Role) -> Principal:
        return Principal(uuid.uuid4(), "x", frozenset(roles))

    for place in Place:
        for role in Role:
            expected = place in (Place.PERSON_PAGE, Place.FORM) and role in (
                Role.CASEWORKER,
                Role.HEAD,
            )
            assert masking.shows_whole(who(role), place, open_mode=False) == expected
        # a station without accounts: as before (pages and forms whole, lists masked)
        assert masking.shows_whole(None, place, open_mode=True) == (
            place in (Place.PERSON_PAGE, Place.FORM)
        )
        assert not masking.shows_whole(None, place, open_mode=False)


def test_a_reveal_needs_a_reason_and_is_logged(store: Any) -> None:
    person = register(store, "张三丰", make_id(seq=101), phone="18223146761")
    accounts.add(store, "管理员", "admin", PASSWORD)
    store.principal = accounts.authenticate(store, "管理员", PASSWORD)
    accounts.add(store, "县干部", "county", PASSWORD)
    store.principal = accounts.authenticate(store, "县干部", PASSWORD)
    assert masking.shown(store, Place.PERSON_PAGE, "phone", "18223146761") == "182****6761"
    with pytest.raises(ValidationError, match="Say why"):
        masking.reveal(store, [person.id], ["phone"], " ", Place.PERSON_PAGE)
    masking.reveal(store, [person.id], ["phone", "id_number"], "核对补贴发放", Place.PERSON_PAGE)
    with store.reading() as session:
        rows = session.scalars(
            select(ChangeLog).where(ChangeLog.entity == "access", ChangeLog.entity_id == person.id)
        ).all()
    assert [(r.op, r.field, r.old_value, r.new_value) for r in rows] == [
        ("reveal", "phone", "person_page", "核对补贴发放"),
        ("reveal", "id_number", "person_page", "核对补贴发放"),
    ]
    store.principal = accounts.authenticate(store, "管理员", PASSWORD)
    with pytest.raises(NotAllowedError, match="may not show full"):
        masking.reveal(store, [person.id], ["phone"], "想看看", Place.PERSON_PAGE)


def test_the_command_line_masks_and_logs_reveals(
    store: Any, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    id_number = make_id(seq=101)
    register(store, "张三丰", id_number, phone="18223146761", bank_account="6222020200112233")
    accounts.add(store, "管理员", "admin", PASSWORD)
    store.principal = accounts.authenticate(store, "管理员", PASSWORD)
    accounts.add(store, "李娜", "caseworker", "lina pass 1")
    store.dispose()
    monkeypatch.setenv("CASEWORKER_PASSWORD", "lina pass 1")
    lina = ["--db", str(db_path), "--user", "李娜"]
    assert main([*lina, "persons", "list"]) == 0
    out = capsys.readouterr().out
    assert "182****6761" in out
    assert id_number not in out
    assert main([*lina, "persons", "list", "--full-ids"]) == 2
    assert "Say why" in capsys.readouterr().err
    assert main([*lina, "persons", "list", "--full-ids", "--reason", "入户走访核对"]) == 0
    assert id_number in capsys.readouterr().out
    assert main([*lina, "audit", "show", id_number]) == 0
    assert "access whole value shown  id_number: list → 入户走访核对" in capsys.readouterr().out
    # the person's own page shows a caseworker the whole values; an administrator sees them
    # masked unless they give a reason (and administrators may not reveal)
    assert main([*lina, "persons", "show", id_number]) == 0
    assert "6222020200112233" in capsys.readouterr().out
    monkeypatch.setenv("CASEWORKER_PASSWORD", PASSWORD)
    admin = ["--db", str(db_path), "--user", "管理员"]
    assert main([*admin, "persons", "show", id_number]) == 0
    out = capsys.readouterr().out
    assert "6222020200112233" not in out
    assert "**** 2233" in out
    assert "182****6761" in out
    # an export needs a reason, and is logged with it
    monkeypatch.setenv("CASEWORKER_PASSWORD", "lina pass 1")
    target = tmp_path / "out.xlsx"
    assert main([*lina, "persons", "export", "-o", str(target)]) == 2
    assert not target.exists()
    capsys.readouterr()
    assert main([*lina, "persons", "export", "-o", str(target), "--reason", "报县局"]) == 0
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    again = open_store(sqlite_url(db_path))
    try:
        with again.reading() as session:
            rows = session.execute(
                select(ChangeLog.op, ChangeLog.field, ChangeLog.new_value).where(
                    ChangeLog.entity == "access"
                )
            ).all()
    finally:
        again.dispose()
    assert ("export", "persons", "报县局") in rows
    assert ("reveal", "id_number", "入户走访核对") in rows
