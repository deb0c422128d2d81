"""Table columns that fit the table's width: every header whole, no column off-screen.

:class:`FittedTableView` gives each column at least the room of its header text (and of a
sample of its widest usual content, such as a masked ID number), then shares what is left by
weight.  It refits whenever it is resized, until the person drags a column border; from then on
the widths are theirs.  Long cells elide; their tooltips show them whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader, QTableView, QWidget

__all__ = ["FittedTableView"]


class FittedTableView(QTableView):
    """A table view whose columns fit its width (see the module notes)."""

    def __init__(
        self,
        weights: Sequence[float],
        samples: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.weights = list(weights)
        self.samples = list(samples)
        self.user_sized = False
        self._fitting = False
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setMinimumSectionSize(24)  # the style's default (wide in Uyghur) would win
        header.sectionResized.connect(self._resized_by_hand)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:  # a reset puts the sections back to their default width
            model.modelReset.connect(self.fit)
            model.headerDataChanged.connect(self.fit)
        self.fit()

    def minimum(self, column: int) -> int:
        """The width that shows the header (with its sort arrow) and the sample whole."""
        header = self.horizontalHeader()
        model = self.model()
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "") if model else ""
        option = QStyleOptionHeader()
        option.initFrom(header)
        option.text = text
        size = header.style().sizeFromContents(
            QStyle.ContentsType.CT_HeaderSection, option, option.rect.size(), header
        )
        arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
        needed = size.width() + arrow + 8
        if column < len(self.samples) and self.samples[column]:
            needed = max(needed, self.fontMetrics().horizontalAdvance(self.samples[column]) + 16)
        return needed

    def fit(self) -> None:
        """Share the table's width out among the columns (unless the person sized them)."""
        model = self.model()
        if self.user_sized or model is None or not model.columnCount():
            return
        count = model.columnCount()
        minimums = [self.minimum(c) for c in range(count)]
        weights = [self.weights[c] if c < len(self.weights) else 1.0 for c in range(count)]
        spare = max(self.viewport().width() - sum(minimums), 0)
        total = sum(weights) or 1.0
        widths = [m + int(spare * w / total) for m, w in zip(minimums, weights, strict=True)]
        widths[-1] += max(self.viewport().width() - sum(widths), 0)  # what rounding left
        self._fitting = True
        try:
            for column, value in enumerate(widths):
                self.setColumnWidth(column, value)
        finally:
            self._fitting = False

    def columns_fit(self) -> bool:
        """Whether every column is inside the visible width (no column off-screen)."""
        model = self.model()
        count = model.columnCount() if model is not None else 0
        used = sum(self.columnWidth(c) for c in range(count))
        return used <= self.viewport().width()

    def _resized_by_hand(self, _column: int, _old: int, _new: int) -> None:
        if not self._fitting and self.horizontalHeader().underMouse():
            self.user_sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def viewportEvent(self, event: QEvent) -> bool:
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:  # a vertical scroll bar came or went
            self.fit()
        return handled
