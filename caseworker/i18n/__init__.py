"""Translations and locale formatting.

Strings for people are written in English and passed through :func:`_`.  Module-level
strings are marked with :func:`N_` and translated when shown.  The active language is set
once by the composition root (:func:`set_language`); the default is Simplified Chinese.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "caseworker"
#: Environment variable naming the language (between ``--lang`` and the stored choice).
LANG_ENV = "CASEWORKER_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "zh_CN"
#: Languages with a complete catalog; "en" is the source language.
LANGUAGES = ("zh_CN", "ug_CN", "en")
RTL_LANGUAGES = frozenset({"ug_CN"})
#: Babel locale identifiers for each language code.
BABEL_LOCALES = {"zh_CN": "zh_Hans_CN", "ug_CN": "ug_CN", "en": "en_US"}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Activate ``language`` (one of :data:`LANGUAGES`) for every later ``_()`` call."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if language == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language


def choose_language(explicit: str | None = None, stored: str | None = None) -> str:
    """The language to use: ``--lang``, then ``$CASEWORKER_LANG``, then the stored choice,
    then the default; unknown values are passed over."""
    for candidate in (explicit, os.environ.get(LANG_ENV), stored):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def current_language() -> str:
    return _language


def is_rtl(language: str | None = None) -> bool:
    return (language or _language) in RTL_LANGUAGES


def babel_locale(language: str | None = None) -> str:
    return BABEL_LOCALES[language or _language]


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
