"""The recognition panel follows the form's facts and drives the workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseworker.gui.views.person import PersonPage
from caseworker.recognition import workflow
from tests.gui.conftest import MessageBoxes
from tests.helpers import make_id, register


@pytest.fixture
def page(gui_store: Any, qtbot: Any) -> PersonPage:
    widget = PersonPage(gui_store)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_assessment_follows_unsaved_facts(page: PersonPage, qtbot: Any) -> None:
    panel = page.recognition
    assert "valid ID number" in panel.verdict.text()
    page.editors["name"].input.setText("张三")
    page.editors["id_number"].input.setText(make_id(birth=dt.date(1985, 1, 1), seq=11))
    qtbot.waitUntil(lambda: panel.decision is not None)
    assert not panel.decision.eligible
    assert "long_term_unemployed_1y" not in panel.matched_categories()
    page.set_field("registered_unemployed_since", "2020-01-01")
    qtbot.waitUntil(lambda: "long_term_unemployed_1y" in panel.matched_categories())
    assert panel.decision.eligible
    assert "Eligible" in panel.verdict.text()
    assert "新政办发〔2023〕49号, clause (8)" in panel.reasons.text()  # cited in English
    page.set_field("employed", True)
    qtbot.waitUntil(lambda: not panel.decision.eligible)
    assert "Not eligible" in panel.verdict.text()


def test_household_feeds_the_assessment(page: PersonPage, gui_store: Any, qtbot: Any) -> None:
    head = register(
        gui_store,
        "张三",
        make_id(birth=dt.date(1980, 1, 1), seq=11),
        registered_unemployed_since="2024-01-01",
    )
    page.load(head.id)
    panel = page.recognition
    assert panel.decision is not None
    assert "dual_unemployed_couple" not in panel.matched_categories()
    spouse = register(
        gui_store,
        "李梅",
        make_id(birth=dt.date(1982, 1, 1), seq=12),
        registered_unemployed_since="2024-01-01",
    )
    assert page.household.add_member(spouse.id, "spouse")
    qtbot.waitUntil(lambda: "dual_unemployed_couple" in panel.matched_categories())


def test_workflow_steps_and_history(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes
) -> None:
    from caseworker.recognition import service

    person = register(gui_store, "张三", make_id(seq=11), registered_unemployed_since="2020-01-01")
    page.load(person.id)
    panel = page.recognition
    assert panel.apply_button.isVisibleTo(panel)
    assert panel.open_application(dt.date(2024, 3, 1), ["long_term_unemployed_1y"], "note")
    for box in panel.proof_boxes.values():
        box.setChecked(True)
    assert not panel.apply_button.isVisibleTo(panel)
    assert panel.step_buttons["community_review"].isVisibleTo(panel)
    assert not panel.step_buttons["recognise"].isVisibleTo(panel)
    assert panel.history.rowCount() == 1
    # out of order: refused with the workflow's message, nothing changes
    assert not panel.take_step(workflow.Recognise(on=dt.date(2024, 3, 4)))
    assert message_boxes.shown
    assert panel.take_step(workflow.CommunityReview(on=dt.date(2024, 3, 4), passed=True))
    assert panel.take_step(workflow.TownshipReview(on=dt.date(2024, 3, 5), passed=True))
    assert panel.take_step(workflow.StartPublicNotice(start=dt.date(2024, 3, 6)))
    with gui_store.reading() as session:
        case = service.current_case(session, person.id)
        assert case is not None
        assert case.notice_end is not None
        end = case.notice_end
    assert "Public notice from" in panel.case_label.text()
    assert str(end.year) in panel.case_label.text()
    assert panel.step_buttons["recognise"].isVisibleTo(panel)
    assert panel.take_step(workflow.Recognise(on=end + dt.timedelta(days=1)))
    assert panel.history.rowCount() == 5
    assert panel.history.data(panel.history.index(4, 0)) == "Recognition"
    assert {k for k, b in panel.step_buttons.items() if b.isVisibleTo(panel)} == {
        "periodic_review",
        "exit",
    }


def test_step_dialog_shows_the_notice_end_in_working_days(qtbot: Any) -> None:
    from caseworker.gui.views.step_dialog import StepDialog
    from caseworker.policy import add_working_days

    dialog = StepDialog("public_notice", notice_days=5)
    qtbot.addWidget(dialog)
    dialog.date.set_date(dt.date(2024, 9, 30))  # before the National Day holiday
    end = add_working_days(dt.date(2024, 9, 30), 5)
    assert end > dt.date(2024, 10, 4)
    assert str(end.day) in dialog.end_label.text()
    step = dialog.step()
    assert isinstance(step, workflow.StartPublicNotice)
    assert step.start == dt.date(2024, 9, 30)
