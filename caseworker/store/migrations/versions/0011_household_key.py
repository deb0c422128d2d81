"""households keep the station's own household key (户编号) from the spreadsheet import

Frozen: this file never imports live code.

``household.station_key`` is the key a station gives its households in its own sheets (empty
for a household made in the program).  A partial unique index keeps one live household per
key and station (the county holds every station's households, and two stations may both
have a household "001"), so importing the same sheet again finds the household it made
before.  Native ALTER TABLE (no table rebuild), so the guard triggers on the table stay;
rows logged before this column existed carry no value for it, and ``audit verify`` checks a
column from the first log row that has it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "household", sa.Column("station_key", sa.String(40), nullable=False, server_default="")
    )
    op.create_index(
        "uq_household_station_key", "household", ["station_code", "station_key"], unique=True,
        sqlite_where=sa.text("deleted = 0 AND station_key != ''"),
        postgresql_where=sa.text("deleted = false AND station_key != ''"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_household_station_key", table_name="household")
    op.drop_column("household", "station_key")
