"""one-to-one assistance (plans, contacts, offers, outcomes) and zero-employment episodes

Frozen: this file never imports live code.

1. Five synced tables: ``assistance_plan`` (援助协议, one open plan per person: a partial
   unique index), ``assistance_contact`` (帮扶记录; a correction supersedes), ``assistance_offer``,
   ``assistance_outcome`` (就业认定) and ``zero_employment_episode`` (one open episode per
   household: a partial unique index).  They start empty: no rows to log.
2. The guard triggers are dropped and installed again, now also on the five new tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED_0005 = (
    "station", "village", "person", "household", "household_member", "staff",
    "employment_episode", "recognition_case", "case_category", "recognition_step", "proof_item",
)  # fmt: skip
NEW_TABLES = (
    "assistance_plan", "assistance_contact", "assistance_offer", "assistance_outcome",
    "zero_employment_episode",
)  # fmt: skip
SYNCED_0006 = SYNCED_0005 + NEW_TABLES
REFUSED = "caseworker: refused"


def sqlite_guards(tables: Sequence[str]) -> list[str]:
    ddl = [
        "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN "
        f"SELECT RAISE(ABORT, '{REFUSED}: the change log is append-only'); END",
        "CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log BEGIN "
        f"SELECT RAISE(ABORT, '{REFUSED}: the change log is append-only'); END",
    ]
    for t in tables:
        ddl += [
            f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} rows are never deleted (tombstones)'); END",
            f"CREATE TRIGGER {t}_logged_insert AFTER INSERT ON {t} "
            "WHEN NOT EXISTS (SELECT 1 FROM change_log "
            "WHERE entity_id = NEW.id AND hlc = NEW.created_hlc) BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} written without its change-log row'); END",
            f"CREATE TRIGGER {t}_logged_update AFTER UPDATE ON {t} "
            "WHEN NEW.updated_hlc <= OLD.updated_hlc OR NEW.version <= OLD.version "
            "OR NOT EXISTS (SELECT 1 FROM change_log "
            "WHERE entity_id = NEW.id AND hlc = NEW.updated_hlc) BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} changed without its change-log row'); END",
        ]
    return ddl


def sqlite_guards_drop(tables: Sequence[str]) -> list[str]:
    ddl = ["DROP TRIGGER IF EXISTS change_log_no_update", "DROP TRIGGER IF EXISTS change_log_no_delete"]
    for t in tables:
        ddl += [f"DROP TRIGGER IF EXISTS {t}_{suffix}" for suffix in ("no_delete", "logged_insert", "logged_update")]
    return ddl


def postgres_guards(tables: Sequence[str]) -> list[str]:
    # the trigger functions of 0004 stay; only the triggers are made again
    ddl = [
        "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log "
        "FOR EACH ROW EXECUTE FUNCTION caseworker_append_only()",
    ]
    ddl += [
        f"CREATE TRIGGER {t}_logged BEFORE INSERT OR UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION caseworker_logged()"
        for t in tables
    ]
    return ddl


def postgres_guards_drop(tables: Sequence[str]) -> list[str]:
    ddl = ["DROP TRIGGER IF EXISTS change_log_append_only ON change_log"]
    ddl += [f"DROP TRIGGER IF EXISTS {t}_logged ON {t}" for t in tables]
    return ddl


def _guards(install: Sequence[str] | None, drop: Sequence[str] | None) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if drop is not None:
        for statement in sqlite_guards_drop(drop) if sqlite else postgres_guards_drop(drop):
            bind.exec_driver_sql(statement)
    if install is not None:
        for statement in sqlite_guards(install) if sqlite else postgres_guards(install):
            bind.exec_driver_sql(statement)


def _synced(table: str) -> list[sa.SchemaItem]:
    """The columns and the primary key every synced record has."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("created_hlc", sa.String(length=48), nullable=False),
        sa.Column("updated_hlc", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _indexes(table: str, columns: Sequence[str]) -> None:
    for column in (*columns, "station_code", "updated_hlc"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def _open_index(name: str, table: str, columns: str | list[str], closed: str, *, unique: bool = True) -> None:
    op.create_index(
        name, table, [columns] if isinstance(columns, str) else columns, unique=unique,
        sqlite_where=sa.text(f"deleted = 0 AND {closed} IS NULL"),
        postgresql_where=sa.text(f"deleted = false AND {closed} IS NULL"),
    )  # fmt: skip


def upgrade() -> None:
    _guards(None, SYNCED_0005)
    t = "assistance_plan"
    op.create_table(
        t,
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.Column("family_situation", sa.Text(), nullable=False),
        sa.Column("unemployment_reason", sa.Text(), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("training_wish", sa.Text(), nullable=False),
        sa.Column("job_intention", sa.Text(), nullable=False),
        sa.Column("services_needed", sa.String(length=200), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(length=16), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("employed_on", sa.Date(), nullable=True),
        sa.Column("follow_up_until", sa.Date(), nullable=True),
        *_synced(t),
        _fk(t, "person_id", "person"),
        _fk(t, "worker_id", "staff"),
    )
    _indexes(t, ("person_id", "worker_id"))
    _open_index("uq_assistance_plan_open_person", t, "person_id", "closed_on")
    _open_index(
        "ix_assistance_plan_open", t,
        ["closed_on", "deleted", "person_id", "worker_id", "opened_on", "last_contact_on",
         "next_contact_on", "follow_up_until", "id"],
        "closed_on", unique=False,
    )  # fmt: skip

    t = "assistance_contact"
    op.create_table(
        t,
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("services", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        *_synced(t),
        _fk(t, "person_id", "person"),
        _fk(t, "plan_id", "assistance_plan"),
        _fk(t, "supersedes_id", "assistance_contact"),
        _fk(t, "worker_id", "staff"),
    )
    _indexes(t, ("person_id", "plan_id", "supersedes_id"))
    op.create_index("ix_assistance_contact_on_date", t, ["on_date", "deleted"])

    t = "assistance_offer"
    op.create_table(
        t,
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("employer", sa.String(length=100), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        *_synced(t),
        _fk(t, "person_id", "person"),
        _fk(t, "plan_id", "assistance_plan"),
    )
    _indexes(t, ("on_date", "person_id", "plan_id"))

    t = "assistance_outcome"
    op.create_table(
        t,
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("evidence", sa.String(length=24), nullable=False),
        sa.Column("contract_months", sa.Integer(), nullable=True),
        sa.Column("flexible_days", sa.Integer(), nullable=True),
        sa.Column("monthly_income", sa.Integer(), nullable=True),  # fen
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        *_synced(t),
        _fk(t, "episode_id", "employment_episode"),
        _fk(t, "person_id", "person"),
        _fk(t, "plan_id", "assistance_plan"),
    )
    _indexes(t, ("on_date", "person_id", "plan_id"))

    t = "zero_employment_episode"
    op.create_table(
        t,
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("identified_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("cleared_by_id", sa.Uuid(), nullable=True),
        *_synced(t),
        _fk(t, "cleared_by_id", "household_member"),
        _fk(t, "household_id", "household"),
    )
    _indexes(t, ("ended_on", "household_id", "identified_on"))
    _open_index("uq_zero_employment_episode_open_household", t, "household_id", "ended_on")
    _open_index(
        "ix_zero_employment_episode_open", t,
        ["ended_on", "deleted", "identified_on", "household_id", "id"], "ended_on", unique=False,
    )  # fmt: skip
    _guards(SYNCED_0006, None)


def downgrade() -> None:
    _guards(None, SYNCED_0006)
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    _guards(SYNCED_0005, None)
