"""recognition steps record the proofs that were missing when the step was taken

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Proof codes (comma-separated) not ticked as provided when the caseworker confirmed a step
    # (a passed review, the public notice, the recognition) without them; empty otherwise.
    # Native ALTER TABLE (no table rebuild), so the guard triggers on the table stay.  Rows
    # logged before this column existed carry no value for it; audit verify checks a column
    # from the first log row that has it.
    op.add_column(
        "recognition_step", sa.Column("missing_proofs", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("recognition_step", "missing_proofs")
