"""Render the program's SVG icon to PNGs at the sizes desktops look for (and a Windows .ico).

    python packaging/make_icons.py SVG OUT_DIR

Writes OUT_DIR/caseworker-SIZE.png for 16 ... 512 and OUT_DIR/caseworker.ico, with Qt's own
SVG renderer (PySide6), offscreen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def main(svg: Path, out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(out / f"caseworker-{size}.png"))
    # Windows icon: Qt writes .ico with the largest image; the installer and the .exe use it.
    QImage(str(out / "caseworker-256.png")).save(str(out / "caseworker.ico"))
    del app


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
