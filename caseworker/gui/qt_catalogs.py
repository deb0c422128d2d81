"""The program's catalogs of Qt's own strings: ``caseworker/gui/qt/*.po`` compiled to ``.qm``.

    python -m caseworker.gui.qt_catalogs          # compile every .po with pyside6-lrelease

Qt's dialogs (file, print) take their texts from Qt's catalogs; the program adds what PySide6's
``qtbase_zh_CN.qm`` lacks and a Uyghur catalog (Qt has none).  Sources are ``.po`` files
(``msgctxt`` = Qt's context) that translators edit like the program's own catalogs; the compiled
``.qm`` files are committed, so an installed program needs no build step.  A test checks that
every ``.qm`` says what its ``.po`` says.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from caseworker.core.errors import UserError

QT_CATALOG_DIR = Path(__file__).resolve().parent / "qt"
LRELEASE = "pyside6-lrelease"

__all__ = ["QT_CATALOG_DIR", "compile_all", "lrelease", "main", "po_files", "qm_path"]


def po_files() -> list[Path]:
    return sorted(QT_CATALOG_DIR.glob("*.po"))


def qm_path(po: Path) -> Path:
    return po.with_suffix(".qm")


def lrelease() -> Path:
    """Qt's ``lrelease`` as PySide6 installs it (beside this Python, or on the PATH)."""
    beside = Path(sys.executable).parent / LRELEASE
    if beside.exists():
        return beside
    found = shutil.which(LRELEASE)
    if found is None:
        raise UserError(f"{LRELEASE} was not found; install PySide6 in this environment.")
    return Path(found)


def compile_all() -> list[Path]:
    """Compile every ``.po`` in :data:`QT_CATALOG_DIR` to its ``.qm``; returns the files."""
    written = []
    for po in po_files():
        target = qm_path(po)
        subprocess.run(
            [str(lrelease()), "-silent", str(po), "-qm", str(target)],
            check=True,
            capture_output=True,
            text=True,
        )
        written.append(target)
    return written


def main() -> int:
    for path in compile_all():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
