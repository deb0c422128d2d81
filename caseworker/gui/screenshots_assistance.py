"""The assistance screens for :mod:`caseworker.gui.screenshots`: the dashboard, the worklist,
the zero-employment family tracker and a person's Assistance tab (the demo makes the plans,
contacts, offers, outcomes and families)."""

from __future__ import annotations

from typing import Any


def _settle(app: Any, window: Any, until: Any) -> None:
    from caseworker.gui.screenshots import settle

    del window
    settle(app, until)


def _showcase(store: Any) -> Any:
    """A person whose plan has contacts, offers (one refused) and an outcome, if any."""
    from sqlalchemy import func, select

    from caseworker.store.models import AssistanceContact, AssistanceOffer, AssistancePlan

    with store.reading() as session:
        offered = select(AssistanceOffer.plan_id).where(AssistanceOffer.answer == "refused")
        return session.scalar(
            select(AssistancePlan.person_id)
            .join(AssistanceContact, AssistanceContact.plan_id == AssistancePlan.id)
            .where(AssistancePlan.closed_on.is_(None), AssistancePlan.id.in_(offered))
            .group_by(AssistancePlan.person_id)
            .order_by(func.count().desc())
            .limit(1)
        )


def _correct_a_contact(store: Any, person_id: Any) -> None:
    """Correct the newest contact once, so the timeline shows a correction beside it."""
    from caseworker.casework import plans

    with store.transaction() as session:
        plan = plans.open_plan_of(session, person_id)
        assert plan is not None
        latest = plans.effective_contacts(session, plan.id)[0]
        plans.add_contact(
            session, person_id, on=latest.on, channel="visit", services=("job_referral",),
            note="入户走访，推荐保洁岗位（更正：实为入户）", supersedes=latest.id,
        )  # fmt: skip


def prepare(store: Any) -> Any:
    """The person shown on the Assistance tab (with a corrected contact)."""
    person_id = _showcase(store)
    _correct_a_contact(store, person_id)
    return person_id


def shoot(app: Any, window: Any, save: Any, person_id: Any) -> None:
    """The dashboard, the worklist, the family tracker and a person's Assistance tab."""
    worklist, families, dashboard = window.casework_views[:3]
    window.show_section(5)
    _settle(app, window, lambda: dashboard.figures is not None)
    save("dashboard", window)
    window.show_section(3)
    _settle(app, window, lambda: worklist.model.rowCount() > 0)
    save("worklist", window)
    window.show_section(4)
    _settle(app, window, lambda: families.model.rowCount() > 0)
    save("families", window)
    window.open_person(person_id)
    window.person.show_assistance()
    _settle(app, window, lambda: True)
    save("assistance", window)
    window.show_list()
