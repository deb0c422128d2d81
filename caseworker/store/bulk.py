"""Insert many rows fast: on SQLite straight through the driver, with SQLAlchemy's own type
processors (several times faster than Core's per-row parameter handling); elsewhere Core's
``executemany``.  Used by the change log and by bulk loads; it logs nothing itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, inspect
from sqlalchemy.orm import Mapper

from caseworker.store.base import Base


def table_name(mapper: Mapper[Any]) -> str:
    table = mapper.local_table
    assert isinstance(table, Table)
    return table.name


def insert_rows(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by attribute name, all with the same keys) into ``model``."""
    if not rows:
        return
    mapper = inspect(model)
    if connection.dialect.name != "sqlite":
        connection.execute(insert(model), list(rows))
        return
    attrs = [a for a in mapper.column_attrs if a.key in rows[0]]
    columns = [a.columns[0] for a in attrs]
    processors = [c.type._cached_bind_processor(connection.dialect) for c in columns]
    keys = [a.key for a in attrs]
    sql = (
        f"INSERT INTO {table_name(mapper)} ({', '.join(c.name for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    columns_values: list[list[Any]] = []
    for key, proc in zip(keys, processors, strict=True):
        values = [row[key] for row in rows]  # column by column
        columns_values.append(_processed(values, proc) if proc is not None else values)
    connection.exec_driver_sql(sql, list(zip(*columns_values, strict=True)))


def _processed(values: list[Any], proc: Any) -> list[Any]:
    """``[proc(v) for v in values]``, with a value that is the very object before it (the
    same time, author, bundle or flag on every row of a batch) processed once."""
    out: list[Any] = []
    append = out.append
    last: Any = _NOTHING
    done: Any = None
    for value in values:
        if value is not last:
            last = value
            done = proc(value)
        append(done)
    return out


_NOTHING = object()
