"""A small world for the sync tests: a county and stations, each a real database file, with
keys made, enrolled and trusted as the command line does it."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseworker.registry import stations
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.uow import Store
from caseworker.sync import county, export, receipt, setup

COUNTY_CODE = "650102"
COUNTY_NAME = "天山区"


def station_code(n: int) -> str:
    return f"650102{n:03d}"


@dataclass
class World:
    base: Path
    keys: Path = field(init=False)
    county: Store = field(init=False)
    stations: dict[str, Store] = field(default_factory=dict)
    registry: Path | None = None
    #: The county's database when not a SQLite file here (a PostgreSQL URL).
    county_url: str | None = None

    def __post_init__(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.keys = self.base / "keys"
        self.outbox = self.base / "outbox"
        self.outbox.mkdir(exist_ok=True)
        self.county = open_store(self.county_url or sqlite_url(self.county_path), actor="县局")
        setup.init_county(self.county, COUNTY_CODE, COUNTY_NAME, self.keys)
        setup.write_public_key(self.county, self.keys, self.base / "county.pub", COUNTY_NAME)

    @property
    def county_path(self) -> Path:
        return self.base / "county.sqlite3"

    def station_path(self, code: str) -> Path:
        return self.base / f"{code}.sqlite3"

    def open_station(self, code: str) -> Store:
        return open_store(
            sqlite_url(self.station_path(code)), actor="李娜", registry_path=self.registry
        )

    def add_station(self, n: int, villages: tuple[str, ...] = ("红旗村",)) -> Store:
        code = station_code(n)
        store = self.open_station(code)
        stations.initialise(store, code, f"第{n}站", list(villages))
        setup.ensure_keys(store, self.keys)
        pub = self.base / f"{code}.pub"
        setup.write_public_key(store, self.keys, pub, f"第{n}站")
        setup.enroll(self.county, pub)
        setup.trust(store, self.base / "county.pub")
        self.stations[code] = store
        return store

    def export(self, code: str, **options: Any) -> Path | None:
        done = export.export(self.stations[code], self.keys, self.outbox, **options)
        return done.path if done is not None else None

    def import_(self, *paths: Path) -> list[county.Outcome]:
        return county.import_files(self.county, self.keys, list(paths))

    def receipt(self, code: str) -> receipt.Applied:
        written = receipt.write_receipt(self.county, self.keys, code, self.outbox)
        return receipt.apply_receipt(self.stations[code], self.keys, written.path)

    def round_trip(self, code: str) -> list[county.Outcome]:
        path = self.export(code)
        outcomes = self.import_(path) if path is not None else []
        self.receipt(code)
        return outcomes

    def reopen(self, code: str) -> Store:
        self.stations[code].dispose()
        self.stations[code] = self.open_station(code)
        return self.stations[code]

    def backup(self, code: str, name: str) -> Path:
        target = self.base / f"{code}-{name}.backup"
        self.stations[code].dispose()
        shutil.copy(self.station_path(code), target)
        self.stations[code] = self.open_station(code)
        return target

    def restore(self, code: str, backup: Path) -> Store:
        self.stations[code].dispose()
        shutil.copy(backup, self.station_path(code))
        self.stations[code] = self.open_station(code)
        return self.stations[code]

    def snapshot_county(self, name: str) -> Path:
        """A copy of the county's database as it is now (the same county, the same keys)."""
        target = self.base / f"county-{name}.sqlite3"
        self.county.dispose()
        shutil.copy(self.county_path, target)
        self.county = open_store(sqlite_url(self.county_path), actor="县局")
        return target

    def open_copy(self, path: Path) -> Store:
        return open_store(sqlite_url(path), actor="县局")

    def close(self) -> None:
        for store in self.stations.values():
            store.dispose()
        self.county.dispose()


def two_stations(tmp_path: Path) -> Iterator[World]:
    """A county and stations 1 and 2 (closed at the end): a fixture's body."""
    found = World(tmp_path / "world", registry=tmp_path / "devices.json")
    found.add_station(1)
    found.add_station(2)
    yield found
    found.close()


def today() -> dt.date:
    from caseworker.core import wall

    return wall.today()
