"""Insert many rows fast: on SQLite straight through the driver, with SQLAlchemy's own type
processors (several times faster than Core's per-row parameter handling); elsewhere Core's
``executemany``.  Used by the change log and by bulk loads; it logs nothing itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert, inspect
from sqlalchemy.orm import Mapper

from caseworker.store.base import Base


def table_name(mapper: Mapper[Any]) -> str:
    table = mapper.local_table
    assert isinstance(table, Table)
    return table.name


def insert_rows(
    connection: Connection,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    one_statement: bool = False,
) -> None:
    """Insert ``rows`` (dicts keyed by attribute name, all with the same keys) into ``model``
    (``one_statement``: see :func:`insert_bound`)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(model), list(rows))
        return
    keys = [a.key for a in inspect(model).column_attrs if a.key in rows[0]]
    made = bound(connection.dialect, model, keys, rows, by_key=True)
    insert_bound(connection, model, keys, made, one_statement=one_statement)


def bound(
    dialect: Dialect,
    model: type[Base],
    keys: Sequence[str],
    rows: Sequence[Any],
    *,
    by_key: bool = False,
) -> list[tuple[Any, ...]]:
    """``rows`` as SQLite's driver takes them for :func:`insert_bound`: each row's values (in
    the order of ``keys``, or dicts keyed by them when ``by_key``) through their columns'
    bind processors.  Needs no connection: rows can be made ready in another process."""
    attrs = inspect(model).attrs
    columns_values: list[list[Any]] = []
    for index, key in enumerate(keys):
        column = attrs[key].columns[0]
        proc = column.type._cached_bind_processor(dialect)
        pick = key if by_key else index
        values = [row[pick] for row in rows]  # column by column
        columns_values.append(_processed(values, proc) if proc is not None else values)
    return list(zip(*columns_values, strict=True))


def insert_bound(
    connection: Connection,
    model: type[Base],
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    one_statement: bool = False,
) -> None:
    """Insert rows made by :func:`bound` (SQLite) into ``model``'s columns ``keys``.

    ``one_statement``: through a temporary table, in one ``INSERT … SELECT``, for a table
    whose triggers write a full-text index: SQLite opens a savepoint for every statement
    that writes through triggers, and at each savepoint the full-text index writes what it
    holds as a new segment (one segment a row, merged again and again, when each row is its
    own statement); in one statement it writes the rows' terms once."""
    if not rows:
        return
    mapper = inspect(model)
    attrs = mapper.attrs
    names = ", ".join(attrs[key].columns[0].name for key in keys)
    marks = ", ".join("?" for _ in keys)
    table = table_name(mapper)
    data = rows if isinstance(rows, list) else list(rows)
    if not one_statement or len(data) < 2:
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)
        return
    temp = f"temp.bulk_{table}"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}")
    connection.exec_driver_sql(f"CREATE TABLE {temp} AS SELECT {names} FROM main.{table} WHERE 0")
    try:
        connection.exec_driver_sql(f"INSERT INTO {temp} ({names}) VALUES ({marks})", data)
        connection.exec_driver_sql(
            f"INSERT INTO main.{table} ({names}) SELECT {names} FROM {temp} ORDER BY rowid"
        )
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}")


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
