"""Combo boxes, date and spin fields take the mouse wheel only when they have the focus.

In a scrolling form the wheel must scroll the form: a combo box under the pointer would
otherwise change its value (文化程度 from 研究生 to 未上过学) while the form stays put.
:func:`guard_wheel` gives such fields ``StrongFocus`` (the wheel no longer focuses them) and an
event filter that passes the wheel on to the scroll area while they are not focused.  Every form
of the program calls it once it is built.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

__all__ = ["WheelGuard", "guard_wheel", "guarded"]

_GUARD: WheelGuard | None = None


class WheelGuard(QObject):
    """Ignores wheel events on an unfocused field: they go to its parents (the scroll area)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()  # not accepted: QApplication passes it to the parent widgets
            return True
        return False


def _guard() -> WheelGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = WheelGuard()
    return _GUARD


def guard_wheel(root: QWidget) -> None:
    """Protect every combo box, date and spin field inside ``root`` (and ``root`` itself)."""
    fields: list[QWidget] = [*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)]
    if isinstance(root, QComboBox | QAbstractSpinBox):
        fields.append(root)
    for field in fields:
        if guarded(field):
            continue
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(_guard())
        field.setProperty("wheelGuarded", True)


def guarded(field: QWidget) -> bool:
    """Whether :func:`guard_wheel` protects ``field``."""
    return bool(field.property("wheelGuarded"))
