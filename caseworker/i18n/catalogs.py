"""Build the gettext catalogs with Babel: extract, update, compile, check.

Run from a source checkout (the translations/ folder is not installed)::

    python -m caseworker.i18n.catalogs extract   # code -> translations/caseworker.pot
    python -m caseworker.i18n.catalogs update    # extract, then .pot -> translations/<lang>/LC_MESSAGES/caseworker.po
    python -m caseworker.i18n.catalogs compile   # .po -> caseworker/i18n/locale/<lang>/LC_MESSAGES/caseworker.mo
    python -m caseworker.i18n.catalogs check     # fail if the .pot, a .po or a .mo is out of date

The compiled ``.mo`` files are committed, so an installed program needs no build step.
See docs/translations.md.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from caseworker.i18n import DOMAIN

ROOT = Path(__file__).resolve().parents[2]
MAPPING_FILE = ROOT / "babel.cfg"
TRANSLATIONS_DIR = ROOT / "translations"
TEMPLATE = TRANSLATIONS_DIR / f"{DOMAIN}.pot"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

PROJECT = "caseworker"
COPYRIGHT_HOLDER = "the caseworker project"
#: Languages with a catalog (English is the source language and has none).
CATALOG_LANGUAGES = ("zh_CN", "ug_CN")
#: Marker functions, in Babel's keyword-spec notation (pybabel: -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2).
KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
#: Plural rules.  Chinese and Uyghur both use one form after a numeral (Uyghur: "3 كىشى", not
#: "3 كىشىلەر"); Babel's CLDR data gives Uyghur two forms, so we set the rule explicitly.
PLURAL_FORMS = {"zh_CN": (1, "0"), "ug_CN": (1, "0")}
LANGUAGE_TEAMS = {
    "zh_CN": "Chinese (Simplified) <caseworker translators>",
    "ug_CN": "Uyghur <caseworker translators>",
}
#: Headers Babel does not model; written after Babel's own and kept across updates.
EXTRA_HEADERS = {
    "ug_CN": {"X-Review-Status": "machine-drafted; needs review by a native Uyghur speaker"},
}
LAST_TRANSLATORS = {
    "zh_CN": "caseworker i18n",
    "ug_CN": "caseworker i18n (machine draft; native review pending)",
}
HEADER_COMMENTS = {
    "zh_CN": (
        "# Simplified Chinese translations for caseworker (就业援助工作台).\n"
        "# Copyright (C) YEAR ORGANIZATION\n"
        "# This file is distributed under the same license as the caseworker project.\n"
        "# Terminology: docs/translations.md (glossary) and 新政办发〔2023〕49号.\n"
        "#"
    ),
    "ug_CN": (
        "# Uyghur (Arabic script, UEY) translations for caseworker.\n"
        "# Copyright (C) YEAR ORGANIZATION\n"
        "# This file is distributed under the same license as the caseworker project.\n"
        "#\n"
        "# REVIEW STATUS: machine-drafted.  Every entry needs review by a\n"
        "# native Uyghur speaker familiar with Xinjiang public employment\n"
        "# services before release.\n"
        '# See docs/translations.md ("Reviewing the Uyghur catalog").\n'
        "#"
    ),
}

_HEADER_LINE = re.compile(r'^"([A-Za-z][A-Za-z0-9-]*): (.*)\\n"$')


# --------------------------------------------------------------------------- paths and I/O


def po_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def _project_version() -> str:
    try:
        import tomllib

        with (ROOT / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "0"


def _extra_headers_in(path: Path) -> dict[str, str]:
    """The ``X-*`` headers already in a .po file (Babel drops headers it does not model)."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    in_header = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith('msgid ""'):
            in_header = True
            continue
        if in_header and not line.strip():
            break
        m = _HEADER_LINE.match(line)
        if in_header and m and m.group(1).startswith("X-"):
            found[m.group(1)] = m.group(2)
    return found


def _render_po(catalog: Catalog, extra_headers: dict[str, str] | None = None) -> str:
    buf = io.BytesIO()
    write_po(buf, catalog, width=76, include_previous=True)
    text = buf.getvalue().decode("utf-8")
    if extra_headers:
        lines = "".join(f'"{k}: {v}\\n"\n' for k, v in extra_headers.items())
        # Babel writes "Generated-By" last in the header entry.
        text = re.sub(
            r'("Generated-By: [^"\n]*\\n"\n)', lambda m: m.group(1) + lines, text, count=1
        )
    return text


def _write_if_changed(path: Path, text: str, ignore: Sequence[str] = ()) -> bool:
    """Write ``text`` unless the file differs only in lines starting with ``ignore``."""

    def significant(s: str) -> list[str]:
        return [ln for ln in s.splitlines() if not any(ln.startswith(p) for p in ignore)]

    if path.exists() and significant(path.read_text(encoding="utf-8")) == significant(text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


# --------------------------------------------------------------------------- extract


def extract_catalog() -> Catalog:
    """Extract every marked string under caseworker/ into a template catalog (in memory)."""
    with MAPPING_FILE.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(MAPPING_FILE))  # type: ignore[no-untyped-call]
    catalog = Catalog(
        project=PROJECT,
        version=_project_version(),
        copyright_holder=COPYRIGHT_HOLDER,
        charset="utf-8",
        domain=DOMAIN,
        msgid_bugs_address="",
    )
    filenames = set()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        callback=lambda name, _method, _options: filenames.add(name.replace("\\", "/")),
    ):
        catalog.add(
            message,
            None,
            [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments,
            context=context,
        )
    for filename in sorted(filenames):
        for lineno, message, context in calls_inside_fstrings(ROOT / filename):
            catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def calls_inside_fstrings(path: Path) -> list[tuple[int, Any, str | None]]:
    """Marker calls written inside an f-string's braces, e.g. ``f"{_('Sex')}: {x}"``.

    Babel's Python extractor reads an f-string as one token on Python < 3.12 and misses them;
    they are still translated at run time, so they are added to the template here.  (Such
    code glues fragments together and should be rewritten; see docs/translations.md.)
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[tuple[int, Any, str | None]] = []
    for fstring in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
        for call in (n for n in ast.walk(fstring) if isinstance(n, ast.Call)):
            name = call.func.id if isinstance(call.func, ast.Name) else ""
            if name not in KEYWORDS:
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
            context: str | None = None
            if name == "pgettext" and len(args) >= 2 and isinstance(args[0], str):
                context, args = args[0], args[1:]
            if name == "ngettext" and len(args) >= 2:
                if isinstance(args[0], str) and isinstance(args[1], str):
                    found.append((call.lineno, (args[0], args[1]), context))
            elif args and isinstance(args[0], str):
                found.append((call.lineno, args[0], context))
    return found


def extract() -> bool:
    """Write translations/caseworker.pot; return whether it changed (dates are ignored)."""
    text = _render_po(extract_catalog())
    return _write_if_changed(TEMPLATE, text, ignore=('"POT-Creation-Date:', '"Generated-By:'))


# --------------------------------------------------------------------------- update


def _set_language_headers(catalog: Catalog, language: str) -> None:
    nplurals, expr = PLURAL_FORMS[language]
    catalog.mime_headers = [("Plural-Forms", f"nplurals={nplurals}; plural={expr};")]
    catalog.language_team = LANGUAGE_TEAMS[language]
    catalog.project = PROJECT
    catalog.version = _project_version()
    catalog.copyright_holder = COPYRIGHT_HOLDER
    catalog.fuzzy = False
    catalog.msgid_bugs_address = ""


def update_language(language: str, template: Catalog) -> bool:
    path = po_path(language)
    if path.exists():
        catalog = read_catalog(path, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.header_comment = HEADER_COMMENTS[language]
        catalog.creation_date = template.creation_date
        catalog.revision_date = template.creation_date
        catalog.last_translator = LAST_TRANSLATORS[language]
    _set_language_headers(catalog, language)
    extra = {**EXTRA_HEADERS.get(language, {}), **_extra_headers_in(path)}
    text = _render_po(catalog, extra)
    return _write_if_changed(path, text, ignore=('"POT-Creation-Date:', '"Generated-By:'))


def update() -> list[str]:
    """Extract, then merge the template into each language's .po; return the changed files."""
    changed = []
    if extract():
        changed.append(str(TEMPLATE.relative_to(ROOT)))
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    for language in CATALOG_LANGUAGES:
        if update_language(language, template):
            changed.append(str(po_path(language).relative_to(ROOT)))
    return changed


# --------------------------------------------------------------------------- compile


def compile_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_language(language: str) -> bool:
    catalog = read_catalog(po_path(language), locale=language)
    data = compile_bytes(catalog)
    target = mo_path(language)
    if target.exists() and _mo_content(target.read_bytes()) == _mo_content(data):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def compile_all() -> list[str]:
    return [
        str(mo_path(lang).relative_to(ROOT)) for lang in CATALOG_LANGUAGES if compile_language(lang)
    ]


# --------------------------------------------------------------------------- check


MessageKey = tuple[Any, str | None]


def message_keys(catalog: Iterable[Message]) -> set[MessageKey]:
    """(msgid, msgctxt) of every real message; a plural msgid is the (singular, plural) pair."""
    return {(m.id, m.context) for m in catalog if m.id}


def _frozen(value: Any) -> Any:
    """A plural's ids and strings read back from a .mo file are lists: as tuples, hashable."""
    return tuple(value) if isinstance(value, list) else value


def _mo_content(data: bytes) -> tuple[dict[MessageKey, Any], list[tuple[str, str]]]:
    """What a .mo file means: its translations and its headers (without the Babel version)."""
    catalog = read_mo(io.BytesIO(data))
    messages = {(_frozen(m.id), m.context): _frozen(m.string) for m in catalog if m.id}
    headers = [(k, v) for k, v in catalog.mime_headers if k != "Generated-By"]
    return messages, headers


def stale_template() -> tuple[set[MessageKey], set[MessageKey]]:
    """(missing from the .pot, no longer in the code), comparing message ids and contexts."""
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    code = message_keys(extract_catalog())
    pot = message_keys(template)
    return code - pot, pot - code


def mo_is_fresh(language: str) -> bool:
    target = mo_path(language)
    if not target.exists():
        return False
    expected = compile_bytes(read_catalog(po_path(language), locale=language))
    return _mo_content(target.read_bytes()) == _mo_content(expected)


@dataclass
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _describe(key: MessageKey) -> str:
    msgid, context = key
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    return f"[{context}] {text!r}" if context else repr(text)


def check() -> list[Problem]:
    """Everything that makes the committed catalogs out of date or incomplete."""
    problems: list[Problem] = []
    pot_name = str(TEMPLATE.relative_to(ROOT))
    if not TEMPLATE.exists():
        return [Problem(pot_name, "missing; run `python -m caseworker.i18n.catalogs update`")]
    missing, gone = stale_template()
    problems += [
        Problem(pot_name, f"not extracted yet: {_describe(k)}") for k in sorted(missing, key=str)
    ]
    problems += [
        Problem(pot_name, f"no longer in the code: {_describe(k)}") for k in sorted(gone, key=str)
    ]
    with TEMPLATE.open("rb") as f:
        template_keys = message_keys(read_po(f))
    for language in CATALOG_LANGUAGES:
        po = po_path(language)
        po_name = str(po.relative_to(ROOT))
        if not po.exists():
            problems.append(Problem(po_name, "missing"))
            continue
        catalog = read_catalog(po, locale=language)
        for key in sorted(template_keys - message_keys(catalog), key=str):
            problems.append(Problem(po_name, f"not merged from the .pot: {_describe(key)}"))
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                problems.append(
                    Problem(po_name, f"fuzzy: {_describe((message.id, message.context))}")
                )
            elif not all(strings):
                problems.append(
                    Problem(po_name, f"untranslated: {_describe((message.id, message.context))}")
                )
        if not mo_is_fresh(language):
            problems.append(
                Problem(
                    str(mo_path(language).relative_to(ROOT)), "stale; run `... catalogs compile`"
                )
            )
    return problems


# --------------------------------------------------------------------------- placeholders


_FORMATTER = string.Formatter()
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    """The ``{fields}`` (with format spec and conversion) and ``%`` specifiers in ``text``, sorted.

    Raises ValueError if ``text`` is not a valid ``str.format`` string.
    """
    found = []
    for _literal, field, spec, conversion in _FORMATTER.parse(text):
        if field is not None:
            found.append(
                "{"
                + field
                + ("!" + conversion if conversion else "")
                + (":" + spec if spec else "")
                + "}"
            )
    found += [m.group(0) for m in _PERCENT.finditer(text) if m.group(0) != "%%"]
    return sorted(found)


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m caseworker.i18n.catalogs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["extract", "update", "compile", "check"])
    args = parser.parse_args(argv)
    if args.command == "extract":
        changed = [str(TEMPLATE.relative_to(ROOT))] if extract() else []
    elif args.command == "update":
        changed = update()
    elif args.command == "compile":
        changed = compile_all()
    else:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(
                f"{len(problems)} problem(s). To refresh: python -m caseworker.i18n.catalogs update;"
                " translate the new entries in translations/*/LC_MESSAGES/caseworker.po;"
                " python -m caseworker.i18n.catalogs compile",
                file=sys.stderr,
            )
            return 1
        print("catalogs are up to date")
        return 0
    for name in changed:
        print(f"wrote {name}")
    if not changed:
        print("nothing changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
