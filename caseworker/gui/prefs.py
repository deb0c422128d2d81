"""Window preferences kept with QSettings (geometry, last section, language mirror)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "caseworker"
APPLICATION = "caseworker"
GEOMETRY = "window/geometry"
STATE = "window/state"
SECTION = "window/section"
LANGUAGE = "language"


def settings() -> QSettings:
    """The user's settings file (an ini file in the user's config directory)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def stored_language() -> str | None:
    value = settings().value(LANGUAGE)
    return str(value) if value else None


def store_language(language: str) -> None:
    s = settings()
    s.setValue(LANGUAGE, language)
    s.sync()
