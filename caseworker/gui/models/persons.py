"""The registry list's model: persons by id, display rows fetched a page at a time."""

from __future__ import annotations

import uuid
from typing import Any

from caseworker.core import idcard, wall
from caseworker.gui import formatting
from caseworker.gui.models.listing import Column, Row
from caseworker.gui.models.paged import ColumnSpec, PagedTableModel
from caseworker.i18n import N_, _

SEX_LABELS = {"male": N_("Male"), "female": N_("Female")}


def stage_label(stage: str | None, needs_review: bool = False) -> str:
    """The stage of a person's current case; "No application" for a person without one."""
    if not stage:
        return _("No application")
    from caseworker.recognition.workflow import STAGE_LABELS, Stage

    try:
        text = _(STAGE_LABELS[Stage(stage)])
    except ValueError:
        text = stage
    if needs_review:
        text = _("{stage} (to review)").format(stage=text)
    return text


def categories_label(codes: tuple[str, ...]) -> str:
    from caseworker.policy.categories import category_label

    labels = []
    for code in codes:
        try:
            labels.append(category_label(code))
        except ValueError:
            labels.append(code)
    return "; ".join(labels)


def _name(row: Row) -> str:
    return row.name


def _name_tip(row: Row) -> str:
    return row.name_native or row.name


def _age(row: Row) -> str:
    return formatting.number(idcard.age_on(row.birth_date, wall.today()))


def person_columns() -> list[ColumnSpec[Row]]:
    return [
        ColumnSpec(Column.NAME, lambda: _("Name"), _name, _name_tip),
        ColumnSpec(Column.SEX, lambda: _("Sex"), lambda r: _(SEX_LABELS.get(r.sex, r.sex))),
        ColumnSpec(Column.AGE, lambda: _("Age"), _age, numeric=True),
        ColumnSpec(
            Column.ID_NUMBER, lambda: _("ID number"), lambda r: formatting.masked_id(r.id_number)
        ),
        ColumnSpec(Column.VILLAGE, lambda: _("Village or community"), lambda r: r.village),
        ColumnSpec(
            Column.CATEGORIES,
            lambda: _("Categories"),
            lambda r: categories_label(r.categories),
            lambda r: categories_label(r.categories),
        ),
        ColumnSpec(
            Column.STATUS,
            lambda: _("Recognition status"),
            lambda r: stage_label(r.stage, r.needs_review),
        ),
        ColumnSpec(
            Column.REGISTERED,
            # TRANSLATORS: a short column header for "Registered unemployed since" (a date)
            lambda: _("Unemployed since"),
            lambda r: formatting.date(r.registered_unemployed_since),
        ),
    ]


class PersonTableModel(PagedTableModel[Row]):
    """Persons: ``set_ids`` with the ids of one query; rows from ``person_query.fetch_rows``."""

    def __init__(self, store: Any, *, page_size: int = 200, parent: Any = None) -> None:
        self.store = store
        super().__init__(person_columns(), self._fetch_rows, page_size=page_size, parent=parent)

    def _fetch_rows(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
        from caseworker.gui.models import person_query

        with self.store.reading() as session:
            return person_query.fetch_rows(session, ids)

    def column_key(self, section: int) -> Column:
        return Column(self.columns[section].key)
