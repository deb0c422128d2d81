"""Render the main screens offscreen into ``docs/screenshots/`` (Chinese and Uyghur), the
assistance screens too (:mod:`caseworker.gui.screenshots_assistance`).

    python -m caseworker.gui.screenshots [--out docs/screenshots] [--persons 2000]

Uses a demo database (``caseworker.registry.demo.generate``) in a temporary folder, with some
recognition cases at each stage, so every screen shows real content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from caseworker.core import wall

LANGS = {"zh_CN": "zh", "ug_CN": "ug", "en": "en"}
SIZE = (1280, 800)


def _working_day(day: dt.date) -> dt.date:
    from caseworker.policy import is_working_day

    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def prepare(store: Any, persons: int) -> Any:
    """Demo persons, and cases at every stage for the first eligible ones; returns a person id
    whose case is in public notice (for the person page)."""
    from caseworker.recognition import service, workflow
    from caseworker.registry import demo
    from caseworker.store.models import Person

    demo.generate(store, persons=persons, seed=2024)
    from caseworker import bootstrap

    store.set_setting(bootstrap.CASEWORKER_KEY, "古丽")
    today = wall.today()
    with store.reading() as session:
        from sqlalchemy import select

        ids = list(session.scalars(select(Person.id).order_by(Person.name_pinyin).limit(400)))
    showcase = None
    made = 0
    for person_id in ids:
        with store.transaction() as session:
            decision = service.assess_person(session, person_id, today)
            if not decision.eligible or service.current_case(session, person_id) is not None:
                continue  # (the demo recognises some persons itself)
            applied = today - dt.timedelta(days=60)
            case = service.open_application(
                session, person_id, applied, [c.value for c in decision.categories]
            )
            stage = made % 5
            if stage >= 1:
                service.advance(
                    session,
                    case.id,
                    workflow.CommunityReview(on=applied + dt.timedelta(days=3), passed=True),
                )
            if stage >= 2:
                service.advance(
                    session,
                    case.id,
                    workflow.TownshipReview(on=applied + dt.timedelta(days=6), passed=True),
                )
            if stage >= 3:
                start = _working_day(today - dt.timedelta(days=2 if stage == 3 else 30))
                service.advance(session, case.id, workflow.StartPublicNotice(start=start))
                if stage == 3 and showcase is None:
                    showcase = person_id
            if stage >= 4:
                row = service.current_case(session, person_id)
                assert row is not None
                assert row.notice_end is not None
                service.advance(
                    session, case.id, workflow.Recognise(on=row.notice_end + dt.timedelta(days=1))
                )
        made += 1
        if made >= 40:
            break
    return showcase or ids[0]


def _settle(app: Any, window: Any, until: Any, timeout: float = 20.0) -> None:
    import time

    deadline = time.time() + timeout
    while time.time() < deadline and not until():
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)


def shoot(out: Path, persons: int, languages: list[str]) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from caseworker import i18n
    from caseworker.gui import tasks
    from caseworker.gui.app import create_application
    from caseworker.gui.fonts import apply_fonts
    from caseworker.gui.language import apply_language
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        app = create_application(["screenshots"], languages[0])
        store = open_store(sqlite_url(folder / "demo.sqlite3"), actor="古丽")
        showcase = prepare(store, persons)
        from caseworker.gui import screenshots_assistance

        assisted = screenshots_assistance.prepare(store)
        empty = open_store(sqlite_url(folder / "empty.sqlite3"), actor="古丽")
        try:
            for language in languages:
                tag = LANGS[language]
                apply_language(app, language)
                apply_fonts(app, i18n.is_rtl(language))
                from caseworker.gui.views.main_window import MainWindow

                window = MainWindow(store)
                window.resize(*SIZE)
                window.show()
                _settle(app, window, lambda w=window: w.registry.model.rowCount() > 0)

                def save(name: str, widget: Any, tag: str = tag) -> None:
                    path = out / f"gui-{name}-{tag}.png"
                    widget.grab().save(str(path))
                    written.append(path)

                save("registry", window)
                window.open_person(showcase)
                _settle(app, window, lambda: True)
                save("person", window)
                window.show_list()
                window.show_section(1)
                _settle(app, window, lambda w=window: w.recognition.model.rowCount() > 0)
                save("recognition", window)
                window.show_section(2)
                _settle(app, window, lambda: True)
                save("settings", window)
                screenshots_assistance.shoot(app, window, save, assisted)
                window.show_section(0)
                window.save_preferences()
                tasks.wait_for_all()
                window.close()
                window.deleteLater()
                app.processEvents()

                from caseworker.gui.views.wizard import SetupWizard

                wizard = SetupWizard(empty, language=language)
                wizard.resize(720, 520)
                wizard.show()
                wizard.next()
                page = wizard.page_named("station")
                page.code.setText(stations.validate_code("650102001"))
                page.station_name.setText("燕儿窝街道就业服务站")
                _settle(app, wizard, lambda: True)
                save("wizard", wizard)
                wizard.next()
                wizard.page_named("villages").text.setPlainText(
                    "南湖社区\n红旗村\n团结村\n幸福社区"
                )
                _settle(app, wizard, lambda: True)
                save("wizard-villages", wizard)
                wizard.close()
                wizard.deleteLater()
                app.processEvents()
        finally:
            tasks.wait_for_all()
            store.dispose()
            empty.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseworker.gui.screenshots")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument(
        "--lang", action="append", choices=list(LANGS), help="default: zh_CN, ug_CN"
    )
    args = parser.parse_args(argv)
    for path in shoot(Path(args.out), args.persons, args.lang or ["zh_CN", "ug_CN"]):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
