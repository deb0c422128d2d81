"""The .deb as a station installs and uses it (run by .ci/run after the suite, as root).

    bash packaging/build-linux.sh
    .venv/bin/python -m pytest -p no:cacheprovider packaging/tests/test_installed.py

The tests run in order on one installation: install with ``dpkg -i``; the installed
``caseworker --version``; ``init`` and ``demo`` on a throwaway database; the desktop program
offscreen for 10 seconds with the system's fonts hidden from Qt, its screenshot and the
coverage of every Chinese character it shows by the fonts Qt loaded; a printed form whose
fonts ``pdffonts`` finds embedded and bundled; an older database backed up before it is
upgraded; an upgrade of the package; its removal, with the data left in place.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import caseworker

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("CASEWORKER_BUILD", ROOT / "build" / "linux"))
OPT = Path("/opt/caseworker")
COMMAND = Path("/usr/bin/caseworker")
BUNDLED_FONTS = OPT / "_internal" / "resources" / "fonts"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="installing the .deb with dpkg -i needs root (CI runs as root)"
)


def _deb() -> Path:
    debs = sorted(BUILD.glob(f"caseworker_{caseworker.__version__}_*.deb"))
    assert debs, f"no .deb in {BUILD}: run 'bash packaging/build-linux.sh' first"
    return debs[-1]


def run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("station")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    """A user's environment: a throwaway home, offscreen Qt, no developer variables."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    base = {k: v for k, v in os.environ.items() if k in keep}
    base.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CONFIG_HOME=str(home / ".config"),
        QT_QPA_PLATFORM="offscreen",
        PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    )
    return base


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """The package installed with dpkg -i (removed at the end if a test left it)."""
    out = run("dpkg", "-i", _deb(), timeout=300)
    assert "Setting up caseworker" in out, out
    yield COMMAND
    if OPT.exists():
        subprocess.run(["dpkg", "-r", "caseworker"], capture_output=True, check=False)


@pytest.fixture(scope="module")
def database(installed: Path, env: dict[str, str], home: Path) -> Path:
    db = home / "station.sqlite3"
    run(installed, "--db", db, "init", "--code", "650102001", "--name", "燕儿窝街道就业服务站",
        "--villages", "南湖社区,红旗村", "--caseworker", "李娜", env=env)  # fmt: skip
    run(installed, "--db", db, "demo", "--persons", "60", "--seed", "1", env=env)
    return db


def test_installs_where_a_desktop_finds_it(installed: Path) -> None:
    assert (OPT / "caseworker").is_file()
    assert os.access(OPT / "caseworker", os.X_OK)
    assert installed.resolve() == (OPT / "caseworker").resolve()
    desktop = Path("/usr/share/applications/caseworker.desktop").read_text(encoding="utf-8")
    assert "Name[zh_CN]=就业援助工作台" in desktop
    assert "Name[ug]=ئىشقا ئورۇنلىشىش ياردەم خىزمەت سۇپىسى" in desktop
    assert "Exec=caseworker" in desktop
    for size in (16, 32, 48, 64, 128, 256):
        assert Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/caseworker.png").is_file()
    assert "*.cwb" in Path("/usr/share/mime/packages/caseworker.xml").read_text(encoding="utf-8")
    fonts = {p.name for p in BUNDLED_FONTS.iterdir()}
    assert {"wqy-zenhei.ttc", "NotoNaskhArabic-Regular.ttf", "DejaVuSans.ttf"} <= fonts
    licences = {p.name for p in (BUNDLED_FONTS / "LICENSES").iterdir()}
    assert {"fonts-wqy-zenhei.copyright", "fonts-noto-core.copyright"} <= licences
    licences = {p.name.lower() for p in (OPT / "licenses").iterdir()}
    assert any(name.startswith("pyside6") for name in licences), licences
    assert "qt-pyside6-notice.txt" in licences


def test_installed_version(installed: Path, env: dict[str, str]) -> None:
    assert run(installed, "--version", env=env).strip() == f"caseworker {caseworker.__version__}"


def test_init_and_demo(installed: Path, database: Path, env: dict[str, str]) -> None:
    listing = run(installed, "--db", database, "persons", "list", "--limit", "5", env=env)
    assert len([line for line in listing.splitlines() if "*" in line]) >= 5, listing
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM person").fetchone()[0] >= 60
    connection.close()


def test_an_encrypted_station_works_from_the_bundle(
    installed: Path, env: dict[str, str], home: Path
) -> None:
    """The bundle carries SQLCipher and argon2 (loaded by name at run time): a station made
    with an administrator is encrypted, needs the login, and is not readable as plain SQLite."""
    db = home / "encrypted.sqlite3"
    secret = {**env, "CASEWORKER_PASSWORD": "Tianshan-2026!", "CASEWORKER_LANG": "en"}
    run(installed, "--db", db, "init", "--code", "650102002", "--name", "红旗村服务站",
        "--admin", "古丽", env=secret)  # fmt: skip
    listing = run(installed, "--db", db, "--user", "古丽", "persons", "list", env=secret)
    assert "0 shown." in listing, listing
    refused = subprocess.run([str(installed), "--db", str(db), "persons", "list"],
                             capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert "--user" in refused.stderr
    assert db.read_bytes()[:16] != b"SQLite format 3\x00"  # the header is encrypted too


def _id_number(seq: int) -> str:
    from caseworker.core import idcard

    first17 = f"65010319900101{seq:03d}"
    return first17 + idcard.check_char(first17)


def test_the_county_import_checks_ahead_in_a_helper_process(
    installed: Path, env: dict[str, str], home: Path
) -> None:
    """The county import checks the next bundles in a helper process: in the frozen program
    that process is the program started again (multiprocessing's freeze_support), which must
    become the helper and not start the program."""
    work = home / "county-import"
    work.mkdir()
    county, station = work / "county.sqlite3", work / "station.sqlite3"
    english = {**env, "CASEWORKER_LANG": "en"}
    run(installed, "--db", county, "county", "init", "--code", "650103", "--name", "测试县",
        env=english)  # fmt: skip
    run(installed, "--db", county, "county", "keys", "-o", work / "county.pub", env=english)
    run(installed, "--db", station, "init", "--code", "650103001", "--name", "测试站",
        "--villages", "红旗村", "--caseworker", "李娜", env=english)  # fmt: skip
    run(installed, "--db", station, "sync", "keys", "-o", work / "station.pub", env=english)
    run(installed, "--db", county, "county", "enroll", work / "station.pub", env=english)
    run(installed, "--db", station, "sync", "trust", work / "county.pub", env=english)
    bundles = work / "bundles"
    bundles.mkdir()
    for batch in range(3):
        sheet = work / f"persons-{batch}.csv"
        rows = [f"{'王李张刘陈杨赵黄周吴'[n % 10]}{'伟芳娜敏静丽强磊军洋'[n // 10 + batch * 2]},"
                f"{_id_number(batch * 100 + n)}" for n in range(20)]  # fmt: skip
        sheet.write_text("姓名,身份证号\n" + "\n".join(rows) + "\n", encoding="utf-8")
        run(installed, "--db", station, "persons", "import", sheet, env=english)
        run(installed, "--db", station, "sync", "export", "-o", bundles, env=english)
    files = sorted(bundles.glob("*.cwb"))
    assert len(files) == 3
    out = run(installed, "--db", county, "sync", "import", *files,
              env={**english, "CASEWORKER_IMPORT_HELPER": "1"}, timeout=300)  # fmt: skip
    assert ": applied" in out, out
    assert "refused" not in out, out
    with sqlite3.connect(county) as connection:
        assert connection.execute("SELECT count(*) FROM person").fetchone()[0] == 60
    connection.close()
    log = (home / ".local" / "state" / "caseworker" / "log" / "caseworker.log").read_text(
        encoding="utf-8"
    )
    assert "the import's helper process checked 2 bundles" in log, log[-2000:]
    assert "helper process failed" not in log
    assert "cannot start" not in log


def test_gui_shows_chinese_with_the_bundled_fonts_only(
    installed: Path, database: Path, env: dict[str, str], home: Path
) -> None:
    probe = home / "probe"
    conf = home / "no-system-fonts.conf"
    conf.write_text(  # fontconfig that knows no font folder: only the bundle's fonts exist
        f'<?xml version="1.0"?><fontconfig><cachedir>{home}/fc-cache</cachedir></fontconfig>',
        encoding="utf-8",
    )
    gui_env = dict(env, CASEWORKER_PROBE_OUT=str(probe), CASEWORKER_PROBE_SECONDS="10",
                   CASEWORKER_PROBE_T0=repr(time.time()), FONTCONFIG_FILE=str(conf))  # fmt: skip
    run(installed, "--db", database, "--lang", "zh_CN", env=gui_env, timeout=180)
    report = json.loads((probe / "probe.json").read_text(encoding="utf-8"))
    assert report["up_seconds"] >= 10
    assert "first_paint_s" in report
    assert "WenQuanYi Zen Hei" in report["resolved_families"], report
    assert not any("UMing" in f or "Noto Sans CJK" in f for f in report["all_families"]), report
    assert report["cjk_characters_shown"] >= 30, report
    assert report["cjk_characters_without_glyph"] == "", report
    assert "就业援助" in report["sample_text"] or "就业援助" in report["window_title"], report
    screen = probe / "screen.png"
    assert screen.stat().st_size > 10_000
    shutil.copyfile(screen, BUILD / "installed-first-start.png")


def _in_namespace_without_system_fonts() -> list[str]:
    """A prefix that runs a command with /usr/share/fonts empty (a private mount namespace),
    or [] where namespaces are not allowed."""
    empty = Path("/tmp/caseworker-no-fonts")
    empty.mkdir(exist_ok=True)
    script = f'mount --bind {empty} /usr/share/fonts && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, "sh"]
    probe = subprocess.run([*prefix, "ls", "/usr/share/fonts"], capture_output=True, check=False)
    if probe.returncode != 0 or probe.stdout.strip():
        return []
    return prefix


def test_printed_form_embeds_the_bundled_fonts(
    installed: Path, database: Path, env: dict[str, str], home: Path
) -> None:
    with sqlite3.connect(database) as connection:
        id_number = connection.execute("SELECT id_number FROM person LIMIT 1").fetchone()[0]
    connection.close()
    pdf = home / "application.pdf"
    hide = _in_namespace_without_system_fonts()
    run(*hide, installed, "--db", database, "print", "application", "--person", id_number,
        "-o", pdf, "--bilingual", env=env)  # fmt: skip
    fonts = run("pdffonts", pdf)
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    names = " ".join(row.split()[0] for row in rows)
    for expected in ("WenQuanYi", "NotoNaskhArabic"):
        assert expected in names, fonts
    for row in rows:
        assert " yes " in f" {row} ", f"not embedded: {row}"
    if not hide:  # the same fonts exist in the system: at least they are the bundle's files
        assert (BUNDLED_FONTS / "wqy-zenhei.ttc").is_file()


def test_older_database_is_backed_up_before_it_is_upgraded(
    installed: Path, database: Path, env: dict[str, str], home: Path
) -> None:
    from sqlalchemy import create_engine

    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import HEAD_REVISION, downgrade

    old = home / "older.sqlite3"
    shutil.copyfile(database, old)
    engine = create_engine(sqlite_url(old))
    previous = f"{int(HEAD_REVISION) - 1:04d}"
    downgrade(engine, previous)
    engine.dispose()
    run(installed, "--db", old, "persons", "list", "--limit", "3", env=env)
    backups = list((home / "backups").glob("older-before-*.sqlite3"))
    assert len(backups) == 1, list(home.iterdir())
    with sqlite3.connect(backups[0]) as connection:
        assert (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == previous
        )
        persons_before = connection.execute("SELECT count(*) FROM person").fetchone()[0]
    connection.close()
    with sqlite3.connect(old) as connection:
        assert (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            == HEAD_REVISION
        )
        assert connection.execute("SELECT count(*) FROM person").fetchone()[0] == persons_before
    connection.close()


def test_package_upgrade_keeps_the_data(installed: Path, database: Path) -> None:
    before = database.read_bytes()
    out = run("dpkg", "-i", _deb(), timeout=300)
    assert "Your data was not touched" in out, out
    assert database.read_bytes() == before


def test_removal_leaves_the_data_and_says_where(installed: Path, database: Path) -> None:
    out = run("dpkg", "-r", "caseworker", timeout=300)
    assert "~/.local/share/caseworker/" in out, out
    assert "数据没有删除" in out, out
    assert not OPT.exists()
    assert not COMMAND.exists()
    assert not Path("/usr/share/applications/caseworker.desktop").exists()
    assert database.is_file()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM person").fetchone()[0] >= 60
    connection.close()
