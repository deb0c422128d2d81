"""The active language on the Qt side: Qt's own catalogs, layout direction, button labels.

Qt's own dialogs (the file dialog, the print dialog, a text field's context menu) take their
texts from Qt's catalogs.  PySide6 ships ``qtbase_zh_CN.qm`` (loaded when present; the program
works without it) but it lacks some strings Qt 6 changed ("&Look in:"), and Qt has no Uyghur
catalog at all.  The program's own small catalogs in ``caseworker/gui/qt/`` (``.po`` sources,
``msgctxt`` = Qt's context, compiled to ``.qm`` by :mod:`caseworker.gui.qt_catalogs`) fill both
gaps.  The texts of standard buttons (dialog button boxes, message boxes, wizards) are set
through ``_()`` too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator

if TYPE_CHECKING:  # touching a Qt class costs time: these are imported when first used
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWizard

from caseworker import i18n
from caseworker.i18n import _

log = logging.getLogger(__name__)

#: Qt's catalogs to load for a language (file stem, without ``.qm``).
QT_CATALOGS = {"zh_CN": ("qtbase_zh_CN",)}
#: The program's catalogs of Qt strings (``caseworker/gui/qt/STEM.qm``), loaded after Qt's.
OWN_QT_CATALOGS = {"zh_CN": ("caseworker_qt_zh_CN",), "ug_CN": ("caseworker_qt_ug_CN",)}
OWN_QT_DIR = Path(__file__).resolve().parent / "qt"
QT_LOCALES = {"zh_CN": "zh_CN", "ug_CN": "ug_CN", "en": "en_US"}

_installed: list[QTranslator] = []


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def _install_qt_catalogs(app: QApplication, language: str) -> None:
    """Qt's own catalog (when PySide6 ships it), then the program's (asked first)."""
    catalogs = [(stem, qt_translations_dir()) for stem in QT_CATALOGS.get(language, ())]
    catalogs += [(stem, OWN_QT_DIR) for stem in OWN_QT_CATALOGS.get(language, ())]
    for stem, directory in catalogs:
        translator = QTranslator(app)
        if translator.load(stem, str(directory)):
            app.installTranslator(translator)
            _installed.append(translator)
        else:  # the program works on, with the catalogs it has
            log.warning("Qt catalog %s not found in %s", stem, directory)


def apply_language(app: QApplication, language: str) -> None:
    """Activate ``language`` for gettext, Qt's catalogs, the locale and the layout direction."""
    i18n.set_language(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _install_qt_catalogs(app, language)
    QLocale.setDefault(QLocale(QT_LOCALES[language]))
    direction = (
        Qt.LayoutDirection.RightToLeft if i18n.is_rtl(language) else Qt.LayoutDirection.LeftToRight
    )
    app.setLayoutDirection(direction)


def standard_button_texts() -> dict[QDialogButtonBox.StandardButton, str]:
    from PySide6.QtWidgets import QDialogButtonBox

    b = QDialogButtonBox.StandardButton
    return {
        b.Ok: _("OK"),
        b.Cancel: _("Cancel"),
        b.Save: _("Save"),
        b.Discard: _("Discard"),
        b.Close: _("Close"),
        b.Yes: _("Yes"),
        b.No: _("No"),
        b.Apply: _("Apply"),
        b.Open: _("Open"),
        b.Help: _("Help"),
    }


def label_button_box(box: QDialogButtonBox) -> QDialogButtonBox:
    """Label the standard buttons of ``box`` in the active language."""
    for standard, text in standard_button_texts().items():
        button = box.button(standard)
        if button is not None:
            button.setText(text)
    return box


def label_message_box(box: QMessageBox) -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox

    texts = {QMessageBox.StandardButton(k.value): v for k, v in standard_button_texts().items()}
    for standard, text in texts.items():
        button = box.button(standard)
        if button is not None:
            button.setText(text)
    return box


#: Arrows that are not mirrored by the bidirectional algorithm (unlike < and >), so they can be
#: placed by the layout direction: back points to where reading starts, next to where it goes.
ARROW_LEFT = "\u2190"
ARROW_RIGHT = "\u2192"


def wizard_arrow_texts(rtl: bool) -> tuple[str, str]:
    """The Back and Next texts with their arrows: ``← Back``, ``Next →`` left to right;
    mirrored right to left, where back points right and next points left."""
    back, forward = _("Back"), _("Next")
    if rtl:  # the first character of a right-to-left line is drawn at its right end
        return f"{ARROW_RIGHT} {back}", f"{forward} {ARROW_LEFT}"
    return f"{ARROW_LEFT} {back}", f"{forward} {ARROW_RIGHT}"


def label_wizard(wizard: QWizard) -> QWizard:
    from PySide6.QtWidgets import QWizard

    w = QWizard.WizardButton
    back, forward = wizard_arrow_texts(i18n.is_rtl())
    wizard.setButtonText(w.BackButton, back)
    wizard.setButtonText(w.NextButton, forward)
    wizard.setButtonText(w.FinishButton, _("Finish"))
    wizard.setButtonText(w.CancelButton, _("Cancel"))
    wizard.setButtonText(w.HelpButton, _("Help"))
    wizard.setButtonText(w.CommitButton, _("Commit"))
    return wizard
