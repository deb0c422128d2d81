"""``python -m caseworker.gui [--db PATH] [--lang zh_CN|ug_CN|en] [FILE.cwb]``: the desktop
program directly (a sync bundle given is imported once the database is open: what opening a
``.cwb`` file from the file manager does).

The same window as ``caseworker`` with no subcommand, without loading the command-line tools
first (a faster start).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from caseworker import i18n

    parser = argparse.ArgumentParser(prog="python -m caseworker.gui")
    parser.add_argument("--db", metavar="PATH")
    parser.add_argument("--lang", choices=i18n.LANGUAGES)
    parser.add_argument("--user", metavar="NAME")
    parser.add_argument("bundle", nargs="?", metavar="FILE.cwb")
    args = parser.parse_args(argv)
    from caseworker.gui.app import run

    return run(db=args.db, language=args.lang, user=args.user, bundle=args.bundle)


if __name__ == "__main__":
    sys.exit(main())
