"""Two small charts painted with QPainter: horizontal bars and a monthly trend.

QtCharts (PySide6-Addons) was not used: the Addons wheel adds well over 100 MB to the
installer for two charts, while these are about two hundred lines.  Both charts follow the
layout direction (in Uyghur the bars grow from the right and the months run right to left),
use the application font (so Chinese and Uyghur labels are shaped by Qt), and say which bar or
month was clicked (``activated(index)``) so that every figure opens the list behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from caseworker.gui import formatting

BAR = QColor("#3b7dd8")
BAR_HOVER = QColor("#1f5fb8")
SECOND = QColor("#e08a1e")
GRID = QColor("#d0d0d0")
TEXT = QColor("#303030")


class BarChart(QWidget):
    """Horizontal bars, one per label, with the value at the end of each bar."""

    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.values: list[int] = []
        self.hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_data(self, labels: Sequence[str], values: Sequence[int]) -> None:
        self.labels, self.values = list(labels), list(values)
        self.setToolTip(
            "\n".join(f"{t}: {formatting.number(v)}" for t, v in zip(labels, values, strict=True))
        )
        self.updateGeometry()
        self.update()

    def row_height(self) -> int:
        return max(QFontMetrics(self.font()).height() + 8, 22)

    def sizeHint(self) -> QSize:
        return QSize(420, max(60, self.row_height() * len(self.labels) + 8))

    def _geometry(self) -> tuple[int, int, int]:
        """(label column width, bar area start offset, bar area width) in logical terms."""
        metrics = QFontMetrics(self.font())
        label_w = min(
            max((metrics.horizontalAdvance(t) for t in self.labels), default=0) + 12,
            int(self.width() * 0.55),
        )
        value_w = metrics.horizontalAdvance(formatting.number(max(self.values, default=0))) + 12
        return label_w, label_w, max(10, self.width() - label_w - value_w - 4)

    def row_at(self, y: float) -> int:
        row = int((y - 4) // self.row_height())
        return row if 0 <= row < len(self.labels) else -1

    def _x(self, x: float, width: float) -> float:
        """A logical x (from the leading edge) on screen, mirrored right to left."""
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            return self.width() - x - width
        return x

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_w, start, area = self._geometry()
        top_value = max(self.values, default=0) or 1
        h = self.row_height()
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        metrics = QFontMetrics(self.font())
        for row, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            y = 4 + row * h
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8)
            painter.setPen(TEXT)
            align = Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignRight if not rtl else Qt.AlignmentFlag.AlignLeft
            )
            painter.drawText(QRectF(self._x(0, label_w - 8), y, label_w - 8, h), align, text)
            width = area * value / top_value
            rect = QRectF(self._x(start, width), y + 3, width, h - 6)
            painter.fillRect(rect, BAR_HOVER if row == self.hover else BAR)
            number = formatting.number(value)
            nx = self._x(start + width + 4, metrics.horizontalAdvance(number) + 2)
            painter.drawText(
                QRectF(nx, y, metrics.horizontalAdvance(number) + 2, h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                number,
            )
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().y())
        if row != self.hover:
            self.hover = row
            self.update()

    def leaveEvent(self, _event: object) -> None:
        self.hover = -1
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().y())
        if row >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(row)


class TrendChart(QWidget):
    """Monthly counts of up to two series as columns side by side, with the month below."""

    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[dt.date] = []
        self.series: list[tuple[str, list[int], QColor]] = []
        self.month_label: Callable[[dt.date], str] = lambda d: f"{d.month}"
        self.hover = -1
        self.setMouseTracking(True)
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_data(
        self,
        months: Sequence[dt.date],
        series: Sequence[tuple[str, Sequence[int]]],
        month_label: Callable[[dt.date], str] | None = None,
        *,
        second: bool = False,
    ) -> None:
        colours = (SECOND, BAR) if second else (BAR, SECOND)
        self.months = list(months)
        self.series = [
            (name, list(values), colours[i % 2]) for i, (name, values) in enumerate(series)
        ]
        if month_label is not None:
            self.month_label = month_label
        lines = []
        for k, month in enumerate(self.months):
            parts = [f"{name} {formatting.number(values[k])}" for name, values, _c in self.series]
            lines.append(f"{self.month_label(month)}: " + ", ".join(parts))
        self.setToolTip("\n".join(lines))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 200)

    def _plot(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        top = 2 * metrics.height() + 12  # the legend, and the values above the columns
        return QRectF(8, top, self.width() - 16, self.height() - top - metrics.height() - 10)

    def column_at(self, x: float) -> int:
        if not self.months:
            return -1
        plot = self._plot()
        step = plot.width() / len(self.months)
        logical = (
            x if self.layoutDirection() == Qt.LayoutDirection.LeftToRight else self.width() - x
        )
        column = int((logical - plot.left()) // step)
        return column if 0 <= column < len(self.months) else -1

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        plot = self._plot()

        def x_of(logical: float, width: float = 0.0) -> float:
            return self.width() - logical - width if rtl else logical

        # legend
        lx = 8.0
        for name, _values, colour in self.series:
            painter.fillRect(QRectF(x_of(lx, 12), 6, 12, 12), colour)
            painter.setPen(TEXT)
            w = metrics.horizontalAdvance(name) + 4
            painter.drawText(
                QRectF(x_of(lx + 16, w), 2, w, metrics.height() + 4),
                Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            lx += 16 + w + 16
        top_value = max((max(v, default=0) for _n, v, _c in self.series), default=0) or 1
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        if not self.months:
            painter.end()
            return
        step = plot.width() / len(self.months)
        n = max(1, len(self.series))
        bar_w = max(2.0, (step - 6) / n)
        for k, month in enumerate(self.months):
            base = plot.left() + k * step + 3
            if k == self.hover:
                painter.fillRect(
                    QRectF(x_of(base - 3, step), plot.top(), step, plot.height()), QColor("#eef3fb")
                )
            for s, (_name, values, colour) in enumerate(self.series):
                h = plot.height() * values[k] / top_value
                rect = QRectF(x_of(base + s * bar_w, bar_w), plot.bottom() - h, bar_w - 1, h)
                painter.fillRect(rect, colour)
                if n == 1:  # one series: its value above each column
                    painter.setPen(TEXT)
                    painter.drawText(
                        QRectF(
                            x_of(base - 3, step),
                            rect.top() - metrics.height() - 2,
                            step,
                            metrics.height(),
                        ),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        formatting.number(values[k]),
                    )
            painter.setPen(TEXT)
            label = self.month_label(month)
            if metrics.horizontalAdvance(label) > step - 2:  # long month names: the number
                label = formatting.number(month.month)
            painter.drawText(
                QRectF(x_of(base - 3, step), plot.bottom() + 2, step, metrics.height() + 6),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        column = self.column_at(event.position().x())
        if column != self.hover:
            self.hover = column
            self.update()

    def leaveEvent(self, _event: object) -> None:
        self.hover = -1
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        column = self.column_at(event.position().x())
        if column >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(column)
