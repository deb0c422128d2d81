"""The database file's faults, each with its own message and exit status 2 (issue 9): a damaged
file, a read-only file or folder, a full disk, a doubled schema version, a missing file; and
backups that are written whole and checked before they are trusted."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from caseworker.cli import main
from caseworker.registry import demo, persons
from caseworker.store import faults, migrate
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from tests.helpers import make_id, register
from tests.migrations.test_migrations import make_0001_database

PAGE = 4096


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_file(folder: Path, count: int = 5, start: int = 301) -> Path:
    import datetime as dt

    path = folder / "in.csv"
    born = dt.date(1980, 1, 1)
    rows = [
        f"张{'一二三四五六七八九十'[i % 10]},"
        f"{make_id(birth=born + dt.timedelta(days=i // 300), seq=start + 2 * (i % 300))}"
        for i in range(count)
    ]
    path.write_text("姓名,身份证号\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def station_file(path: Path, persons_count: int = 300) -> Path:
    store = open_store(sqlite_url(path))
    demo.generate(store, persons=persons_count, seed=9)
    store.dispose()
    return path


def overwrite_pages(path: Path, pages: list[int]) -> None:
    """Overwrite whole pages (1-based) with garbage, as a failing disk or a bad copy does."""
    with path.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * PAGE)
            fh.write(bytes((i * 7 + page) % 251 for i in range(PAGE)))


# -- 4. a damaged file -------------------------------------------------------------------------


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = station_file(tmp_path / "station.sqlite3")
    backups = tmp_path / "backups"
    backups.mkdir()
    good = backups / "station-before-0004-20250101-090000.sqlite3"
    shutil.copyfile(path, good)
    os.utime(good, (1_735_000_000, 1_735_000_000))
    newer_but_bad = backups / "station-before-0004-20250301-090000.sqlite3"
    newer_but_bad.write_bytes(path.read_bytes()[: PAGE * 5])  # a partial copy
    os.utime(newer_but_bad, (1_740_000_000, 1_740_000_000))
    pages = path.stat().st_size // PAGE
    overwrite_pages(path, [pages // 2, pages // 2 + 3, pages - 2])
    return path


def test_a_damaged_file_refuses_writes_and_names_the_latest_good_backup(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(damaged)
    status, _out, err = cli(
        capsys, "--db", str(damaged), "persons", "import", str(csv_file(damaged.parent))
    )
    assert status == 2
    assert "is damaged" in err
    assert "station-before-0004-20250101-090000.sqlite3" in err  # the newest *good* one
    assert "20250301" not in err
    assert err.count("\n") == 1
    assert digest(damaged) == before  # not a byte written
    status, _out, err = cli(capsys, "--db", str(damaged), "demo", "--persons", "3")
    assert status == 2
    assert "is damaged" in err
    assert digest(damaged) == before


def test_a_damaged_file_can_still_be_read_to_rescue_data(damaged: Path) -> None:
    store = open_store(sqlite_url(damaged))
    try:
        assert isinstance(store.write_refusal, faults.DamagedError)
        with (
            pytest.raises(faults.DamagedError, match="no change can be saved"),
            store.transaction(),
        ):
            pass
        with store.reading() as session:
            assert store.station(session) is not None
    finally:
        store.dispose()


def test_a_damaged_file_without_a_good_backup_says_so(tmp_path: Path) -> None:
    path = station_file(tmp_path / "station.sqlite3")
    overwrite_pages(path, [path.stat().st_size // PAGE - 1])
    store = open_store(sqlite_url(path))
    try:
        assert store.write_refusal is not None
        assert "No good backup was found" in str(store.write_refusal)
    finally:
        store.dispose()


# -- 6. backups before an upgrade --------------------------------------------------------------


def test_a_backup_that_fails_its_check_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)
    before = digest(path)
    monkeypatch.setattr(
        faults, "quick_check", lambda _p, _k=None: ["*** page 3: btreeInitPage() error"]
    )
    for _attempt in range(3):
        with pytest.raises(migrate.BackupError, match="backup could not be made"):
            open_store(sqlite_url(path))
    assert list((tmp_path / "backups").iterdir()) == []  # no partial, valid-looking copies
    assert digest(path) == before  # and the file was not upgraded without its backup


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows has no file-size limit (RLIMIT_FSIZE) to simulate a full disk",
)
def test_a_full_disk_during_the_backup_leaves_no_partial_backup(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)
    before = digest(path)
    limit = path.stat().st_size // 2  # room for half a copy
    script = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from caseworker.cli import main\n"
        "sys.exit(main(['--db', sys.argv[1], 'persons', 'list']))\n"
    )
    for _attempt in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True, text=True, check=False, timeout=120,
            env={**os.environ, "CASEWORKER_LANG": "en"},
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "backup could not be made" in done.stderr
        assert "full" in done.stderr
        assert list((tmp_path / "backups").iterdir()) == []
    assert digest(path) == before
    assert migrate.HEAD_REVISION not in subprocess.run(
        [sys.executable, "-c", "import sqlite3,sys;"
         "print(sqlite3.connect(sys.argv[1]).execute('select * from alembic_version').fetchall())",
         str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_a_killed_backup_leaves_no_file_after_the_next_one(tmp_path: Path) -> None:
    from caseworker.core import files

    path = tmp_path / "station.sqlite3"
    make_0001_database(path)
    backups = tmp_path / "backups"
    backups.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    left = (
        backups / f".station-before-0004-20250101-000000{files.TEMP_MARK}{child.pid}-abcdef01.tmp"
    )
    left.write_bytes(path.read_bytes()[:PAGE])
    store = open_store(sqlite_url(path))
    store.dispose()
    [backup] = list(backups.iterdir())
    assert backup.name.startswith(f"station-before-{migrate.HEAD_REVISION}-")
    assert faults.quick_check(backup) == ["ok"]


# -- 7. read-only, full disk, two schema versions ----------------------------------------------


def test_a_read_only_store_refuses_writes_but_reads(
    store: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(store, "张三", make_id(seq=101))
    store.dispose()
    monkeypatch.setattr(faults, "not_writable", lambda _path: True)
    ro = open_store(sqlite_url(db_path))
    try:
        with pytest.raises(faults.ReadOnlyError, match="is read-only"):
            register(ro, "李四", make_id(seq=103))
        with ro.reading() as session:
            assert persons.count(session) == 1
    finally:
        ro.dispose()


def test_sqlite_refusing_a_write_is_said_as_read_only(store: Any, db_path: Path) -> None:
    store.dispose()
    uri = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    ro = open_store(uri, migrate=False)
    try:
        with pytest.raises(faults.ReadOnlyError, match="is read-only"):
            register(ro, "李四", make_id(seq=103))
    finally:
        ro.dispose()


def _unshare_available() -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind / /mnt && true"],
        capture_output=True, check=False,
    )  # fmt: skip
    return probe.returncode == 0


def run_read_only(target: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``target`` (a file or a folder) really read-only: chmod for a normal
    user; for root (whom chmod does not stop), a read-only bind mount in a private mount
    namespace."""
    env = {**os.environ, "CASEWORKER_LANG": "en"}
    command = [sys.executable, "-m", "caseworker", *argv]
    if os.geteuid() != 0:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        finally:
            target.chmod(mode)
    if not _unshare_available():
        pytest.skip(
            "root ignores file modes: a read-only file needs a mount namespace (unshare), "
            "which this machine does not allow"
        )
    quoted = " ".join(f"'{a}'" for a in command)
    script = (
        f"mount --bind '{target}' '{target}' && "
        f"mount -o remount,bind,ro '{target}' '{target}' && exec {quoted}"
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, check=False, env=env
    )


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_file_or_folder_gets_its_own_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    db = folder / "station.sqlite3"
    assert cli(capsys, "--db", str(db), "init", "--code", "650102001", "--name", "站")[0] == 0
    register_via = ["--db", str(db), "persons", "import", str(csv_file(tmp_path))]
    before = digest(db)
    done = run_read_only(db if what == "file" else folder, register_via)
    assert done.returncode == 2, done.stderr
    assert "is read-only" in done.stderr
    assert "unexpected" not in done.stderr
    listed = run_read_only(db if what == "file" else folder, ["--db", str(db), "persons", "list"])
    assert listed.returncode == 0, listed.stderr
    assert digest(db) == before


def test_a_full_disk_while_writing_is_said_plainly(
    store: Any, db_path: Path, tmp_path: Path
) -> None:
    from sqlalchemy import event

    from caseworker.registry import spreadsheet

    register(store, "张三", make_id(seq=101))
    pages = sqlite3.connect(db_path).execute("PRAGMA page_count").fetchone()[0]

    def no_room(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    store.engine.dispose()
    event.listen(store.engine, "connect", no_room)
    with pytest.raises(faults.DiskFullError, match="is full"):
        spreadsheet.import_persons(store, csv_file(tmp_path, count=400))
    with store.reading() as session:
        assert persons.count(session) == 1


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows has no file-size limit (RLIMIT_FSIZE) to simulate a full disk",
)
@pytest.mark.parametrize(
    ("command", "message"),
    [
        # the import's working copy, or the database if the copy fit under the limit
        (["persons", "import", "{csv}"], "the disk may be full|could not be written"),
        (["demo", "--persons", "400"], "could not be written"),  # the database itself
    ],
)
def test_a_file_size_limit_while_writing_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], message: str
) -> None:
    db = tmp_path / "station.sqlite3"
    assert cli(capsys, "--db", str(db), "init", "--code", "650102001", "--name", "站")[0] == 0
    size = db.stat().st_size
    script = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({size + 8192}, {size + 8192}))\n"
        "from caseworker.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    args = [a.format(csv=csv_file(tmp_path, count=400)) for a in command]
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), *args],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "CASEWORKER_LANG": "en"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert re.search(message, done.stderr), done.stderr
    assert "unexpected" not in done.stderr
    store = open_store(sqlite_url(db))
    try:
        with store.reading() as session:
            assert persons.count(session) == 0  # all or nothing
    finally:
        store.dispose()


def test_two_schema_versions_are_refused_with_their_own_message(
    store: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0003')")
    connection.close()
    status, _out, err = cli(capsys, "--db", str(db_path), "persons", "list")
    assert status == 2
    assert f"records 2 schema versions at once ({migrate.HEAD_REVISION}, 0003)" in err
    with pytest.raises(faults.VersionTableError):
        open_store(sqlite_url(db_path))


# -- 9. a mistyped --db ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["persons", "list"], ["persons", "show", "x"], ["demo", "--persons", "2"]]
)
def test_a_mistyped_db_path_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    typo = tmp_path / "statoin.sqlite3"
    status, _out, err = cli(capsys, "--db", str(typo), *command)
    assert status == 2
    assert "There is no database at" in err
    assert not typo.exists()


# -- 3. the terminal ---------------------------------------------------------------------------


def test_show_escapes_control_characters_and_direction_overrides(
    store: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = register(store, "张三", make_id(seq=111))
    with store.transaction() as session:  # stored before the rules (an old import)
        loaded = persons.get(session, person.id)
        loaded.address = "红旗路\x1b[2J1号"
        loaded.notes = "\u202eevil"
    store.dispose()
    status, out, _err = cli(capsys, "--db", str(db_path), "persons", "show", make_id(seq=111))
    assert status == 0
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "红旗路\\x1b[2J1号" in out
    assert "\\u202eevil" in out
