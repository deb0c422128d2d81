"""Questions and notices in message boxes, labelled in the active language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from caseworker.gui.language import label_message_box

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["ask", "ask_yes_no", "tell"]


def ask(
    parent: QWidget | None,
    *,
    name: str,
    title: str,
    text: str,
    informative: str = "",
    buttons: QMessageBox.StandardButton,
    default: QMessageBox.StandardButton,
    escape: QMessageBox.StandardButton | None = None,
    icon: QMessageBox.Icon | None = None,
) -> QMessageBox.StandardButton:
    """Show a modal message box (object name ``name``) and return the button pressed."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(icon if icon is not None else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    box.setStandardButtons(buttons)
    box.setDefaultButton(default)
    box.setEscapeButton(escape if escape is not None else default)
    label_message_box(box)
    return QMessageBox.StandardButton(box.exec())


def ask_yes_no(
    parent: QWidget | None,
    *,
    name: str,
    title: str,
    text: str,
    informative: str = "",
    warning: bool = False,
) -> bool:
    """A question answered Yes or No (No is the default and Esc)."""
    from PySide6.QtWidgets import QMessageBox

    b = QMessageBox.StandardButton
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question
    answer = ask(
        parent, name=name, title=title, text=text, informative=informative,
        buttons=b.Yes | b.No, default=b.No, icon=icon,
    )  # fmt: skip
    return answer == b.Yes


def tell(parent: QWidget | None, *, name: str, title: str, text: str) -> None:
    """An information with an OK button."""
    from PySide6.QtWidgets import QMessageBox

    ok = QMessageBox.StandardButton.Ok
    ask(
        parent, name=name, title=title, text=text, buttons=ok, default=ok,
        icon=QMessageBox.Icon.Information,
    )  # fmt: skip
