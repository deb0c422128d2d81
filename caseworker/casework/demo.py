"""Demo assistance for ``caseworker demo``: recognised cases, plans with about a year of
contacts for a tenth of the persons, offers with their answers, employment outcomes, and the
zero-employment families of the demo households (identified, some cleared).

:func:`batch_rows` works on the rows of one batch of :mod:`caseworker.registry.demo` (plain
dicts, before they are written) and returns the rows to insert, model by model, in an order
the foreign keys accept.  Every row is marked ``demo``.  The same seed gives the same choices.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect

from caseworker.casework.rules import AssistanceRules
from caseworker.casework.vocab import (
    Answer,
    Basis,
    Channel,
    CloseReason,
    Evidence,
    OfferKind,
    Service,
)
from caseworker.core.idcard import IdNumber, Sex
from caseworker.policy import Facts, assess, default_calendar
from caseworker.policy.dates import add_months
from caseworker.policy.facts import WorkCapacity
from caseworker.policy.families import FamilyMember, read_family
from caseworker.recognition.service import category_order
from caseworker.recognition.workflow import Stage, StepKind
from caseworker.registry.families import EpisodeEnd
from caseworker.store.base import Synced
from caseworker.store.models import (
    AssistanceContact,
    AssistanceOffer,
    AssistanceOutcome,
    AssistancePlan,
    CaseCategory,
    EmploymentEpisode,
    RecognitionCase,
    RecognitionStep,
    ZeroEmploymentEpisode,
)

#: The demo station's caseworkers (援助责任人).
STAFF = ("李娜", "王芳", "古丽·买买提", "阿依古丽·吐尔逊")
#: About this share of the persons get a plan.
PLAN_SHARE = 0.10
#: The generated relatives are employed at the registry demo's rate (35%), which leaves about
#: half of the households in zero employment; in a zero-employment household a relative of
#: working age, able and willing, is made employed at this rate, so that the tracker holds a
#: realistic few per cent of the households.
REALISTIC_EARNER = 0.9
NOTES = (
    "电话了解求职意向",
    "入户走访，了解家庭情况",
    "推荐保洁岗位，本人考虑中",
    "来站咨询技能培训报名",
    "微信推送招聘信息",
    "讲解就业援助政策",
    "跟踪了解在岗情况",
    "陪同参加招聘会",
)
POSTS = (
    ("保洁员", "天山区物业公司"),
    ("护林员", "红旗村委会"),
    ("保安", "南湖社区服务中心"),
    ("收银员", "友好超市"),
    ("仓库管理员", "新疆物流公司"),
    ("面点师", "民族餐厅"),
    ("缝纫工", "扶贫车间"),
)
REFUSAL_REASONS = ("距离太远", "工资偏低", "照顾家人", "身体原因")


@dataclass
class Rows:
    """Rows to insert, by model, in foreign-key order."""

    by_model: dict[type[Synced], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[Synced], **values: Any) -> dict[str, Any]:
        row = _complete(model, {"id": uuid.uuid4(), "demo": True, **values})
        self.by_model.setdefault(model, []).append(row)
        return row

    def ordered(self) -> list[tuple[type[Synced], list[dict[str, Any]]]]:
        order = (
            EmploymentEpisode, RecognitionCase, CaseCategory, RecognitionStep, AssistancePlan,
            AssistanceContact, AssistanceOffer, AssistanceOutcome, ZeroEmploymentEpisode,
        )  # fmt: skip
        return [(m, self.by_model[m]) for m in order if self.by_model.get(m)]


def _complete(model: type[Synced], values: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns not given with their defaults (None where there is none)."""
    for attr in inspect(model).column_attrs:
        if attr.key in values or attr.key in ("created_hlc", "updated_hlc", "version"):
            continue
        default = attr.columns[0].default
        values[attr.key] = default.arg if default is not None and default.is_scalar else None
    if values.get("station_code") is None:
        values.pop("station_code", None)  # insert_records gives the station's
    return values


def _facts(person: dict[str, Any]) -> Facts:
    return Facts(
        id_number=IdNumber(person["id_number"]),
        resident_in_region=person["resident_in_region"],
        work_capacity=WorkCapacity(person["work_capacity"]),
        wants_work=person["wants_work"],
        employed=person["employed"],
        registered_unemployed_since=person["registered_unemployed_since"],
        min_living_allowance=person["min_living_allowance"],
        disabled=person["disabled"],
        college_graduate=person["college_graduate"],
        land_expropriated=person["land_expropriated"],
        income_below_local_average=person["income_below_local_average"],
        retirement_base_age=person["retirement_base_age"],
    )


def _family_member(
    row: dict[str, Any], person: dict[str, Any] | None, today: dt.date
) -> FamilyMember:
    if person is not None:
        number = IdNumber(person["id_number"])
        return FamilyMember(
            number.birth_date, number.sex, WorkCapacity(person["work_capacity"]),
            person["wants_work"], bool(person["employed"]), person["retirement_base_age"],
        )  # fmt: skip
    number = IdNumber(row["id_number"])
    return FamilyMember(
        number.birth_date, Sex(number.sex), WorkCapacity(row["work_capacity"]),
        row["wants_work"], bool(row["employed"]),
    )  # fmt: skip


class Maker:
    """Makes the demo assistance of one batch after another (one random stream)."""

    def __init__(
        self, seed: int, today: dt.date, rules: AssistanceRules, staff: Sequence[uuid.UUID]
    ) -> None:
        self.rng = random.Random(seed * 1_000_003 + 11)
        self.today = today
        self.rules = rules
        self.staff = list(staff)
        self.calendar = default_calendar()
        #: person id -> (the open zero-employment episode of their household, their membership)
        self.open_episode: dict[uuid.UUID, tuple[dict[str, Any], uuid.UUID]] = {}

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    # -- one batch ------------------------------------------------------------------------

    def batch_rows(
        self,
        persons: list[dict[str, Any]],
        episodes: list[dict[str, Any]],
        households: list[dict[str, Any]],
        members: list[dict[str, Any]],
    ) -> Rows:
        rows = Rows()
        self.open_episode = {}
        by_id = {p["id"]: p for p in persons}
        zero_members = self._families(rows, by_id, episodes, households, members)
        target = round(len(persons) * PLAN_SHARE)
        made = 0
        for person in persons:
            if made >= target:
                break
            if person["employed"] or self.rng.random() > 0.45:
                continue
            basis = self._recognise(rows, person)
            if basis is None and person["id"] in zero_members:
                basis = Basis.ZERO_EMPLOYMENT_FAMILY
            if basis is None:
                continue
            self._plan(rows, person, basis)
            made += 1
        return rows

    def _families(
        self,
        rows: Rows,
        by_id: dict[uuid.UUID, dict[str, Any]],
        episodes: list[dict[str, Any]],
        households: list[dict[str, Any]],
        members: list[dict[str, Any]],
    ) -> set[uuid.UUID]:
        """Episodes for the zero-employment households (same reading as the tracker); the
        registered persons of those households who count (of working age, able, willing)."""
        grouped: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for member in members:
            grouped.setdefault(member["household_id"], []).append(member)
        started = {e["person_id"]: e["starts_on"] for e in episodes}
        found: set[uuid.UUID] = set()
        for household in households:
            rows_of = grouped.get(household["id"], [])
            family = [_family_member(m, by_id.get(m["person_id"]), self.today) for m in rows_of]
            reading = read_family(
                family, household["business_or_investment_income"], self.today, self.rules.pack
            )
            relatives = [i for i in reading.counted if rows_of[i]["person_id"] is None]
            if reading.zero_employment and relatives and self.rng.random() < REALISTIC_EARNER:
                # most such households have a relative at work: a station tracks few families
                earner = rows_of[self.rng.choice(relatives)]
                earner["employed"], earner["registered_unemployed"] = True, False
                continue
            if reading.zero_employment:
                episode = rows.add(
                    ZeroEmploymentEpisode, household_id=household["id"],
                    identified_on=self.today - dt.timedelta(days=self.rng.randint(0, 75)),
                )  # fmt: skip
                for index in reading.counted:  # the members whose work would clear it
                    m = rows_of[index]
                    if m["person_id"] is not None:
                        found.add(m["person_id"])
                        self.open_episode[m["person_id"]] = (episode, m["id"])
                continue
            # a family cleared in the past year by a registered member's work
            for index in reading.employed:
                member = rows_of[index]
                start = started.get(member["person_id"])
                if start is not None and start > self.today - dt.timedelta(days=365):
                    rows.add(
                        ZeroEmploymentEpisode, household_id=household["id"],
                        identified_on=start - dt.timedelta(days=self.rng.randint(5, 60)),
                        ended_on=start, end_reason=EpisodeEnd.EMPLOYED.value,
                        cleared_by_id=member["id"],
                    )  # fmt: skip
                    break
        return found

    def _recognise(self, rows: Rows, person: dict[str, Any]) -> Basis | None:
        """A recognised case for an eligible person (categories from the engine, without the
        household ones), with its steps; None when the person is not eligible."""
        decision = assess(_facts(person), self.today, pack=self.rules.pack)
        if not decision.eligible:
            return None
        applied = self.today - dt.timedelta(days=self.rng.randint(450, 560))
        community = applied + dt.timedelta(days=3)
        township = community + dt.timedelta(days=4)
        notice = township + dt.timedelta(days=3)
        while not self.calendar.is_working_day(notice):
            notice += dt.timedelta(days=1)
        notice_end = self.calendar.add_working_days(
            notice, self.rules.pack.public_notice_working_days
        )
        recognised = notice_end + dt.timedelta(days=1)
        case = rows.add(
            RecognitionCase, person_id=person["id"], stage=Stage.RECOGNISED.value,
            policy_id=self.rules.pack.id, opened_on=applied, notice_start=notice,
            notice_end=notice_end, recognised_on=recognised,
        )  # fmt: skip
        for category in decision.categories:
            rows.add(
                CaseCategory, case_id=case["id"], category=category.value,
                sort_order=category_order(category.value),
            )  # fmt: skip
        steps = (
            (StepKind.APPLY, applied, None, None),
            (StepKind.COMMUNITY_REVIEW, community, True, None),
            (StepKind.TOWNSHIP_REVIEW, township, True, None),
            (StepKind.PUBLIC_NOTICE, notice, None, notice_end),
            (StepKind.RECOGNISE, recognised, None, None),
        )
        for order, (kind, on, passed, end) in enumerate(steps):
            rows.add(
                RecognitionStep, case_id=case["id"], sort_order=order, kind=kind.value, on=on,
                passed=passed, end_on=end, actor_id=self.rng.choice(self.staff),
            )  # fmt: skip
        person["_recognised_on"] = recognised
        return Basis.RECOGNISED

    def _plan(self, rows: Rows, person: dict[str, Any], basis: Basis) -> None:
        rng = self.rng
        # most plans run for about a year; some are newer
        back = rng.randint(330, 420) if rng.random() < 0.8 else rng.randint(10, 330)
        recognised = person.get("_recognised_on") or dt.date.min
        opened = max(self.today - dt.timedelta(days=back), recognised)
        worker = rng.choice(self.staff)
        plan = rows.add(
            AssistancePlan, person_id=person["id"], worker_id=worker, basis=basis.value,
            opened_on=opened, signed_on=opened,
            target_on=add_months(opened, 12),
            family_situation=rng.choice(("夫妻二人，子女上学", "独居", "与父母同住", "三代同堂")),
            unemployment_reason=rng.choice(("企业裁员", "合同到期", "照顾家庭", "长期未就业")),
            skills=rng.choice(("驾驶", "烹饪", "缝纫", "电脑操作", "无")),
            training_wish=rng.choice(("面点培训", "家政培训", "电工培训", "暂无")),
            job_intention=rng.choice(("保洁", "保安", "商场销售", "就近务工")),
            services_needed="job_referral,training", measures="每月联系一次，优先推荐爱心岗位",
        )  # fmt: skip
        outcome_on = None
        if rng.random() < 0.18:
            outcome_on = self.day_between(opened + dt.timedelta(days=20), self.today)
        # contacts: about monthly from the opening, some persons left overdue
        stop = self.today - dt.timedelta(days=rng.choice((0,) * 12 + (20, 45, 90)))
        follow_end = (
            add_months(outcome_on, self.rules.employed_follow_up_months) if outcome_on else None
        )
        day = opened + dt.timedelta(days=rng.randint(2, 20))
        last: dict[str, Any] | None = None
        while day <= stop and (follow_end is None or day < follow_end):
            services = rng.sample(list(Service), rng.choice((1, 1, 2)))
            last = rows.add(
                AssistanceContact, plan_id=plan["id"], person_id=person["id"], on=day,
                channel=rng.choice(list(Channel)).value, worker_id=worker,
                services=",".join(s.value for s in Service if s in services),
                note=rng.choice(NOTES),
                next_on=day + dt.timedelta(days=rng.choice((14, 21, 30))) if rng.random() < 0.3 else None,
            )  # fmt: skip
            day += dt.timedelta(days=rng.randint(20, 30))
        if last is not None:
            plan["last_contact_on"], plan["next_contact_on"] = last["on"], last["next_on"]
        for _ in range(rng.choice((0, 1, 1, 2, 3, 4))):
            on = self.day_between(opened, self.today)
            answer = rng.choices(list(Answer), (30, 45, 25))[0]
            post, employer = rng.choice(POSTS)
            rows.add(
                AssistanceOffer, plan_id=plan["id"], person_id=person["id"], on=on,
                kind=rng.choice(list(OfferKind)).value, post=post, employer=employer,
                answer=answer.value, answered_on=None if answer is Answer.PENDING else on,
                reason=rng.choice(REFUSAL_REASONS) if answer is Answer.REFUSED else "",
            )  # fmt: skip
        if outcome_on is not None:
            self._outcome(rows, person, plan, outcome_on)
        elif rng.random() < 0.06:
            plan["closed_on"] = self.day_between(opened, self.today)
            plan["close_reason"] = rng.choice((CloseReason.MOVED, CloseReason.DECLINED)).value

    def _outcome(
        self, rows: Rows, person: dict[str, Any], plan: dict[str, Any], on: dt.date
    ) -> None:
        evidence = self.rng.choice(list(Evidence))
        episode = rows.add(
            EmploymentEpisode, person_id=person["id"], starts_on=on, ends_on=None,
            kind=evidence.value, evidence=self.rules.pack.evidence_label_zh(evidence.value),
            source="assistance",
        )  # fmt: skip
        rows.add(
            AssistanceOutcome, plan_id=plan["id"], person_id=person["id"], on=on,
            evidence=evidence.value, note="", episode_id=episode["id"],
            contract_months=12 if evidence is Evidence.CONTRACT else None,
        )  # fmt: skip
        person["employed"] = True
        person["registered_unemployed_since"] = None
        family = self.open_episode.pop(person["id"], None)
        if family is not None:  # the outcome clears the family
            episode, member_id = family
            if episode["ended_on"] is None:
                episode["identified_on"] = min(
                    episode["identified_on"], on - dt.timedelta(days=self.rng.randint(5, 40))
                )
                episode["ended_on"] = on
                episode["end_reason"] = EpisodeEnd.EMPLOYED.value
                episode["cleared_by_id"] = member_id
        plan["employed_on"] = on
        plan["follow_up_until"] = add_months(on, self.rules.employed_follow_up_months)
        if plan["follow_up_until"] <= self.today and self.rng.random() < 0.5:
            plan["closed_on"] = plan["follow_up_until"]
            plan["close_reason"] = CloseReason.STABLE.value
