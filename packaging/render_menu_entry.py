"""Draw the installed menu entry as a desktop's application menu shows it (for docs/install.md).

    python packaging/render_menu_entry.py OUT.png [--desktop FILE] [--icons DIR]

Reads the installed ``caseworker.desktop`` (names in Chinese, Uyghur and English, the generic
name, the icon name) and the installed hicolor icon, and draws, offscreen with Qt, an
"Office" menu as UOS, Kylin or GNOME Flashback lists it, once per language.  The entry's
texts and icon come from the installed files; only the menu's heading is the desktop's.
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
from pathlib import Path

LANGS = (("zh_CN", "办公"), ("ug", "ئىشخانا"), ("", "Office"))


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def localized(entry: dict[str, str], key: str, lang: str) -> str:
    return entry.get(f"{key}[{lang}]", entry[key]) if lang else entry[key]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--desktop", type=Path, default=Path("/usr/share/applications/caseworker.desktop")
    )
    parser.add_argument("--icons", type=Path, default=Path("/usr/share/icons/hicolor"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPixmap

    app = QGuiApplication(sys.argv[:1])
    entry = read_entry(args.desktop)
    icon = QPixmap(str(args.icons / "48x48" / "apps" / f"{entry['Icon']}.png"))
    if icon.isNull():
        raise SystemExit(f"no 48x48 icon named {entry['Icon']} under {args.icons}")
    width, row, pad = 420, 64, 12
    image = QImage(
        width * len(LANGS) + pad * (len(LANGS) + 1),
        40 + row + 2 * pad + 28,
        QImage.Format.Format_ARGB32,
    )
    image.fill(QColor("#3c4043"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    families = ["WenQuanYi Zen Hei", "Noto Naskh Arabic", "DejaVu Sans"]
    for index, (lang, category) in enumerate(LANGS):
        left = pad + index * (width + pad)
        rtl = lang == "ug"
        panel = QRect(left, pad, width, 40 + row + 28)
        painter.fillRect(panel, QColor("#f8f9fa"))
        title = QFont()
        title.setFamilies(families)
        title.setPixelSize(15)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor("#5f6368"))
        align = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        painter.drawText(panel.adjusted(14, 8, -14, 0), align | Qt.AlignmentFlag.AlignTop, category)
        item = QRect(left + 6, pad + 40, width - 12, row)
        painter.fillRect(item, QColor("#d2e3fc"))  # highlighted, as under the pointer
        icon_x = item.right() - 8 - 48 if rtl else item.left() + 8
        painter.drawPixmap(icon_x, item.top() + (row - 48) // 2, icon)
        text_rect = (
            item.adjusted(8, 6, -(8 + 48 + 12), -6)
            if rtl
            else item.adjusted(8 + 48 + 12, 6, -8, -6)
        )
        name = QFont(title)
        name.setBold(False)
        name.setPixelSize(17)
        painter.setFont(name)
        painter.setPen(QColor("#202124"))
        painter.drawText(
            text_rect, align | Qt.AlignmentFlag.AlignTop, localized(entry, "Name", lang)
        )
        small = QFont(name)
        small.setPixelSize(12)
        painter.setFont(small)
        painter.setPen(QColor("#5f6368"))
        generic = localized(entry, "GenericName", lang)
        painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignBottom, generic)
        painter.setPen(QColor("#80868b"))
        painter.drawText(
            panel.adjusted(14, 0, -14, -6),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            f"{args.desktop.name} · Name[{lang}]" if lang else f"{args.desktop.name} · Name",
        )
    painter.end()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(args.out))
    del app


if __name__ == "__main__":
    main()
