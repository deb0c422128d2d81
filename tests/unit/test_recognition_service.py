"""The recognition workflow kept in the database: steps, refusals, the log, re-assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, func, select

from caseworker.core.errors import NotFoundError, ValidationError, WorkflowError
from caseworker.policy import default_calendar
from caseworker.policy.categories import Category
from caseworker.recognition import service
from caseworker.recognition.workflow import (
    CommunityReview,
    Exit,
    ExitReason,
    PeriodicReview,
    Recognise,
    Stage,
    StartPublicNotice,
    StepKind,
    TownshipReview,
)
from caseworker.registry import persons
from caseworker.store.models import ChangeLog, ProofItem, RecognitionCase, RecognitionStep
from tests.helpers import log_actors, make_id, on_day, provide_all_proofs, register

D = dt.date
OLDER = ["older_worker", "long_term_unemployed_1y"]
APPLIED_ON = D(2024, 9, 2)


def older_man(store: Any, seq: int = 131, **fields: object) -> Any:
    fields.setdefault("registered_unemployed_since", D(2023, 1, 1))
    fields.setdefault("village", "红旗村")
    return register(store, "张三", make_id(birth=D(1965, 3, 1), seq=seq), **fields)


def apply(
    store: Any, person: Any, on: dt.date = APPLIED_ON, actor: str = "王芳", proofs: bool = True
) -> Any:
    """Open an application; ``proofs``: every proof of its checklist is ticked as provided."""
    with store.transaction(actor=actor) as session:
        case = service.open_application(session, person.id, on, OLDER, note="walk-in")
        if proofs:
            provide_all_proofs(session, case.id)
        return case


def step(store: Any, case_id: Any, the_step: Any, actor: str = "王芳") -> Any:
    with store.transaction(actor=actor) as session:
        return service.advance(session, case_id, the_step)


def recognised_case(store: Any, person: Any) -> Any:
    case = apply(store, person)
    step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True))
    step(store, case.id, TownshipReview(on=D(2024, 9, 10), passed=True))
    step(store, case.id, StartPublicNotice(start=D(2024, 9, 27)))
    return step(store, case.id, Recognise(on=D(2024, 10, 10)))


def test_notice_end_follows_the_holiday_calendar() -> None:
    cal = default_calendar()
    # National Day 2024: 1-7 October off, Sunday 29 September worked; the start day counts.
    assert cal.is_working_day(D(2024, 9, 29))
    assert not cal.is_working_day(D(2024, 10, 7))
    assert cal.add_working_days(D(2024, 9, 27), 5) == D(2024, 10, 9)


def test_whole_case_from_application_to_exit(store: Any) -> None:
    person = older_man(store)
    case = apply(store, person)
    assert case.stage == Stage.APPLIED
    with store.reading() as session:
        assert service.category_codes_of(session, [case.id]) == {
            case.id: ("older_worker", "long_term_unemployed_1y")
        }
        stored = session.get(RecognitionCase, case.id)
        assert stored is not None
        assert stored.category_codes == ("older_worker", "long_term_unemployed_1y")
    case = step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True, note="ok"))
    assert case.stage == Stage.COMMUNITY_PASSED
    case = step(store, case.id, TownshipReview(on=D(2024, 9, 10), passed=True))
    assert case.stage == Stage.TOWNSHIP_PASSED
    case = step(store, case.id, StartPublicNotice(start=D(2024, 9, 27)))
    assert (case.stage, case.notice_start, case.notice_end) == (
        Stage.PUBLIC_NOTICE,
        D(2024, 9, 27),
        D(2024, 10, 9),
    )
    case = step(store, case.id, Recognise(on=D(2024, 10, 10)))
    assert (case.stage, case.recognised_on) == (Stage.RECOGNISED, D(2024, 10, 10))
    case = step(store, case.id, PeriodicReview(on=D(2025, 4, 1)))
    case = step(store, case.id, PeriodicReview(on=D(2025, 10, 1)), actor="李明")
    assert case.last_review_on == D(2025, 10, 1)
    case = step(
        store, case.id, Exit(on=D(2025, 11, 3), reason=ExitReason.EMPLOYED, note="factory job")
    )
    assert (case.stage, case.exited_on, case.exit_reason, case.exit_note) == (
        Stage.EXITED,
        D(2025, 11, 3),
        "employed",
        "factory job",
    )
    with store.reading() as session:
        steps = service.history(session, case.id)
        assert [s.kind for s in steps] == [
            "apply",
            "community_review",
            "township_review",
            "public_notice",
            "recognise",
            "periodic_review",
            "periodic_review",
            "exit",
        ]
        assert steps[1].passed is True
        assert steps[1].note == "ok"
        assert steps[3].end_on == D(2024, 10, 9)
        assert steps[6].actor_name == "李明"
        assert steps[7].exit_reason == "employed"
        assert {s.actor_name for s in steps[:6]} == {"王芳"}
        # The stored case reads back as the same workflow case.
        wf = service.to_workflow_case(session, case.id)
        assert wf.stage is Stage.EXITED
        assert wf.reviews == (D(2025, 4, 1), D(2025, 10, 1))
        assert service.allowed_steps(session, case.id) == ()


def test_every_step_is_in_the_change_log_with_its_actor(store: Any) -> None:
    person = older_man(store)
    case = apply(store, person, actor="王芳")
    step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True), actor="阿依古丽")
    with store.reading() as session:
        step_ids = [s.id for s in service.history(session, case.id)]
        logged = session.scalars(
            select(ChangeLog).where(ChangeLog.entity_id.in_([*step_ids, case.id]))
        ).all()
        actors = dict(zip([r.seq for r in logged], log_actors(session, logged), strict=True))
    inserts = {(r.entity_id, actors[r.seq]) for r in logged if r.op == "insert"}
    assert (step_ids[0], "王芳") in inserts
    assert (step_ids[1], "阿依古丽") in inserts
    assert (case.id, "王芳") in inserts
    stage_rows = [(r.old_value, r.new_value, actors[r.seq]) for r in logged if r.field == "stage"]
    assert stage_rows == [("applied", "community_passed", "阿依古丽")]


def test_application_creates_the_proof_checklist_and_proofs_can_be_ticked(store: Any) -> None:
    person = older_man(store)
    case = apply(store, person, proofs=False)
    with store.reading() as session:
        items = service.proofs(session, case.id)
    assert items[0].category == "older_worker"
    assert {i.category for i in items} == set(OLDER)
    assert not any(i.provided for i in items)
    with store.transaction() as session:
        # one ID card serves both categories: ticked for the one, it is ticked for the other
        assert service.set_proof(session, case.id, "older_worker", "id_card", True) == 2
    with store.reading() as session:
        ticked = session.scalars(select(ProofItem).where(ProofItem.provided.is_(True))).all()
        assert sorted((i.category, i.proof) for i in ticked) == [
            ("long_term_unemployed_1y", "id_card"),
            ("older_worker", "id_card"),
        ]
    with store.transaction() as session:
        assert service.provide_proof(session, case.id, "id_card", False) == 2
        assert service.provide_proof(session, case.id, "id_card", False) == 0
    with pytest.raises(ValidationError, match="no proof"), store.transaction() as session:
        service.set_proof(session, case.id, "older_worker", "diploma", True)
    with pytest.raises(ValidationError, match="no proof"), store.transaction() as session:
        service.provide_proof(session, case.id, "diploma", True)


def test_a_step_with_proofs_missing_is_refused_or_recorded(store: Any) -> None:
    from caseworker.recognition.workflow import ProofsMissingError

    person = older_man(store)
    case = apply(store, person, proofs=False)
    with store.transaction() as session:
        service.provide_proof(session, case.id, "id_card", True)
    with pytest.raises(ProofsMissingError, match="3 proofs") as refused:
        step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True))
    assert refused.value.missing == (
        "household_register",
        "unemployment_registration",
        "commitment_letter",
    )
    step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True, proofs_missing_ok=True))
    with store.reading() as session:
        last = service.history(session, case.id)[-1]
        assert (
            last.missing_proofs == "household_register,unemployment_registration,commitment_letter"
        )
        events = service.to_workflow_case(session, case.id).events
        assert events[-1].missing_proofs == refused.value.missing


def test_a_step_dated_after_today_is_refused(store: Any) -> None:
    from caseworker.core import wall

    person = older_man(store)
    with wall.use(wall.FixedWall.on(D(2024, 9, 4))):
        with pytest.raises(WorkflowError, match="after today"):
            apply(store, person, on=D(2024, 9, 5))
        case = apply(store, person)
        with pytest.raises(WorkflowError, match="after today"):
            step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True))
    with store.reading() as session:
        assert len(service.history(session, case.id)) == 1


def test_refused_transitions_change_nothing(store: Any) -> None:
    person = older_man(store)
    case = apply(store, person)
    with pytest.raises(WorkflowError, match="township review can only follow"):
        step(store, case.id, TownshipReview(on=D(2024, 9, 5), passed=True))
    with pytest.raises(WorkflowError, match="already has an open recognition case"):
        apply(store, person, on=D(2024, 9, 3))
    step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=True))
    step(store, case.id, TownshipReview(on=D(2024, 9, 10), passed=True))
    with pytest.raises(WorkflowError, match="working day"):
        step(store, case.id, StartPublicNotice(start=D(2024, 10, 3)))
    step(store, case.id, StartPublicNotice(start=D(2024, 9, 27)))
    with pytest.raises(WorkflowError, match="earliest date is 2024-10-10"):
        step(store, case.id, Recognise(on=D(2024, 10, 9)))
    with store.reading() as session:
        stored = session.get(RecognitionCase, case.id)
        assert stored is not None
        assert stored.stage == Stage.PUBLIC_NOTICE
        assert len(service.history(session, case.id)) == 4
        assert service.allowed_steps(session, case.id) == (StepKind.RECOGNISE,)


def test_unknown_category_and_unknown_person_are_refused(store: Any) -> None:
    import uuid

    person = older_man(store)
    with pytest.raises(WorkflowError, match="not a category"), store.transaction() as session:
        service.open_application(session, person.id, D(2024, 9, 2), ["older_worker", "poor"])
    with pytest.raises(NotFoundError), store.transaction() as session:
        service.open_application(session, uuid.uuid4(), D(2024, 9, 2), OLDER)
    with store.reading() as session:
        assert session.scalars(select(RecognitionCase)).all() == []
        assert session.scalars(select(RecognitionStep)).all() == []


def test_a_rejected_case_is_closed_and_a_new_application_may_follow(store: Any) -> None:
    person = older_man(store)
    first = apply(store, person)
    step(store, first.id, CommunityReview(on=D(2024, 9, 5), passed=False, note="no papers"))
    with pytest.raises(WorkflowError, match="closed"):
        step(store, first.id, TownshipReview(on=D(2024, 9, 6), passed=True))
    second = apply(store, person, on=D(2024, 11, 4))
    with store.reading() as session:
        current = service.current_case(session, person.id)
        assert current is not None
        assert current.id == second.id
        assert service.status_of(session, [person.id]) == {person.id: "applied"}


def test_current_case_is_the_latest_closed_one_when_none_is_open(store: Any) -> None:
    person = older_man(store)
    case = apply(store, person)
    step(store, case.id, CommunityReview(on=D(2024, 9, 5), passed=False))
    other = older_man(store, seq=151)
    with store.reading() as session:
        current = service.current_case(session, person.id)
        assert current is not None
        assert current.stage == Stage.COMMUNITY_REJECTED
        assert service.current_case(session, other.id) is None


def test_status_of_reads_every_person_in_one_query(store: Any) -> None:
    a = older_man(store, seq=131)
    b = older_man(store, seq=151)
    c = older_man(store, seq=171)
    recognised_case(store, a)
    apply(store, b)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.reading() as session:
            result = service.status_of(session, [a.id, b.id, c.id])
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert result == {a.id: "recognised", b.id: "applied"}
    assert len([s for s in statements if "recognition_case" in s]) == 1


def test_cases_filter_by_stage_village_and_flag(store: Any) -> None:
    a = older_man(store, seq=131)
    b = older_man(store, seq=151, village="团结村")
    recognised_case(store, a)
    apply(store, b)
    with store.reading() as session:
        ids = persons.village_names(session, store.station_code)
        assert [c.person_id for c in service.cases(session, stage="recognised")] == [a.id]
        assert [c.person_id for c in service.cases(session, village_id=ids["团结村"])] == [b.id]
        assert len(service.cases(session)) == 2
        assert service.cases(session, flagged=True) == []


def test_notice_cases_overlap_the_range(store: Any) -> None:
    a = older_man(store, seq=131)
    b = older_man(store, seq=151)
    recognised_case(store, a)  # notice 2024-09-27 .. 2024-10-09
    apply(store, b)
    with store.reading() as session:
        assert [c.person_id for c in service.notice_cases(session, D(2024, 10, 9), D(2024, 10, 31))] == [a.id]  # fmt: skip
        assert [c.person_id for c in service.notice_cases(session, D(2024, 9, 1), D(2024, 9, 27))] == [a.id]  # fmt: skip
        assert service.notice_cases(session, D(2024, 10, 10), D(2024, 12, 31)) == []
        assert service.notice_cases(session, D(2024, 9, 1), D(2024, 9, 26)) == []
        found = service.notice_cases(session, D(2024, 9, 30), D(2024, 9, 30))
        assert found[0].person.name == "张三"


def test_reassessment_flags_an_employed_person_and_clears_the_flag_again(store: Any) -> None:
    person = older_man(store)
    case = recognised_case(store, person)
    on = D(2024, 11, 1)
    with store.transaction() as session:
        assert service.reassess_recognised(session, on) == []
    with store.transaction() as session, on_day(D(2024, 10, 20)):
        persons.change(session, person.id, employed=True, registered_unemployed_since=None)
    with store.transaction(actor="王芳") as session:
        changed = service.reassess_recognised(session, on)
        assert [c.id for c in changed] == [case.id]
    with store.reading() as session:
        stored = session.get(RecognitionCase, case.id)
        assert stored is not None
        assert stored.needs_review
        assert stored.stage == Stage.RECOGNISED  # never exited automatically
        # stored as codes, read in the language of whoever looks
        assert stored.review_reason == service.review_reason_code(["not_employed", "no_category"])
        text = service.review_reason_text(stored.review_reason, stored.review_flagged_on)
        assert "(employed; no category of clause (八) applies)" in text
        assert "2024-11-01" in text
        assert stored.review_flagged_on == on
        assert [c.id for c in service.cases(session, flagged=True)] == [case.id]
        flag_log = session.scalars(
            select(ChangeLog).where(
                ChangeLog.entity_id == case.id, ChangeLog.field == "needs_review"
            )
        ).all()
        assert [
            (r.new_value, a) for r, a in zip(flag_log, log_actors(session, flag_log), strict=True)
        ] == [("true", "王芳")]
    # Running again, in another language, changes nothing and logs nothing.
    from caseworker import i18n

    with store.reading() as session:
        before = session.scalar(select(func.count()).select_from(ChangeLog))
    i18n.set_language("ug_CN")
    try:
        with store.transaction() as session:
            assert service.reassess_recognised(session, on) == []
    finally:
        i18n.set_language("en")
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == before
    with store.transaction() as session, on_day(D(2024, 10, 25)):
        persons.change(
            session, person.id, employed=False, registered_unemployed_since=D(2023, 1, 1)
        )
        looked_at = service.reassess_person(session, person.id, on)
        assert [c.id for c in looked_at] == [case.id]
    with store.reading() as session:
        stored = session.get(RecognitionCase, case.id)
        assert stored is not None
        assert not stored.needs_review
        assert stored.review_reason == ""


def test_exit_clears_the_review_flag(store: Any) -> None:
    person = older_man(store)
    case = recognised_case(store, person)
    with store.transaction() as session:
        persons.change(session, person.id, employed=True, registered_unemployed_since=None)
        assert service.reassess_person(session, person.id, D(2024, 11, 1))[0].needs_review
    case = step(store, case.id, Exit(on=D(2024, 11, 4), reason=ExitReason.EMPLOYED))
    assert not case.needs_review
    with store.transaction() as session:
        assert service.reassess_recognised(session, D(2024, 11, 5)) == []
        assert service.reassess_person(session, person.id, D(2024, 11, 5)) == []


def test_assess_person_uses_the_registry(store: Any) -> None:
    person = older_man(store)
    with store.reading() as session:
        decision = service.assess_person(session, person.id, D(2024, 10, 1))
    assert decision.eligible
    assert decision.categories == (Category.OLDER_WORKER, Category.LONG_TERM_UNEMPLOYED_1Y)
    with store.transaction() as session:
        persons.tombstone(session, person.id)
    with pytest.raises(NotFoundError, match="deleted"), store.reading() as session:
        service.assess_person(session, person.id, D(2024, 10, 1))


def test_one_open_case_per_person_is_kept_by_the_database(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two windows both pass the check in Python; the database refuses the second case."""
    person = older_man(store)
    apply(store, person)
    # as if this window had checked before the other window's case was committed
    monkeypatch.setattr(service, "_live_cases", lambda *_args: [])

    def second() -> None:
        with store.transaction() as session:
            service.open_application(session, person.id, D(2024, 9, 3), ["older_worker"])

    with pytest.raises(WorkflowError, match="open recognition case"):
        second()
