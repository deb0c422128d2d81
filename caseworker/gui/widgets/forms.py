"""Form layout helpers: label columns aligned across group boxes; scroll areas that never
need a horizontal scroll bar for their form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QStyle

__all__ = ["LABEL_WIDTH_MAX", "align_form_labels", "align_labels", "fit_scroll_area"]

#: A label column never gets wider than this (in pixels): longer labels wrap onto a second
#: line instead of pushing the fields out of a small screen.
LABEL_WIDTH_MAX = 190


def align_labels(labels: Sequence[QLabel], widest: int = LABEL_WIDTH_MAX) -> int:
    """Give every label the width of the widest (at most ``widest``), so that the field columns
    of several group boxes line up; a longer label wraps.  Returns the width used."""
    width = min(max((label.sizeHint().width() for label in labels), default=0), widest)
    for label in labels:
        label.setWordWrap(True)
        label.setFixedWidth(width)
        label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
    return width


def align_form_labels(*layouts: QFormLayout) -> int:
    """:func:`align_labels` over the label column of several form layouts."""
    labels = []
    for layout in layouts:
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                labels.append(widget)
    return align_labels(labels)


def fit_scroll_area(area: QScrollArea) -> None:
    """Scroll vertically only: the area is never narrower than its form needs (with room for
    the vertical scroll bar), so no field is cut off and no horizontal scroll bar appears."""
    widget = area.widget()
    if widget is None:
        return
    bar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, area)
    frame = 2 * area.frameWidth()
    area.setMinimumWidth(widget.minimumSizeHint().width() + bar + frame)
