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
    for check in panel.proof_boxes.values():
        check.box.setChecked(True)
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


def _recognisable(gui_store: Any, page: PersonPage) -> Any:
    """A person who qualifies under three categories (ID card etc. serve all three)."""
    person = register(
        gui_store,
        "买买提",
        make_id(birth=dt.date(1965, 3, 1), seq=11),
        registered_unemployed_since="2020-01-01",
        min_living_allowance=True,
        village="红旗村",
    )
    page.load(person.id)
    return person


def test_a_future_step_is_refused_in_the_dialog_and_the_panel(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes, qtbot: Any
) -> None:
    """On 2026-11-28 a notice starting 11-30, or a recognition on 12-05, cannot be recorded."""
    from PySide6.QtWidgets import QDialogButtonBox

    from caseworker.core import wall
    from caseworker.gui.views.step_dialog import StepDialog

    with wall.use(wall.FixedWall.on(dt.date(2026, 11, 28))):
        dialog = StepDialog("public_notice", earliest=dt.date(2026, 11, 2))
        qtbot.addWidget(dialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert dialog.chosen_date() == dt.date(2026, 11, 28)
        assert ok.isEnabled()
        dialog.date.edit.setText("2026-11-30")
        assert dialog.chosen_date() is None
        assert not ok.isEnabled()
        assert dialog.date.message.isVisibleTo(dialog)
        assert "Nov 30, 2026 is after Nov 28, 2026" in dialog.date.error()
        _recognisable(gui_store, page)
        panel = page.recognition
        assert panel.open_application(dt.date(2026, 11, 2), ["long_term_unemployed_1y"])
        assert not panel.take_step(workflow.CommunityReview(on=dt.date(2026, 12, 5), passed=True))
        assert "after today" in message_boxes.shown[-1][1]
        assert panel.history.rowCount() == 1


def test_proofs_are_one_box_per_document_for_every_category(
    page: PersonPage, gui_store: Any
) -> None:
    from sqlalchemy import select

    from caseworker.recognition import service
    from caseworker.store.models import ProofItem

    _recognisable(gui_store, page)
    panel = page.recognition
    claimed = ["min_living_allowance_6m", "older_worker", "long_term_unemployed_1y"]
    assert panel.open_application(dt.date(2024, 3, 1), claimed)
    with gui_store.reading() as session:
        rows = session.scalars(select(ProofItem)).all()
        documents = {r.proof for r in rows}
    assert len(rows) > len(documents)  # the data keeps one row per category and proof
    assert set(panel.proof_boxes) == documents  # the page one box per document
    id_card = panel.proof_boxes["id_card"]
    assert id_card.text() == "Resident identity card"
    served = panel.findChild(type(panel.verdict), "proofFor_id_card")
    assert served is not None
    for label in ("Unemployed for a year or more", "Older unemployed worker"):
        assert label in served.text()
    id_card.box.setChecked(True)
    with gui_store.reading() as session:
        ticked = [r for r in session.scalars(select(ProofItem)) if r.proof == "id_card"]
        assert len(ticked) == 3
        assert all(r.provided for r in ticked)
        case = service.current_case(session, page.person_id)
        assert case is not None
        missing = [d.proof for d in service.proof_documents(session, case.id) if not d.provided]
    assert "id_card" not in missing


def test_a_step_with_proofs_missing_asks_and_records_them(
    page: PersonPage, gui_store: Any, message_boxes: MessageBoxes
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    _recognisable(gui_store, page)
    panel = page.recognition
    assert panel.open_application(dt.date(2024, 3, 1), ["long_term_unemployed_1y"])
    panel.proof_boxes["id_card"].box.setChecked(True)
    message_boxes.answer = QMessageBox.StandardButton.No
    step = workflow.CommunityReview(on=dt.date(2024, 3, 4), passed=True)
    assert not panel.take_step(step)
    name, _text, detail = message_boxes.shown[-1]
    assert name == "proofsMissingDialog"
    assert "Household register" in detail
    assert "Resident identity card" not in detail
    assert panel.history.rowCount() == 1
    message_boxes.answer = QMessageBox.StandardButton.Yes
    assert panel.take_step(step)
    assert panel.history.rowCount() == 2
    result = panel.history.index(1, 2)
    assert panel.history.data(result) == "Passed; 3 proofs missing"
    tip = panel.history.data(result, Qt.ItemDataRole.ToolTipRole)
    assert "Household register" in tip
    assert "Signed commitment letter" in tip


def test_the_notice_dialog_counts_xinjiang_holidays(qtbot: Any) -> None:
    """A 5-working-day notice from 2025-06-04 ends on 06-13 (古尔邦节 6月6日–10日)."""
    from caseworker.core import wall
    from caseworker.gui.views.step_dialog import StepDialog

    with wall.use(wall.FixedWall.on(dt.date(2025, 6, 30))):
        dialog = StepDialog("public_notice", notice_days=5)
        qtbot.addWidget(dialog)
        dialog.date.set_date(dt.date(2025, 6, 4))
        assert dialog.end_label.text().startswith("Jun 13, 2025")
    with wall.use(wall.FixedWall.on(dt.date(2026, 6, 30))):
        dialog = StepDialog("public_notice", notice_days=5)
        qtbot.addWidget(dialog)
        dialog.date.set_date(dt.date(2026, 5, 25))  # a year whose regional holidays are estimated
        assert "estimate" in dialog.end_label.text()


def test_the_uyghur_assessment_cites_the_notice_in_uyghur(
    page: PersonPage, qtbot: Any, qapp: Any
) -> None:
    from caseworker.gui.language import apply_language

    apply_language(qapp, "ug_CN")
    try:
        page.editors["id_number"].input.setText(make_id(birth=dt.date(1985, 1, 1), seq=11))
        page.set_field("registered_unemployed_since", "2020-01-01")
        panel = page.recognition
        panel.reassess()
        text = panel.reasons.text()
        assert "新政办发〔2023〕49号 نومۇرلۇق ھۆججەتنىڭ (8)-تارمىقى" in text
        assert "第（八）项" not in text
    finally:
        apply_language(qapp, "en")


def test_the_placeholder_drops_the_last_verdicts_colour(page: PersonPage, qtbot: Any) -> None:
    panel = page.recognition
    page.editors["id_number"].input.setText(make_id(birth=dt.date(1985, 1, 1), seq=11))
    page.set_field("registered_unemployed_since", "2020-01-01")
    panel.reassess()
    assert "#1b5e20" in panel.verdict.styleSheet()  # eligible: green
    page.editors["id_number"].input.setText("6501")
    panel.reassess()
    assert "valid ID number" in panel.verdict.text()
    assert panel.verdict.styleSheet() == ""


def test_history_columns_fit_their_contents_and_the_note_takes_the_rest(
    page: PersonPage,
) -> None:
    from PySide6.QtWidgets import QHeaderView

    header = page.recognition.history_view.horizontalHeader()
    modes = [header.sectionResizeMode(c) for c in range(5)]
    fit = QHeaderView.ResizeMode.ResizeToContents
    assert modes == [fit, fit, fit, QHeaderView.ResizeMode.Stretch, fit]
    assert not header.stretchLastSection()


def test_saving_re_assesses_the_recognised_case(
    page: PersonPage, gui_store: Any, qtbot: Any
) -> None:
    """docs/recognition.md: the GUI re-assesses a person after saving; the panel shows it."""
    from caseworker.recognition import service
    from tests.helpers import provide_all_proofs

    person = _recognisable(gui_store, page)
    with gui_store.transaction() as session:
        case = service.open_application(
            session, person.id, dt.date(2024, 3, 1), ["long_term_unemployed_1y"]
        )
        provide_all_proofs(session, case.id)
        for step in (
            workflow.CommunityReview(on=dt.date(2024, 3, 4), passed=True),
            workflow.TownshipReview(on=dt.date(2024, 3, 5), passed=True),
            workflow.StartPublicNotice(start=dt.date(2024, 3, 6)),
            workflow.Recognise(on=dt.date(2024, 3, 14)),
        ):
            service.advance(session, case.id, step)
    page.load(person.id)
    panel = page.recognition
    assert not panel.review_label.isVisibleTo(panel)
    page.set_field("registered_unemployed_since", "")
    page.set_field("employed", True)
    assert page.save()
    with gui_store.reading() as session:
        stored = service.current_case(session, person.id)
        assert stored is not None
        assert stored.needs_review
    assert panel.review_label.isVisibleTo(panel)
    assert "Flagged for review" in panel.review_label.text()
    assert not panel.decision.eligible  # the fresh assessment
