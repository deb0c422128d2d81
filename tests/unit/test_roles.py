"""Every role against every action: the services refuse what the table does not allow."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.security import accounts, roles
from caseworker.security.roles import PERMISSIONS, Action, NotAllowedError, Principal, Role
from caseworker.store.models import Account, ChangeLog
from tests.helpers import make_id, on_day, recognise, register

TODAY = dt.date(2024, 10, 20)
PASSWORD = "correct horse 1"


def _accounts(store: Any) -> dict[Role, Principal]:
    accounts.add(store, "管理员", "admin", PASSWORD)
    store.principal = _principal(store, "管理员")
    for role, name in ((Role.CASEWORKER, "李娜"), (Role.HEAD, "王站长"), (Role.COUNTY, "县干部")):
        accounts.add(store, name, frozenset({role}), PASSWORD)
    return {
        role: _principal(store, name)
        for role, name in (
            (Role.ADMIN, "管理员"), (Role.CASEWORKER, "李娜"), (Role.HEAD, "王站长"),
            (Role.COUNTY, "县干部"),
        )
    }  # fmt: skip


def _principal(store: Any, name: str) -> Principal:
    return accounts.authenticate(store, name, PASSWORD)


def _case_at(store: Any, person_id: uuid.UUID, steps: int) -> uuid.UUID:
    """A case of ``person_id`` taken ``steps`` steps past its application."""
    from caseworker.recognition import service, workflow
    from tests.helpers import provide_all_proofs

    all_steps = (
        workflow.CommunityReview(on=dt.date(2024, 9, 5), passed=True),
        workflow.TownshipReview(on=dt.date(2024, 9, 10), passed=True),
        workflow.StartPublicNotice(start=dt.date(2024, 9, 27)),
        workflow.Recognise(on=dt.date(2024, 10, 10)),
    )
    with store.transaction() as session, on_day(TODAY):
        case = service.open_application(
            session, person_id, dt.date(2024, 9, 2), ["long_term_unemployed_1y"]
        )
        provide_all_proofs(session, case.id)
        for step in all_steps[:steps]:
            case = service.advance(session, case.id, step)
        return case.id


class World:
    """A station; each act makes what it needs first as the program would before accounts
    (:meth:`setup`), then takes the action as the logged-in principal."""

    def __init__(self, store: Any, tmp: Path) -> None:
        self.store = store
        self.tmp = tmp
        self.seq = 200
        with on_day(TODAY):
            self.person = register(store, "张三", make_id(seq=101)).id

    def new_person(self, **fields: object) -> uuid.UUID:
        self.seq += 1
        with self.setup(), on_day(TODAY):
            name = (
                "张"
                + "一二三四五六七八九十"[self.seq % 10]
                + "甲乙丙丁戊己庚辛壬癸"[self.seq // 10 % 10]
            )
            return register(self.store, name, make_id(seq=self.seq), **fields).id

    def case_at(self, steps: int) -> uuid.UUID:
        person = self.new_person()
        with self.setup():
            return _case_at(self.store, person, steps)

    @contextlib.contextmanager
    def setup(self) -> Iterator[None]:
        store = self.store
        saved = store.principal, store.accounts_required
        store.principal, store.accounts_required = None, False
        try:
            yield
        finally:
            store.principal, store.accounts_required = saved


def _step(world: World, case_id: uuid.UUID, step: Any) -> None:
    from caseworker.recognition import service

    with world.store.transaction() as session, on_day(TODAY):
        service.advance(session, case_id, step)


def _register(world: World) -> None:
    world.seq += 1
    with on_day(TODAY):
        register(world.store, "新人", make_id(seq=world.seq))


def _export(world: World) -> None:
    from caseworker.registry import spreadsheet

    spreadsheet.export_persons(world.store, world.tmp / "out.xlsx", reason="报县局")


def _import(world: World) -> None:
    from caseworker.registry import importing, spreadsheet

    source = world.tmp / "in.xlsx"
    if not source.exists():
        with world.setup():
            spreadsheet.export_persons(world.store, source)
    with on_day(TODAY):
        importing.import_persons(world.store, source)


def _print(world: World) -> None:
    from caseworker.core import wall
    from caseworker.forms import sources

    with world.store.reading() as session:
        sources.application_data(session, world.person, now=wall.now())


def _assist(world: World) -> None:
    from caseworker.casework import plans

    person = world.new_person(registered_unemployed_since="2022-01-01")
    with world.setup():
        recognise(world.store, person)
    with world.store.transaction() as session, on_day(TODAY):
        plans.open_plan(session, person, on=dt.date(2024, 10, 15), worker="李娜")


def _prepare(world: World) -> None:
    from caseworker.recognition import service

    person = world.new_person()
    with world.store.transaction() as session, on_day(TODAY):
        service.open_application(session, person, dt.date(2024, 10, 1), ["long_term_unemployed_1y"])


def _review(world: World) -> None:
    from caseworker.recognition import workflow

    case = world.case_at(1)
    _step(world, case, workflow.TownshipReview(on=dt.date(2024, 9, 10), passed=True))


def _recognise(world: World) -> None:
    from caseworker.recognition import workflow

    case = world.case_at(3)
    _step(world, case, workflow.Recognise(on=dt.date(2024, 10, 10)))


def _exit(world: World) -> None:
    from caseworker.recognition import workflow

    case = world.case_at(4)
    _step(
        world,
        case,
        workflow.Exit(on=dt.date(2024, 10, 15), reason=workflow.ExitReason.EMPLOYED),
    )


def _manage(world: World) -> None:
    accounts.list_accounts(world.store)


def _settings(world: World) -> None:
    from caseworker.registry import stations

    stations.initialise(world.store, "650102001", "燕儿窝街道就业服务站", ["南湖社区", "红旗村"])


def _posts(world: World) -> None:
    from caseworker.posts import service

    with world.store.transaction() as session:
        service.add_employer(session, "650102001", name=f"单位{uuid.uuid4().hex[:6]}")


def _table_only(action: Action) -> Callable[[World], None]:
    """Actions whose service needs more of a world than this test builds (county mode, the
    exchange with the county, a submitted roster): checked through :func:`roles.require`, as
    those services do (``sync``, ``posts.payroll.step``)."""

    def act(world: World) -> None:
        with world.store.reading() as session:
            roles.require(session, action)

    return act


ACTS: dict[Action, Callable[[World], None]] = {
    Action.REGISTER: _register,
    Action.IMPORT: _import,
    Action.EXPORT: _export,
    Action.PRINT: _print,
    Action.RECORD_ASSISTANCE: _assist,
    Action.PREPARE_CASE: _prepare,
    Action.REVIEW_CASE: _review,
    Action.RECOGNISE: _recognise,
    Action.EXIT_CASE: _exit,
    Action.MANAGE_ACCOUNTS: _manage,
    Action.CHANGE_SETTINGS: _settings,
    Action.MANAGE_POSTS: _posts,
}


def act_for(action: Action) -> Callable[[World], None]:
    return ACTS.get(action) or _table_only(action)


@pytest.fixture
def world(store: Any, tmp_path: Path) -> World:
    return World(store, tmp_path)


@pytest.mark.parametrize("action", list(Action))
def test_every_role_against_every_action(world: World, action: Action) -> None:
    principals = _accounts(world.store)
    for role in Role:
        world.store.principal = principals[role]
        if role in PERMISSIONS[action]:
            act_for(action)(world)
        else:
            with pytest.raises(NotAllowedError, match="may not"):
                act_for(action)(world)


@pytest.mark.parametrize("action", list(ACTS))
def test_a_station_with_accounts_refuses_every_action_without_a_login(
    world: World, action: Action
) -> None:
    _accounts(world.store)
    world.store.principal = None
    with pytest.raises(roles.UserError, match="log in"):
        act_for(action)(world)


def test_every_action_is_in_the_table_with_a_label() -> None:
    assert set(PERMISSIONS) == set(Action) == set(roles.ACTION_LABELS)
    assert len({roles.role_label(r) for r in Role}) == len(Role)
    # the county officer's actions, for the sync work to wire
    assert PERMISSIONS[Action.RESOLVE_CONFLICTS] == {Role.COUNTY}
    assert Role.COUNTY in PERMISSIONS[Action.RECOGNISE]


def test_a_refused_action_changes_nothing(world: World) -> None:
    principals = _accounts(world.store)
    world.store.principal = principals[Role.ADMIN]
    with world.store.reading() as session:
        before = session.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1))
    with pytest.raises(NotAllowedError):
        _register(world)
    with world.store.reading() as session:
        after = session.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1))
    assert after == before


def test_every_change_is_logged_under_the_logged_in_staff_member(world: World) -> None:
    from caseworker.store import audit

    principals = _accounts(world.store)
    world.store.principal = principals[Role.CASEWORKER]
    world.store.actor = "someone typed"
    with on_day(TODAY):
        person = register(world.store, "新人", make_id(seq=151))
    with world.store.reading() as session:
        rows = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == person.id)).all()
        names = audit.staff_names(session)
        assert {names[r.actor_id] for r in rows if r.actor_id} == {"李娜"}
        assert audit.verify(session).ok


def test_account_acts_are_logged_without_the_password(world: World) -> None:
    _accounts(world.store)
    accounts.reset_password(world.store, "李娜", "another pass 2")
    accounts.disable(world.store, "李娜")
    with world.store.reading() as session:
        account = session.scalars(select(Account).where(Account.name == "李娜")).one()
        rows = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == account.id)).all()
    assert [(r.op, r.field, r.new_value) for r in rows] == [
        ("insert", "roles", "caseworker"),
        ("update", "password", "reset"),
        ("update", "disabled", "true"),
    ]
    assert all("another pass" not in str(r.new_value) for r in rows)
    with pytest.raises(roles.UserError, match=r"wrong|disabled"):
        _principal(world.store, "李娜")


def test_the_first_account_must_be_an_administrator(store: Any) -> None:
    with pytest.raises(roles.UserError, match="first account"):
        accounts.add(store, "李娜", "caseworker", PASSWORD)
    assert not store.accounts_required


def test_the_only_administrator_cannot_be_disabled(store: Any) -> None:
    accounts.add(store, "管理员", "admin", PASSWORD)
    store.principal = _principal(store, "管理员")
    with pytest.raises(roles.UserError, match="only administrator"):
        accounts.disable(store, "管理员")


def test_weak_passwords_and_unknown_roles_are_refused(store: Any) -> None:
    with pytest.raises(roles.UserError, match="at least 8"):
        accounts.add(store, "管理员", "admin", "short")
    with pytest.raises(roles.UserError, match="Unknown role boss"):
        roles.parse_roles("admin,boss")
