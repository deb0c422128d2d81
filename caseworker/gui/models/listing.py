"""What the registry list asks for and shows (plain data; no Qt, no SQL)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


class Column(StrEnum):
    NAME = "name"
    SEX = "sex"
    AGE = "age"
    ID_NUMBER = "id_number"
    VILLAGE = "village"
    CATEGORIES = "categories"
    STATUS = "status"
    REGISTERED = "registered_unemployed_since"


#: Status filters that are not stages: persons flagged for review, persons without a case.
NEEDS_REVIEW = "needs_review"
NO_CASE = "none"


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A search text, filters, and the sort column (None: relevance, then pinyin)."""

    text: str = ""
    village_id: uuid.UUID | None = None
    category: str | None = None
    status: str | None = None
    sort: Column | None = None
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """Display values of one person (plain values: never a live ORM object)."""

    id: uuid.UUID
    name: str
    name_native: str
    sex: str
    birth_date: dt.date
    id_number: str
    village: str
    registered_unemployed_since: dt.date | None
    categories: tuple[str, ...]
    stage: str | None
    needs_review: bool
