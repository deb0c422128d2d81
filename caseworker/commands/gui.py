"""``caseworker`` with no subcommand: the desktop program."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from caseworker.gui.app import run as run_gui

    return int(run_gui(db=args.db, language=args.lang, user=getattr(args, "user", None)))
