"""public-welfare posts: employers, posts, placements, attendance; claims with steps and lines

Frozen: this file never imports live code.

1. Seven synced tables: ``employer``, ``welfare_post``, ``placement`` (one open placement per
   person: a partial unique index), ``attendance`` (one live row per placement and month),
   ``claim`` (one live claim per station, kind and month), ``claim_step`` and ``claim_line``.
   They start empty: no rows to log.
2. The guard triggers are dropped and installed again, now also on the seven new tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED_0008 = (
    "station", "village", "person", "household", "household_member", "staff",
    "employment_episode", "recognition_case", "case_category", "recognition_step", "proof_item",
    "assistance_plan", "assistance_contact", "assistance_offer", "assistance_outcome",
    "zero_employment_episode",
)  # fmt: skip
NEW_TABLES = (
    "employer", "welfare_post", "placement", "attendance", "claim", "claim_step", "claim_line",
)  # fmt: skip
SYNCED_0010 = SYNCED_0008 + NEW_TABLES
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


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _indexes(table: str, columns: Sequence[str]) -> None:
    for column in (*columns, "station_code", "updated_hlc"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def _live_index(name: str, table: str, columns: list[str], extra: str = "") -> None:
    more = f" AND {extra}" if extra else ""
    op.create_index(
        name, table, columns, unique=True,
        sqlite_where=sa.text(f"deleted = 0{more}"),
        postgresql_where=sa.text(f"deleted = false{more}"),
    )  # fmt: skip


def upgrade() -> None:
    _guards(None, SYNCED_0008)
    t = "employer"
    op.create_table(
        t,
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("contact_name", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("bank_name", sa.String(length=60), nullable=False),
        sa.Column("bank_account", sa.String(length=30), nullable=False),
        *_synced(t),
    )
    _indexes(t, ())
    _live_index("uq_employer_live_name", t, ["station_code", "name"])

    t = "welfare_post"
    op.create_table(
        t,
        sa.Column("employer_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("area", sa.String(length=8), nullable=False),
        sa.Column("hours", sa.String(length=8), nullable=False),
        sa.Column("village", sa.String(length=60), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Integer(), nullable=False),  # fen
        sa.Column("funded_from", sa.Date(), nullable=True),
        sa.Column("funded_until", sa.Date(), nullable=True),
        *_synced(t),
        _fk(t, "employer_id", "employer"),
    )
    _indexes(t, ("employer_id",))

    t = "placement"
    op.create_table(
        t,
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("contract", sa.String(length=8), nullable=False),
        sa.Column("contract_until", sa.Date(), nullable=True),
        sa.Column("subsidy_until", sa.Date(), nullable=False),
        sa.Column("subsidy_rule", sa.String(length=16), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("end_note", sa.Text(), nullable=False),
        *_synced(t),
        _fk(t, "person_id", "person"),
        _fk(t, "post_id", "welfare_post"),
    )
    _indexes(t, ("ended_on", "person_id", "post_id"))
    _live_index("uq_placement_open_person", t, ["person_id"], "ended_on IS NULL")

    t = "attendance"
    op.create_table(
        t,
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=True),
        sa.Column("worked", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("pension", sa.Integer(), nullable=False),  # fen
        sa.Column("medical", sa.Integer(), nullable=False),  # fen
        sa.Column("unemployment", sa.Integer(), nullable=False),  # fen
        *_synced(t),
        _fk(t, "placement_id", "placement"),
    )
    _indexes(t, ("month", "placement_id"))
    _live_index("uq_attendance_live_month", t, ["placement_id", "month"])

    t = "claim"
    op.create_table(
        t,
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        *_synced(t),
    )
    _indexes(t, ("month",))
    _live_index("uq_claim_live_kind_month", t, ["station_code", "kind", "month"])

    t = "claim_step"
    op.create_table(
        t,
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_synced(t),
        _fk(t, "actor_id", "staff"),
        _fk(t, "claim_id", "claim"),
    )
    _indexes(t, ("claim_id",))

    t = "claim_line"
    op.create_table(
        t,
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("placement_id", sa.Uuid(), nullable=True),
        sa.Column("post_title", sa.String(length=60), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("worked", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Integer(), nullable=False),  # fen
        sa.Column("amount", sa.Integer(), nullable=False),  # fen
        sa.Column("pension", sa.Integer(), nullable=False),  # fen
        sa.Column("medical", sa.Integer(), nullable=False),  # fen
        sa.Column("unemployment", sa.Integer(), nullable=False),  # fen
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_synced(t),
        _fk(t, "claim_id", "claim"),
        _fk(t, "corrects_id", "claim_line"),
        _fk(t, "person_id", "person"),
        _fk(t, "placement_id", "placement"),
    )
    _indexes(t, ("claim_id", "corrects_id", "person_id", "placement_id"))
    _guards(SYNCED_0010, None)


def downgrade() -> None:
    _guards(None, SYNCED_0010)
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    _guards(SYNCED_0008, None)
