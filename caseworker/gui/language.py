"""The active language on the Qt side: Qt's own catalog, layout direction, button labels.

Qt ships ``qtbase_zh_CN.qm`` but no Uyghur catalog, so the texts of standard buttons
(dialog button boxes, message boxes, wizards) are always set through ``_()`` as well.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator

if TYPE_CHECKING:  # touching a Qt class costs time: these are imported when first used
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWizard

from caseworker import i18n
from caseworker.i18n import N_, _

log = logging.getLogger(__name__)

#: Qt's catalogs to load for a language (file stem, without ``.qm``).
QT_CATALOGS = {"zh_CN": ("qtbase_zh_CN",)}
QT_LOCALES = {"zh_CN": "zh_CN", "ug_CN": "ug_CN", "en": "en_US"}

_installed: list[QTranslator] = []

#: Texts Qt writes itself that have no Uyghur catalog: message boxes' details button.
QT_TEXTS = {
    ("QMessageBox", "Show Details..."): N_("Show Details..."),
    ("QMessageBox", "Hide Details..."): N_("Hide Details..."),
}


class _OwnTexts(QTranslator):
    """Qt's own texts listed in :data:`QT_TEXTS`, through gettext (every language)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        text = QT_TEXTS.get((context, source))
        return _(text) if text is not None else None  # None: ask the next catalog

    def isEmpty(self) -> bool:
        return False


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def apply_language(app: QApplication, language: str) -> None:
    """Activate ``language`` for gettext, Qt's catalogs, the locale and the layout direction."""
    i18n.set_language(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    directory = qt_translations_dir()
    for stem in QT_CATALOGS.get(language, ()):
        translator = QTranslator(app)
        if translator.load(stem, str(directory)):
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            log.warning("Qt catalog %s not found in %s", stem, directory)
    if language != "en":
        own = _OwnTexts(app)
        app.installTranslator(own)
        _installed.append(own)
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


def label_wizard(wizard: QWizard) -> QWizard:
    from PySide6.QtWidgets import QWizard

    w = QWizard.WizardButton
    wizard.setButtonText(w.BackButton, _("< Back"))
    wizard.setButtonText(w.NextButton, _("Next >"))
    wizard.setButtonText(w.FinishButton, _("Finish"))
    wizard.setButtonText(w.CancelButton, _("Cancel"))
    wizard.setButtonText(w.HelpButton, _("Help"))
    wizard.setButtonText(w.CommitButton, _("Commit"))
    return wizard
