"""Where the data files under ``resources/`` are (policy packs, calendars, templates, fonts).

Reference data the county sent (policy packs, calendars, county parameters; see
:mod:`caseworker.sync.receipt`) is kept apart, in :func:`received_dir`, and read after the
shipped files: a received file replaces a shipped one of the same name.

Searched in this order: ``$CASEWORKER_RESOURCES``; the ``resources`` folder of a frozen build
(PyInstaller's ``sys._MEIPASS``); the repository's ``resources/`` beside the package (a source
checkout or an editable install).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "CASEWORKER_RESOURCES"
RECEIVED_ENV = "CASEWORKER_REFERENCE"


def resources_dir() -> Path:
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def received_dir(kind: str = "") -> Path:
    """Where the reference data received from the county is kept (``kind``: ``policy``,
    ``calendar`` or ``county``): ``$CASEWORKER_REFERENCE``, else the user's data folder."""
    override = os.environ.get(RECEIVED_ENV)
    if override:
        base = Path(override)
    else:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("caseworker", appauthor=False)) / "reference"
    return base / kind if kind else base
