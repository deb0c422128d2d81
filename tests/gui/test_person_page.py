"""The person page: derived fields, inline messages, saving, duplicates, unsaved changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from caseworker.gui.views.person import PersonPage
from tests.gui.conftest import MessageBoxes
from tests.helpers import make_id, register


@pytest.fixture
def page(gui_store: Any, qtbot: Any) -> PersonPage:
    widget = PersonPage(gui_store)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def choose_village(page: PersonPage) -> None:
    """Pick the station's first village (the form requires one)."""
    page.editors["village"].input.setCurrentIndex(1)


def _count(store: Any) -> int:
    from caseworker.registry import persons

    with store.reading() as session:
        return persons.count(session)


def test_id_number_fills_sex_birth_date_and_age(page: PersonPage) -> None:
    page.editors["id_number"].input.setText(make_id(birth=dt.date(1990, 3, 4), seq=124))
    assert page.sex_value.text() == "Female"
    assert "1990" in page.birth_value.text()
    assert page.age_value.text() == str(
        dt.date.today().year - 1990 - (dt.date.today() < dt.date(dt.date.today().year, 3, 4))
    )
    page.editors["id_number"].input.setText("65010219900304")
    assert page.sex_value.text() == "—"


def test_save_registers_then_updates(page: PersonPage, gui_store: Any, qtbot: Any) -> None:
    from caseworker.registry import persons

    page.editors["name"].input.setText("阿依古丽")
    page.editors["id_number"].input.setText(make_id(seq=124))
    page.set_field("phone", "13912345678")
    choose_village(page)
    assert page.is_dirty()
    with qtbot.waitSignal(page.saved) as blocker:
        assert page.save()
    person_id = blocker.args[0]
    assert not page.is_dirty()
    with gui_store.reading() as session:
        person = persons.get(session, person_id)
        assert (person.name, person.phone, person.sex) == ("阿依古丽", "13912345678", "female")
    page.set_field("phone", "13900000000")
    assert page.save()
    with gui_store.reading() as session:
        assert persons.get(session, person_id).phone == "13900000000"
    assert _count(gui_store) == 1


def test_inline_messages_come_from_validation(page: PersonPage, gui_store: Any) -> None:
    page.editors["name"].input.setText("张三")
    page.editors["id_number"].input.setText(make_id(seq=11))
    choose_village(page)
    page.set_field("phone", "12")
    assert not page.save()
    errors = page.errors_shown()
    assert set(errors) == {"phone"}
    assert page.editors["phone"].message.isVisible()
    assert _count(gui_store) == 0
    page.set_field("phone", "")
    assert page.save()
    assert not page.editors["phone"].message.isVisible()


def test_live_validation_marks_touched_fields_only(page: PersonPage, qtbot: Any) -> None:
    page.editors["id_number"].input.setText("650102199001011")
    qtbot.waitUntil(lambda: "id_number" in page.errors_shown())
    assert "name" not in page.errors_shown()


def test_duplicate_is_refused_with_a_link(page: PersonPage, gui_store: Any, qtbot: Any) -> None:
    number = make_id(seq=11)
    existing = register(gui_store, "张三", number)
    page.editors["name"].input.setText("张三三")
    page.editors["id_number"].input.setText(number)
    choose_village(page)
    assert not page.save()
    assert page.banner.isVisible()
    assert f"person:{existing.id}" in page.banner.text()
    assert _count(gui_store) == 1
    page.load(None)  # nothing unsaved now: following the link opens the other record
    page.editors["name"].input.setText("张三三")
    page.editors["id_number"].input.setText(number)
    choose_village(page)
    assert not page.save()
    page._snapshot = page.raw_values()
    with qtbot.waitSignal(page.open_person_requested) as blocker:
        page.banner.linkActivated.emit(f"person:{existing.id}")
    assert blocker.args == [existing.id]


def test_stale_edit_is_refused(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes
) -> None:
    from caseworker.registry import persons

    person = register(gui_store, "张三", make_id(seq=11), village="红旗村")
    page.load(person.id)
    with gui_store.transaction() as session:
        persons.change(session, person.id, phone="13912345678")
    page.set_field("notes", "visited")
    assert not page.save()
    assert message_boxes.shown
    assert "Someone else changed" in message_boxes.shown[0][1]


def test_unsaved_changes_prompt(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes, qtbot: Any
) -> None:
    person = register(gui_store, "张三", make_id(seq=11), village="红旗村")
    page.load(person.id)
    assert page.maybe_leave()  # nothing changed: no question
    assert message_boxes.shown == []
    page.set_field("phone", "13912345678")
    message_boxes.answer = QMessageBox.StandardButton.Cancel
    assert not page.maybe_leave()
    assert message_boxes.shown[-1][0] == "unsavedDialog"
    assert {"Save", "Discard", "Cancel"} <= message_boxes.buttons
    message_boxes.answer = QMessageBox.StandardButton.Save
    assert page.maybe_leave()
    page.load(person.id)
    assert page.editors["phone"].value() == "13912345678"
    page.set_field("phone", "")
    message_boxes.answer = QMessageBox.StandardButton.Discard
    with qtbot.waitSignal(page.closed):
        page.cancel()
    page.load(person.id)
    assert page.editors["phone"].value() == "13912345678"


def test_keyboard_save_and_escape(page: PersonPage, gui_store: Any, qtbot: Any) -> None:
    page.editors["name"].input.setText("张三")
    page.editors["id_number"].input.setText(make_id(seq=11))
    choose_village(page)
    page.editors["name"].input.setFocus()
    with qtbot.waitSignal(page.saved):
        qtbot.keyClick(
            page.editors["name"].input, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        )
    assert _count(gui_store) == 1
    with qtbot.waitSignal(page.closed):
        qtbot.keyClick(page.editors["name"].input, Qt.Key.Key_Escape)


def _next_tab_stop(widget: Any) -> Any:
    candidate = widget.nextInFocusChain()
    while not (candidate.focusPolicy() & Qt.FocusPolicy.TabFocus and candidate.isEnabled()):
        candidate = candidate.nextInFocusChain()
    return candidate


def test_tab_order_follows_the_form(page: PersonPage) -> None:
    from caseworker.gui.views.person import SECTIONS

    order = [name for _title, names in SECTIONS for name in names]
    widget = page.editors[order[0]].input
    for name in order[1:]:
        widget = _next_tab_stop(widget)
        assert widget is page.editors[name].input, name
    assert _next_tab_stop(widget) is page.save_button


def test_full_id_number_is_shown_on_the_page(page: PersonPage, gui_store: Any) -> None:
    number = make_id(seq=11)
    person = register(gui_store, "张三", number)
    page.load(person.id)
    assert page.editors["id_number"].value() == number


def test_household_members_added_from_registry_and_as_relatives(
    page: PersonPage, gui_store: Any
) -> None:
    from caseworker.registry import households

    head = register(gui_store, "张三", make_id(seq=11))
    spouse = register(gui_store, "李梅", make_id(seq=12))
    page.load(head.id)
    assert page.household.add_member(spouse.id, "spouse")
    from caseworker.gui.views.household import RelativeDialog

    dialog = RelativeDialog(page)
    dialog.name.setText("张小明")
    dialog.relation.setCurrentIndex(dialog.relation.findData("child"))
    dialog.id_number.setText("123")
    dialog._accept()
    assert dialog.message.text()  # a bad ID number is refused in the dialog
    dialog.id_number.setText(make_id(birth=dt.date(2010, 5, 5), seq=31))
    dialog._accept()
    assert dialog.data is not None
    assert page.household.add_relative_data(dialog.data)
    assert page.household.model.rowCount() == 3
    with gui_store.reading() as session:
        household = households.of_person(session, head.id)
        assert household is not None
        assert [m.relation for m in household.members] == ["head", "spouse", "child"]
    page.household.table.setCurrentIndex(page.household.model.index(2, 0))
    page.household.remove_selected()
    assert page.household.model.rowCount() == 2


def test_household_income_and_relations_follow_the_form(
    page: PersonPage, gui_store: Any, qtbot: Any
) -> None:
    from caseworker.registry import households

    head = register(gui_store, "张三", make_id(seq=11))
    other = register(gui_store, "李梅", make_id(seq=12))
    page.load(head.id)
    box = page.household
    assert not box.business_income.isChecked()
    assert box.add_member(other.id, "other")
    with qtbot.waitSignal(box.changed):
        box.business_income.setChecked(True)
    member = next(r for r in box.model.rows if r.person_id == other.id)
    assert box.set_member_relation(member.id, "spouse")
    with gui_store.reading() as session:
        household = households.of_person(session, head.id)
        assert household is not None
        assert household.business_or_investment_income is True
        assert [m.relation for m in household.members] == ["head", "spouse"]
    page.load(head.id)
    assert box.business_income.isChecked()
    assert [r.relation for r in box.model.rows] == ["head", "spouse"]


def test_new_person_starts_from_the_registry_defaults(page: PersonPage) -> None:
    assert page.editors["resident_in_region"].value() is True
    assert page.editors["wants_work"].value() is True
    assert page.editors["employed"].value() is False
    assert page.editors["work_capacity"].value() == "full"
    assert not page.is_dirty()


def test_delete_then_restore_through_the_duplicate_link(
    page: PersonPage, gui_store: Any, message_boxes: Any, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from caseworker.registry import persons

    number = make_id(seq=11)
    person = register(gui_store, "张三", number)
    page.load(person.id)
    assert page.delete_action.isEnabled()
    message_boxes.answer = QMessageBox.StandardButton.No
    assert not page.delete()
    message_boxes.answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(page.closed):
        assert page.delete()
    assert message_boxes.shown[-1][0] == "deleteDialog"
    assert "张三" in message_boxes.shown[-1][1]
    with gui_store.reading() as session:
        assert persons.get(session, person.id).deleted
    # registering the number again points to the deleted record, which opens read-only
    page.load(None)
    page.set_field("name", "张三")
    page.set_field("id_number", number)
    choose_village(page)
    assert not page.save()
    assert "deleted record" in page.banner.text()
    message_boxes.answer = QMessageBox.StandardButton.Discard  # leave the unsaved new form
    with qtbot.waitSignal(page.open_person_requested) as opened:
        page._link(f"person:{person.id}")
    page.load(opened.args[0])
    assert page.deleted_banner.isVisible()
    assert not page.save_button.isEnabled()
    assert not page.delete_action.isEnabled()
    with qtbot.waitSignal(page.saved):
        page._link("restore")
    assert not page.deleted_banner.isVisible()
    assert page.save_button.isEnabled()
    with gui_store.reading() as session:
        assert not persons.get(session, person.id).deleted


def _new_person(page: PersonPage, name: str = "张三", seq: int = 11) -> None:
    page.editors["name"].input.setText(name)
    page.editors["id_number"].input.setText(make_id(seq=seq))
    choose_village(page)


def test_delete_is_possible_right_after_the_first_save(page: PersonPage) -> None:
    assert not page.delete_action.isEnabled()  # nothing to delete yet
    _new_person(page)
    assert page.save()
    assert page.delete_action.isEnabled()


def test_a_deleted_record_has_no_household_or_case_actions(
    page: PersonPage, gui_store: Any
) -> None:
    from caseworker.registry import persons

    person = register(gui_store, "张三", make_id(seq=11), registered_unemployed_since="2020-01-01")
    with gui_store.transaction() as session:
        persons.tombstone(session, person.id)
    page.load(person.id)
    box = page.household
    for button in (box.add_person_button, box.add_relative_button, box.relation_button,
                   box.remove_button, box.business_income):  # fmt: skip
        assert not button.isEnabled(), button.text()
    assert not box.add_member(register(gui_store, "李四", make_id(seq=13)).id, "spouse")
    panel = page.recognition
    assert not panel.apply_button.isVisibleTo(panel)
    assert not any(b.isVisibleTo(panel) for b in panel.step_buttons.values())


def test_the_page_shows_the_name_as_saved(page: PersonPage, gui_store: Any) -> None:
    """ "买买提.艾力" is stored as "买买提·艾力": the form and the title show what was saved."""
    from caseworker.registry import persons

    _new_person(page, "买买提.艾力")
    assert page.save()
    with gui_store.reading() as session:
        stored = persons.get(session, page.person_id).name
    assert stored == "买买提·艾力"
    assert page.editors["name"].value() == stored
    assert page.title.text() == stored
    assert not page.is_dirty()


def test_the_village_is_required(page: PersonPage, gui_store: Any) -> None:
    page.editors["name"].input.setText("张三")
    page.editors["id_number"].input.setText(make_id(seq=11))
    assert not page.save()
    assert set(page.errors_shown()) == {"village"}
    assert _count(gui_store) == 0
    label = page.editors["village"].input
    assert label.hasFocus()
    choose_village(page)
    assert page.save()


def test_an_age_over_100_is_asked_about_once(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes
) -> None:
    page.editors["name"].input.setText("张三")
    page.editors["id_number"].input.setText(make_id(birth=dt.date(1900, 1, 1), seq=11))
    choose_village(page)
    message_boxes.answer = QMessageBox.StandardButton.No
    assert not page.save()
    assert message_boxes.shown[-1][0] == "ageQuestion"
    assert "years old" in message_boxes.shown[-1][1]
    assert _count(gui_store) == 0
    message_boxes.answer = QMessageBox.StandardButton.Yes
    assert page.save()
    asked = len(message_boxes.shown)
    page.set_field("phone", "13912345678")
    assert page.save()
    assert len(message_boxes.shown) == asked  # once for this ID number


def test_a_person_page_opens_at_its_top(page: PersonPage, gui_store: Any, qtbot: Any) -> None:
    first = register(gui_store, "张三", make_id(seq=11))
    second = register(gui_store, "李四", make_id(seq=13))
    page.resize(1000, 400)
    page.load(first.id)
    bar = page.form_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert bar.value() > 0
    page.load(second.id)
    assert bar.value() == 0
    assert page.side_scroll.verticalScrollBar().value() == 0


def test_label_columns_line_up_across_the_groups(page: PersonPage) -> None:
    from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

    widths = set()
    for group in page.form_widget.findChildren(QGroupBox):
        layout = group.layout()
        assert isinstance(layout, QFormLayout)
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                widths.add(item.widget().width())
    assert len(widths) == 1


def test_household_columns_and_the_relative_dialog_fit_their_text(
    page: PersonPage, gui_store: Any
) -> None:
    from caseworker.gui.views.household import RelativeDialog

    head = register(gui_store, "阿不都热合曼·艾则孜", make_id(seq=11))
    page.load(head.id)
    assert page.household.add_relative_data(
        __import__("caseworker.registry.households", fromlist=["x"]).validate_relative(
            "热依拉·阿不都热合曼", "child", make_id(birth=dt.date(2010, 5, 5), seq=31),
            registered_unemployed=False,
        )
    )  # fmt: skip
    model, table = page.household.model, page.household.table
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Employment status"
    metrics = table.fontMetrics()
    for row in range(model.rowCount()):
        for column in (0, 2):  # names and ID numbers are never cut
            text = model.data(model.index(row, column))
            assert table.columnWidth(column) >= metrics.horizontalAdvance(text), text
    dialog = RelativeDialog(page)
    number = dialog.id_number
    assert number.minimumWidth() >= number.fontMetrics().horizontalAdvance("650102199001011234")


def test_history_of_changes_opens_from_the_page(
    page: PersonPage, gui_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker.gui.views.history import HistoryDialog

    assert not page.history_action.isEnabled()  # a new person has no history yet
    person = register(gui_store, "张三", make_id(seq=21), phone="13899998888")
    page.load(person.id)
    page.update_actions(active=True)
    assert page.history_action.isEnabled()
    shown: list[HistoryDialog] = []

    def fake_exec(dialog: HistoryDialog) -> int:
        shown.append(dialog)
        return 0

    monkeypatch.setattr(HistoryDialog, "exec", fake_exec)
    page.history_action.trigger()
    assert len(shown) == 1
    assert shown[0].model.rowCount() == 1
    assert "张三" in shown[0].model.data(shown[0].model.index(0, 2))
