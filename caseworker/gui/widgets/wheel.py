"""Combo boxes, date and spin fields take the mouse wheel only when they have the focus.

In a scrolling form the wheel must scroll the form: a combo box under the pointer would
otherwise change its value (文化程度 from 研究生 to 未上过学) while the form stays put.
:func:`guard_wheel` gives such fields ``StrongFocus`` (the wheel no longer focuses them) and an
event filter that hands the wheel to the scroll area around them while they are not focused.  Every form
of the program calls it once it is built.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

__all__ = ["WheelGuard", "guard_wheel", "guarded"]

_GUARD: WheelGuard | None = None


class WheelGuard(QObject):
    """Keeps wheel events from an unfocused field: they scroll the form it is in."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.Wheel
            or not isinstance(watched, QWidget)
            or watched.hasFocus()
            or not isinstance(event, QWheelEvent)
        ):
            return False
        area = _scroll_area_of(watched)
        if area is None:
            event.ignore()  # no form to scroll: the parents may use it
            return True
        viewport = area.viewport()
        position = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
        forwarded = QWheelEvent(
            position,
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
        )
        QApplication.sendEvent(viewport, forwarded)
        event.accept()
        return True


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QAbstractItemView):
            return parent
        parent = parent.parentWidget()
    return None


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
