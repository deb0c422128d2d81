"""Where the shipped data files live (``resources/`` at the top of the source tree)."""

from __future__ import annotations

import os
from pathlib import Path

#: Set this environment variable to use another resources folder (e.g. an installed copy).
RESOURCES_ENV = "CASEWORKER_RESOURCES"


def resources_dir() -> Path:
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def policy_dir() -> Path:
    return resources_dir() / "policy"


def calendar_dir() -> Path:
    return resources_dir() / "calendar"
