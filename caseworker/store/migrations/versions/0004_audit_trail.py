"""audit trail: hash-chained change log with insert values, staff, demo marks, employment
episodes, one open case per person, and the triggers that keep the log's promise

Frozen: this file never imports live code; the hash, the values and the trigger DDL are
written out as they are at this revision (tests check them against the live modules).

What it does to an existing station's file (a backup was made before, see migrate.py):

1. ``staff``: one record per name found in the log and in the recognition steps; the log's
   free-text ``actor`` becomes ``actor_id`` (NULL for "system", the program itself).
2. ``demo`` on every synced table; rows written by ``caseworker demo`` are marked: the demo
   wrote persons, households and members in batches whose log rows share one time, which no
   other path does (an import writes no households; a screen writes one person at a time).
3. Household members that are registered persons no longer copy the person's name and ID
   number (they went stale after a rename): the copies are cleared.
4. ``employment_episode``: an open episode for every person marked employed, from the day
   the log shows them becoming employed (else the day they were registered).
5. A ``baseline`` log row for every record, with all its values: from here on any state can
   be rebuilt by replaying the log (the earlier insert rows carried no values).
6. The chain: ``prev_hash`` and ``hash`` on every row, in ``seq`` order.
7. A partial unique index: one open recognition case per person.
8. The guard triggers (append-only log; no write to a synced table without its log row).
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

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SYNCED = (
    "station", "village", "person", "household", "household_member",
    "recognition_case", "recognition_step", "proof_item",
)  # fmt: skip
SYNCED = (*OLD_SYNCED[:5], "staff", "employment_episode", *OLD_SYNCED[5:])
SYSTEM_COLUMNS = frozenset({"created_hlc", "updated_hlc", "version", "search_text"})
#: Column name -> attribute key where they differ (the log keys values by attribute).
ATTRIBUTE_OF = {("recognition_step", "on_date"): "on"}
GENESIS = "0" * 64
HASHED = (
    "seq", "change_id", "hlc", "at", "actor_id", "device_id", "station_code",
    "entity", "entity_id", "op", "field", "old_value", "new_value", "prev_hash",
)  # fmt: skip
CLOSED_STAGES_SQL = "('community_rejected', 'township_rejected', 'exited')"
REFUSED = "caseworker: refused"


# -- frozen copies of the live helpers ------------------------------------------------------


def encode(value: object) -> str | None:
    if value is None:
        return None
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


POSTGRES_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION caseworker_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED}: the change log is append-only';
END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION caseworker_logged() RETURNS trigger AS $$
DECLARE
    stamp text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' rows are never deleted (tombstones)';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.updated_hlc COLLATE "C" <= OLD.updated_hlc COLLATE "C"
                             OR NEW.version <= OLD.version) THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' changed without its change-log row';
    END IF;
    stamp := CASE WHEN TG_OP = 'INSERT' THEN NEW.created_hlc ELSE NEW.updated_hlc END;
    IF NOT EXISTS (SELECT 1 FROM change_log WHERE entity_id = NEW.id AND hlc = stamp) THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' written without its change-log row';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
)


def postgres_guards(tables: Sequence[str]) -> list[str]:
    ddl = [
        *POSTGRES_FUNCTIONS,
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
    ddl += ["DROP FUNCTION IF EXISTS caseworker_logged()", "DROP FUNCTION IF EXISTS caseworker_append_only()"]
    return ddl


# -- the clock for the rows this migration writes ---------------------------------------------


class _Stamps:
    def __init__(self, node: str, last: str | None) -> None:
        self.node = node
        match = re.match(r"^(\d{16})-(\d{5})-", last or "")
        self.millis = int(match[1]) if match else 0
        self.counter = int(match[2]) if match else 0

    def next(self) -> str:
        wall = time.time_ns() // 1_000_000
        if wall > self.millis:
            self.millis, self.counter = wall, 0
        else:
            self.counter += 1
            if self.counter > 99_999:
                self.millis, self.counter = self.millis + 1, 0
        return f"{self.millis:016d}-{self.counter:05d}-{self.node}"


def _synced_columns(name: str, extra: Sequence[sa.Column[Any]] = ()) -> list[sa.Column[Any]]:
    return [
        *extra,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("created_hlc", sa.String(length=48), nullable=False),
        sa.Column("updated_hlc", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    ]


def _create_tables() -> None:
    op.create_table(
        "staff",
        *_synced_columns(
            "staff",
            [
                sa.Column("name", sa.String(length=40), nullable=False),
                sa.Column("role", sa.String(length=16), nullable=False),
                sa.Column("active", sa.Boolean(), nullable=False),
            ],
        ),
    )
    with op.batch_alter_table("staff") as batch:
        batch.create_index("ix_staff_station_code", ["station_code"])
        batch.create_index("ix_staff_updated_hlc", ["updated_hlc"])
        batch.create_index(
            "uq_staff_live_name", ["station_code", "name"], unique=True,
            sqlite_where=sa.text("deleted = 0"), postgresql_where=sa.text("deleted = false"),
        )  # fmt: skip
    op.create_table(
        "employment_episode",
        *_synced_columns(
            "employment_episode",
            [
                sa.Column("person_id", sa.Uuid(), nullable=False),
                sa.Column("starts_on", sa.Date(), nullable=False),
                sa.Column("ends_on", sa.Date(), nullable=True),
                sa.Column("kind", sa.String(length=24), nullable=False),
                sa.Column("evidence", sa.Text(), nullable=False),
                sa.Column("source", sa.String(length=16), nullable=False),
                sa.ForeignKeyConstraint(
                    ["person_id"], ["person.id"], name="fk_employment_episode_person_id_person"
                ),
            ],
        ),
    )
    with op.batch_alter_table("employment_episode") as batch:
        batch.create_index("ix_employment_episode_person_id", ["person_id"])
        batch.create_index("ix_employment_episode_station_code", ["station_code"])
        batch.create_index("ix_employment_episode_updated_hlc", ["updated_hlc"])


def _log_table() -> sa.Table:
    return sa.Table(
        "change_log", sa.MetaData(),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("change_id", sa.Uuid), sa.Column("hlc", sa.String),
        sa.Column("at", sa.DateTime(timezone=True)), sa.Column("actor", sa.String),
        sa.Column("actor_id", sa.Uuid), sa.Column("device_id", sa.String),
        sa.Column("station_code", sa.String), sa.Column("entity", sa.String),
        sa.Column("entity_id", sa.Uuid), sa.Column("op", sa.String), sa.Column("field", sa.String),
        sa.Column("old_value", sa.Text), sa.Column("new_value", sa.Text),
        sa.Column("prev_hash", sa.String), sa.Column("hash", sa.String),
    )  # fmt: skip


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: The UUID columns of the synced tables at this revision (SQLite reflects them as CHAR(32)).
UUID_COLUMNS = frozenset({"id", "station_id", "village_id", "household_id", "person_id", "case_id"})


def _uuid_columns(table: sa.Table) -> set[str]:
    return {c.name for c in table.columns if c.name in UUID_COLUMNS}


def _record_values(table: sa.Table, row: sa.Row[Any]) -> dict[str, Any]:
    uuids = _uuid_columns(table)
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in SYSTEM_COLUMNS:
            continue
        value = row._mapping[column.name]
        if column.name in uuids and value is not None and not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        if isinstance(column.type, sa.Boolean) and value is not None:
            value = bool(value)
        values[ATTRIBUTE_OF.get((table.name, column.name), column.name)] = value
    return values


def upgrade() -> None:  # noqa: PLR0915 - one migration, read top to bottom
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    true = "1" if sqlite else "true"

    _create_tables()
    for name in OLD_SYNCED:
        op.add_column(name, sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("change_log") as batch:
        batch.add_column(sa.Column("actor_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("device_id", sa.String(length=16), server_default="", nullable=False))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
        batch.add_column(sa.Column("hash", sa.String(length=64), server_default="", nullable=False))
        batch.drop_index("ix_change_log_entity_id")
        batch.create_index("ix_change_log_entity_id_hlc", ["entity_id", "hlc"])
        batch.create_index("ix_change_log_actor_id", ["actor_id"])

    settings = dict(bind.execute(sa.text("SELECT key, value FROM setting")).all())
    station_code = settings.get("station_code", "")
    device = settings.get("device_id") or uuid.uuid4().hex[:8]
    if "device_id" not in settings:
        bind.execute(sa.text("INSERT INTO setting (key, value) VALUES ('device_id', :v)"), {"v": device})
    last = bind.execute(sa.text("SELECT max(hlc) FROM change_log")).scalar()
    stamps = _Stamps(f"{station_code or 'local'}.{device}", last)
    now = dt.datetime.now(dt.UTC)
    log = _log_table()
    bind.execute(sa.text("UPDATE change_log SET device_id = :d"), {"d": device})
    new_rows: list[dict[str, Any]] = []

    def logged(entity: str, entity_id: uuid.UUID, op_: str, hlc: str, new: str, code: str) -> None:
        new_rows.append({
            "change_id": uuid.uuid4(), "hlc": hlc, "at": now, "actor": "system", "actor_id": None,
            "device_id": device, "station_code": code, "entity": entity, "entity_id": entity_id,
            "op": op_, "field": "*", "old_value": None, "new_value": new,
            "prev_hash": "", "hash": "",
        })  # fmt: skip

    # 1. staff from the free-text names
    names = set(bind.execute(sa.text("SELECT DISTINCT actor FROM change_log")).scalars())
    names |= set(bind.execute(sa.text("SELECT DISTINCT actor FROM recognition_step")).scalars())
    synced = [
        sa.Column("id", sa.Uuid), sa.Column("station_code", sa.String),
        sa.Column("created_hlc", sa.String), sa.Column("updated_hlc", sa.String),
        sa.Column("version", sa.Integer), sa.Column("deleted", sa.Boolean),
        sa.Column("demo", sa.Boolean),
    ]  # fmt: skip
    staff = sa.Table(
        "staff", sa.MetaData(), *[c._copy() for c in synced],
        sa.Column("name", sa.String), sa.Column("role", sa.String), sa.Column("active", sa.Boolean),
    )  # fmt: skip
    for name in sorted(n for n in names if n and n != "system"):
        hlc = stamps.next()
        row = {"id": uuid.uuid4(), "station_code": station_code, "name": name[:40],
               "role": "caseworker", "active": True, "deleted": False, "demo": False}  # fmt: skip
        bind.execute(staff.insert().values(created_hlc=hlc, updated_hlc=hlc, version=1, **row))
        logged("staff", row["id"], "insert", hlc, values_json(row), station_code)
        bind.execute(
            log.update().where(log.c.actor == name).values(actor_id=row["id"])
        )

    # 2. demo rows
    batches = (
        "SELECT at FROM change_log WHERE op = 'insert' GROUP BY at HAVING "
        "sum(CASE WHEN entity = 'person' THEN 1 ELSE 0 END) >= 2 AND "
        "sum(CASE WHEN entity = 'household' THEN 1 ELSE 0 END) >= 1"
    )
    for name in ("person", "household", "household_member"):
        bind.execute(sa.text(
            f"UPDATE {name} SET demo = {true} WHERE id IN (SELECT entity_id FROM change_log "
            f"WHERE op = 'insert' AND entity = '{name}' AND at IN ({batches}))"
        ))  # fmt: skip

    # 3. no copies of a registered person's name and ID number in their membership
    bind.execute(sa.text(
        "UPDATE household_member SET name = '', id_number = '' WHERE person_id IS NOT NULL"
    ))  # fmt: skip

    # 4. employment episodes of the persons marked employed
    episode = sa.Table(
        "employment_episode", sa.MetaData(), *[c._copy() for c in synced],
        sa.Column("person_id", sa.Uuid), sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date), sa.Column("kind", sa.String),
        sa.Column("evidence", sa.Text), sa.Column("source", sa.String),
    )  # fmt: skip
    employed = bind.execute(sa.text(
        f"SELECT id, station_code, demo FROM person WHERE employed = {true} AND deleted = {'0' if sqlite else 'false'}"
    )).all()  # fmt: skip
    for person_id, code, demo in employed:
        pid = person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id))
        became = bind.execute(
            sa.select(log.c.at).where(
                log.c.entity_id == pid,
                sa.or_(
                    sa.and_(log.c.field == "employed", log.c.new_value == "true"),
                    log.c.op == "insert",
                ),
            ).order_by(log.c.seq.desc()).limit(1)
        ).scalar()
        starts = _aware(became).date() if became is not None else now.date()
        hlc = stamps.next()
        row = {"id": uuid.uuid4(), "station_code": code, "person_id": pid, "starts_on": starts,
               "ends_on": None, "kind": "unspecified", "evidence": "", "source": "migration",
               "deleted": False, "demo": bool(demo)}  # fmt: skip
        bind.execute(episode.insert().values(created_hlc=hlc, updated_hlc=hlc, version=1, **row))
        logged("employment_episode", row["id"], "insert", hlc, values_json(row), code)

    # 5. a baseline of every record that existed before
    for name in OLD_SYNCED:
        table = sa.Table(name, sa.MetaData(), autoload_with=bind)
        for row in bind.execute(sa.select(table)):
            values = _record_values(table, row)
            logged(name, values["id"], "baseline", row._mapping["updated_hlc"],
                   values_json(values), row._mapping["station_code"])  # fmt: skip
    if new_rows:
        start = int(bind.execute(sa.text("SELECT coalesce(max(seq), 0) FROM change_log")).scalar() or 0)
        for offset, row in enumerate(new_rows, start=1):
            row["seq"] = start + offset
        for chunk in range(0, len(new_rows), 5000):
            bind.execute(log.insert(), new_rows[chunk : chunk + 5000])

    # 6. the chain, in pages of seq
    prev = GENESIS
    after = -1
    while True:
        page = bind.execute(sa.select(log).where(log.c.seq > after).order_by(log.c.seq).limit(5000)).all()
        if not page:
            break
        updates: list[dict[str, Any]] = []
        for row in page:
            values = dict(row._mapping)
            values["at"] = _aware(values["at"])
            values["prev_hash"] = prev
            prev = digest(values)
            updates.append({"s": values["seq"], "p": values["prev_hash"], "h": prev})
        bind.execute(sa.text("UPDATE change_log SET prev_hash = :p, hash = :h WHERE seq = :s"), updates)
        after = page[-1]._mapping["seq"]

    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("actor")

    # 7. one open case per person
    duplicates = bind.execute(sa.text(
        "SELECT person_id FROM recognition_case WHERE deleted = "
        f"{'0' if sqlite else 'false'} AND stage NOT IN {CLOSED_STAGES_SQL} "
        "GROUP BY person_id HAVING count(*) > 1"
    )).scalars().all()  # fmt: skip
    if duplicates:
        raise RuntimeError(
            "these persons have more than one open recognition case; close all but one with "
            f"the previous version of the program, then upgrade: {', '.join(map(str, duplicates))}"
        )
    with op.batch_alter_table("recognition_case") as batch:
        batch.create_index(
            "uq_recognition_case_open_person", ["person_id"], unique=True,
            sqlite_where=sa.text(f"deleted = 0 AND stage NOT IN {CLOSED_STAGES_SQL}"),
            postgresql_where=sa.text(f"deleted = false AND stage NOT IN {CLOSED_STAGES_SQL}"),
        )  # fmt: skip

    # 8. the guards
    for statement in sqlite_guards(SYNCED) if sqlite else postgres_guards(SYNCED):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for statement in sqlite_guards_drop(SYNCED) if sqlite else postgres_guards_drop(SYNCED):
        bind.exec_driver_sql(statement)
    with op.batch_alter_table("recognition_case") as batch:
        batch.drop_index("uq_recognition_case_open_person")
    with op.batch_alter_table("change_log") as batch:
        batch.add_column(sa.Column("actor", sa.String(length=40), server_default="system", nullable=False))
    bind.execute(sa.text(
        "UPDATE change_log SET actor = coalesce((SELECT name FROM staff WHERE staff.id = change_log.actor_id), 'system')"
    ))  # fmt: skip
    bind.execute(sa.text("DELETE FROM change_log WHERE op = 'baseline' OR entity IN ('staff', 'employment_episode', 'setting')"))
    with op.batch_alter_table("change_log") as batch:
        batch.drop_index("ix_change_log_actor_id")
        batch.drop_index("ix_change_log_entity_id_hlc")
        batch.create_index("ix_change_log_entity_id", ["entity_id"])
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("device_id")
        batch.drop_column("actor_id")
    for name in OLD_SYNCED:
        op.drop_column(name, "demo")  # native ALTER TABLE DROP COLUMN: the table (and the
        # search triggers on person) stay as they are
    op.drop_table("employment_episode")
    op.drop_table("staff")
