"""Languages: Qt's catalog, right-to-left for Uyghur, button labels, fonts for both scripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from caseworker import i18n
from caseworker.gui import fonts, language


@pytest.fixture
def restore_language(qapp: QApplication) -> Iterator[None]:
    font = qapp.font()
    yield
    language.apply_language(qapp, "en")
    qapp.setFont(font)


def test_uyghur_turns_the_layout_right_to_left(qapp: QApplication, restore_language: None) -> None:
    language.apply_language(qapp, "ug_CN")
    assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert i18n.current_language() == "ug_CN"
    language.apply_language(qapp, "zh_CN")
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_chinese_loads_qts_own_catalog(qapp: QApplication, restore_language: None) -> None:
    assert (language.qt_translations_dir() / "qtbase_zh_CN.qm").exists()
    language.apply_language(qapp, "zh_CN")
    assert language._installed  # qtbase_zh_CN.qm is installed
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"
    language.apply_language(qapp, "en")
    assert not language._installed


def test_standard_buttons_are_labelled_through_gettext(
    qapp: QApplication, restore_language: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(language, "_", lambda text: f"<{text}>")
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    language.label_button_box(box)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "<OK>"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "<Cancel>"
    message = QMessageBox()
    message.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard)
    language.label_message_box(message)
    assert {b.text() for b in message.buttons()} == {"<Save>", "<Discard>"}


def test_family_choice_puts_the_active_script_first() -> None:
    available = ["DejaVu Sans", "WenQuanYi Zen Hei", "Noto Naskh Arabic", "Noto Sans Arabic"]
    assert fonts.choose_families(available, rtl=False)[:2] == [
        "WenQuanYi Zen Hei",
        "Noto Naskh Arabic",
    ]
    assert fonts.choose_families(available, rtl=True)[:2] == [
        "Noto Naskh Arabic",
        "WenQuanYi Zen Hei",
    ]
    assert fonts.choose_families(["Arial"], rtl=True) == []


def test_installed_fonts_cover_chinese_and_arabic(
    qapp: QApplication, restore_language: None
) -> None:
    families = fonts.apply_fonts(qapp, rtl=True)
    assert families, "no font for Chinese or Arabic script"
    systems = [set(QFontDatabase.writingSystems(f)) for f in families]
    assert any(QFontDatabase.WritingSystem.Arabic in s for s in systems)
    assert any(QFontDatabase.WritingSystem.SimplifiedChinese in s for s in systems)
    assert qapp.font().families()[: len(families)] == families


def test_bundled_fonts_are_loaded(tmp_path: Path, qapp: QApplication) -> None:
    found = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert found.exists(), "DejaVu Sans is missing (Debian package fonts-dejavu-core)"
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Bundled.ttf").write_bytes(found.read_bytes())
    (tmp_path / "fonts" / "readme.txt").write_text("not a font")
    assert "DejaVu Sans" in fonts.load_bundled([tmp_path / "fonts", tmp_path / "missing"])


def test_dates_are_formatted_for_the_locale(restore_language: Any, qapp: QApplication) -> None:
    import datetime as dt

    from caseworker.gui import formatting

    day = dt.date(2024, 3, 5)
    language.apply_language(qapp, "zh_CN")
    assert formatting.date(day, "long") == "2024年3月5日"
    language.apply_language(qapp, "en")
    assert formatting.date(day, "long") == "March 5, 2024"
    assert formatting.number(100000) == "100,000"


@pytest.mark.parametrize(
    ("explicit", "env", "stored", "expected"),
    [
        (None, None, None, "zh_CN"),
        ("ug_CN", "en", "zh_CN", "ug_CN"),
        (None, "en", "ug_CN", "en"),
        (None, None, "ug_CN", "ug_CN"),
        ("xx", "yy", "en", "en"),
    ],
)
def test_initial_language_order(
    explicit: str | None,
    env: str | None,
    stored: str | None,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--lang, then $CASEWORKER_LANG, then the stored choice, then Chinese."""
    from caseworker import i18n
    from caseworker.gui import app, prefs

    if env is None:
        monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    else:
        monkeypatch.setenv(i18n.LANG_ENV, env)
    if stored is not None:
        prefs.store_language(stored)
    assert app.initial_language(explicit) == expected
