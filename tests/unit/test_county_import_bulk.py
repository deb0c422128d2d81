"""The county's import as bulk work: the collector's full passes are held back while it runs
(they walked every live object again and again for nothing; the young generations are still
collected, so memory stays flat) and the collector is left as it was afterwards, also when a
file is refused or the import is stopped."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseworker.sync import county
from tests.helpers import make_id, register
from tests.sync_world import World, station_code

A = station_code(1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    found = World(tmp_path / "world", registry=tmp_path / "devices.json")
    found.add_station(1)
    yield found
    found.close()


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def test_full_collections_are_held_back_during_the_import_and_restored_after(
    world: World, tmp_path: Path, collector: None
) -> None:
    register(world.stations[A], "张三", make_id(seq=131), village="红旗村")
    path = world.export(A)
    assert path is not None
    bad = tmp_path / "bad.cwb"
    bad.write_bytes(b"not a bundle")
    seen: list[bool] = []

    def progress(done: int, total: int) -> bool:
        seen.append(gc.get_threshold()[2] >= 1_000_000 and gc.isenabled())
        return True

    gc.set_threshold(700, 10, 10)
    outcomes = county.import_files(world.county, world.keys, [bad, path], progress=progress)
    assert [o.status for o in outcomes] == [county.REFUSED, county.APPLIED]
    assert seen == [True, True, False]  # before each file: held back; the last call: after
    assert gc.get_threshold() == (700, 10, 10)
    gc.set_threshold(500, 7, 3)
    county.import_files(world.county, world.keys, [path], progress=lambda d, t: False)
    assert gc.get_threshold() == (500, 7, 3)  # left as the caller had it
