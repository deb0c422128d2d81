"""Render the Sync dialog and the county's screens offscreen into ``docs/screenshots/``.

    python -m caseworker.gui.sync_screenshots [--out docs/screenshots]

Builds, in a temporary folder (keys included), a county and two stations that exchange
bundles: persons at both, the same ID number registered at both, a restored backup whose
change clashes, a receipt; then shows the screens in Chinese and Uyghur.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

LANGS = {"zh_CN": "zh", "ug_CN": "ug"}
PEOPLE = (
    ("买买提·艾力", "مەمەت ئەلى", True), ("古丽娜尔·吐尔逊", "گۈلنار تۇرسۇن", False),
    ("张伟", "", True), ("马玉兰", "", False), ("阿依努尔·麦麦提", "ئاينۇر مەمەت", False),
    ("李娜", "", False),
)  # fmt: skip


def _id(seq: int, birth: dt.date) -> str:
    from caseworker.core import idcard

    first17 = f"650102{birth:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_char(first17)


def _register(store: Any, name: str, native: str, number: str, **values: Any) -> Any:
    from caseworker.registry import persons

    with store.transaction() as session:
        villages = persons.village_names(session, store.station_code)
        data = persons.validate(
            {"name": name, "name_native": native, "id_number": number, **values},
            villages=villages,
        )
        return persons.register(session, data).person


def build(folder: Path) -> tuple[Any, Any]:
    """The county and station 1, after a day of exchanges (see the module notes)."""
    from caseworker import bootstrap
    from caseworker.registry import persons, stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store
    from caseworker.sync import county, export, receipt, setup

    keys = bootstrap.keys_dir()
    registry = folder / "devices.json"
    county_store = open_store(sqlite_url(folder / "county.sqlite3"), actor="阿不都")
    setup.init_county(county_store, "650102", "乌鲁木齐市天山区", keys)
    setup.write_public_key(county_store, keys, folder / "county.pub", "乌鲁木齐市天山区")
    names = {"650102001": "燕儿窝街道就业服务站", "650102002": "红雁街道就业服务站"}
    station_stores = {}
    for code, name in names.items():
        store = open_store(
            sqlite_url(folder / f"{code}.sqlite3"), actor="古丽", registry_path=registry
        )
        stations.initialise(store, code, name, ["南湖社区", "红旗村"])
        setup.ensure_keys(store, keys)
        setup.write_public_key(store, keys, folder / f"{code}.pub", name)
        setup.enroll(county_store, folder / f"{code}.pub")
        setup.trust(store, folder / "county.pub")
        station_stores[code] = store
    first, second = station_stores["650102001"], station_stores["650102002"]
    made = []
    for n, (name, native, male) in enumerate(PEOPLE):
        seq = 101 + 2 * n if male else 102 + 2 * n  # the ID number's 17th digit is the sex
        made.append(_register(first, name, native, _id(seq, dt.date(1970 + n, 3, 1)),
                              village="红旗村", phone=f"1390991{n:04d}"))  # fmt: skip
    _register(second, "买买提·艾力", "", _id(101, dt.date(1970, 3, 1)), phone="13899990000")
    _register(second, "王芳", "", _id(200, dt.date(1985, 6, 1)))

    def send(store: Any) -> None:
        done = export.export(store, keys, folder)
        if done is not None:
            county.import_files(county_store, keys, [done.path])

    def answer(code: str) -> None:
        written = receipt.write_receipt(county_store, keys, code, folder)
        receipt.apply_receipt(station_stores[code], keys, written.path)

    send(first)
    send(second)
    answer("650102001")
    first.dispose()
    shutil.copy(folder / "650102001.sqlite3", folder / "backup.sqlite3")
    first = open_store(
        sqlite_url(folder / "650102001.sqlite3"), actor="古丽", registry_path=registry
    )
    with first.transaction() as session:
        persons.change(session, made[2].id, address="幸福路12号")
    send(first)
    answer("650102001")
    first.dispose()
    shutil.copy(folder / "backup.sqlite3", folder / "650102001.sqlite3")
    first = open_store(
        sqlite_url(folder / "650102001.sqlite3"), actor="古丽", registry_path=registry
    )
    with first.transaction() as session:
        persons.change(session, made[2].id, address="人民路8号")
    send(first)
    second.dispose()
    return county_store, first


def shoot(out: Path, languages: list[str]) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        os.environ["XDG_STATE_HOME"] = str(folder / "state")
        from PySide6.QtCore import QSettings

        from caseworker import i18n
        from caseworker.gui import tasks
        from caseworker.gui.app import create_application
        from caseworker.gui.fonts import apply_fonts
        from caseworker.gui.language import apply_language

        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        app = create_application(["screenshots"], languages[0])
        county_store, station = build(folder)
        try:
            for language in languages:
                tag = LANGS[language]
                apply_language(app, language)
                apply_fonts(app, i18n.is_rtl(language))
                from caseworker.gui.views.county import CountyWindow
                from caseworker.gui.views.sync_dialog import SyncDialog

                def save(name: str, widget: Any, tag: str = tag) -> None:
                    for _ in range(10):
                        app.processEvents()
                    path = out / f"gui-{name}-{tag}.png"
                    widget.grab().save(str(path))
                    written.append(path)

                dialog = SyncDialog(station)
                dialog.show()
                save("sync", dialog)
                dialog.close()
                dialog.deleteLater()
                window = CountyWindow(county_store)
                window.show()
                window.tabs.setCurrentIndex(0)
                save("county-stations", window)
                window.tabs.setCurrentIndex(1)
                window.select_conflict(0)
                save("county-conflicts", window)
                window.tabs.setCurrentIndex(2)
                save("county-reports", window)
                window.close()
                window.deleteLater()
                tasks.wait_for_all()
                app.processEvents()
        finally:
            tasks.wait_for_all()
            station.dispose()
            county_store.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseworker.gui.sync_screenshots")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--lang", action="append", choices=list(LANGS), help="default: both")
    args = parser.parse_args(argv)
    for path in shoot(Path(args.out), args.lang or list(LANGS)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
