"""The printed forms of public-welfare posts, PDF (the list pipeline of
:mod:`caseworker.forms.lists`: header row on every page, the traceable footer with its QR
code, embedded fonts) and ``.xlsx``:

- 公益性岗位补贴发放公示表 (posted publicly: ID numbers masked), with the notice period;
- 公益性岗位人员花名册 (full ID numbers and bank accounts, for the county), with the
  制表人 / 审核人 / 单位负责人 lines;
- the blank monthly sign-in sheet (签到册 / 考勤表), one column per working day;
- 公益性岗位补贴申请表 (one row per employer) and 社会保险补贴申请表 (one row per person).

Every total printed is the exact sum of the lines printed (integer fen).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm

from caseworker.claims import STATE_ZH, ClaimState
from caseworker.core.idcard import age_on, mask
from caseworker.core.money import Money, total
from caseworker.forms.application import format_date
from caseworker.forms.excel import HEADER_ROW, _put, _save, _sheet
from caseworker.forms.fonts import FontSettings
from caseworker.forms.layout import load_layout
from caseworker.forms.lists import _list_layout, _title, _write_list
from caseworker.forms.page import list_hash
from caseworker.forms.posts_data import PayrollPrint, SignInSheet

NOTICE = "payroll_notice"
ROSTER = "payroll_roster"
SHEET = "attendance_sheet"
POST_APPLICATION = "post_subsidy_application"
SI_APPLICATION = "social_insurance_application"
SEX_ZH = {"male": "男", "female": "女"}
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")
_LARGE = ("", "万", "亿", "万亿")


def amount_in_words(amount: Money) -> str:
    """The amount in capital Chinese numerals (人民币大写): 1809.52 → 壹仟捌佰零玖元伍角贰分."""
    fen = abs(amount.fen)
    yuan, rest = divmod(fen, 100)
    jiao, cent = divmod(rest, 10)
    words = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10_000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(words)
                continue
            if words and (pending_zero or group < 1000):
                words += "零"
            pending_zero = False
            digits = f"{group:04d}"
            part, zero = "", False
            for pos, ch in enumerate(digits):
                d = int(ch)
                if d == 0:
                    zero = bool(part)
                    continue
                if zero:
                    part += "零"
                    zero = False
                part += _DIGITS[d] + _SMALL[3 - pos]
            words += part + _LARGE[index]
        words += "元"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif cent and words:
        words += "零"
    if cent:
        words += _DIGITS[cent] + "分"
    if not words:
        words = "零元"
    if not cent:
        words += "整"
    return ("负" if amount.fen < 0 else "") + words


def _month_values(data: PayrollPrint) -> dict[str, object]:
    roster = data.roster
    return {
        "station": data.station.name,
        "year": roster.month.year,
        "month": roster.month.month,
        "state": STATE_ZH[ClaimState(roster.state)],
        "count": roster.persons,
        "amount": roster.total_amount,
        "si": roster.total_social_insurance,
        "start": format_date(data.notice_start),
        "end": format_date(data.notice_end),
        "days": data.notice_days,
        "contact": data.contact_name,
        "phone": data.contact_phone,
        "words": amount_in_words(roster.total_amount),
        "pension": total(x.pension for x in roster.lines),
        "medical": total(x.medical for x in roster.lines),
        "unemployment": total(x.unemployment for x in roster.lines),
    }


def _ident(data: PayrollPrint, kind: str) -> str:
    roster = data.roster
    return list_hash(
        [data.station.code, kind, roster.month.isoformat(), roster.state,
         *(f"{x.id_number}:{x.amount.fen}:{x.social_insurance.fen}" for x in roster.lines)]
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Rows: one dict of display text per line (also the .xlsx rows)
# ---------------------------------------------------------------------------------------------


def _adjusted(line: Any) -> str:
    if line.corrects_month is None:
        return ""
    return f"（调整{line.corrects_month.year}年{line.corrects_month.month}月）"


def notice_rows(data: PayrollPrint) -> list[dict[str, object]]:
    return [
        {
            "index": i, "name": line.name + _adjusted(line), "id_masked": mask(line.id_number),
            "post": line.post, "required": line.required, "worked": line.worked,
            "amount": line.amount,
        }
        for i, line in enumerate(data.roster.lines, start=1)
    ]  # fmt: skip


def roster_rows(data: PayrollPrint) -> list[dict[str, object]]:
    return [
        {
            "index": i, "name": line.name + _adjusted(line), "sex": SEX_ZH.get(line.sex, ""),
            "id_number": line.id_number, "post": line.post, "employer": line.employer,
            "start": line.start.isoformat() if line.start else "",
            "until": line.subsidy_until.isoformat() if line.subsidy_until else "",
            "required": line.required, "worked": line.worked, "standard": line.standard,
            "amount": line.amount, "si": line.social_insurance,
            "bank": f"{line.bank_name} {line.bank_account}".strip(), "signature": "",
        }
        for i, line in enumerate(data.roster.lines, start=1)
    ]  # fmt: skip


def post_application_rows(data: PayrollPrint) -> list[dict[str, object]]:
    return [
        {
            "index": i, "employer": e.name, "credit_code": e.credit_code,
            "posts": "、".join(e.posts), "persons": e.persons, "amount": e.amount,
            "bank": e.bank_name, "account": e.bank_account,
        }
        for i, e in enumerate(data.employers, start=1)
    ]  # fmt: skip


def si_application_rows(data: PayrollPrint) -> list[dict[str, object]]:
    month = data.roster.month
    return [
        {
            "index": i, "name": line.name + _adjusted(line), "sex": SEX_ZH.get(line.sex, ""),
            "age": age_on(line.birth_date, month), "id_number": line.id_number,
            "category": data.categories.get(line.person_id, ""), "employer": line.employer,
            "pension": line.pension, "medical": line.medical,
            "unemployment": line.unemployment, "total": line.social_insurance,
            "bank": line.bank_account,
        }
        for i, line in enumerate(
            (x for x in data.roster.lines if x.social_insurance), start=1
        )
    ]  # fmt: skip


def _text(value: object) -> str:
    return str(value)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _keys(layout: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(c["key"]) for c in layout["columns"])


def _render_list(
    name: str,
    data: Any,
    rows: list[dict[str, object]],
    values: dict[str, object],
    ident: str,
    path: str | os.PathLike[str],
    *,
    bilingual: bool,
    fonts: FontSettings | None,
    layout_dir: Path | None,
    layout: dict[str, Any] | None = None,
    signed: bool = False,
) -> Path:
    layout = layout or load_layout(name, layout_dir)
    lay, margin, landscape = _list_layout(layout, _keys(layout), fonts, bilingual)
    title = str(layout.get("title", ""))
    _title(lay, layout, title)
    lay.preamble.append(
        lay.para(str(layout.get("heading", "")).format(**values), size=lay.size * 0.95)
    )
    if layout.get("text"):
        lay.preamble.append(
            lay.para(
                str(layout["text"]).format(**values), layout.get("text_ug"), space_before=1 * mm
            )
        )
    lay.continued = lay.para(title + str(layout.get("continued", "")), size=lay.size * 0.9)
    if layout.get("totals"):
        lay.trailer.append(
            lay.para(
                str(layout["totals"]).format(**values),
                layout.get("totals_ug"),
                space_before=3 * mm,
                mode=2,
            )
        )
    for key in ("declaration", "footer", "signatures"):
        if layout.get(key):
            lay.trailer.append(lay.para(str(layout[key]).format(**values), space_before=3 * mm))
    for line in str(layout.get("boxes", "")).splitlines():
        lay.trailer.append(lay.para(line, space_before=5 * mm))
    if signed and layout.get("signed"):
        lay.trailer.append(
            lay.para(str(layout["signed"]).format(**values), align="right", space_before=5 * mm)
        )
        lay.trailer.append(lay.para(format_date(data.printed_at.date()), align="right"))
    cells = [[_text(r[c.key]) for c in lay.columns] for r in rows]
    return _write_list(path, name, ident, data, lay, cells, margin, landscape, title)


RenderOptions = dict[str, Any]


def render_payroll_notice(data: PayrollPrint, path: str | os.PathLike[str], **options: Any) -> Path:
    """公益性岗位补贴发放公示表 (PDF; ID numbers masked)."""
    return _render_list(
        NOTICE, data, notice_rows(data), _month_values(data), _ident(data, NOTICE), path,
        signed=True, **_options(options),
    )  # fmt: skip


def render_payroll_roster(data: PayrollPrint, path: str | os.PathLike[str], **options: Any) -> Path:
    """公益性岗位人员花名册 (PDF, A4 landscape; full ID numbers and bank accounts)."""
    return _render_list(
        ROSTER, data, roster_rows(data), _month_values(data), _ident(data, ROSTER), path,
        **_options(options),
    )  # fmt: skip


def render_post_application(
    data: PayrollPrint, path: str | os.PathLike[str], **options: Any
) -> Path:
    """公益性岗位补贴申请表 (PDF)."""
    return _render_list(
        POST_APPLICATION, data, post_application_rows(data), _month_values(data),
        _ident(data, POST_APPLICATION), path, **_options(options),
    )  # fmt: skip


def render_si_application(data: PayrollPrint, path: str | os.PathLike[str], **options: Any) -> Path:
    """社会保险补贴申请表 (PDF)."""
    return _render_list(
        SI_APPLICATION, data, si_application_rows(data), _month_values(data),
        _ident(data, SI_APPLICATION), path, **_options(options),
    )  # fmt: skip


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "bilingual": bool(options.get("bilingual", False)),
        "fonts": options.get("fonts"),
        "layout_dir": options.get("layout_dir"),
    }


def sheet_layout(data: SignInSheet, layout_dir: Path | None = None) -> dict[str, Any]:
    """The sign-in sheet's layout with one column per working day of the month."""
    base = load_layout(SHEET, layout_dir)
    width = float(base.get("day_width_mm", 7))
    days = [
        {"key": f"d{d.day}", "title": str(d.day), "width_mm": width, "align": "centre"}
        for d in data.days
    ]
    columns = list(base["columns"]) + days + list(base.get("tail_columns", []))
    return {**base, "columns": columns}


def sheet_rows(data: SignInSheet) -> list[dict[str, object]]:
    blank = {f"d{d.day}": "" for d in data.days}
    return [
        {"index": i, "name": p.name, "post": p.post, **blank, "worked": "", "signature": ""}
        for i, p in enumerate(data.persons, start=1)
    ]


def _sheet_values(data: SignInSheet) -> dict[str, object]:
    return {
        "station": data.employer or data.station.name,
        "post": data.post or "全部岗位",
        "year": data.month.year,
        "month": data.month.month,
        "days": len(data.days),
    }


def render_attendance_sheet(
    data: SignInSheet, path: str | os.PathLike[str], **options: Any
) -> Path:
    """The blank monthly sign-in sheet (签到册 / 考勤表) of a post (PDF, A4 landscape)."""
    opts = _options(options)
    ident = list_hash(
        [data.station.code, SHEET, data.month.isoformat(), data.post,
         *(p.name for p in data.persons)]
    )  # fmt: skip
    return _render_list(
        SHEET, data, sheet_rows(data), _sheet_values(data), ident, path,
        layout=sheet_layout(data, opts["layout_dir"]), **opts,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------

_TEXT_KEYS = {"id_masked", "id_number", "bank", "account", "credit_code"}


def _cell(value: object) -> object:
    if isinstance(value, Money):
        return Decimal(value.fen).scaleb(-2)
    return value


def _workbook(
    layout: dict[str, Any],
    rows: list[dict[str, object]],
    values: dict[str, object],
    ident: str,
    path: str | os.PathLike[str],
) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(layout.get("title", ""))[:31] or "Sheet1"
    columns = [
        (str(c["title"]), max(5.0, float(c.get("width_mm", 20)) / 2.2), c["key"] in _TEXT_KEYS)
        for c in layout["columns"]
    ]
    keys = _keys(layout)
    subtitle = f"{str(layout.get('heading', '')).format(**values)}  名单编号：{ident}"
    _sheet(ws, str(layout.get("title", "")), subtitle, columns, [
        [_cell(r[k]) for k in keys] for r in rows
    ])  # fmt: skip
    row = HEADER_ROW + len(rows) + 2
    for key in ("totals", "declaration", "footer", "signatures"):
        if layout.get(key):
            _put(ws, row, 1, str(layout[key]).format(**values)).font = Font(bold=key == "totals")
            row += 1
    for line in str(layout.get("boxes", "")).splitlines():
        _put(ws, row, 1, line)
        row += 1
    return _save(wb, path)


def _xlsx(
    name: str, rows: Callable[[PayrollPrint], list[dict[str, object]]]
) -> Callable[[PayrollPrint, str | os.PathLike[str]], Path]:
    def write(data: PayrollPrint, path: str | os.PathLike[str]) -> Path:
        return _workbook(
            load_layout(name), rows(data), _month_values(data), _ident(data, name), path
        )

    return write


write_payroll_notice_xlsx = _xlsx(NOTICE, notice_rows)
write_payroll_roster_xlsx = _xlsx(ROSTER, roster_rows)
write_post_application_xlsx = _xlsx(POST_APPLICATION, post_application_rows)
write_si_application_xlsx = _xlsx(SI_APPLICATION, si_application_rows)


def write_attendance_sheet_xlsx(data: SignInSheet, path: str | os.PathLike[str]) -> Path:
    layout = sheet_layout(data)
    ident = list_hash([data.station.code, SHEET, data.month.isoformat(), data.post])
    return _workbook(layout, sheet_rows(data), _sheet_values(data), ident, path)
