"""covering indexes for the worklist, the zero-employment list and the dashboard

Frozen: this file never imports live code.

The assistance screens read many rows of a few columns; each of these indexes lets a query
read them from the index alone instead of the wide table rows (measured on the 100,000-person
demo station with ``benchmarks/assistance.py``):

- ``employment_episode (person_id, deleted, starts_on, ends_on)``: "is this person employed on
  the day", asked for every employed plan by the worklist and for every member by the
  zero-employment reading;
- ``person (id, deleted, name_pinyin, id_number, name, phone, village_id)``: a person looked
  up by id for whether the record is live, where it sorts and what a list line shows (the
  worklist's ids and rows, the dashboard's counts);
- ``recognition_case (stage, deleted, recognised_on, person_id, id)``: the recognised persons
  the dashboard counts by category;
- ``assistance_contact (supersedes_id, deleted, on_date)`` over corrections only (a partial
  index of the few rows that replace another): the dashboard's count of standing contacts;
- ``zero_employment_episode (end_reason, ended_on, deleted)``: families cleared this year.

Indexes only: no table is rebuilt, so the guard triggers on the tables stay.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_employment_episode_person_span", "employment_episode",
        ["person_id", "deleted", "starts_on", "ends_on"],
    )  # fmt: skip
    op.create_index(
        "ix_person_id_live", "person",
        ["id", "deleted", "name_pinyin", "id_number", "name", "phone", "village_id"],
    )  # fmt: skip
    op.create_index(
        "ix_recognition_case_recognised", "recognition_case",
        ["stage", "deleted", "recognised_on", "person_id", "id"],
    )  # fmt: skip
    op.create_index(
        "ix_assistance_contact_corrections", "assistance_contact",
        ["supersedes_id", "deleted", "on_date"],
        sqlite_where=sa.text("supersedes_id IS NOT NULL"),
        postgresql_where=sa.text("supersedes_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_zero_employment_episode_cleared", "zero_employment_episode",
        ["end_reason", "ended_on", "deleted"],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_zero_employment_episode_cleared", table_name="zero_employment_episode")
    op.drop_index("ix_assistance_contact_corrections", table_name="assistance_contact")
    op.drop_index("ix_recognition_case_recognised", table_name="recognition_case")
    op.drop_index("ix_person_id_live", table_name="person")
    op.drop_index("ix_employment_episode_person_span", table_name="employment_episode")
