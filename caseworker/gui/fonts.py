"""Fonts that show Chinese and Uyghur (Arabic script) without boxes.

The application font is a family list: the first family that covers the active language's
script, then fallbacks for the other script, so mixed text (a Chinese name beside a Uyghur one)
is drawn with real glyphs.  Fonts bundled in ``resources/fonts`` (by the installer) are loaded
first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
    "PingFang SC",
    "SimSun",
    "Droid Sans Fallback",
)
ARABIC_FAMILIES = (
    "Microsoft Uighur",
    "UKIJ Tuz Tom",
    "Noto Naskh Arabic",
    "Noto Sans Arabic",
    "Noto Naskh Arabic UI",
    "Noto Sans Arabic UI",
    "Segoe UI",
    "DejaVu Sans",
)
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


def choose_families(available: Iterable[str], rtl: bool) -> list[str]:
    """The family list for the application font: the active script's family first."""
    have = {name.casefold(): name for name in available}
    cjk = [have[f.casefold()] for f in CJK_FAMILIES if f.casefold() in have]
    arabic = [have[f.casefold()] for f in ARABIC_FAMILIES if f.casefold() in have]
    first, second = (arabic, cjk) if rtl else (cjk, arabic)
    chosen: list[str] = []
    for name in (*first[:1], *second[:1], *first[1:2], *second[1:2]):
        if name not in chosen:
            chosen.append(name)
    return chosen


def load_bundled(directories: Sequence[Path]) -> list[str]:
    """Register every font file found in ``directories``; return the families added."""
    families: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() not in FONT_SUFFIXES:
                continue
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("cannot load font %s", path)
                continue
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def apply_fonts(app: QApplication, rtl: bool, *, bundled: Sequence[Path] = ()) -> list[str]:
    """Load bundled fonts and set the application font; return the family list used."""
    load_bundled(bundled)
    families = choose_families(QFontDatabase.families(), rtl)
    if families:
        font = QFont(app.font())
        font.setFamilies(families)
        if font.pointSizeF() < 10:
            font.setPointSizeF(10)
        app.setFont(font)
    else:  # pragma: no cover - a machine without any CJK or Arabic font
        log.warning("no font covering Chinese or Arabic script was found")
    return families
