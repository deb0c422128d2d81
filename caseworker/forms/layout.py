"""Form layouts and default labels, read from TOML files under ``resources/forms/``.

A county can adjust a layout (labels, widths, order of rows) by editing the TOML; a mistake in
the file gives a :class:`LayoutError` that names the file and the problem.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from caseworker.core.errors import UserError
from caseworker.core.resources import resources_dir
from caseworker.forms.data import Category
from caseworker.i18n import _


def forms_dir() -> Path:
    return resources_dir() / "forms"


class LayoutError(UserError):
    """A layout file that cannot be used."""


@functools.lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise LayoutError(
            _("Cannot read the form layout {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(
            _("The form layout {path} has a mistake: {reason}").format(path=path, reason=exc)
        ) from exc


def load_layout(name: str, layout_dir: Path | None = None) -> dict[str, Any]:
    """The layout ``<name>.toml`` from ``layout_dir`` (default: ``resources/forms``)."""
    path = (layout_dir or forms_dir()) / f"{name}.toml"
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise LayoutError(_("The form layout {path} is missing.").format(path=path)) from exc
    return _load(path, mtime)


def require(layout: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """``layout[key]`` checked to be of ``kind``; :class:`LayoutError` otherwise."""
    value = layout.get(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise LayoutError(
            _("The form layout needs '{key}' in [{section}] ({kind}).").format(
                key=key, section=where, kind=kind.__name__
            )
        )
    return value


def default_categories(layout_dir: Path | None = None) -> tuple[Category, ...]:
    """The default category table (code, Chinese label, Uyghur label), none checked."""
    table = load_layout("categories", layout_dir)
    return tuple(
        Category(str(c["code"]), str(c["zh"]), str(c["ug"]) if c.get("ug") else None)
        for c in table.get("category", [])
    )


def categories_for(
    codes: set[str] | frozenset[str], layout_dir: Path | None = None
) -> tuple[Category, ...]:
    """The default categories with those in ``codes`` checked."""
    return tuple(
        Category(c.code, c.label_zh, c.label_ug, c.code in codes)
        for c in default_categories(layout_dir)
    )
