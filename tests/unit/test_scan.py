"""With encryption on, after registering, printing, exporting and a backup, no file in the
data, state and cache folders holds a registered ID number or name in plain text (UTF-8 or
GB18030)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from caseworker import bootstrap
from caseworker.cli import main
from caseworker.security.login import Credentials
from tests.helpers import make_id, register

PASSWORD = "admin pass 1"
PERSONS = [
    ("欧阳明月", make_id(seq=301), "18223146761"),
    ("艾合买提·买合木提", make_id(seq=302), "13882939540"),
    ("热依拉·阿布都", make_id("654002", seq=303), "13730706628"),
]


def files_under(*folders: Path) -> list[Path]:
    return [Path(root) / name for f in folders for root, _d, names in os.walk(f) for name in names]


def test_no_plain_id_number_or_name_in_the_data_state_and_cache_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEWORKER_PASSWORD", PASSWORD)
    out = tmp_path / "chosen"  # where the user saves prints and exports
    out.mkdir()
    station = [
        "init",
        "--code",
        "650102001",
        "--name",
        "燕儿窝街道就业服务站",
        "--villages",
        "南湖社区",
    ]
    assert main([*station, "--admin", "王站长"]) == 0
    store = bootstrap.open_database(login=Credentials("王站长", lambda: PASSWORD))
    try:
        for name, id_number, phone in PERSONS:
            register(store, name, id_number, phone=phone, village="南湖社区")
        logging.getLogger("caseworker.test").exception(
            "a fault while saving %s (%s)", PERSONS[0][0], PERSONS[0][1]
        )
    finally:
        store.dispose()
    user = ["--user", "王站长"]
    assert main([*user, "print", "application", "--person", PERSONS[0][1], "-o", str(out / "a.pdf")]) == 0  # fmt: skip
    assert main([*user, "persons", "export", "-o", str(out / "p.xlsx"), "--reason", "报县局"]) == 0
    assert main([*user, "backup"]) == 0
    assert main([*user, "persons", "list", "--full-ids", "--reason", "核对"]) == 0
    assert PERSONS[0][1] in capsys.readouterr().out  # (the terminal shows what was asked)
    for handler in logging.getLogger().handlers:
        handler.flush()

    folders = [Path(os.environ[v]) for v in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")]
    scanned = files_under(*folders)
    names = {p.name for p in scanned}
    assert "caseworker.sqlite3" in names
    assert "caseworker.sqlite3.keys" in names
    assert "caseworker.log" in names
    assert any(n.startswith("caseworker-manual-") and n.endswith(".sqlite3") for n in names)
    secrets = [
        value.encode(encoding)
        for name, id_number, phone in PERSONS
        for value in (name, name.split("·")[0], id_number, phone)
        for encoding in ("utf-8", "gb18030")
    ]
    assert leaks_in(scanned, secrets) == []
    # the scan finds them in a plain database (so it would find a leak)
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    plain = open_store(sqlite_url(tmp_path / "plain.sqlite3"))
    try:
        stations.initialise(plain, "650102001", "站", ["南湖社区"])
        register(plain, PERSONS[1][0], PERSONS[1][1])
    finally:
        plain.dispose()
    assert len(leaks_in([tmp_path / "plain.sqlite3"], secrets)) >= 2


def leaks_in(paths: list[Path], secrets: list[bytes]) -> list[tuple[str, str]]:
    return [
        (str(path), secret.decode("utf-8", "replace"))
        for path in paths
        for secret in secrets
        if secret in path.read_bytes()
    ]
