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
NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for dist in metadata.distributions():
        name = dist.metadata["Name"] or "unknown"
        if name.lower() in SKIP:
            continue
        target = out / f"{name}-{dist.version}"
        for entry in dist.files or ():
            if any(part in entry.name.upper() for part in NAMES):
                source = Path(str(dist.locate_file(entry)))
                if source.is_file():
                    target.mkdir(exist_ok=True)
                    shutil.copyfile(source, target / entry.name)
                    written += 1
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
