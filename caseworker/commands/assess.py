"""``caseworker assess [--on YYYY-MM-DD] [--policy ID] [--policy-dir DIR] FILE``.

Reads facts as JSON (one object, or an array of objects) from FILE or standard input (``-``),
assesses each under the policy pack in force on the date (or the pack named with ``--policy``)
and writes the results as JSON on standard output, in the same shape and order.  An invalid item
gives ``{"error": "..."}`` in its place and exit status 1; input that cannot be read or is not
JSON raises :class:`~caseworker.core.errors.UserError`.  See ``docs/assess.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from caseworker.core import wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.core.text import for_terminal
from caseworker.i18n import _
from caseworker.policy.dates import parse_iso_date
from caseworker.policy.engine import assess
from caseworker.policy.facts import facts_from_json
from caseworker.policy.pack import PolicyPack, default_library, load_packs

__all__ = ["register", "run"]

EXIT_OK = 0
EXIT_INVALID_ITEM = 1


def _date_argument(text: str) -> dt.date:
    try:
        return parse_iso_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a real date written as YYYY-MM-DD").format(value=text)
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "assess",
        help=_("assess whether persons are persons with employment difficulty"),
        description=_(
            "Assess facts given as JSON (one object or an array of objects) under the policy "
            "pack in force on the date, and print the decisions as JSON."
        ),
    )
    parser.add_argument(
        "--on",
        type=_date_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help=_("assessment date (default: today)"),
    )
    parser.add_argument(
        "--policy",
        metavar="ID",
        default=None,
        help=_("use the policy pack with this id instead of the one in force on the date"),
    )
    parser.add_argument(
        "--policy-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help=_("also load the policy packs in this folder"),
    )
    parser.add_argument(
        "file", metavar="FILE", help=_("JSON file of facts, or - for standard input")
    )
    parser.set_defaults(handler=run)


def _read_text(name: str) -> str:
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            return sys.stdin.read()
        raw: bytes = buffer.read()
        where = _("standard input")
    else:
        where = name
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            raise UserError(
                _("Cannot read {path}: {error}.").format(path=name, error=exc.strerror or exc)
            ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            _("{path} is not UTF-8 text; save it as UTF-8 and try again.").format(path=where)
        ) from None


def _load_json(name: str) -> object:
    text = _read_text(name)
    where = _("standard input") if name == "-" else name
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            _("{path} is not valid JSON: {error} (line {line}, column {column}).").format(
                path=where, error=exc.msg, line=exc.lineno, column=exc.colno
            )
        ) from None


def _assess_item(item: object, on: dt.date, pack: PolicyPack) -> dict[str, Any]:
    try:
        facts = facts_from_json(item)
        return assess(facts, on, pack=pack).to_json()
    except ValidationError as exc:
        return {"error": str(exc)}


def _write(text: str) -> None:
    """Write UTF-8 whatever the console's code page, so that the output stays valid JSON.

    Characters that would act on a terminal (direction overrides, C1 controls) and lone
    surrogates, which UTF-8 cannot hold, are written as JSON escapes (``\\u202e``): the
    same JSON, safe to show."""
    text = for_terminal(text)
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding in ("utf8", "utf8sig") or buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def run(args: argparse.Namespace) -> int:
    on: dt.date = args.on or wall.today()
    library = load_packs(args.policy_dir) if args.policy_dir else default_library()
    pack = library.select(on, args.policy)
    data = _load_json(args.file)
    if isinstance(data, list):
        results: list[dict[str, Any]] = [_assess_item(item, on, pack) for item in data]
        output: object = results
    elif isinstance(data, dict):
        results = [_assess_item(data, on, pack)]
        output = results[0]
    else:
        raise UserError(
            _("{path} must hold one JSON object of facts or an array of them.").format(
                path=_("standard input") if args.file == "-" else args.file
            )
        )
    _write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    return EXIT_INVALID_ITEM if any("error" in r for r in results) else EXIT_OK
