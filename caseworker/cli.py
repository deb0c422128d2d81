"""``caseworker``: the command-line front end (and the GUI launcher with no subcommand).

Each command group lives in :mod:`caseworker.commands` and registers itself here.  A user
error prints one clear line and exits with status 2; anything unexpected is logged with its
traceback and the user is told where the log is (status 70).

A command may tell refused input apart from a usage mistake: it sets ``refused_status`` in its
defaults (``caseworker assist`` and ``caseworker families`` use 1), and then a user error
raised while it runs exits with that status, except a
:class:`~caseworker.core.errors.UsageError` or a mistake argparse found (always 2).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from caseworker import __version__, i18n
from caseworker.core import wall
from caseworker.core.errors import UsageError, UserError
from caseworker.core.text import for_terminal
from caseworker.i18n import _

#: Global options that take a value; with only these, ``caseworker`` starts the desktop
#: program without loading the command-line tools (SQLAlchemy, Alembic: a slower start).
_GLOBAL_WITH_VALUE = ("--db", "--lang", "--user")
#: The password of ``--user`` for scripts (otherwise it is asked at the terminal).
PASSWORD_ENV = "CASEWORKER_PASSWORD"

log = logging.getLogger(__name__)
EXIT_USER_ERROR = 2
#: Refused input (an unknown person, a date in the future …) of the commands that ask for it.
EXIT_REFUSED = 1
EXIT_INTERNAL_ERROR = 70


class _TerminalSafe(io.TextIOBase):
    """A text stream that shows control characters and direction overrides as escapes
    (:func:`caseworker.core.text.for_terminal`): names, notes and file contents that a
    command prints can never move the cursor, recolour or reorder the terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(for_terminal(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._stream, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._stream, "errors", None)

    @property
    def buffer(self) -> object:
        """The byte stream underneath (for output that escapes itself, such as JSON)."""
        return getattr(self._stream, "buffer", None)


@contextlib.contextmanager
def _terminal_safe_output() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(out), _TerminalSafe(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UserError(message)


def _only_global_options(argv: Sequence[str]) -> bool:
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in _GLOBAL_WITH_VALUE and index + 1 < len(argv):
            index += 2
        elif arg.split("=", 1)[0] in _GLOBAL_WITH_VALUE and "=" in arg:
            index += 1
        else:
            return False
    return True


def build_parser() -> argparse.ArgumentParser:
    from caseworker import bootstrap
    from caseworker.commands import (
        assess,
        assist,
        audit,
        county,
        demo,
        families,
        init,
        persons,
        posts,
        printing,
        recognition,
        security,
        sync,
    )

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
    parser.add_argument(
        "--user",
        metavar="NAME",
        help=_(
            "log in as this staff member; the password is asked, or read from CASEWORKER_PASSWORD"
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (
        init, demo, persons, assess, recognition, assist, families, posts, printing, audit,
        sync, county, security,
    ):  # fmt: skip
        module.register(sub)
    return parser


def _lang_arg(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` or ``--lang=X`` in ``argv``."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    language = _lang_arg(args_list)
    # no command: the desktop program (with a sync bundle to import, as the file manager
    # passes it when a .cwb file is opened)
    bundle = args_list[-1:] if args_list and args_list[-1].lower().endswith(".cwb") else []
    rest = args_list[: len(args_list) - len(bundle)]
    if _only_global_options(rest) and language in (None, *i18n.LANGUAGES):
        from caseworker.gui.__main__ import main as gui_main

        return int(gui_main(args_list))
    from caseworker import bootstrap

    bootstrap.configure_logging()
    wall.install_from_environment()
    i18n.set_language(i18n.choose_language(language))
    with _terminal_safe_output():
        return _run(args_list)


def _run(args_list: list[str]) -> int:
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        _use_login(args)
        if args.command is None:
            from caseworker.commands import gui

            return gui.run(args)  # reached with an unusual spelling of the global options
        status: int = args.handler(args)
        return status
    except UserError as exc:
        print(_("caseworker: error: {message}").format(message=exc), file=sys.stderr)
        if args is None or isinstance(exc, UsageError):
            return EXIT_USER_ERROR
        return int(getattr(args, "refused_status", EXIT_USER_ERROR))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("unexpected error running %s", args_list)
        print(
            _("caseworker: an unexpected error occurred; the details are in {path}").format(
                path=_log_file()
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
    finally:
        from caseworker import bootstrap

        bootstrap.use_login(None)  # the login is this command's only


def _use_login(args: argparse.Namespace) -> None:
    from caseworker import bootstrap
    from caseworker.security.login import Credentials

    name = getattr(args, "user", None)
    if not name:
        bootstrap.use_login(None)
        return
    bootstrap.use_login(Credentials(name.strip(), lambda: ask_password(name.strip())))


def secret_from_environment(name: str, envs: Sequence[str | None]) -> str | None:
    """The first of ``envs`` that is set (scripts), else None when a terminal can ask for it;
    with neither, a usage error naming the first variable."""
    import os

    for env in envs:
        value = os.environ.get(env) if env else None
        if value is not None:
            return value
    if not sys.stdin.isatty():
        raise UsageError(
            _("Give the password of {name} in {env} (no terminal to ask it at).").format(
                name=name, env=envs[0]
            )
        )
    return None


def ask_password(name: str) -> str:
    """The password from ``$CASEWORKER_PASSWORD`` (scripts), or asked at the terminal
    without echo."""
    value = secret_from_environment(name, [PASSWORD_ENV])
    if value is not None:
        return value
    import getpass

    return getpass.getpass(_("Password of {name}: ").format(name=name))


def _log_file() -> object:
    from caseworker import bootstrap

    return bootstrap.log_file()
