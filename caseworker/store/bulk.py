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
        values = [row[key] for row in rows]  # column by column: no per-value branching
        columns_values.append([proc(v) for v in values] if proc is not None else values)
    connection.exec_driver_sql(sql, list(zip(*columns_values, strict=True)))
