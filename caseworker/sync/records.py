"""The synced records, generically: which tables, in which order, and their values as the
change log writes them (text) turned back into column values, checked.

Everything here works from the models' metadata (every :class:`~caseworker.store.base.Synced`
model), so records added by other parts of the program travel without changes here.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Table, Text, Uuid
from sqlalchemy.orm import Mapper

from caseworker.core import idcard
from caseworker.core.money import Money
from caseworker.store import changelog
from caseworker.store.base import Base, MoneyType, Synced, UTCDateTime
from caseworker.store.bulk import table_name


class BadValue(ValueError):
    """A value that does not fit its column (the message names the column)."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the attribute key (the log's name for it)
    name: str  # the column's name in the table
    decode: Callable[[str], object]
    nullable: bool
    foreign: str | None  # the table a foreign key points to


@dataclass(frozen=True, slots=True)
class Model:
    entity: str
    cls: type[Synced]
    table: Table
    columns: dict[str, Column]  # logged keys only

    def decode(self, values: Mapping[str, object]) -> dict[str, Any]:
        """Column values (by attribute key) from a log row's text values; every logged key
        must be there and nothing else."""
        if values.keys() != self.columns.keys():
            missing = sorted(set(self.columns) - set(values))
            extra = sorted(set(values) - set(self.columns))
            raise BadValue(f"{self.entity}: missing {missing}, unknown {extra}")
        decoded: dict[str, Any] = {}
        for key, decode, nullable in _plan(self):
            text = values[key]
            if type(text) is str:
                try:
                    decoded[key] = decode(text)
                except (ValueError, TypeError, OverflowError) as exc:
                    raise BadValue(f"{self.entity}.{key}: {str(exc)[:100]}") from None
            elif text is None:
                if not nullable:
                    raise BadValue(f"{self.entity}.{key} may not be empty")
                decoded[key] = None
            else:
                raise BadValue(f"{self.entity}.{key} is not text")
        return decoded

    def decode_one(self, key: str, text: object) -> object:
        column = self.columns.get(key)
        if column is None:
            raise BadValue(f"{self.entity} has no field {key}")
        if text is None:
            if not column.nullable:
                raise BadValue(f"{self.entity}.{key} may not be empty")
            return None
        if not isinstance(text, str):
            raise BadValue(f"{self.entity}.{key} is not text")
        try:
            return column.decode(text)
        except (ValueError, TypeError, OverflowError) as exc:
            raise BadValue(f"{self.entity}.{key}: {str(exc)[:100]}") from None


_Plan = tuple[tuple[str, Callable[[str], object], bool], ...]
_PLANS: dict[str, tuple[Model, _Plan]] = {}


def _plan(model: Model) -> _Plan:
    """What :meth:`Model.decode` does for each column, in order (made once per model)."""
    known = _PLANS.get(model.entity)
    if known is not None and known[0] is model:
        return known[1]
    plan = tuple((key, c.decode, c.nullable) for key, c in model.columns.items())
    _PLANS[model.entity] = (model, plan)
    return plan


def _bool(text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise ValueError(f"not a boolean: {text[:20]!r}")


def _int(text: str) -> int:
    value = int(text)
    if str(value) != text or not -(2**63) <= value < 2**63:
        raise ValueError(f"not an integer: {text[:20]!r}")
    return value


def _date(text: str) -> dt.date:
    value = dt.date.fromisoformat(text)
    if value.isoformat() != text:
        raise ValueError(f"not a date: {text[:20]!r}")
    return value


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("an instant without its time zone")
    return value


_UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


#: The ids of the records a bundle names recur (a person's id in its episodes, households and
#: members, the station's village ids): each text is made into an id once.
uuid_of = lru_cache(maxsize=1 << 16)(uuid.UUID)


def _uuid(text: str) -> uuid.UUID:
    if not _UUID_TEXT.match(text):
        raise ValueError(f"not a record id: {text[:40]!r}")
    return uuid_of(text)


def _text(limit: int | None) -> Callable[[str], object]:
    def decode(text: str) -> str:
        if limit is not None and len(text) > limit:
            raise ValueError(f"longer than {limit} characters")
        if "\x00" in text:
            raise ValueError("holds a NUL character")
        return text

    return decode


def _decoder(column: Any) -> Callable[[str], object]:
    kind = column.type
    if isinstance(kind, MoneyType):
        return lambda text: Money(_int(text))
    if isinstance(kind, UTCDateTime):
        return _instant
    if isinstance(kind, Boolean):
        return _bool
    if isinstance(kind, Integer):
        return _int
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Uuid):
        return _uuid
    if isinstance(kind, String | Text):
        return _text(getattr(kind, "length", None))
    raise TypeError(f"no decoder for {column} ({kind!r})")


def _model(mapper: Mapper[Any]) -> Model:
    table = mapper.local_table
    assert isinstance(table, Table)
    columns: dict[str, Column] = {}
    for key in changelog.logged_keys(mapper):
        column = mapper.columns[key]
        foreign = next(iter(column.foreign_keys), None)
        columns[key] = Column(
            key, column.name, _decoder(column), bool(column.nullable),
            foreign.column.table.name if foreign is not None else None,
        )  # fmt: skip
    return Model(table_name(mapper), mapper.class_, table, columns)


@cache
def models() -> dict[str, Model]:
    """Every synced model by its table name, in foreign-key order (parents first)."""
    found = {
        table_name(m): _model(m) for m in Base.registry.mappers if issubclass(m.class_, Synced)
    }
    return {t.name: found[t.name] for t in Base.metadata.sorted_tables if t.name in found}


def model(entity: str) -> Model | None:
    return models().get(entity)


# ---------------------------------------------------------------------------------------------
# Checks beyond the column types, and derived columns
# ---------------------------------------------------------------------------------------------


def _check_person(values: Mapping[str, object]) -> None:
    number = values.get("id_number")
    if not isinstance(number, str) or not idcard.is_valid(number):
        raise BadValue(f"person.id_number is not a valid ID number: {str(number)[:20]!r}")


#: Checks of whole records by table (a record that fails is refused with its bundle).
CHECKS: dict[str, Callable[[Mapping[str, object]], None]] = {"person": _check_person}


def check(entity: str, values: Mapping[str, object]) -> None:
    checker = CHECKS.get(entity)
    if checker is not None:
        checker(values)


def derived(entity: str, values: Mapping[str, object]) -> dict[str, object]:
    """Columns a record stores that the log does not carry (the search text of a person)."""
    if entity == "person":
        from caseworker.registry.search import search_text

        return {
            "search_text": search_text(str(values["name"]), str(values.get("name_native") or ""))
        }
    return {}
