"""Where the policy packs and calendars live (see :mod:`caseworker.core.resources`)."""

from __future__ import annotations

from pathlib import Path

from caseworker.core.resources import ENV as RESOURCES_ENV
from caseworker.core.resources import resources_dir

__all__ = ["RESOURCES_ENV", "calendar_dir", "policy_dir", "resources_dir"]


def policy_dir() -> Path:
    return resources_dir() / "policy"


def calendar_dir() -> Path:
    return resources_dir() / "calendar"
