"""How the change log reads to a person: operations, field names, verification problems.

The command line (``caseworker audit``) and the history window of the desktop program both
word entries and problems through this module.
"""

from __future__ import annotations

from caseworker.core import wall
from caseworker.i18n import N_, _
from caseworker.registry import fields, vocab
from caseworker.store import audit

#: How each problem of :func:`caseworker.store.audit.verify` reads.
PROBLEMS = {
    audit.BROKEN_LINK: N_("row {seq}: it does not follow the row before it (a row was removed or changed)"),
    audit.BAD_HASH: N_("row {seq}: its content was changed after it was written"),
    audit.SEQ_ORDER: N_("row {seq}: out of order"),
    audit.BAD_STAMP: N_("row {seq}: its time stamp is malformed"),
    audit.MISSING_GUARD: N_("the database protection {detail} is missing"),
    audit.NOT_IN_LOG: N_("{entity} {id}: the record has no history in the log"),
    audit.NO_VALUES: N_("{entity} {id}: the log does not hold the record's values (row {seq})"),
    audit.MISMATCH: N_("{entity} {id}: the record differs from its history in: {detail} (last row {seq})"),
    audit.STAMP_MISMATCH: N_("{entity} {id}: the record's time stamp is not its last change's (row {seq})"),
    audit.RECORD_GONE: N_("{entity} {id}: the record was removed from the table (last row {seq})"),
}  # fmt: skip
ENTITIES = {
    "person": N_("person"),
    "household": N_("household"),
    "household_member": N_("household membership"),
    "employment_episode": N_("employment"),
    "recognition_case": N_("recognition case"),
    "recognition_step": N_("recognition step"),
    "proof_item": N_("proof"),
    "staff": N_("staff member"),
    "station": N_("station"),
    "village": N_("village or community"),
    "setting": N_("setting"),
    "assistance_plan": N_("assistance plan"),
    "assistance_contact": N_("assistance contact"),
    "assistance_offer": N_("post offered"),
    "assistance_outcome": N_("employment outcome"),
    "zero_employment_episode": N_("zero-employment family"),
    "account": N_("staff account"),
    "access": N_("access"),
}
OPS = {
    "insert": N_("created"),
    "baseline": N_("values recorded"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "restore": N_("restored"),
    "reveal": N_("whole value shown"),
    "export": N_("exported"),
    "backup": N_("backed up"),
    "import": N_("received"),
    "hold": N_("held at the county"),
    "release": N_("released at the county"),
}


def describe_problem(problem: audit.Problem) -> str:
    return _(PROBLEMS[problem.code]).format(
        seq=problem.seq, entity=problem.entity, id=problem.entity_id, detail=problem.detail
    )


def field_label(entity: str, name: str) -> str:
    if entity == "person" and name in fields.BY_NAME:
        return _(fields.BY_NAME[name].label)
    return name


def value_label(entity: str, name: str, value: str | None) -> str:
    """A logged value as a person reads it: vocabulary codes and yes/no in words."""
    if value is None:
        return "—"
    spec = fields.BY_NAME.get(name) if entity == "person" else None
    if spec is not None and spec.kind is fields.Kind.CODE and spec.vocabulary:
        return vocab.label(spec.vocabulary, value)
    if value in ("true", "false") and (spec is None or spec.kind is fields.Kind.BOOL):
        return _("Yes") if value == "true" else _("No")
    return value


def inserted_values(entry: audit.Entry) -> list[tuple[str, str]]:
    """The labelled values of an insert or baseline row (only the fields people fill in)."""
    shown: list[tuple[str, str]] = []
    for key, value in sorted(entry.values.items()):
        if value in (None, "", "false") or key in ("id", "station_code", "demo", "deleted"):
            continue
        if entry.entity == "person" and key not in fields.BY_NAME:
            continue  # derived: sex, birth date, pinyin
        shown.append((field_label(entry.entity, key), value_label(entry.entity, key, value)))
    return shown


def entity_label(entity: str) -> str:
    return _(ENTITIES[entity]) if entity in ENTITIES else entity


def when(entry: audit.Entry) -> str:
    """The time of a change where the user is, to the minute."""
    return entry.at.astimezone(wall.local_now().tzinfo).strftime("%Y-%m-%d %H:%M")


def who(entry: audit.Entry) -> str:
    return entry.actor or _("(the program)")


def what(entry: audit.Entry) -> str:
    """The change in one line: "person changed", "phone: 1389… → 1390…"."""
    head = f"{entity_label(entry.entity)} {_(OPS.get(entry.op, entry.op))}"
    if entry.field == "*":
        return head
    old = value_label(entry.entity, entry.field, entry.old_value)
    new = value_label(entry.entity, entry.field, entry.new_value)
    return f"{head}  {field_label(entry.entity, entry.field)}: {old} → {new}"


def entry_lines(entry: audit.Entry) -> list[str]:
    """How one change reads, a line for the change and a line per value of an insert."""
    head = f"{when(entry)}  {who(entry)}  {what(entry)}"
    if entry.field == "*":
        return [head, *(f"    {label}: {value}" for label, value in inserted_values(entry))]
    return [head]
