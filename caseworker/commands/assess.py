"""``caseworker assess [--on YYYY-MM-DD] [--policy ID] [--policy-dir DIR] FILE``.

Reads facts as JSON (one object, or an array of objects) from FILE or standard input (``-``),
assesses each under the policy pack in force on the date (or the pack named with ``--policy``)
and writes the results as JSON on standard output, in the same shape and order.  An invalid item
gives ``{"error": "..."}`` in its place and exit status 1; input that cannot be read or is not
JSON raises :class:`~caseworker.core.errors.UserError`.  See ``docs/assess.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from caseworker.core import jsonstream, wall
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


@contextlib.contextmanager
def _source(name: str) -> Iterator[TextIO]:
    """The input as UTF-8 text (a byte-order mark allowed), read as a stream."""
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            yield sys.stdin
            return
        stream = io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="strict", newline="")
        try:
            yield stream
        finally:
            stream.detach()
        return
    try:
        handle = Path(name).open("rb")  # noqa: SIM115 - closed below, after the error check
    except OSError as exc:
        raise UserError(
            _("Cannot read {path}: {error}.").format(path=name, error=exc.strerror or exc)
        ) from exc
    with io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="") as text:
        yield text


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


def _indented(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def run(args: argparse.Namespace) -> int:
    """Assess the input item by item (memory stays flat whatever its size); the results go
    to a temporary file and reach standard output only when the whole input was usable."""
    on: dt.date = args.on or wall.today()
    library = load_packs(args.policy_dir) if args.policy_dir else default_library()
    pack = library.select(on, args.policy)
    where = _("standard input") if args.file == "-" else args.file
    invalid = False
    with _source(args.file) as stream, tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        reader = jsonstream.Reader(stream, where)
        if reader.kind == "array":
            count = 0
            for item in reader.items():
                result = _assess_item(item, on, pack)
                invalid = invalid or "error" in result
                text = json.dumps(result, ensure_ascii=False, indent=2)
                out.write(("[\n" if count == 0 else ",\n") + _indented(for_terminal(text)))
                count += 1
            out.write("\n]\n" if count else "[]\n")
        else:
            data = reader.single()
            if not isinstance(data, dict):
                raise UserError(
                    _("{path} must hold one JSON object of facts or an array of them.").format(
                        path=where
                    )
                )
            result = _assess_item(data, on, pack)
            invalid = "error" in result
            out.write(for_terminal(json.dumps(result, ensure_ascii=False, indent=2)) + "\n")
        out.seek(0)
        while chunk := out.read(1 << 20):
            _write(chunk)
    return EXIT_INVALID_ITEM if invalid else EXIT_OK
