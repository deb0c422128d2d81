"""claimed categories as rows (case_category); recognition steps name their staff member

Frozen: this file never imports live code.

1. ``case_category``: one row per category claimed in a recognition case, from the old
   comma-separated ``recognition_case.categories`` (then dropped); ``sort_order`` is the
   category's place in clause (八).  Each new row is logged as an insert.
2. ``recognition_step.actor`` (a free-text name) becomes ``actor_id`` (the staff record made
   for that name by 0004); the steps get a baseline log row with their new values.
3. The guard triggers are dropped for the change and installed again, now also on
   ``case_category``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Clause (八)'s categories in order, as at this revision.
CLAUSE_ORDER = (
    "zero_employment_family", "dual_unemployed_couple", "min_living_allowance_6m",
    "disabled_partial_capacity_6m", "older_worker", "long_term_unemployed_1y",
    "graduate_unemployed_1y", "land_expropriated_farmer",
)  # fmt: skip
SYNCED_0004 = (
    "station", "village", "person", "household", "household_member", "staff",
    "employment_episode", "recognition_case", "recognition_step", "proof_item",
)  # fmt: skip
SYNCED_0005 = (
    "station", "village", "person", "household", "household_member", "staff",
    "employment_episode", "recognition_case", "case_category", "recognition_step", "proof_item",
)  # fmt: skip
HASHED = (
    "seq", "change_id", "hlc", "at", "actor_id", "device_id", "station_code",
    "entity", "entity_id", "op", "field", "old_value", "new_value", "prev_hash",
)  # fmt: skip
REFUSED = "caseworker: refused"
GENESIS = "0" * 64


def encode(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def digest(row: dict[str, Any]) -> str:
    data = json.dumps(
        [encode(row[name]) if name != "seq" else int(row[name]) for name in HASHED],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def values_json(values: dict[str, Any]) -> str:
    return json.dumps(
        {key: encode(value) for key, value in values.items()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


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


class _Log:
    """Appends chained rows to the change log, as the live change log does."""

    def __init__(self, bind: sa.Connection) -> None:
        self.bind = bind
        settings = dict(bind.execute(sa.text("SELECT key, value FROM setting")).all())
        self.station = settings.get("station_code", "")
        self.device = settings.get("device_id", "")
        last = bind.execute(sa.text("SELECT max(hlc) FROM change_log")).scalar()
        match = re.match(r"^(\d{16})-(\d{5})-", last or "")
        self.millis = int(match[1]) if match else 0
        self.counter = int(match[2]) if match else 0
        head = bind.execute(sa.text("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1")).first()
        self.seq, self.prev = (int(head[0]), str(head[1])) if head else (0, GENESIS)
        self.table = sa.Table(
            "change_log", sa.MetaData(),
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("change_id", sa.Uuid), sa.Column("hlc", sa.String),
            sa.Column("at", sa.DateTime(timezone=True)), sa.Column("actor_id", sa.Uuid),
            sa.Column("device_id", sa.String), sa.Column("station_code", sa.String),
            sa.Column("entity", sa.String), sa.Column("entity_id", sa.Uuid),
            sa.Column("op", sa.String), sa.Column("field", sa.String),
            sa.Column("old_value", sa.Text), sa.Column("new_value", sa.Text),
            sa.Column("prev_hash", sa.String), sa.Column("hash", sa.String),
        )  # fmt: skip
        self.now = dt.datetime.now(dt.UTC)
        self.rows: list[dict[str, Any]] = []

    def stamp(self) -> str:
        wall = time.time_ns() // 1_000_000
        if wall > self.millis:
            self.millis, self.counter = wall, 0
        else:
            self.counter += 1
            if self.counter > 99_999:
                self.millis, self.counter = self.millis + 1, 0
        return f"{self.millis:016d}-{self.counter:05d}-{self.station or 'local'}.{self.device}"

    def add(self, entity: str, entity_id: uuid.UUID, op_: str, hlc: str, values: dict[str, Any], code: str) -> None:
        self.seq += 1
        row = {
            "seq": self.seq, "change_id": uuid.uuid4(), "hlc": hlc, "at": self.now,
            "actor_id": None, "device_id": self.device, "station_code": code, "entity": entity,
            "entity_id": entity_id, "op": op_, "field": "*", "old_value": None,
            "new_value": values_json(values), "prev_hash": self.prev,
        }  # fmt: skip
        row["hash"] = self.prev = digest(row)
        self.rows.append(row)

    def flush(self) -> None:
        for start in range(0, len(self.rows), 5000):
            self.bind.execute(self.table.insert(), self.rows[start : start + 5000])
        self.rows = []


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


STEP_KEYS = (
    "case_id", "sort_order", "kind", "on_date", "passed", "end_on", "exit_reason", "note",
    "actor_id", "id", "station_code", "deleted", "demo",
)  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    _guards(None, SYNCED_0004)
    op.create_table(
        "case_category",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("created_hlc", sa.String(length=48), nullable=False),
        sa.Column("updated_hlc", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["recognition_case.id"], name="fk_case_category_case_id_recognition_case"),
        sa.PrimaryKeyConstraint("id", name="pk_case_category"),
    )
    with op.batch_alter_table("case_category") as batch:
        batch.create_index("ix_case_category_case_id", ["case_id"])
        batch.create_index("ix_case_category_station_code", ["station_code"])
        batch.create_index("ix_case_category_updated_hlc", ["updated_hlc"])
        batch.create_index(
            "uq_case_category_live", ["case_id", "category"], unique=True,
            sqlite_where=sa.text("deleted = 0"), postgresql_where=sa.text("deleted = false"),
        )  # fmt: skip
    log = _Log(bind)
    category = sa.Table(
        "case_category", sa.MetaData(),
        sa.Column("id", sa.Uuid), sa.Column("case_id", sa.Uuid), sa.Column("category", sa.String),
        sa.Column("sort_order", sa.Integer), sa.Column("station_code", sa.String),
        sa.Column("created_hlc", sa.String), sa.Column("updated_hlc", sa.String),
        sa.Column("version", sa.Integer), sa.Column("deleted", sa.Boolean), sa.Column("demo", sa.Boolean),
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for case_id, codes, code, demo in bind.execute(
        sa.text("SELECT id, categories, station_code, demo FROM recognition_case")
    ).all():
        for name in dict.fromkeys(c for c in (codes or "").split(",") if c):
            order = CLAUSE_ORDER.index(name) if name in CLAUSE_ORDER else 100
            hlc = log.stamp()
            row = {"id": uuid.uuid4(), "case_id": _uuid(case_id), "category": name,
                   "sort_order": order, "station_code": code, "deleted": False, "demo": bool(demo)}  # fmt: skip
            log.add("case_category", row["id"], "insert", hlc, row, code)
            rows.append({**row, "created_hlc": hlc, "updated_hlc": hlc, "version": 1})
    log.flush()
    for start in range(0, len(rows), 5000):
        bind.execute(category.insert(), rows[start : start + 5000])

    with op.batch_alter_table("recognition_step") as batch:
        batch.add_column(sa.Column("actor_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key("fk_recognition_step_actor_id_staff", "staff", ["actor_id"], ["id"])
    bind.execute(sa.text(
        "UPDATE recognition_step SET actor_id = (SELECT staff.id FROM staff "
        "WHERE staff.name = recognition_step.actor AND staff.deleted = "
        f"{'0' if bind.dialect.name == 'sqlite' else 'false'} LIMIT 1)"
    ))  # fmt: skip
    with op.batch_alter_table("recognition_step") as batch:
        batch.drop_column("actor")
    op.drop_column("recognition_case", "categories")  # native: keeps the partial index

    step = sa.Table("recognition_step", sa.MetaData(), autoload_with=bind)
    for row in bind.execute(sa.select(step)).all():
        data = row._mapping
        values = {("on" if k == "on_date" else k): data[k] for k in STEP_KEYS}
        for key in ("id", "case_id", "actor_id"):
            values[key] = _uuid(values[key])
        for key in ("passed", "deleted", "demo"):
            values[key] = None if values[key] is None else bool(values[key])
        log.add("recognition_step", values["id"], "baseline", data["updated_hlc"], values, data["station_code"])
    log.flush()
    _guards(SYNCED_0005, None)


def downgrade() -> None:
    bind = op.get_bind()
    _guards(None, SYNCED_0005)
    op.add_column("recognition_step", sa.Column("actor", sa.String(length=40), server_default="", nullable=False))
    bind.execute(sa.text(
        "UPDATE recognition_step SET actor = coalesce((SELECT name FROM staff "
        "WHERE staff.id = recognition_step.actor_id), 'system')"
    ))  # fmt: skip
    with op.batch_alter_table("recognition_step") as batch:
        batch.drop_constraint("fk_recognition_step_actor_id_staff", type_="foreignkey")
        batch.drop_column("actor_id")
    op.add_column("recognition_case", sa.Column("categories", sa.String(length=400), server_default="", nullable=False))
    live = "0" if bind.dialect.name == "sqlite" else "false"
    for case_id, in bind.execute(sa.text("SELECT id FROM recognition_case")).all():
        codes = bind.execute(
            sa.text(f"SELECT category FROM case_category WHERE case_id = :c AND deleted = {live} ORDER BY sort_order"),
            {"c": case_id},
        ).scalars().all()
        bind.execute(sa.text("UPDATE recognition_case SET categories = :v WHERE id = :c"), {"v": ",".join(codes), "c": case_id})
    op.drop_table("case_category")
    _guards(SYNCED_0004, None)
