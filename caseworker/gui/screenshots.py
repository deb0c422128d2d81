"""Render the main screens offscreen into ``docs/screenshots/`` in each language and size,
the assistance screens too (:mod:`caseworker.gui.screenshots_assistance`).

    python -m caseworker.gui.screenshots [--out docs/screenshots] [--persons 2000]
                                         [--lang zh_CN --lang ug_CN ...] [--size 1024x700 ...]

Uses a demo database (``caseworker.registry.demo.generate``) in a temporary folder, with some
recognition cases at each stage, so every screen shows real content.  Files are named
``gui-SCREEN-LANG-WIDTHxHEIGHT.png`` (the setup wizard, a dialog, ``gui-wizard-LANG.png``).
The default sizes are a common field laptop (1024x700) and a desktop screen (1600x1000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseworker.core import wall

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from caseworker.gui.views.main_window import MainWindow

LANGS = {"zh_CN": "zh", "ug_CN": "ug", "en": "en"}
SIZES: tuple[tuple[int, int], ...] = ((1024, 700), (1600, 1000))
SCREENS = ("registry", "person", "person-recognition", "recognition", "settings", "print-preview")


def _working_day(day: dt.date) -> dt.date:
    from caseworker.policy import default_calendar

    return default_calendar().next_working_day(day)


def prepare(store: Any, persons: int) -> Any:
    """Demo persons, and cases at every stage for the first eligible ones; returns a person id
    whose case is in public notice (for the person page)."""
    from sqlalchemy import select

    from caseworker import bootstrap
    from caseworker.recognition import service, workflow
    from caseworker.registry import demo, households
    from caseworker.store.models import Person

    demo.generate(store, persons=persons, seed=2024)
    store.set_setting(bootstrap.CASEWORKER_KEY, "古丽")
    today = wall.today()
    with store.reading() as session:
        ids = list(session.scalars(select(Person.id).order_by(Person.name_pinyin).limit(400)))
    showcase = None
    fallback = None
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
            documents = service.proof_documents(session, case.id)
            # the showcase lacks one proof (its notice step records it); the others have all
            for document in documents[: -1 if stage == 3 else None]:
                service.provide_proof(session, case.id, document.proof, True)
            step: workflow.Step
            if stage >= 1:
                step = workflow.CommunityReview(
                    on=applied + dt.timedelta(days=3), passed=True, proofs_missing_ok=True
                )
                service.advance(session, case.id, step)
            if stage >= 2:
                step = workflow.TownshipReview(
                    on=applied + dt.timedelta(days=6), passed=True, proofs_missing_ok=True
                )
                service.advance(session, case.id, step)
            if stage >= 3:
                start = _working_day(today - dt.timedelta(days=2 if stage == 3 else 30))
                notice = workflow.StartPublicNotice(start=start, proofs_missing_ok=True)
                service.advance(session, case.id, notice)
                if stage == 3 and showcase is None:
                    # the person page shows a household when the demo gave this person one
                    if households.of_person(session, person_id) is not None:
                        showcase = person_id
                    elif fallback is None:
                        fallback = person_id
            if stage >= 4:
                row = service.current_case(session, person_id)
                assert row is not None
                assert row.notice_end is not None
                on = row.notice_end + dt.timedelta(days=1)
                service.advance(session, case.id, workflow.Recognise(on=on))
        made += 1
        if made >= 40 and showcase is not None:
            break
    return showcase or fallback or ids[0]


def settle(app: QApplication, until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Process events until ``until()`` holds (or ``timeout`` seconds), then a little more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)


def shoot_window(
    app: QApplication,
    window: MainWindow,
    showcase: Any,
    save: Callable[[str, QWidget], None],
) -> None:
    """The main window's screens, each saved with ``save(name, widget)``."""
    from caseworker.gui.printing import preview_roster

    registry, recognition = window.registry, window.recognition
    assert registry is not None
    assert recognition is not None
    settle(app, lambda: registry.model.rowCount() > 0)
    save("registry", window)
    window.open_person(showcase)
    settle(app, lambda: True)
    save("person", window)
    page = window.person
    if page is not None:  # the recognition panel: proofs, steps and history
        bar = page.side_scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
        settle(app, lambda: True)
        save("person-recognition", window)
    window.show_list()
    window.show_section(1)
    settle(app, lambda: recognition.model.rowCount() > 0)
    save("recognition", window)
    window.show_section(2)
    settle(app, lambda: True)
    save("settings", window)
    window.show_section(0)
    shown: list[Any] = []
    preview_roster(window, window.store, registry.current_query(), shown=shown.append)
    settle(app, lambda: bool(shown), timeout=120)
    if shown:
        dialog = shown[0]
        dialog.resize(window.size())
        settle(app, lambda: bool(dialog.view.rendered_pages()))
        save("print-preview", dialog)
        dialog.close()


def shoot(
    out: Path,
    persons: int,
    languages: Sequence[str],
    sizes: Sequence[tuple[int, int]] = SIZES,
) -> list[Path]:
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
                lang = LANGS[language]
                apply_language(app, language)
                apply_fonts(app, i18n.is_rtl(language))
                from caseworker.gui.views.main_window import MainWindow

                for width, height in sizes:

                    def save(
                        name: str, widget: QWidget, tag: str = f"{lang}-{width}x{height}"
                    ) -> None:
                        path = out / f"gui-{name}-{tag}.png"
                        widget.grab().save(str(path))
                        written.append(path)

                    window = MainWindow(store)
                    window.resize(width, height)
                    window.show()
                    shoot_window(app, window, showcase, save)
                    screenshots_assistance.shoot(app, window, save, assisted)
                    tasks.wait_for_all()
                    window.close()
                    window.deleteLater()
                    app.processEvents()

                from caseworker.gui.views.wizard import SetupWizard

                def save_dialog(name: str, widget: QWidget, tag: str = lang) -> None:
                    path = out / f"gui-{name}-{tag}.png"
                    widget.grab().save(str(path))
                    written.append(path)

                wizard = SetupWizard(empty, language=language)
                wizard.resize(720, 520)
                wizard.show()
                wizard.next()
                page = wizard.station_page
                page.code.setText(stations.validate_code("650102001"))
                page.station_name.setText("燕儿窝街道就业服务站")
                settle(app, lambda: True)
                save_dialog("wizard", wizard)
                wizard.next()
                wizard.villages_page.text.setPlainText("南湖社区\n红旗村\n团结村\n幸福社区")
                settle(app, lambda: True)
                save_dialog("wizard-villages", wizard)
                wizard.reject()
                wizard.deleteLater()
                app.processEvents()
        finally:
            tasks.wait_for_all()
            store.dispose()
            empty.dispose()
    return written


def _size(text: str) -> tuple[int, int]:
    width, _x, height = text.lower().partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseworker.gui.screenshots")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--lang", action="append", choices=list(LANGS), help="default: all")
    parser.add_argument("--size", action="append", type=_size, help="default: 1024x700, 1600x1000")
    args = parser.parse_args(argv)
    for path in shoot(Path(args.out), args.persons, args.lang or list(LANGS), args.size or SIZES):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
