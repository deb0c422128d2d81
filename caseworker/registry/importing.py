"""Importing persons from the station's spreadsheet: check every row, then write all good rows
in one transaction, or none.

The import runs in two phases (``docs/import-template.md`` tells the user the same):

1. :func:`check_file` reads the file as a stream (:mod:`caseworker.core.tables`), validates
   every row with :func:`caseworker.registry.persons.validate` (the rule set of the person
   form), looks up, a thousand rows at a time, which ID numbers are already registered, and
   builds the rows to insert (:func:`caseworker.registry.persons.new_records`: the person,
   pinyin and search text, and an employment episode for an employed person).  The good rows
   wait in a private temporary SQLite file, which also finds an ID number used twice in the
   file; memory stays flat whatever the file's size.  Nothing is written to the station's
   database and no write lock is held in this phase; it can be cancelled at any moment.
2. :func:`write_staged` opens **one** write transaction and inserts the staged rows with their
   change-log rows (:func:`caseworker.store.changelog.insert_records`) and search index
   (:func:`caseworker.registry.search.bulk_load`).  The write lock is held for the inserts
   only.  Cancel, an error, a full disk or a killed program roll the transaction back: the
   database then holds none of the rows.  After the commit the rows are counted again, and
   the report says what was written.

The report accounts for every non-blank row of the file: imported, already registered (with
the registered name where the file's name differs), or refused with its line number and every
reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.bulkwork import bulk_work
from caseworker.core.errors import UserError
from caseworker.core.files import private_temp_dir
from caseworker.core.tables import (
    DEFAULT_LIMITS,
    CellError,
    Formula,
    Limits,
    Table,
    column_name,
    open_table,
)
from caseworker.core.text import from_cell
from caseworker.i18n import _
from caseworker.registry import families as family_tracker
from caseworker.registry import household_import, persons, search
from caseworker.registry.fields import BY_HEADER, BY_NAME
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog, faults
from caseworker.store.models import EmploymentEpisode, Household, HouseholdMember, Person, Village
from caseworker.store.uow import Store

Progress = Callable[[int, int], bool]
REQUIRED_HEADERS = ("姓名", "身份证号")
#: Rows checked against the database, and written, at a time.
CHUNK = 1000
#: Rows of each kind listed one by one in a report (the counts are always whole).
MAX_LISTED = 10_000
#: Progress is reported in these units per phase.
PROGRESS_UNITS = 1000


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str
    name: str = ""
    id_number: str = ""


@dataclass(frozen=True, slots=True)
class NameDiffers:
    """A row whose ID number is registered under another name (skipped, listed)."""

    line: int
    id_number: str
    name_in_file: str
    registered_name: str


@dataclass
class ImportReport:
    """What the import did with every row of the file."""

    rows: int = 0
    imported: int = 0
    ready: int = 0  # good rows waiting to be written (after the check)
    already_registered: list[tuple[int, str]] = field(default_factory=list)
    already_count: int = 0
    name_differs: list[NameDiffers] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    possible_duplicates: list[tuple[int, str]] = field(default_factory=list)
    #: Rows with a 户编号: households made, members added (to new and to earlier households).
    household_rows: int = 0
    households_created: int = 0
    household_members_added: int = 0
    #: Registered persons who could not be placed in the household of their row (listed).
    household_problems: list[Rejected] = field(default_factory=list)
    household_problem_count: int = 0
    cancelled: bool = False
    written: bool = False  # the transaction committed (and the rows were counted again)

    def refuse(self, row: Rejected) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_LISTED:
            self.rejected.append(row)

    def known(self, line: int, id_number: str) -> None:
        self.already_count += 1
        if len(self.already_registered) < MAX_LISTED:
            self.already_registered.append((line, id_number))

    def household_problem(self, row: Rejected) -> None:
        self.household_problem_count += 1
        if len(self.household_problems) < MAX_LISTED:
            self.household_problems.append(row)

    @property
    def unlisted_rejected(self) -> int:
        return self.rejected_count - len(self.rejected)


class _Cancelled(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The staging file
# ---------------------------------------------------------------------------------------------


#: (line, person row, its log values, employment episode row or None, its log values or "")
_StagedRow = tuple[int, dict[str, Any], str, dict[str, Any] | None, str]


class _Spool:
    """The good rows between the check and the write, in a private temporary SQLite file
    (flat memory; a primary key finds an ID number used twice in the file).  Rows are kept
    a chunk at a time, pickled together."""

    def __init__(self) -> None:
        self.folder = private_temp_dir("caseworker-import-")
        self.path = self.folder / "staged.sqlite3"
        self.count = 0
        self.count_dropped = 0  # staged rows refused afterwards by the household rules
        self._pending: list[_StagedRow] = []
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            self._db.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "CREATE TABLE ids (id_number TEXT PRIMARY KEY, line INTEGER NOT NULL,"
                " person_id TEXT NOT NULL, name TEXT NOT NULL, birth TEXT NOT NULL,"
                " described TEXT NOT NULL) WITHOUT ROWID;"
                "CREATE INDEX ids_name ON ids (name, birth, line);"
                "CREATE TABLE chunks (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
                + household_import.STAGING_DDL
            )
        except sqlite3.Error as exc:
            self.close()
            raise self._no_room(exc) from exc

    def _run(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise self._no_room(exc) from exc

    def _no_room(self, exc: sqlite3.Error) -> UserError:
        return faults.DiskFullError(
            _(
                "The import needs room for its working copy in the temporary folder {folder} "
                "({error}): the disk may be full. Free some space and try again; nothing was "
                "imported."
            ).format(folder=self.folder.parent, error=exc)
        )

    def add(self, staged: _StagedRow, described: str) -> int | None:
        """Stage a row; returns the line already holding its ID number, if any."""
        line, row = staged[0], staged[1]
        try:
            self._run(
                "INSERT INTO ids VALUES (?, ?, ?, ?, ?, ?)",
                (row["id_number"], line, str(row["id"]), row["name"],
                 row["birth_date"].isoformat(), described),
            )  # fmt: skip
        except sqlite3.IntegrityError:
            found = self._run("SELECT line FROM ids WHERE id_number = ?", (row["id_number"],))
            return int(found.fetchone()[0])
        self._pending.append(staged)
        self.count += 1
        if len(self._pending) >= CHUNK:
            self.flush()
        return None

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    @contextlib.contextmanager
    def guarded(self) -> Iterator[None]:
        """Say a failure of the staging file (a full disk) in words."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._no_room(exc) from exc

    def flush(self) -> None:
        if self._pending:
            payload = pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL)
            self._run("INSERT INTO chunks (payload) VALUES (?)", (payload,))
            self._pending = []

    def chunks(self) -> Iterator[list[_StagedRow]]:
        self.flush()
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise self._no_room(exc) from exc
        for (seq,) in self._run("SELECT seq FROM chunks ORDER BY seq").fetchall():
            (payload,) = self._run("SELECT payload FROM chunks WHERE seq = ?", (seq,)).fetchone()
            rows: list[_StagedRow] = pickle.loads(payload)
            yield rows

    def earlier_namesakes(self, line: int, name: str, birth: dt.date) -> list[str]:
        """Rows on earlier lines with the same name and birth date (another ID number)."""
        found = self._run(
            "SELECT described FROM ids WHERE name = ? AND birth = ? AND line < ? ORDER BY line",
            (name, birth.isoformat(), line),
        )
        return [str(described) for (described,) in found]

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Staged:
    """A checked file: the report so far and the good rows, ready for :func:`write_staged`.
    Close it (or use it as a context manager) to remove the staged rows."""

    path: Path
    report: ImportReport
    spool: _Spool
    village_names: dict[uuid.UUID, str] = field(default_factory=dict)

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Phase 1: check
# ---------------------------------------------------------------------------------------------


def _columns(headers: list[str]) -> list[tuple[int, str]]:
    """(column index, field name) of the template's person columns; refuses a header used
    twice or a missing required one."""
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in seen:
            raise UserError(
                _(
                    "The column {header} appears twice (columns {first} and {second}), so it is "
                    "not clear which one holds the data; delete or rename one of them."
                ).format(header=header, first=column_name(seen[header]), second=column_name(index))
            )
        seen[header] = index
    missing = [h for h in REQUIRED_HEADERS if h not in seen]
    if missing:
        raise UserError(
            _("The file has no column {headers}; use the import template.").format(
                headers="、".join(missing)
            )
        )
    return [(i, BY_HEADER[h].name) for h, i in seen.items() if h in BY_HEADER]


def _household_columns(headers: list[str]) -> tuple[int, int] | None:
    """The columns of 户编号 and 与户主关系 (-1 for one that is missing), or None without
    either."""
    found = [headers.index(h) if h in headers else -1 for h in household_import.HEADERS]
    return None if found == [-1, -1] else (found[0], found[1])


def _household_cells(
    cells: list[object], columns: tuple[int, int]
) -> tuple[household_import.Cells | None, dict[str, str]]:
    values = [cells[i] if 0 <= i < len(cells) else None for i in columns]
    unread = {
        header: _cell_problem(value, index)
        for header, value, index in zip(household_import.HEADERS, values, columns, strict=True)
        if isinstance(value, Formula | CellError)
    }
    return (None, unread) if unread else household_import.read_cells(*values)


def _is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _cell_problem(value: Formula | CellError, index: int) -> str:
    column = column_name(index)
    if isinstance(value, Formula):
        return _(
            "column {column} holds a formula (={formula}) without a saved result; open the "
            "file in Excel or WPS, save it, and import it again, or type the value itself"
        ).format(column=column, formula=value.text)
    return _("column {column} shows the error {code}").format(column=column, code=value.code)


def _describe(errors: dict[str, str]) -> str:
    return "；".join(f"{BY_NAME[k].header if k in BY_NAME else k}: {v}" for k, v in errors.items())


def check_file(
    store: Store,
    path: Path,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Staged:
    """Phase 1: read and check every row of ``path``; nothing is written to the database.

    ``progress(done, PROGRESS_UNITS)`` is called as the file is read; returning False stops
    (the report says cancelled).  Raises :class:`UserError` for a file that cannot be read in
    full (with the reason)."""
    today = today or wall.today()
    table = open_table(path, limits)
    spool = _Spool()
    staged = Staged(path, ImportReport(), spool)
    try:
        with bulk_work():  # (its end gives the memory of the file's reading back)
            try:
                _check(store, table, staged, today, progress)
            finally:
                table.close()
    except BaseException:
        staged.close()
        raise
    return staged


def _check(
    store: Store, table: Table, staged: Staged, today: dt.date, progress: Progress | None
) -> None:
    report = staged.report
    columns = _columns(table.headers)
    household_columns = _household_columns(table.headers)
    report.ignored_columns = [
        h for h in table.headers if h and h not in BY_HEADER and h not in household_import.HEADERS
    ]
    width = len(table.headers)
    headless = [i for i, h in enumerate(table.headers) if not h]
    unheaded: set[int] = set()
    with store.reading() as session:
        villages = persons.village_names(session, store.station_code)
    staged.village_names = {v: k for k, v in villages.items()}
    pending: list[tuple[int, persons.PersonData, household_import.Cells | None]] = []
    for count, (line, cells) in enumerate(table.rows(), start=1):
        if (
            count % 200 == 0
            and progress is not None
            and not progress(int(table.fraction_read() * PROGRESS_UNITS), PROGRESS_UNITS)
        ):
            report.cancelled = True
            return
        if _is_blank(cells):
            continue
        report.rows += 1
        if headless or len(cells) > width:
            for index in [*headless, *range(width, len(cells))]:
                if index < len(cells) and not _is_blank(cells[index : index + 1]):
                    unheaded.add(index)
        household: household_import.Cells | None = None
        problems: dict[str, str] = {}
        if household_columns is not None:
            household, problems = _household_cells(cells, household_columns)
        data = _validate(report, line, cells, columns, villages, today, problems)
        if household is not None:
            report.household_rows += 1
            if data is None:
                with staged.spool.guarded():
                    household_import.stage_row(
                        staged.spool.db, line, household, household_import.REFUSED
                    )
        if data is not None:
            pending.append((line, data, household))
        if len(pending) >= CHUNK:
            _stage(store, staged, pending, today)
            pending = []
    _stage(store, staged, pending, today)
    staged.spool.flush()
    _plan_households(store, staged)
    report.ignored_columns += [
        _("column {column} (no header)").format(column=column_name(i)) for i in sorted(unheaded)
    ]
    report.ready = staged.spool.count - staged.spool.count_dropped
    if progress is not None and not progress(PROGRESS_UNITS, PROGRESS_UNITS):
        report.cancelled = True


def _validate(
    report: ImportReport,
    line: int,
    cells: list[object],
    columns: list[tuple[int, str]],
    villages: dict[str, uuid.UUID],
    today: dt.date,
    household_problems: dict[str, str],
) -> persons.PersonData | None:
    raw: dict[str, object] = {}
    problems: dict[str, str] = {}
    width = len(cells)
    for index, name in columns:
        value = cells[index] if index < width else None
        if type(value) is str:
            raw[name] = from_cell(value)
        elif isinstance(value, Formula | CellError):
            problems[name] = _cell_problem(value, index)
        else:
            raw[name] = value
    try:
        data = persons.validate(raw, villages=villages, today=today)
    except persons.FieldErrors as exc:
        errors = {**exc.errors, **problems}
    else:
        if not problems and not household_problems:
            return data
        errors = dict(problems)
    given_name = raw.get("name")
    id_number = raw.get("id_number")
    report.refuse(
        Rejected(
            line,
            _describe({**{k: errors[k] for k in BY_NAME if k in errors}, **household_problems}),
            str(given_name) if given_name is not None else "",
            str(id_number) if id_number is not None else "",
        )
    )
    return None


def _stage(
    store: Store,
    staged: Staged,
    pending: list[tuple[int, persons.PersonData, household_import.Cells | None]],
    today: dt.date,
) -> None:
    if not pending:
        return
    report = staged.report
    with store.reading() as session:
        registered = _registered(session, [d.id_number for _, d, _h in pending])
        namesakes = _namesakes(session, [d for _, d, _h in pending])
        keyed = [d.id_number for _, d, h in pending if h is not None and d.id_number in registered]
        live_ids = _live_ids(session, keyed) if keyed else {}
    spool = staged.spool
    for line, data, household in pending:
        if data.id_number in registered:
            _already(report, line, data.id_number, data.name, registered[data.id_number])
            if household is not None:
                person_id = live_ids.get(data.id_number)
                state = household_import.KNOWN if person_id else household_import.REFUSED
                with spool.guarded():
                    household_import.stage_row(
                        spool.db, line, household, state, person_id=person_id, name=data.name,
                        address=data.address or data.hukou_address, village_id=data.village_id,
                    )  # fmt: skip
            continue
        maybe = [
            who for number, who in namesakes.get((data.name, data.birth_date), [])
            if number != data.id_number
        ]  # fmt: skip
        maybe += staged.spool.earlier_namesakes(line, data.name, data.birth_date)
        for who in maybe:
            if len(report.possible_duplicates) < MAX_LISTED:
                report.possible_duplicates.append((line, who))
        row, episode = persons.new_records(data, today=today, station_code=store.station_code)
        row["deleted"] = row["demo"] = False
        episode_values = ""
        if episode is not None:
            episode["deleted"] = False
            episode_values = changelog.insert_values(EmploymentEpisode, episode)
        village = staged.village_names.get(data.village_id) if data.village_id else None
        first = staged.spool.add(
            (line, row, changelog.insert_values(Person, row), episode, episode_values),
            persons.describe_values(data.name, data.id_number, village),
        )
        if first is not None:
            report.refuse(
                Rejected(
                    line,
                    _("The same ID number is on line {line}.").format(line=first),
                    data.name,
                    data.id_number,
                )
            )
        if household is not None:
            with spool.guarded():
                household_import.stage_row(
                    spool.db, line, household,
                    household_import.NEW if first is None else household_import.REFUSED,
                    person_id=row["id"], name=data.name,
                    address=data.address or data.hukou_address, village_id=data.village_id,
                )  # fmt: skip


def _live_ids(session: Session, id_numbers: Sequence[str]) -> dict[str, uuid.UUID]:
    """ID number → record id of the live registered persons among ``id_numbers``."""
    found: dict[str, uuid.UUID] = {}
    for start in range(0, len(id_numbers), CHUNK):
        part = list(id_numbers[start : start + CHUNK])
        found.update(
            session.execute(
                select(Person.id_number, Person.id).where(
                    Person.id_number.in_(part), Person.deleted.is_(False)
                )
            ).all()
        )
    return found


def _plan_households(store: Store, staged: Staged) -> None:
    """The household rules over every staged row with a 户编号 (the whole file has been read):
    refuse the rows of new persons the rules refuse (they are not written), list registered
    persons who cannot be placed, count the households to make."""
    spool = staged.spool
    if not household_import.has_rows(spool.db):
        return
    report = staged.report
    dropped: list[int] = []
    with store.reading() as session, spool.guarded():
        for outcome in household_import.plan(session, spool.db):
            _count_households(report, outcome)
            for row, reason in outcome.refused:
                if row.state == household_import.NEW:
                    dropped.append(row.line)
                    report.refuse(Rejected(row.line, reason, row.name))
                else:
                    report.household_problem(Rejected(row.line, reason, row.name))
    with spool.guarded():
        household_import.drop(spool.db, dropped)
    spool.count_dropped = len(dropped)
    report.rejected.sort(key=lambda r: r.line)
    report.household_problems.sort(key=lambda r: r.line)


def _count_households(report: ImportReport, outcome: household_import.Outcome) -> None:
    report.households_created += len(outcome.households)
    report.household_members_added += len(outcome.members)


def _registered(session: Session, id_numbers: Sequence[str]) -> dict[str, str]:
    """ID number → name of the records (tombstones too) among ``id_numbers``."""
    found: dict[str, str] = {}
    for start in range(0, len(id_numbers), CHUNK):
        part = list(id_numbers[start : start + CHUNK])
        found.update(
            session.execute(
                select(Person.id_number, Person.name).where(Person.id_number.in_(part))
            ).all()
        )
    return found


def _namesakes(
    session: Session, people: Sequence[persons.PersonData]
) -> dict[tuple[str, dt.date], list[tuple[str, str]]]:
    """(name, birth date) → [(ID number, description)] of live registered persons sharing
    them with one of ``people`` (who may be the same person under another ID number)."""
    wanted = {(p.name, p.birth_date) for p in people}
    found: dict[tuple[str, dt.date], list[tuple[str, str]]] = {}
    if not wanted:
        return found
    pairs = tuple_(Person.name, Person.birth_date).in_(sorted(wanted))
    rows = session.execute(
        select(Person.name, Person.birth_date, Person.id_number, Village.name)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(pairs, Person.deleted.is_(False))
    ).all()
    for name, birth, number, village in rows:
        found.setdefault((name, birth), []).append(
            (number, persons.describe_values(name, number, village))
        )
    return found


def _already(report: ImportReport, line: int, id_number: str, name: str, registered: str) -> None:
    report.known(line, id_number)
    if name != registered and len(report.name_differs) < MAX_LISTED:
        report.name_differs.append(NameDiffers(line, id_number, name, registered))


# ---------------------------------------------------------------------------------------------
# Phase 2: write
# ---------------------------------------------------------------------------------------------


def write_staged(store: Store, staged: Staged, *, progress: Progress | None = None) -> ImportReport:
    """Phase 2: write every staged row in one transaction (or none, on cancel or error)."""
    require_store(store, Action.IMPORT)
    report = staged.report
    total = max(staged.spool.count, 1)
    written = 0  # (a count, not the ids: memory stays flat whatever the file's size)
    with staged.spool.guarded():
        dropped = household_import.dropped_lines(staged.spool.db)
    skipped: set[uuid.UUID] = set()
    restore: list[Callable[[], None]] = []
    try:
        with bulk_work(), store.transaction() as session:
            connection = session.connection()
            _large_cache(connection, restore)
            context = session.info[changelog.CONTEXT_KEY]
            at = wall.now()
            before = _count(session)
            with search.bulk_load(connection):
                done = 0
                for chunk in staged.spool.chunks():
                    taken = _registered(session, [item[1]["id_number"] for item in chunk])
                    rows: list[dict[str, Any]] = []
                    episodes: list[dict[str, Any]] = []
                    row_values: list[str] = []
                    episode_values: list[str] = []
                    for line, row, values, episode, episode_json in chunk:
                        if line in dropped:  # refused by the household rules
                            continue
                        if row["id_number"] in taken:  # registered meanwhile
                            _already(
                                report, line, row["id_number"], row["name"], taken[row["id_number"]]
                            )
                            skipped.add(row["id"])
                            continue
                        rows.append(row)
                        row_values.append(values)
                        if episode is not None:
                            episodes.append(episode)
                            episode_values.append(episode_json)
                    changelog.insert_records(
                        connection, context, Person, rows, at=at, new_values=row_values
                    )
                    changelog.insert_records(
                        connection, context, EmploymentEpisode, episodes, at=at,
                        new_values=episode_values,
                    )  # fmt: skip
                    written += len(rows)
                    done += len(chunk)
                    if progress is not None and not progress(
                        done * PROGRESS_UNITS // total, PROGRESS_UNITS
                    ):
                        raise _Cancelled
            if _count(session) != before + written:  # pragma: no cover - a bug
                raise RuntimeError("the import counted other rows than it wrote; rolled back")
            _write_households(session, staged, dropped, frozenset(skipped), at)
    except _Cancelled:
        report.cancelled = True
        report.imported = 0
        return report
    finally:
        for put_back in restore:
            with contextlib.suppress(sqlite3.Error):
                put_back()
    report.imported = written
    report.written = True
    return report


def _write_households(
    session: Session,
    staged: Staged,
    dropped: frozenset[int],
    skipped: frozenset[uuid.UUID],
    at: dt.datetime,
) -> None:
    """The households of the staged rows, decided again over the database as it is now (under
    the write lock), and the zero-employment tracker's look at each of them."""
    spool = staged.spool
    with spool.guarded():
        if not household_import.has_rows(spool.db):
            return
    report = staged.report
    report.households_created = report.household_members_added = 0
    report.household_problems, report.household_problem_count = [], 0
    connection = session.connection()
    context = session.info[changelog.CONTEXT_KEY]
    made: list[uuid.UUID] = []  # new households
    joined: list[uuid.UUID] = []  # households imported before, with new members
    outcomes = household_import.plan(session, spool.db, dropped=dropped, skipped=skipped)
    with spool.guarded():  # (the staged rows are read as the households are written)
        for outcome in outcomes:
            _count_households(report, outcome)
            for row, reason in outcome.refused:
                if row.line not in dropped:  # (a person written, or registered before)
                    report.household_problem(Rejected(row.line, reason, row.name))
            changelog.insert_many(
                connection, context, [(Household, outcome.households),
                                      (HouseholdMember, outcome.members)], at=at,
            )  # fmt: skip
            new = {h["id"] for h in outcome.households}
            made += new
            joined += [h for h in dict.fromkeys(m["household_id"] for m in outcome.members)
                       if h not in new]  # fmt: skip
    report.household_problems.sort(key=lambda r: r.line)
    family_tracker.follow_new(session, made)
    family_tracker.follow(session, joined)


#: The page cache of the connection while it writes an import (SQLite's default is 2 MB;
#: the person table's indexes take every page they touch, and a bigger cache writes each
#: page once).  Set for the transaction and put back after it.
IMPORT_CACHE_KIB = 8 * 1024


def _large_cache(connection: Any, restore: list[Callable[[], None]]) -> None:
    if connection.dialect.name != "sqlite":
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    raw = connection.connection.dbapi_connection

    def put_back() -> None:  # on the idle pooled connection, after the transaction
        raw.execute(f"PRAGMA cache_size = {previous}")

    restore.append(put_back)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def import_persons(
    store: Store,
    path: Path,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportReport:
    """Check ``path`` and, unless ``dry_run``, write its good rows in one transaction.

    ``progress(done, total)`` runs over both phases (the check first); returning False
    cancels, and nothing is written."""

    def phase(offset: int) -> Progress | None:
        if progress is None:
            return None
        callback = progress
        return lambda done, _total: callback(offset + done, 2 * PROGRESS_UNITS)

    staged = check_file(store, path, today=today, progress=phase(0), limits=limits)
    try:
        if staged.report.cancelled or dry_run:
            return staged.report
        return write_staged(store, staged, progress=phase(PROGRESS_UNITS))
    finally:
        staged.close()


# ---------------------------------------------------------------------------------------------
# What the user reads (the command line and the import dialog)
# ---------------------------------------------------------------------------------------------


def summary(report: ImportReport, *, dry_run: bool = False) -> str:
    """One sentence: what happened to the file as a whole."""
    if report.cancelled:
        return _("The import was cancelled; nothing was imported.")
    if dry_run:
        text = _(
            "Checked {rows} rows: {ready} can be imported; nothing was imported (dry run)."
        ).format(rows=report.rows, ready=report.ready)
        if report.household_rows:
            text += " " + households_summary(report)
        return text
    text = _(
        "Imported {n} of {rows} rows, all in one step. Already registered: {known}. "
        "Refused: {refused}."
    ).format(
        n=report.imported, rows=report.rows, known=report.already_count,
        refused=report.rejected_count,
    )  # fmt: skip
    if report.household_rows:
        text += " " + households_summary(report)
    return text


def households_summary(report: ImportReport) -> str:
    """What the import does (or did) with the households of the file."""
    text = _("Households: {created} new, {added} members added.").format(
        created=report.households_created, added=report.household_members_added
    )
    if report.household_problem_count:
        text += " " + _(
            "{n} registered persons were not placed in the household of their row (see the "
            "details)."
        ).format(n=report.household_problem_count)
    return text


def details(report: ImportReport) -> list[str]:
    """Every row that was not imported, with its reason (and other notes), one a line."""
    lines: list[str] = []
    if report.already_count:
        lines.append(
            _("{n} rows were already registered and were skipped.").format(n=report.already_count)
        )
    lines += [
        _(
            "Line {line}: the ID number {id_number} is registered as {registered}, but the "
            "file says {name}; skipped."
        ).format(
            line=d.line, id_number=d.id_number, registered=d.registered_name, name=d.name_in_file
        )
        for d in report.name_differs
    ]
    if report.ignored_columns:
        lines.append(_("Columns not used: {names}").format(names="、".join(report.ignored_columns)))
    lines += [
        _("Line {line}: possibly the same person as {person}").format(line=line, person=who)
        for line, who in report.possible_duplicates
    ]
    lines += [
        _("Line {line} rejected: {reason}").format(line=row.line, reason=row.reason)
        for row in report.rejected
    ]
    lines += [
        _("Line {line}: not placed in a household: {reason}").format(
            line=row.line, reason=row.reason
        )
        for row in report.household_problems
    ]
    if report.unlisted_rejected:
        lines.append(
            _("… and {n} more rows rejected (fix the rows above and check the file again).").format(
                n=report.unlisted_rejected
            )
        )
    return lines
