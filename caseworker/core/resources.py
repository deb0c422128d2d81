"""Where the data files under ``resources/`` are (policy packs, calendars, templates, fonts).

Searched in this order: ``$CASEWORKER_RESOURCES``; the ``resources`` folder of a frozen build
(PyInstaller's ``sys._MEIPASS``); the repository's ``resources/`` beside the package (a source
checkout or an editable install).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "CASEWORKER_RESOURCES"


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
