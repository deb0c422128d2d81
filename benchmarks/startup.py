"""Startup and memory of the workbench on a 100,000-person database, beside a bare window.

    python benchmarks/startup.py [--runs 5] [--persons 100000]
    python benchmarks/startup.py --installed /usr/bin/caseworker [--runs 5] [--persons 100000]

Prints JSON.  Each measurement runs in a fresh subprocess started the same way
(``python benchmarks/startup.py --child KIND``); the time is from just before the process is
started to the first paint event of the main window (Qt's offscreen platform unless
``QT_QPA_PLATFORM`` says otherwise).  The memory run scrolls the full registry list from top
to bottom and reports the peak resident set size (``ru_maxrss``).  The database is built once
with ``caseworker.registry.demo.generate`` and cached in ``benchmarks/out/`` (gitignored).

``--installed PATH`` measures the installed bundle (the .deb's ``/usr/bin/caseworker``, or a
bundle folder's ``caseworker``) beside the bare window instead: the bundle is started as a user
starts it (``caseworker --db DB --lang zh_CN``), and its first paint is noted by the bundle's
own probe hook (``packaging/rthook_probe.py``, inert unless ``CASEWORKER_PROBE_OUT`` is set),
from the same starting point as the bare window's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
SEED = 7


def database(persons: int) -> Path:
    path = OUT / f"startup-{persons}.sqlite3"
    if path.exists():
        import sqlite3

        with sqlite3.connect(path) as connection:
            try:
                count = connection.execute("SELECT count(*) FROM person").fetchone()[0]
            except sqlite3.DatabaseError:
                count = -1
        connection.close()
        if count == persons:
            return path
        path.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    from caseworker.registry import demo
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = open_store(sqlite_url(partial), actor="benchmark")
    try:
        demo.generate(store, persons=persons, seed=SEED)
    finally:
        store.dispose()
    partial.rename(path)
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# -- children -----------------------------------------------------------------------------------


def child(kind: str, db: str, scroll: bool) -> None:
    t0 = float(os.environ["BENCH_T0"])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    result: dict[str, Any] = {"kind": kind}
    app: Any = None
    window: Any = None

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Paint
                and "first_paint_s" not in result
                and isinstance(obj, QWidget)
                and obj.window() is window
            ):
                result["first_paint_s"] = time.time() - t0
                QTimer.singleShot(0, after_paint)
            return False

    def after_paint() -> None:
        if not scroll or kind == "bare":
            finish()
        else:
            wait_for_rows()

    def wait_for_rows() -> None:
        registry = getattr(window, "registry", None)
        if registry is None or registry.model.rowCount() == 0:
            QTimer.singleShot(5, wait_for_rows)
            return
        result["rows_listed_s"] = time.time() - t0
        table = registry.table
        model = registry.model
        rows = model.rowCount()
        result["rows"] = rows
        # one stop per page of rows: every page is fetched and shown once
        step = min(model.page_size, max(table.viewport().height() // table.rowHeight(0), 1) * 8)
        result["scroll_step_rows"] = step
        start = time.time()
        for row in range(0, rows, step):
            table.scrollTo(model.index(row, 0))
            app.processEvents()
        table.scrollToBottom()
        app.processEvents()
        result["scroll_s"] = time.time() - start
        result["pages_fetched"] = model.pages_fetched
        finish()

    def finish() -> None:
        result["peak_rss_mb"] = round(peak_mb(), 1)
        print(json.dumps(result), flush=True)
        os._exit(0)  # measured: skip the teardown

    if kind == "cli":  # the real command line: `caseworker --db X` (cli.py, then the GUI)
        import caseworker.cli
        import caseworker.gui.app as gui_app

        def run(db: str | None = None, language: str | None = None) -> int:
            nonlocal app, window
            app, window = gui_app.build(db, language)
            app.installEventFilter(watcher)
            QTimer.singleShot(120_000, lambda: os._exit(3))
            return app.exec()

        gui_app.run = run  # type: ignore[assignment]
        watcher = FirstPaint()
        caseworker.cli.main(["--db", db, "--lang", "zh_CN"])
        return
    if kind == "bare":
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1280, 800)
        window.show()
    else:
        from caseworker.gui.app import build

        app, window = build(db, "zh_CN")

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    QTimer.singleShot(120_000, lambda: os._exit(3))
    app.exec()


# -- parent -------------------------------------------------------------------------------------


def measure(kind: str, db: Path, scroll: bool, home: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_STATE_HOME"] = str(home / "state")
    env["XDG_DATA_HOME"] = str(home / "data")
    env["BENCH_T0"] = repr(time.time())
    args = [sys.executable, __file__, "--child", kind, "--db", str(db)]
    if scroll:
        args.append("--scroll")
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure_installed(program: str, db: Path, home: Path) -> dict[str, Any]:
    """One start of the installed bundle, to its first paint (it quits right after)."""
    probe = home / "probe"
    shutil.rmtree(probe, ignore_errors=True)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_STATE_HOME"] = str(home / "state")
    env["XDG_DATA_HOME"] = str(home / "data")
    env["CASEWORKER_PROBE_OUT"] = str(probe)
    env["CASEWORKER_PROBE_SECONDS"] = "0"
    env["CASEWORKER_PROBE_T0"] = repr(time.time())
    args = [program, "--db", str(db), "--lang", "zh_CN"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)
    report = probe / "probe.json"
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def installed_report(program: str, runs: int, persons: int) -> dict[str, Any]:
    db = database(persons)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        measure_installed(program, db, home)  # warm the OS file cache
        measure("bare", db, False, home)
        bare: list[float] = []
        bundle: list[float] = []
        for _ in range(runs):
            bare.append(round(measure("bare", db, False, home)["first_paint_s"], 3))
            bundle.append(measure_installed(program, db, home)["first_paint_s"])
    return {
        "persons": persons,
        "runs": runs,
        "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "installed": program,
        "first_paint_s": {"bare_qmainwindow": median(bare), "installed_bundle": median(bundle)},
        "first_paint_ratio": round(median(bundle) / median(bare), 2),
        "first_paint_target_ratio": 1.5,
        "all_first_paint_s": {"bare_qmainwindow": bare, "installed_bundle": bundle},
    }


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--child", choices=("bare", "gui", "cli"))
    parser.add_argument("--db", default="")
    parser.add_argument("--scroll", action="store_true")
    parser.add_argument("--installed", metavar="PATH", help="the installed bundle's caseworker")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.scroll)
        return
    if args.installed:
        print(json.dumps(installed_report(args.installed, args.runs, args.persons), indent=2))
        return
    db = database(args.persons)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        measure("gui", db, False, home)  # warm the OS file cache and Python's bytecode
        measure("bare", db, False, home)
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "gui": [], "cli": []}
        for _ in range(args.runs):
            for kind in ("bare", "gui", "cli"):
                runs[kind].append(measure(kind, db, False, home))
        scrolls: dict[str, list[dict[str, Any]]] = {"bare": [], "gui": []}
        for _ in range(max(args.runs // 2, 2)):
            for kind in ("bare", "gui"):
                scrolls[kind].append(measure(kind, db, True, home))
    bare_paint = median([r["first_paint_s"] for r in runs["bare"]])
    gui_paint = median([r["first_paint_s"] for r in runs["gui"]])
    bare_mem = median([r["peak_rss_mb"] for r in scrolls["bare"]])
    gui_mem = median([r["peak_rss_mb"] for r in scrolls["gui"]])
    report = {
        "persons": args.persons,
        "runs": args.runs,
        "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "python": sys.version.split()[0],
        "first_paint_s": {
            "bare_qmainwindow": bare_paint,
            "caseworker_gui_entry": gui_paint,
            "caseworker_cli_entry": median([r["first_paint_s"] for r in runs["cli"]]),
        },
        "first_paint_ratio": round(gui_paint / bare_paint, 2),
        "first_paint_ratio_cli_entry": round(
            median([r["first_paint_s"] for r in runs["cli"]]) / bare_paint, 2
        ),
        "first_paint_target_ratio": 1.5,
        "caseworker_rows_listed_s": median([r["rows_listed_s"] for r in scrolls["gui"]]),
        "caseworker_scroll_all_rows_s": median([r["scroll_s"] for r in scrolls["gui"]]),
        "caseworker_pages_fetched_while_scrolling": scrolls["gui"][0]["pages_fetched"],
        "peak_rss_mb": {"bare_qmainwindow": bare_mem, "caseworker_scrolled": gui_mem},
        "peak_rss_above_bare_mb": round(gui_mem - bare_mem, 1),
        "peak_rss_target_above_bare_mb": 100,
        "all_first_paint_s": {
            k: [round(r["first_paint_s"], 3) for r in v] for k, v in runs.items()
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
