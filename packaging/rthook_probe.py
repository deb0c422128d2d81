"""Runtime hook of the frozen program: a self-check for the installer test and the benchmark.

Inert unless ``CASEWORKER_PROBE_OUT`` names a folder.  Then the desktop program starts as
usual (``caseworker --db X``), and this hook, wrapped around ``caseworker.gui.app.build``:

- notes the first paint of the main window (seconds since ``CASEWORKER_PROBE_T0``, a Unix
  time the caller takes just before starting the process);
- after ``CASEWORKER_PROBE_SECONDS`` (default 10; 0: right after the first paint) saves a screenshot of the window
  (``screen.png``), collects every text the window shows, and checks each Chinese character
  against the fonts Qt actually resolved for the application font (``QRawFont``);
- writes ``probe.json`` and quits.

It lives in packaging/, not in the program, and changes nothing a user sees.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

OUT = os.environ.get("CASEWORKER_PROBE_OUT")


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _install() -> None:
    from pathlib import Path

    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtGui import QFont, QFontDatabase, QRawFont
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
        QLabel,
        QLineEdit,
        QListWidget,
        QWidget,
    )

    import caseworker.gui.app as gui_app

    out = Path(str(OUT))
    out.mkdir(parents=True, exist_ok=True)
    t0 = float(os.environ.get("CASEWORKER_PROBE_T0") or time.time())
    seconds = float(os.environ.get("CASEWORKER_PROBE_SECONDS", "10"))
    result: dict[str, object] = {}
    original_build = gui_app.build
    keep: list[QObject] = []

    def texts(window: QWidget) -> list[str]:
        found = [window.windowTitle()]
        for widget in window.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget, (QLabel, QAbstractButton)):
                found.append(widget.text())
            elif isinstance(widget, QLineEdit):
                found.append(widget.placeholderText())
            elif isinstance(widget, QListWidget):
                found += [widget.item(row).text() for row in range(widget.count())]
            elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
                # headers only: the rows of a paged model are fetched in the background
                model = widget.model()
                for col in range(min(model.columnCount(), 20)):
                    value = model.headerData(col, Qt.Orientation.Horizontal)
                    if isinstance(value, str):
                        found.append(value)
        return [t for t in found if t]

    def report(app: QApplication, window: QWidget) -> None:
        window.grab().save(str(out / "screen.png"))
        others = [w for w in app.topLevelWidgets() if w.isVisible() and w is not window]
        for index, widget in enumerate(others):  # dialogs over the window (the setup wizard)
            widget.grab().save(str(out / f"dialog-{index}.png"))
        font = app.font()
        families = list(font.families()) or [font.family()]
        raws = [QRawFont.fromFont(QFont(name)) for name in families]
        shown = "".join(texts(window))
        cjk = sorted({c for c in shown if _is_cjk(c)})
        missing = [
            c for c in cjk if not any(r.isValid() and r.supportsCharacter(ord(c)) for r in raws)
        ]
        result.update(
            {
                "application_font_families": families,
                "resolved_families": [r.familyName() for r in raws if r.isValid()],
                "all_families": QFontDatabase.families(),
                "cjk_characters_shown": len(cjk),
                "cjk_characters_without_glyph": "".join(missing),
                "sample_text": shown[:200],
                "window_title": window.windowTitle(),
                "up_seconds": round(time.time() - t0, 3),
            }
        )
        (out / "probe.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
        app.quit()

    def build(*args: Any, **kwargs: Any) -> tuple[QApplication, object]:
        app, window = original_build(*args, **kwargs)  # whatever the program passes
        assert isinstance(window, QWidget)

        class FirstPaint(QObject):
            def eventFilter(self, obj: QObject, event: QEvent) -> bool:
                if (
                    event.type() == QEvent.Type.Paint
                    and "first_paint_s" not in result
                    and isinstance(obj, QWidget)
                    and obj.window() is window
                ):
                    result["first_paint_s"] = round(time.time() - t0, 3)
                    if seconds <= 0:  # the benchmark: report right after the first paint
                        QTimer.singleShot(0, lambda: report(app, window))
                return False

        watcher = FirstPaint()
        keep.append(watcher)
        app.installEventFilter(watcher)
        if seconds > 0:
            QTimer.singleShot(int(seconds * 1000), lambda: report(app, window))
        return app, window

    gui_app.build = build  # type: ignore[assignment]


if OUT:
    _install()
