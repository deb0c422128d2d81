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


def test_dates_have_one_unambiguous_style_in_every_language(
    restore_language: Any, qapp: QApplication
) -> None:
    """No two-digit year and no day and month that can be swapped, in any language."""
    import datetime as dt

    from caseworker.gui import formatting

    day = dt.date(2024, 5, 16)
    expected = {"zh_CN": "2024年5月16日", "en": "May 16, 2024", "ug_CN": "16-ماي، 2024"}
    for code, text in expected.items():
        language.apply_language(qapp, code)
        assert formatting.date(day) == text
        assert "2024" in formatting.date(dt.date(2024, 3, 1))
    language.apply_language(qapp, "en")
    assert formatting.date(dt.date(2024, 3, 1)) == "Mar 1, 2024"
    assert formatting.number(100000) == "100,000"


@pytest.mark.parametrize(
    ("code", "look_in", "file_type", "name_header"),
    [
        ("zh_CN", "查找范围(&L)：", "文件类型(&T)：", "名称"),
        ("ug_CN", "ئىزدەش ئورنى:", "ھۆججەت تىپى:", "ئىسمى"),
    ],
)
def test_the_file_dialog_speaks_the_language(
    qapp: QApplication,
    restore_language: None,
    code: str,
    look_in: str,
    file_type: str,
    name_header: str,
) -> None:
    """Qt's own file dialog: no English "Look in:" or "Files of type:" in Chinese or Uyghur."""
    from PySide6.QtWidgets import QFileDialog, QTreeView

    language.apply_language(qapp, code)
    dialog = QFileDialog(None, "x", str(Path.home()), "Spreadsheets (*.xlsx *.csv)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == look_in
    assert dialog.labelText(QFileDialog.DialogLabel.FileType) == file_type
    tree = dialog.findChild(QTreeView)
    assert tree is not None
    assert tree.model().headerData(0, Qt.Orientation.Horizontal) == name_header
    dialog.deleteLater()


def test_the_program_works_without_qts_catalog(
    qapp: QApplication,
    restore_language: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """qtbase_zh_CN.qm missing: no error; the program's own catalog still labels the dialog."""
    monkeypatch.setattr(language, "qt_translations_dir", lambda: tmp_path)
    language.apply_language(qapp, "zh_CN")
    assert i18n.current_language() == "zh_CN"
    assert QApplication.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
    assert QApplication.translate("QFileDialog", "Back") == "Back"  # only Qt's catalog has it


def test_the_compiled_qt_catalogs_match_their_sources() -> None:
    """Each ``caseworker/gui/qt/*.qm`` says what its ``.po`` says (recompile with
    ``python -m caseworker.gui.qt_catalogs`` after editing a ``.po``)."""
    from babel.messages.pofile import read_po
    from PySide6.QtCore import QTranslator

    from caseworker.gui import qt_catalogs

    sources = qt_catalogs.po_files()
    assert {p.stem for p in sources} == {"caseworker_qt_zh_CN", "caseworker_qt_ug_CN"}
    for po in sources:
        translator = QTranslator()
        assert translator.load(str(qt_catalogs.qm_path(po))), po
        with po.open("rb") as fh:
            catalog = read_po(fh)
        messages = [m for m in catalog if m.id]
        assert messages
        for message in messages:
            context = str(message.context).partition("|")[0]  # Qt's form: context|comment
            assert translator.translate(context, str(message.id)) == message.string


def test_the_uyghur_wizard_arrows_point_the_reading_way(
    qapp: QApplication, restore_language: None
) -> None:
    from PySide6.QtWidgets import QWizard

    language.apply_language(qapp, "en")
    assert language.wizard_arrow_texts(rtl=False) == ("← Back", "Next →")
    language.apply_language(qapp, "ug_CN")
    wizard = QWizard()
    language.label_wizard(wizard)
    back = wizard.buttonText(QWizard.WizardButton.BackButton)
    forward = wizard.buttonText(QWizard.WizardButton.NextButton)
    # right to left: Back points right (drawn at the line's start, on the right), Next left
    assert back.startswith("→ ")
    assert "<" not in back
    assert forward.endswith(" ←")
    assert ">" not in forward
    wizard.deleteLater()


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
