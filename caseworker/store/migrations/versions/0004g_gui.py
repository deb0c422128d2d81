"""recognition steps record the proofs that were missing when the step was taken

Revision ID: 0004g
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004g"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Proof codes (comma-separated) not ticked as provided when the caseworker confirmed a step
    # (a passed review, the public notice, the recognition) without them; empty otherwise.
    with op.batch_alter_table("recognition_step", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing_proofs", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("recognition_step", schema=None) as batch_op:
        batch_op.drop_column("missing_proofs")
