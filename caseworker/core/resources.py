"""Where the data files under ``resources/`` are (policy packs, calendars, templates, fonts).

In a source checkout or an editable install they are the repository's ``resources/`` folder;
an installer (``packaging/``) places the same folder beside the package, or names it in
``$CASEWORKER_RESOURCES``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "CASEWORKER_RESOURCES"


def resources_dir() -> Path:
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
