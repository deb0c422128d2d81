"""A combo box for list filters that fits small windows without hiding its first choice."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox, QWidget

__all__ = ["FilterCombo"]


class FilterCombo(QComboBox):
    """A list filter: as wide as its first choice ("All villages and communities") when there
    is room, narrower on a small window; every choice shows whole in its drop-down list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        text = self.fontMetrics().horizontalAdvance(self.itemText(0)) if self.count() else 0
        short = self.fontMetrics().horizontalAdvance("M" * self.minimumContentsLength())
        return QSize(hint.width() + max(text - short, 0), hint.height())

    def showPopup(self) -> None:
        metrics = self.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0
        )
        self.view().setMinimumWidth(widest + 40)
        super().showPopup()
