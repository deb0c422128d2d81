"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class add_days(FunctionElement[dt.date]):  # noqa: N801  (reads as an SQL function)
    """``date + n days`` for a whole number ``n`` known in Python."""

    type = Date()
    inherit_cache = True
    name = "add_days"

    def __init__(self, date: ColumnElement[Any], days: int) -> None:
        super().__init__(date, literal(days))


@compiles(add_days, "sqlite")
def _sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    date, days = list(element.clauses)
    return (
        f"date({compiler.process(date, **kw)}, printf('%+d days', {compiler.process(days, **kw)}))"
    )


@compiles(add_days)
def _default(element: add_days, compiler: Any, **kw: Any) -> str:
    date, days = list(element.clauses)
    return f"(CAST({compiler.process(date, **kw)} AS DATE) + CAST({compiler.process(days, **kw)} AS INTEGER))"
