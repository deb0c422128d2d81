"""staff accounts (logins with roles)

Frozen: this file never imports live code.

One local table, ``account``: a login of a staff member (``staff_id``) with its roles and an
argon2id password hash.  It is not synced (each laptop keeps its own accounts) and starts
empty: a station without accounts works as before until an administrator is created.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("roles", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name="fk_account_staff_id_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("name", name="uq_account_name"),
    )


def downgrade() -> None:
    op.drop_table("account")
