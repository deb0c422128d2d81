"""The glibc a bundle needs: the highest ``GLIBC_x.y`` symbol version of any ELF file in it.

    python packaging/glibc_floor.py BUNDLE_DIR [--json OUT.json]

Reads each ELF file's version needs with ``objdump -T`` (binutils) and prints JSON: the highest
version, and for each version at the top the files that need it (the ones to rebuild on an
older base to lower the floor).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

SYMBOL = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def needs(path: Path) -> set[tuple[int, ...]]:
    done = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True, check=False)
    return {
        tuple(int(part) for part in match.groups() if part is not None)
        for match in SYMBOL.finditer(done.stdout)
    }


def floor(bundle: Path) -> dict[str, object]:
    per_file: dict[str, tuple[int, ...]] = {}
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink() and is_elf(path):
            versions = needs(path)
            if versions:
                per_file[str(path.relative_to(bundle))] = max(versions)
    if not per_file:
        raise SystemExit(f"no ELF file with GLIBC_ symbols under {bundle}")
    highest = max(per_file.values())
    ranked = sorted(set(per_file.values()), reverse=True)[:3]
    return {
        "highest": ".".join(map(str, highest)),
        "elf_files": len(per_file),
        "top_versions": {
            ".".join(map(str, v)): sorted(f for f, w in per_file.items() if w == v)[:12]
            for v in ranked
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = floor(args.bundle)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
