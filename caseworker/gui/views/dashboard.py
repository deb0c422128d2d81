"""The station's dashboard: the figures a station head reads at a glance, two charts, and
behind every figure the list it counts (a click opens it: the registry filtered, the worklist,
the family tracker, or the offers and outcomes of the period)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.casework.dashboard import Figures, month_start
from caseworker.casework.vocab import ANSWER_LABELS, EVIDENCE_LABELS, OFFER_LABELS, label
from caseworker.core import wall
from caseworker.gui import formatting, tasks
from caseworker.gui.language import label_button_box
from caseworker.gui.models.rows import RowsTableModel
from caseworker.gui.widgets.charts import BarChart, TrendChart
from caseworker.i18n import N_, _

TILE_STYLE = (
    "QPushButton { text-align: center; padding: 8px; border: 1px solid #c8d2e0; "
    "border-radius: 4px; background: #f6f9fd; } QPushButton:hover { background: #e6eefb; }"
)


class Tile(QPushButton):
    """A figure: the number large, what it counts beneath; a click opens its list."""

    def __init__(self, name: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.caption = caption
        self.setStyleSheet(TILE_STYLE)
        self.setMinimumHeight(64)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_value(0)

    def set_value(self, value: int, extra: str = "") -> None:
        self.value = value
        text = f"{formatting.number(value)}\n{self.caption}"
        self.setText(text + (f"\n{extra}" if extra else ""))


class ListModel(RowsTableModel[Any]):
    """Offers or outcomes behind a figure."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, headers: tuple[str, ...], cells: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.cells = cells

    def columnCount(self, parent: Any = None) -> int:
        return len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.headers[section]) if 0 <= section < len(self.headers) else None
        return super().headerData(section, orientation, role)

    def cell(self, row: Any, column: int) -> str | None:
        values = self.cells(row)
        return values[column] if 0 <= column < len(values) else None


class ListDialog(QDialog):
    """A read-only list behind a figure; a double click opens the person."""

    def __init__(
        self, title: str, model: ListModel, open_person: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("figureList")
        self.setWindowTitle(title)
        self.model = model
        table = QTableView(self)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.activated.connect(lambda index: self._open(index.row(), open_person))
        buttons = label_button_box(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(760, 460)

    def _open(self, row: int, open_person: Any) -> None:
        if 0 <= row < len(self.model.rows):
            open_person(self.model.rows[row].person_id)
            self.accept()


class DashboardView(QWidget):
    """Figures and charts; signals ask the main window to show the list behind a figure."""

    open_registry = Signal(object, object)  # category code or None, stage code or None
    open_worklist = Signal(str)  # a worklist window
    open_families = Signal(str)  # a tracker filter
    open_person_requested = Signal(object)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardView")
        self.store = store
        self.figures: Figures | None = None
        self.generation = 0
        self.title = QLabel()
        self.title.setObjectName("dashboardTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.tiles = {
            "recognised": Tile("tileRecognised", _("persons recognised")),
            "open_plans": Tile("tilePlans", _("open assistance plans")),
            "due_today": Tile("tileDueToday", _("contacts due today")),
            "overdue": Tile("tileOverdue", _("contacts overdue")),
            "offers": Tile("tileOffers", _("posts offered this month")),
            "employed_month": Tile("tileEmployedMonth", _("employed this month")),
            "employed_year": Tile("tileEmployedYear", _("employed this year")),
            "zero_open": Tile("tileZeroOpen", _("zero-employment families open")),
            "zero_overdue": Tile("tileZeroOverdue", _("zero-employment families overdue")),
            "zero_cleared": Tile("tileZeroCleared", _("families cleared this year")),
        }
        grid = QGridLayout()
        self.grid = grid
        self.columns = 0
        self._place_tiles(5)
        self.tiles["recognised"].clicked.connect(
            lambda: self.open_registry.emit(None, "recognised")
        )
        self.tiles["open_plans"].clicked.connect(lambda: self.open_worklist.emit("all"))
        self.tiles["due_today"].clicked.connect(lambda: self.open_worklist.emit("today"))
        self.tiles["overdue"].clicked.connect(lambda: self.open_worklist.emit("overdue"))
        self.tiles["offers"].clicked.connect(self.show_offers)
        self.tiles["employed_month"].clicked.connect(lambda: self.show_outcomes(month=True))
        self.tiles["employed_year"].clicked.connect(lambda: self.show_outcomes(month=False))
        self.tiles["zero_open"].clicked.connect(lambda: self.open_families.emit("open"))
        self.tiles["zero_overdue"].clicked.connect(lambda: self.open_families.emit("overdue"))
        self.tiles["zero_cleared"].clicked.connect(lambda: self.open_families.emit("all"))

        self.categories = BarChart()
        self.categories.setObjectName("categoryChart")
        self.categories.activated.connect(self._category_clicked)
        self.trend = TrendChart()
        self.trend.setObjectName("contactTrend")
        self.trend.activated.connect(self._month_clicked)
        self.employed_trend = TrendChart()
        self.employed_trend.setObjectName("employedTrend")
        self.employed_trend.activated.connect(self._month_clicked)
        by_category = QGroupBox(_("Persons recognised, by category"))
        QVBoxLayout(by_category).addWidget(self.categories)
        trend = QGroupBox(_("The last twelve months"))
        trends = QVBoxLayout(trend)
        trends.addWidget(self.trend)
        trends.addWidget(self.employed_trend)
        charts = QHBoxLayout()
        charts.addWidget(by_category, 1)
        charts.addWidget(trend, 1)
        self.note = QLabel()
        self.note.setObjectName("dashboardNote")
        self.note.setWordWrap(True)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(charts, 1)
        layout.addWidget(self.note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _place_tiles(self, columns: int) -> None:
        """The figures in rows of ``columns`` (fewer on a narrow screen or in a language
        whose captions are long: the page never scrolls sideways)."""
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, index // columns, index % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        spacing = max(self.grid.horizontalSpacing(), 0)
        widest = max(tile.sizeHint().width() for tile in self.tiles.values()) + spacing
        room = self.width() - 48  # the scroll area's frame, scroll bar and margins
        self._place_tiles(max(2, min(5, room // max(widest, 1))))
        super().resizeEvent(event)

    def reload(self) -> None:
        """Compute the figures in the thread pool (after a look at every household)."""
        self.generation += 1
        generation = self.generation
        store = self.store

        def work(_progress: tasks.Progress) -> Figures:
            from caseworker.casework import dashboard, families

            today = wall.today()
            families.look(store, today)
            with store.reading() as session:
                return dashboard.figures(session, today)

        tasks.start(work, lambda figures: self._arrived(generation, figures), owner=self)

    def _arrived(self, generation: int, figures: object) -> None:
        if generation != self.generation or not isinstance(figures, Figures):
            return
        self.show_figures(figures)

    def show_figures(self, f: Figures) -> None:
        from caseworker.policy.categories import category_label

        self.figures = f
        self.title.setText(_("The station on {date}").format(date=formatting.date(f.on)))
        answers = ", ".join(
            f"{label(ANSWER_LABELS, code)} {formatting.number(n)}" for code, n in f.offers.items()
        )
        values = {
            "recognised": (f.recognised, ""),
            "open_plans": (f.open_plans, ""),
            "due_today": (f.due_today, ""),
            "overdue": (f.overdue, ""),
            "offers": (f.offers_total, answers),
            "employed_month": (f.employed_month, ""),
            "employed_year": (f.employed_year, ""),
            "zero_open": (f.zero_open, ""),
            "zero_overdue": (f.zero_overdue, ""),
            "zero_cleared": (f.zero_cleared_year, ""),
        }
        for key, (value, extra) in values.items():
            self.tiles[key].set_value(value, extra)
        self.categories.set_data(
            [category_label(c) for c, _n in f.by_category], [n for _c, n in f.by_category]
        )
        months = [m for m, _n in f.contacts_by_month]
        month_name = formatting.month_abbreviation
        self.trend.set_data(
            months, [(_("Contacts"), [n for _m, n in f.contacts_by_month])], month_name
        )
        self.employed_trend.set_data(
            months, [(_("Employed"), [n for _m, n in f.outcomes_by_month])], month_name, second=True
        )
        self.note.setText(_("Click a figure, a bar or a month to see the list behind it."))

    # -- the lists behind the figures ----------------------------------------------------

    def _category_clicked(self, row: int) -> None:
        if self.figures is not None and 0 <= row < len(self.figures.by_category):
            self.open_registry.emit(self.figures.by_category[row][0], "recognised")

    def _month_clicked(self, column: int) -> None:
        if self.figures is None:
            return
        start = self.figures.contacts_by_month[column][0]
        from caseworker.policy.dates import add_months

        end = min(add_months(start, 1) - dt.timedelta(days=1), self.figures.on)
        self.show_outcomes_between(start, end)

    def show_offers(self) -> ListDialog:
        from caseworker.casework import dashboard

        on = self.figures.on if self.figures is not None else wall.today()
        with self.store.reading() as session:
            rows = dashboard.offers_between(session, month_start(on), on)
        model = ListModel(
            (N_("Date"), N_("Name"), N_("ID number"), N_("Kind of post"), N_("Post"), N_("Answer")),
            lambda r: (
                formatting.date(r.on), r.name, formatting.masked_id(r.id_number),
                label(OFFER_LABELS, r.kind), " · ".join(p for p in (r.post, r.employer) if p),
                label(ANSWER_LABELS, r.answer),
            ),
        )  # fmt: skip
        model.set_rows(rows)
        return self._list(_("Posts offered this month"), model)

    def show_outcomes(self, *, month: bool) -> ListDialog:
        on = self.figures.on if self.figures is not None else wall.today()
        start = month_start(on) if month else on.replace(month=1, day=1)
        return self.show_outcomes_between(start, on)

    def show_outcomes_between(self, start: dt.date, end: dt.date) -> ListDialog:
        from caseworker.casework import dashboard
        from caseworker.casework.rules import rules_on

        rules = rules_on(end)
        with self.store.reading() as session:
            rows = dashboard.outcomes_between(session, start, end)
        model = ListModel(
            (N_("Employed from"), N_("Name"), N_("ID number"), N_("Evidence")),
            lambda r: (
                formatting.date(r.on), r.name, formatting.masked_id(r.id_number),
                label(EVIDENCE_LABELS, r.evidence).format(threshold=rules.threshold_text(r.evidence)),
            ),
        )  # fmt: skip
        model.set_rows(rows)
        title = _("Employed from {start} to {end}").format(
            start=formatting.date(start), end=formatting.date(end)
        )
        return self._list(title, model)

    def _list(self, title: str, model: ListModel) -> ListDialog:
        dialog = ListDialog(title, model, self.open_person_requested.emit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
