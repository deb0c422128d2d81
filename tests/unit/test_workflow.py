"""The recognition workflow: allowed and refused transitions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from caseworker.core import wall
from caseworker.core.errors import WorkflowError
from caseworker.policy.categories import Category
from caseworker.policy.pack import default_library
from caseworker.recognition.workflow import (
    Case,
    CommunityReview,
    Exit,
    ExitReason,
    PeriodicReview,
    ProofsMissingError,
    Recognise,
    Stage,
    StartPublicNotice,
    Step,
    StepKind,
    TownshipReview,
    advance,
    allowed_steps,
    missing_proofs,
    open_application,
)

D = dt.date
PACK = default_library().get("xj-2023-49")


def with_proofs(case: Case, *missing: str) -> Case:
    """``case`` with every proof ticked as provided except ``missing``."""
    items = tuple(dataclasses.replace(i, provided=i.proof not in missing) for i in case.checklist)
    return dataclasses.replace(case, checklist=items)


def applied() -> Case:
    """An application whose proofs are all provided."""
    return with_proofs(
        open_application(D(2024, 9, 2), ["older_worker", Category.MIN_LIVING_ALLOWANCE_6M], PACK)
    )


def run(case: Case, *steps: Step) -> Case:
    for step in steps:
        case = advance(case, step)
    return case


HAPPY = (
    CommunityReview(on=D(2024, 9, 5), passed=True),
    TownshipReview(on=D(2024, 9, 10), passed=True),
    StartPublicNotice(start=D(2024, 9, 26)),
    Recognise(on=D(2024, 10, 9)),
)


def recognised() -> Case:
    return run(applied(), *HAPPY)


def test_application_has_categories_in_clause_order_and_checklists() -> None:
    case = applied()
    assert case.stage is Stage.APPLIED
    assert case.categories == (Category.MIN_LIVING_ALLOWANCE_6M, Category.OLDER_WORKER)
    assert case.policy_id == "xj-2023-49"
    assert case.notice_working_days == 5
    proofs = [i.label_zh for i in case.checklist_for(Category.MIN_LIVING_ALLOWANCE_6M)]
    assert "低保证" in proofs
    assert "低保证" not in [i.label_zh for i in case.checklist_for("older_worker")]
    assert allowed_steps(case) == (StepKind.COMMUNITY_REVIEW,)


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ([], "at least one category"),
        (["older_worker", "older_worker"], "claimed twice"),
        (["astronaut"], "not a category"),
    ],
)
def test_bad_applications(categories: list[str], message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        open_application(D(2024, 9, 2), categories, PACK)


def test_the_whole_way() -> None:
    case = recognised()
    assert case.stage is Stage.RECOGNISED
    # 2024-09-26 Thu, 27 Fri, 29 Sun (worked), 30 Mon, then the National Day holiday, 10-08 Tue
    assert case.notice_start == D(2024, 9, 26)
    assert case.notice_end == D(2024, 10, 8)
    assert case.recognised_on == D(2024, 10, 9)
    assert allowed_steps(case) == (StepKind.PERIODIC_REVIEW, StepKind.EXIT)
    case = run(case, PeriodicReview(on=D(2025, 4, 1)), PeriodicReview(on=D(2025, 10, 1)))
    assert case.reviews == (D(2025, 4, 1), D(2025, 10, 1))
    case = advance(case, Exit(on=D(2025, 11, 3), reason=ExitReason.EMPLOYED))
    assert case.stage is Stage.EXITED
    assert case.exit_reason is ExitReason.EMPLOYED
    assert case.exited_on == D(2025, 11, 3)
    assert allowed_steps(case) == ()
    assert [e.kind for e in case.events] == [
        StepKind.APPLY,
        StepKind.COMMUNITY_REVIEW,
        StepKind.TOWNSHIP_REVIEW,
        StepKind.PUBLIC_NOTICE,
        StepKind.RECOGNISE,
        StepKind.PERIODIC_REVIEW,
        StepKind.PERIODIC_REVIEW,
        StepKind.EXIT,
    ]


def test_rejections_close_the_case() -> None:
    rejected = advance(applied(), CommunityReview(on=D(2024, 9, 5), passed=False, note="no proof"))
    assert rejected.stage is Stage.COMMUNITY_REJECTED
    with pytest.raises(WorkflowError, match="closed"):
        advance(rejected, TownshipReview(on=D(2024, 9, 6), passed=True))
    township = run(
        applied(),
        CommunityReview(on=D(2024, 9, 5), passed=True),
        TownshipReview(on=D(2024, 9, 6), passed=False),
    )
    assert township.stage is Stage.TOWNSHIP_REJECTED
    with pytest.raises(WorkflowError, match="closed"):
        advance(township, StartPublicNotice(start=D(2024, 9, 9)))


def _at(stage: Stage) -> Case:
    steps: dict[Stage, tuple[Step, ...]] = {
        Stage.APPLIED: (),
        Stage.COMMUNITY_PASSED: HAPPY[:1],
        Stage.TOWNSHIP_PASSED: HAPPY[:2],
        Stage.PUBLIC_NOTICE: HAPPY[:3],
        Stage.RECOGNISED: HAPPY,
    }
    return run(applied(), *steps[stage])


LATER = D(2026, 3, 2)  # a working Monday after every step above


@pytest.mark.parametrize(
    ("stage", "step", "message"),
    [
        (
            Stage.APPLIED,
            TownshipReview(on=LATER, passed=True),
            "can only follow a passed community review",
        ),
        (Stage.APPLIED, StartPublicNotice(start=LATER), "can only follow a passed township review"),
        (Stage.APPLIED, Recognise(on=LATER), "can only follow a public notice"),
        (Stage.APPLIED, PeriodicReview(on=LATER), "only possible while the person is recognised"),
        (Stage.APPLIED, Exit(on=LATER, reason=ExitReason.MOVED_AWAY), "Only a recognised person"),
        (Stage.COMMUNITY_PASSED, CommunityReview(on=LATER, passed=True), "not been reviewed yet"),
        (Stage.COMMUNITY_PASSED, StartPublicNotice(start=LATER), "passed township review"),
        (Stage.COMMUNITY_PASSED, Recognise(on=LATER), "can only follow a public notice"),
        (Stage.TOWNSHIP_PASSED, TownshipReview(on=LATER, passed=True), "passed community review"),
        (Stage.TOWNSHIP_PASSED, Recognise(on=LATER), "can only follow a public notice"),
        (Stage.PUBLIC_NOTICE, StartPublicNotice(start=LATER), "passed township review"),
        (Stage.PUBLIC_NOTICE, PeriodicReview(on=LATER), "recognised"),
        (Stage.PUBLIC_NOTICE, Exit(on=LATER, reason=ExitReason.DECEASED), "Only a recognised"),
        (Stage.RECOGNISED, Recognise(on=LATER), "can only follow a public notice"),
        (Stage.RECOGNISED, CommunityReview(on=LATER, passed=True), "not been reviewed yet"),
    ],
)
def test_refused_transitions(stage: Stage, step: Step, message: str) -> None:
    case = _at(stage)
    with pytest.raises(WorkflowError, match=message):
        advance(case, step)


@pytest.mark.parametrize(
    ("stage", "step"),
    [
        (Stage.APPLIED, CommunityReview(on=D(2024, 9, 1), passed=True)),
        (Stage.COMMUNITY_PASSED, TownshipReview(on=D(2024, 9, 4), passed=True)),
        (Stage.TOWNSHIP_PASSED, StartPublicNotice(start=D(2024, 9, 9))),
        (Stage.RECOGNISED, PeriodicReview(on=D(2024, 10, 8))),
        (Stage.RECOGNISED, Exit(on=D(2024, 10, 8), reason=ExitReason.RETIRED)),
    ],
)
def test_dates_cannot_go_backwards(stage: Stage, step: Step) -> None:
    with pytest.raises(WorkflowError, match="cannot go backwards"):
        advance(_at(stage), step)


def test_same_day_steps_are_allowed() -> None:
    case = run(
        applied(),
        CommunityReview(on=D(2024, 9, 2), passed=True),
        TownshipReview(on=D(2024, 9, 2), passed=True),
    )
    assert case.stage is Stage.TOWNSHIP_PASSED


@pytest.mark.parametrize("start", [D(2024, 10, 1), D(2024, 9, 28)])  # a holiday, a Saturday
def test_public_notice_must_start_on_a_working_day(start: dt.date) -> None:
    with pytest.raises(WorkflowError, match="must start on a working day"):
        advance(_at(Stage.TOWNSHIP_PASSED), StartPublicNotice(start=start))


def test_public_notice_may_start_on_a_working_weekend() -> None:
    case = advance(_at(Stage.TOWNSHIP_PASSED), StartPublicNotice(start=D(2024, 9, 29)))
    assert case.notice_end == D(2024, 10, 10)


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(D(2024, 10, 7), False), (D(2024, 10, 8), False), (D(2024, 10, 9), True)],
)
def test_recognition_only_after_the_notice_end(on: dt.date, allowed: bool) -> None:
    case = _at(Stage.PUBLIC_NOTICE)
    if allowed:
        assert advance(case, Recognise(on=on)).stage is Stage.RECOGNISED
    else:
        with pytest.raises(WorkflowError, match="earliest date is 2024-10-09"):
            advance(case, Recognise(on=on))


def test_notice_length_comes_from_the_case() -> None:
    case = dataclasses.replace(_at(Stage.TOWNSHIP_PASSED), notice_working_days=7)
    assert advance(case, StartPublicNotice(start=D(2024, 9, 26))).notice_end == D(2024, 10, 10)


@pytest.mark.parametrize("reason", list(ExitReason))
def test_exit_reasons(reason: ExitReason) -> None:
    note = "went abroad" if reason is ExitReason.OTHER else ""
    case = advance(recognised(), Exit(on=D(2025, 1, 6), reason=reason, note=note))
    assert case.exit_reason is reason
    with pytest.raises(WorkflowError, match="closed"):
        advance(case, PeriodicReview(on=D(2025, 2, 1)))


def test_other_exit_reason_needs_a_note() -> None:
    with pytest.raises(WorkflowError, match="note"):
        advance(recognised(), Exit(on=D(2025, 1, 6), reason=ExitReason.OTHER, note=" "))


def test_stable_string_values() -> None:
    assert [s.value for s in Stage] == [
        "applied",
        "community_passed",
        "community_rejected",
        "township_passed",
        "township_rejected",
        "public_notice",
        "recognised",
        "exited",
    ]
    assert [r.value for r in ExitReason] == [
        "employed",
        "retired",
        "moved_away",
        "deceased",
        "declined_help",
        "other",
    ]


def test_round_trip_through_json() -> None:
    case = run(recognised(), Exit(on=D(2025, 1, 6), reason=ExitReason.OTHER, note="x"))
    data = json.loads(json.dumps(case.to_dict()))
    assert Case.from_dict(data) == case
    assert data["stage"] == "exited"
    assert data["events"][3]["end"] == "2024-10-08"


@pytest.mark.parametrize(
    ("stage", "step"),
    [
        (Stage.APPLIED, CommunityReview(on=D(2026, 11, 30), passed=True)),
        (Stage.COMMUNITY_PASSED, TownshipReview(on=D(2026, 11, 29), passed=False)),
        (Stage.TOWNSHIP_PASSED, StartPublicNotice(start=D(2026, 11, 30))),
        (Stage.RECOGNISED, PeriodicReview(on=D(2026, 12, 5))),
        (Stage.RECOGNISED, Exit(on=D(2026, 11, 29), reason=ExitReason.EMPLOYED)),
    ],
)
def test_a_step_dated_after_today_is_refused(stage: Stage, step: Step) -> None:
    """On 2026-11-28 a notice starting on 11-30 (or any step dated later) is refused."""
    with (
        wall.use(wall.FixedWall.on(D(2026, 11, 28))),
        pytest.raises(WorkflowError, match="after today"),
    ):
        advance(_at(stage), step)
    # today itself is fine
    assert advance(
        _at(Stage.APPLIED), CommunityReview(on=D(2026, 11, 28), passed=True), today=D(2026, 11, 28)
    )


def test_a_recognition_dated_after_today_is_refused() -> None:
    case = _at(Stage.PUBLIC_NOTICE)
    with pytest.raises(WorkflowError, match="after today"):
        advance(case, Recognise(on=D(2024, 10, 9)), today=D(2024, 10, 8))


def test_an_application_dated_after_today_is_refused() -> None:
    with pytest.raises(WorkflowError, match="after today"):
        open_application(D(2024, 9, 3), ["older_worker"], PACK, today=D(2024, 9, 2))
    assert open_application(D(2024, 9, 2), ["older_worker"], PACK, today=D(2024, 9, 2))


def test_a_step_with_proofs_missing_needs_confirmation_and_records_them() -> None:
    case = with_proofs(applied(), "household_register", "min_living_allowance_certificate")
    # one document serves both categories: the ID card is listed once
    assert missing_proofs(case) == ("household_register", "min_living_allowance_certificate")
    with pytest.raises(ProofsMissingError, match="2 proofs are not ticked") as refused:
        advance(case, CommunityReview(on=D(2024, 9, 5), passed=True))
    assert refused.value.missing == ("household_register", "min_living_allowance_certificate")
    assert "Household register" in str(refused.value)
    confirmed = advance(
        case, CommunityReview(on=D(2024, 9, 5), passed=True, proofs_missing_ok=True)
    )
    assert confirmed.stage is Stage.COMMUNITY_PASSED
    assert confirmed.events[-1].missing_proofs == refused.value.missing
    # the next step that needs them asks again
    with pytest.raises(ProofsMissingError):
        advance(confirmed, TownshipReview(on=D(2024, 9, 6), passed=True))
    # a rejection does not need the proofs
    rejected = advance(case, CommunityReview(on=D(2024, 9, 5), passed=False))
    assert rejected.events[-1].missing_proofs == ()
    # with every proof provided nothing is recorded
    assert advance(applied(), HAPPY[0]).events[-1].missing_proofs == ()
    data = json.loads(json.dumps(confirmed.to_dict()))
    assert Case.from_dict(data) == confirmed


@pytest.mark.parametrize("kind", ["notice", "recognise"])
def test_notice_and_recognition_need_the_proofs(kind: str) -> None:
    stage = Stage.TOWNSHIP_PASSED if kind == "notice" else Stage.PUBLIC_NOTICE
    case = with_proofs(_at(stage), "id_card")
    step: Step = (
        StartPublicNotice(start=D(2024, 9, 26))
        if kind == "notice"
        else Recognise(on=D(2024, 10, 9))
    )
    with pytest.raises(ProofsMissingError, match="identity card"):
        advance(case, step)
    ok = dataclasses.replace(step, proofs_missing_ok=True)
    assert advance(case, ok).events[-1].missing_proofs == ("id_card",)
