"""First run: the station, its villages and communities, the caseworker, the language."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from caseworker import i18n
from caseworker.core.errors import UserError
from caseworker.gui import setup_state
from caseworker.gui.errors import show_error
from caseworker.gui.language import apply_language, label_wizard
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _

LANGUAGE_NAMES = {"zh_CN": "简体中文", "ug_CN": "ئۇيغۇرچە", "en": "English"}


class _Page(QWizardPage):
    def __init__(self, wizard: SetupWizard, name: str) -> None:
        super().__init__()
        self.setup = wizard
        self.name = name
        self.setObjectName(f"page_{name}")
        self.message = QLabel()
        self.message.setObjectName(f"message_{name}")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)

    def collect(self) -> None:
        """Copy the widgets' values into the answers."""

    def retranslate(self) -> None:
        """Set every text again (after the language was changed on the first page)."""

    def validatePage(self) -> bool:
        self.collect()
        errors = setup_state.check(self.name, self.setup.answers)
        self.message.setText("\n".join(errors.values()))
        return not errors

    def recheck(self) -> None:
        """After a change: while problems are shown, show those that remain (none: clear)."""
        if not self.message.text():
            return
        self.collect()
        errors = setup_state.check(self.name, self.setup.answers)
        self.message.setText("\n".join(errors.values()))

    def watch(self, *fields: QLineEdit | QPlainTextEdit) -> None:
        """Check the page again whenever one of ``fields`` changes."""
        for field in fields:
            field.textChanged.connect(self.recheck)


class LanguagePage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "language")
        self.combo = QComboBox()
        self.combo.setObjectName("languageCombo")
        for code in i18n.LANGUAGES:
            self.combo.addItem(LANGUAGE_NAMES[code], code)
        self.combo.setCurrentIndex(max(self.combo.findData(wizard.answers.language), 0))
        self.combo.currentIndexChanged.connect(self._changed)
        self.label = QLabel()
        layout = QFormLayout(self)
        layout.addRow(self.label, self.combo)
        layout.addRow(self.message)

    def _changed(self) -> None:
        self.collect()
        self.setup.language_changed()

    def collect(self) -> None:
        self.setup.answers.language = str(self.combo.currentData())

    def retranslate(self) -> None:
        self.setTitle(_("Welcome"))
        self.setSubTitle(
            _("Set up this computer for your job-service station. First, the language:")
        )
        self.label.setText(_("Language"))


class StationPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "station")
        self.code = QLineEdit()
        self.code.setObjectName("stationCode")
        self.code.setMaxLength(12)
        self.station_name = QLineEdit()
        self.station_name.setObjectName("stationName")
        self.phone = QLineEdit()
        self.phone.setObjectName("stationPhone")
        self.code_label, self.name_label, self.phone_label = QLabel(), QLabel(), QLabel()
        layout = QFormLayout(self)
        layout.addRow(self.code_label, self.code)
        layout.addRow(self.name_label, self.station_name)
        layout.addRow(self.phone_label, self.phone)
        layout.addRow(self.message)
        self.watch(self.code, self.station_name, self.phone)

    def collect(self) -> None:
        a = self.setup.answers
        a.code, a.name, a.phone = self.code.text(), self.station_name.text(), self.phone.text()

    def retranslate(self) -> None:
        self.setTitle(_("The station"))
        self.setSubTitle(
            _(
                "The administrative code of the township or street (9 or 12 digits) and the station's name."
            )
        )
        self.code_label.setText(_("Station code"))
        self.name_label.setText(_("Station name"))
        self.phone_label.setText(_("Station phone (optional)"))
        self.code.setPlaceholderText(_("for example 650102001"))


class VillagesPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "villages")
        self.text = QPlainTextEdit()
        self.text.setObjectName("villagesText")
        self.text.setTabChangesFocus(True)
        self.count = QLabel()
        self.count.setObjectName("villageCount")
        self.text.textChanged.connect(self._count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.count)
        layout.addWidget(self.message)
        self.watch(self.text)

    def _count(self) -> None:
        self.collect()
        self.count.setText(
            _("{n} villages and communities").format(n=len(self.setup.answers.villages))
        )

    def collect(self) -> None:
        self.setup.answers.villages_text = self.text.toPlainText()

    def retranslate(self) -> None:
        self.setTitle(_("Villages and communities"))
        self.setSubTitle(
            _(
                "Type or paste the villages and communities the station serves, one a line (commas work too)."
            )
        )
        self._count()


class CaseworkerPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "caseworker")
        self.caseworker = QLineEdit()
        self.caseworker.setObjectName("caseworkerName")
        self.label = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QFormLayout(self)
        layout.addRow(self.label, self.caseworker)
        layout.addRow(self.summary)
        layout.addRow(self.message)
        self.watch(self.caseworker)

    def initializePage(self) -> None:
        a = self.setup.answers
        self.summary.setText(
            _("Station {code} {name} with {n} villages and communities.").format(
                code=a.code, name=a.name, n=len(a.villages)
            )
        )

    def collect(self) -> None:
        self.setup.answers.caseworker = self.caseworker.text()

    def retranslate(self) -> None:
        self.setTitle(_("You"))
        self.setSubTitle(_("Your name is recorded with each change you make."))
        self.label.setText(_("Your name"))


class SetupWizard(QWizard):
    """Asks the answers page by page; on Finish applies them to the store.

    A language chosen on the first page applies to the wizard at once; it becomes the
    program's language only when the wizard is finished (cancelled: the language from before
    the wizard comes back).
    """

    language_changed_to = Signal(str)

    def __init__(
        self, store: Any, parent: QWidget | None = None, *, language: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.store = store
        self.language_before = i18n.current_language()
        self.answers = setup_state.SetupAnswers(language=language or i18n.current_language())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.language_page = LanguagePage(self)
        self.station_page = StationPage(self)
        self.villages_page = VillagesPage(self)
        self.caseworker_page = CaseworkerPage(self)
        self.pages: list[_Page] = [
            self.language_page,
            self.station_page,
            self.villages_page,
            self.caseworker_page,
        ]
        for page in self.pages:
            self.addPage(page)
        self.resize(640, 480)
        self.retranslate()
        guard_wheel(self)

    def page_named(self, name: str) -> _Page:
        return next(p for p in self.pages if p.name == name)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up the workbench"))
        label_wizard(self)
        for page in self.pages:
            page.retranslate()

    def language_changed(self) -> None:
        self._apply(self.answers.language)
        self.retranslate()
        self.language_changed_to.emit(self.answers.language)

    @staticmethod
    def _apply(language: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_language(app, language)

    def reject(self) -> None:
        """Cancelled: nothing is set up, and the language from before the wizard comes back."""
        if i18n.current_language() != self.language_before:
            self._apply(self.language_before)
        super().reject()

    def validateCurrentPage(self) -> bool:
        if not super().validateCurrentPage():
            return False
        if self.currentPage() is self.pages[-1]:
            try:
                setup_state.apply(self.store, self.answers)
            except UserError as exc:
                show_error(self, exc)
                return False
        return True
