"""``caseworker``: the command-line front end (and the GUI launcher with no subcommand).

Each command group lives in :mod:`caseworker.commands` and registers itself here.  A user
error prints one clear line and exits with status 2; anything unexpected is logged with its
traceback and the user is told where the log is (status 70).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from caseworker import __version__, bootstrap, i18n
from caseworker.core.errors import UserError
from caseworker.i18n import _

log = logging.getLogger(__name__)
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UserError(message)


def build_parser() -> argparse.ArgumentParser:
    from caseworker.commands import assess, demo, init, persons, printing, recognition

    parser = _Parser(
        prog="caseworker",
        description=_("Employment-assistance workbench for job-service stations."),
    )
    parser.add_argument("--version", action="version", version=f"caseworker {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help=_("database file or SQLAlchemy URL (default: {path})").format(
            path=bootstrap.default_db_path()
        ),
    )
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=_("language of messages"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (init, demo, persons, assess, recognition, printing):
        module.register(sub)
    return parser


def _preparse_language(argv: Sequence[str]) -> None:
    explicit = None
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            explicit = argv[index + 1]
        elif arg.startswith("--lang="):
            explicit = arg.split("=", 1)[1]
    i18n.set_language(bootstrap.choose_language(explicit))


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    bootstrap.configure_logging()
    _preparse_language(args_list)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if args.command is None:
            from caseworker.commands import gui

            return gui.run(args)
        status: int = args.handler(args)
        return status
    except UserError as exc:
        print(_("caseworker: error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("unexpected error running %s", args_list)
        print(
            _("caseworker: an unexpected error occurred; the details are in {path}").format(
                path=bootstrap.log_file()
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
