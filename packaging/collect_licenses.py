"""Copy the licence files of every installed distribution (and Python's own) into a folder.

    python packaging/collect_licenses.py OUT_DIR

Run with the build environment's interpreter: what it has installed is what PyInstaller
bundled.  Qt's LGPLv3 terms and the notices of the other libraries travel with the program.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

SKIP = {"pyinstaller", "pyinstaller-hooks-contrib", "altgraph", "pip", "setuptools", "wheel"}


QT_NOTICE = """Qt 6 and PySide6 (Qt for Python) are used under the GNU Lesser General Public
License version 3 (LGPL-3, with the GPL-3 it refers to, both in this folder).  Qt's libraries
are the unmodified shared libraries of the PySide6-Essentials wheel from PyPI, in
_internal/PySide6/Qt/lib; they may be replaced with other builds of the same version.  Source:
https://code.qt.io and https://download.qt.io/official_releases/QtForPython/.
"""


def _is_licence(path: str) -> bool:
    lowered = path.lower()
    return any(word in lowered for word in ("licen", "copying", "notice", "authors"))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for dist in metadata.distributions():
        name = dist.metadata["Name"] or "unknown"
        if name.lower() in SKIP:
            continue
        target = out / f"{name}-{dist.version}"
        found = False
        for entry in dist.files or ():
            if ".dist-info" in str(entry) and _is_licence(str(entry)):
                source = Path(str(dist.locate_file(entry)))
                if source.is_file():
                    destination = target / Path(str(entry)).name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, destination)
                    written += 1
                    found = True
        if not found:  # the wheel ships no licence file (PySide6): keep its declared licence
            target.mkdir(exist_ok=True)
            (target / "METADATA").write_text(dist.read_text("METADATA") or "", encoding="utf-8")
            written += 1
    (out / "Qt-PySide6-NOTICE.txt").write_text(QT_NOTICE, encoding="utf-8")
    for text in ("LGPL-3", "GPL-3"):
        common = Path("/usr/share/common-licenses") / text
        if common.is_file():
            shutil.copyfile(common, out / f"{text}.txt")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for candidate in (stdlib / "LICENSE.txt", stdlib.parent / "LICENSE.txt", stdlib / "LICENSE"):
        if candidate.is_file():
            shutil.copyfile(candidate, out / f"Python-{sys.version.split()[0]}-LICENSE.txt")
            written += 1
            break
    if written == 0:
        raise SystemExit("no licence files found")
    print(f"{written} licence files in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
