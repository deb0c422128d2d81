"""The compact id list and the registry list's SQL (sorting and filters in the database)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from caseworker.gui.models.ids import IdList
from caseworker.gui.models.listing import NEEDS_REVIEW, NO_CASE, Column, ListQuery
from tests.helpers import make_id, register


def test_id_list_round_trip_and_index() -> None:
    values = [uuid.uuid4() for _ in range(50)]
    ids = IdList.from_uuids(values)
    assert len(ids) == 50
    assert list(ids) == values
    assert ids[7] == values[7]
    assert ids[-1] == values[-1]
    assert ids.index(values[33]) == 33
    assert ids.index(uuid.uuid4()) == -1
    assert ids.slice(48, 60) == values[48:]
    assert IdList.from_hex(v.hex for v in values[:3]).slice(0, 3) == values[:3]
    with pytest.raises(IndexError):
        ids[50]


def test_index_ignores_unaligned_matches() -> None:
    a = uuid.UUID(bytes=bytes(range(16)))
    b = uuid.UUID(bytes=bytes(range(8, 24)))  # its bytes start inside a's
    ids = IdList.from_uuids([a, uuid.UUID(bytes=bytes(range(16, 32))), b])
    assert ids.index(b) == 2


def _ids(store: Any, query: ListQuery) -> list[uuid.UUID]:
    from caseworker.gui.models import person_query

    with store.reading() as session:
        return list(person_query.fetch_ids(session, query))


def _rows(store: Any, ids: list[uuid.UUID]) -> list[Any]:
    from caseworker.gui.models import person_query

    with store.reading() as session:
        found = person_query.fetch_rows(session, ids)
    return [found[i] for i in ids]


def test_sorting_is_done_by_the_database(demo_store: Any) -> None:
    ids = _ids(demo_store, ListQuery(sort=Column.AGE))
    births = [r.birth_date for r in _rows(demo_store, ids)]
    assert births == sorted(births, reverse=True)  # youngest first
    ids = _ids(demo_store, ListQuery(sort=Column.AGE, descending=True))
    births = [r.birth_date for r in _rows(demo_store, ids)]
    assert births == sorted(births)
    ids = _ids(demo_store, ListQuery(sort=Column.REGISTERED, descending=True))
    dates = [r.registered_unemployed_since for r in _rows(demo_store, ids)]
    present = [d for d in dates if d is not None]
    assert present == sorted(present, reverse=True)
    assert dates[len(present) :] == [None] * (len(dates) - len(present))  # no date: last


def test_village_filter_and_search(demo_store: Any) -> None:
    from caseworker.registry import stations

    with demo_store.reading() as session:
        village = stations.villages(session, demo_store.station_code)[0]
    ids = _ids(demo_store, ListQuery(village_id=village.id))
    assert ids
    assert {r.village for r in _rows(demo_store, ids)} == {village.name}
    everyone = _ids(demo_store, ListQuery())
    assert len(ids) < len(everyone) == 300
    first = _rows(demo_store, everyone[:1])[0]
    found = _ids(demo_store, ListQuery(text=first.id_number))
    assert found[0] == first.id


def test_status_and_category_come_from_the_case(gui_store: Any) -> None:
    from caseworker.recognition import service

    a = register(gui_store, "张三", make_id(seq=11), registered_unemployed_since="2020-01-01")
    b = register(gui_store, "李四", make_id(seq=13), registered_unemployed_since="2020-01-01")
    register(gui_store, "王五", make_id(seq=15))
    with gui_store.transaction() as session:
        service.open_application(session, a.id, dt.date(2024, 3, 1), ["long_term_unemployed_1y"])
        case = service.open_application(
            session, b.id, dt.date(2024, 3, 1), ["older_worker", "long_term_unemployed_1y"]
        )
        case.needs_review = True
    applied = _ids(gui_store, ListQuery(status="applied"))
    assert set(applied) == {a.id, b.id}
    assert len(_ids(gui_store, ListQuery(status=NO_CASE))) == 1
    assert _ids(gui_store, ListQuery(status=NEEDS_REVIEW)) == [b.id]
    assert _ids(gui_store, ListQuery(category="older_worker")) == [b.id]
    assert set(_ids(gui_store, ListQuery(category="long_term_unemployed_1y"))) == {a.id, b.id}
    by_status = _ids(gui_store, ListQuery(sort=Column.STATUS))
    assert by_status[0] not in (a.id, b.id)  # no case sorts before "applied"
    rows = _rows(gui_store, [b.id])
    assert rows[0].categories == ("older_worker", "long_term_unemployed_1y")
    assert rows[0].stage == "applied"
    assert rows[0].needs_review
