"""``caseworker`` with no subcommand: the desktop program."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from caseworker.cli import build_parser

    build_parser().print_help()
    return 0
