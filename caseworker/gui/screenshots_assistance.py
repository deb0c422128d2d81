"""Render the assistance screens offscreen into ``docs/screenshots/`` (Chinese and Uyghur):
the dashboard, the worklist, the zero-employment family tracker and a person's Assistance tab.

    python -m caseworker.gui.screenshots_assistance [--out docs/screenshots] [--persons 2000]

Uses a demo database in a temporary folder (``caseworker demo`` makes the plans, contacts,
offers, outcomes and families).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from caseworker.gui.screenshots import LANGS, SIZE, _settle


def _showcase(store: Any) -> Any:
    """A person whose plan has contacts, offers (one refused) and an outcome, if any."""
    from sqlalchemy import func, select

    from caseworker.store.models import AssistanceContact, AssistanceOffer, AssistancePlan

    with store.reading() as session:
        offered = select(AssistanceOffer.plan_id).where(AssistanceOffer.answer == "refused")
        return session.scalar(
            select(AssistancePlan.person_id)
            .join(AssistanceContact, AssistanceContact.plan_id == AssistancePlan.id)
            .where(AssistancePlan.closed_on.is_(None), AssistancePlan.id.in_(offered))
            .group_by(AssistancePlan.person_id)
            .order_by(func.count().desc())
            .limit(1)
        )


def _correct_a_contact(store: Any, person_id: Any) -> None:
    """Correct the newest contact once, so the timeline shows a correction beside it."""
    from caseworker.casework import plans

    with store.transaction() as session:
        plan = plans.open_plan_of(session, person_id)
        assert plan is not None
        latest = plans.effective_contacts(session, plan.id)[0]
        plans.add_contact(
            session, person_id, on=latest.on, channel="visit", services=("job_referral",),
            note="入户走访，推荐保洁岗位（更正：实为入户）", supersedes=latest.id,
        )  # fmt: skip


def shoot(out: Path, persons: int, languages: list[str]) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from caseworker import i18n
    from caseworker.gui import tasks
    from caseworker.gui.app import create_application
    from caseworker.gui.fonts import apply_fonts
    from caseworker.gui.language import apply_language
    from caseworker.registry import demo
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        app = create_application(["screenshots"], languages[0])
        store = open_store(sqlite_url(folder / "demo.sqlite3"), actor="古丽·买买提")
        demo.generate(store, persons=persons, seed=2024)
        showcase = _showcase(store)
        _correct_a_contact(store, showcase)
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

                dashboard, worklist, families = (
                    window.casework_views[2],
                    window.casework_views[0],
                    window.casework_views[1],
                )
                window.show_section(5)
                _settle(app, window, lambda d=dashboard: d.figures is not None)
                save("dashboard", window)
                window.show_section(3)
                _settle(app, window, lambda w=worklist: w.model.rowCount() > 0)
                save("worklist", window)
                window.show_section(4)
                _settle(app, window, lambda f=families: f.model.rowCount() > 0)
                save("families", window)
                window.open_person(showcase)
                window.person.show_assistance()
                _settle(app, window, lambda: True)
                save("assistance", window)
                window.show_list()
                window.show_section(0)
                tasks.wait_for_all()
                window.close()
                window.deleteLater()
                app.processEvents()
        finally:
            tasks.wait_for_all()
            store.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseworker.gui.screenshots_assistance")
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
