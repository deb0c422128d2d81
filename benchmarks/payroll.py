"""The monthly post-subsidy roster of 2,000 placements: building it and printing it, beside
the same arithmetic in a bare loop and the same table drawn by bare ReportLab, as JSON.

    python benchmarks/payroll.py [--placements 2000] [--repeat 5]

Builds (once, cached in benchmarks/out/) a station with ``caseworker demo`` persons, 40 posts
and 2,000 placements with a month of attendance (the setup writes placements and attendance
through the ORM, skipping the eligibility checks, which are not what is measured).  Then:

- ``build``: ``posts.payroll.build`` in one transaction on a fresh copy of the file (what
  ``caseworker payroll build`` and the GUI's Build button run: 2,000 lines written and
  logged), beside a floor that reads the same rows with sqlite3, does the same integer
  half-up arithmetic in a bare loop and inserts the lines with ``executemany``; target under
  1 s;
- ``read``: ``posts.payroll.roster`` plus ``forms.posts_data.payroll_print`` (what printing
  reads);
- ``print``: ``forms.posts_forms.render_payroll_roster`` (the 花名册, 15 columns, A4
  landscape) beside a bare ReportLab canvas drawing the same cells (same font, same columns,
  header row on every page), paired runs; target within 1.3x of the bare table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from caseworker.core import wall
from caseworker.core.idcard import Sex
from caseworker.core.money import Money
from caseworker.forms import load_fonts
from caseworker.forms.layout import load_layout
from caseworker.forms.posts_data import payroll_print
from caseworker.forms.posts_forms import ROSTER, render_payroll_roster, roster_rows
from caseworker.posts import payroll, service
from caseworker.posts.attendance import possible_days
from caseworker.posts.rules import rules_on, subsidy_until
from caseworker.registry import demo, stations
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import Attendance, Person, Placement

OUT = Path(__file__).resolve().parent / "out"
MONTH = dt.date(2025, 4, 1)
TODAY = dt.date(2025, 5, 20)
STATION = "650102001"


def build_file(placements: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"payroll-{placements}.sqlite3"
    if path.exists():
        return path
    store = open_store(sqlite_url(path), actor="bench")
    stations.initialise(store, STATION, "燕儿窝街道就业服务站", ["南湖社区", "红旗村", "团结村"])
    demo.generate(store, persons=placements + placements // 4, seed=3, today=TODAY)
    rules = rules_on(MONTH)
    with store.transaction() as session:
        service.add_employer(session, STATION, name="红旗村村委会", credit_code="91350100M000100Y43",
                             bank_name="农村信用社", bank_account="6228480000123")  # fmt: skip
        posts = [
            service.add_post(
                session,
                STATION,
                employer="红旗村村委会",
                title=f"保洁员{i:02d}",
                area="rural",
                standard=Money.parse("1900"),
                village="红旗村",
                headcount=100,
            )
            for i in range(40)
        ]
        people = session.query(Person).limit(placements * 2).all()
        made = 0
        for person in people:
            start = dt.date(2024, 1 + made % 12, 1 + made % 28)
            retirement = rules.retirement_date(person.birth_date, Sex(person.sex))
            if start >= retirement:
                continue
            end = subsidy_until(retirement=retirement, first_start=start, start=start, rules=rules)
            placement = Placement(
                person_id=person.id, post_id=posts[made % 40].id, starts_on=start,
                contract="labour", contract_until=start + dt.timedelta(days=364),
                subsidy_until=end.until, subsidy_rule=end.rule, end_note="", station_code=STATION,
            )  # fmt: skip
            session.add(placement)
            session.flush()
            worked = min(possible_days(placement, MONTH), 22 - made % 5)
            session.add(
                Attendance(
                    placement_id=placement.id,
                    month=MONTH,
                    worked=worked,
                    note="",
                    required=None if made % 7 else 21,
                    score=None,
                    station_code=STATION,
                    pension=Money(32000 + made),
                    medical=Money(15050),
                    unemployment=Money(960),
                )
            )
            made += 1
            if made == placements:
                break
    store.dispose()
    return path


def bare_build(path: Path) -> int:
    """The floor: the same rows, the same arithmetic in a bare loop, one executemany."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT a.placement_id, p.person_id, w.title, w.standard, a.worked, a.required, "
            "a.pension + a.medical + a.unemployment FROM attendance a "
            "JOIN placement p ON p.id = a.placement_id JOIN welfare_post w ON w.id = p.post_id "
            "JOIN person x ON x.id = p.person_id WHERE a.month = ? AND a.deleted = 0",
            (MONTH.isoformat(),),
        ).fetchall()
        lines = []
        for placement_id, person_id, title, standard, worked, required, si in rows:
            days = required or 22  # April 2025 on the calendar
            amount = min((2 * standard * worked + days) // (2 * days), standard)
            lines.append((uuid.uuid4().hex, placement_id, person_id, title, amount, si))
        connection.execute(
            "CREATE TEMP TABLE line (id, placement_id, person_id, title, amount, si)"
        )
        connection.executemany("INSERT INTO line VALUES (?, ?, ?, ?, ?, ?)", lines)
        connection.commit()
        return len(lines)
    finally:
        connection.close()


def bare_table(cells: list[list[str]], headers: list[str], widths_mm: list[float], path: Path,
               font: str) -> None:  # fmt: skip
    """The same table drawn with nothing but ReportLab's canvas."""
    width, height = landscape(A4)
    margin = 10 * mm
    scale = (width - 2 * margin) / (sum(widths_mm) * mm)
    cols = [w * mm * scale for w in widths_mm]
    size, lead, row_h = 8.0, 10.0, 7 * mm
    canvas = Canvas(str(path), pagesize=(width, height), initialFontName=font, pageCompression=1)
    bottom = 26 * mm

    def wrap(text: str, w: float) -> list[str]:
        if stringWidth(text, font, size) <= w:
            return [text]
        lines, line, line_w = [], "", 0.0
        for ch in text:
            ch_w = stringWidth(ch, font, size)
            if line and line_w + ch_w > w:
                lines.append(line)
                line, line_w = ch, ch_w
            else:
                line += ch
                line_w += ch_w
        return [*lines, line]

    def header(y: float) -> float:
        x = margin
        h = 2 * row_h
        canvas.rect(margin, y - h, width - 2 * margin, h)
        for w, title in zip(cols, headers, strict=True):
            for k, line in enumerate(wrap(title, w - 4)):
                canvas.drawCentredString(x + w / 2, y - 10 - k * lead, line)
            x += w
        return y - h

    page = 1
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, height - margin - 16, "公益性岗位人员花名册")
    y = header(height - margin - 40)
    for row in cells:
        wrapped = [wrap(c, w - 6) for c, w in zip(row, cols, strict=True)]
        h = max(row_h, max(len(w) for w in wrapped) * lead + 8)
        if y - h < bottom:
            canvas.drawRightString(width - margin, 12 * mm, f"第 {page} 页")
            canvas.showPage()
            canvas.setFont(font, size)
            page += 1
            y = header(height - margin)
        x = margin
        canvas.rect(margin, y - h, width - 2 * margin, h)
        for lines, w in zip(wrapped, cols, strict=True):
            canvas.line(x, y, x, y - h)
            for k, line in enumerate(lines):
                canvas.drawString(x + 3, y - 4 - size - k * lead, line)
            x += w
        y -= h
    canvas.drawRightString(width - margin, 12 * mm, f"第 {page} 页")
    canvas.showPage()
    canvas.save()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--placements", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    wall.install(wall.FixedWall.on(TODAY))
    source = build_file(args.placements)
    work = Path(tempfile.mkdtemp(prefix="cw-payroll-"))
    builds, floors, lines = [], [], 0
    for n in range(args.repeat):
        copy = work / f"build-{n}.sqlite3"
        shutil.copy(source, copy)
        floor_copy = work / f"floor-{n}.sqlite3"
        shutil.copy(source, floor_copy)
        floors.append(timed(lambda p=floor_copy: bare_build(p)))  # type: ignore[misc]
        store = open_store(sqlite_url(copy), actor="bench")

        def run(store: object = store) -> None:
            nonlocal lines
            with store.transaction() as session:  # type: ignore[attr-defined]
                lines = payroll.build(session, MONTH, STATION).lines

        builds.append(timed(run))
        store.dispose()
    store = open_store(sqlite_url(work / "build-0.sqlite3"), actor="bench")
    reads = []
    data = None
    for _n in range(args.repeat):

        def read() -> None:
            nonlocal data
            with store.reading() as session:
                data = payroll_print(session, MONTH, now=dt.datetime(2025, 5, 20, 9, 0),
                                     station_code=STATION)  # fmt: skip

        reads.append(timed(read))
    store.dispose()
    assert data is not None
    fonts = load_fonts()
    layout = load_layout(ROSTER)
    keys = [str(c["key"]) for c in layout["columns"]]
    headers = [str(c["title"]) for c in layout["columns"]]
    widths = [float(c["width_mm"]) for c in layout["columns"]]
    cells = [[str(r[k]) for k in keys] for r in roster_rows(data)]
    bare, real = [], []
    for _n in range(args.repeat):
        rl_config.useA85 = 0
        bare.append(timed(lambda: bare_table(cells, headers, widths, work / "bare.pdf",
                                             fonts.cjk.name)))  # fmt: skip
        rl_config.useA85 = 1
        real.append(timed(lambda: render_payroll_roster(data, work / "roster.pdf")))
    ratios = [r / b for r, b in zip(real, bare, strict=True)]
    build_median, floor_median = statistics.median(builds), statistics.median(floors)
    result = {
        "placements": args.placements,
        "lines": lines,
        "total_amount": str(data.roster.total_amount),
        "build_ms": round(build_median * 1000, 1),
        "build_runs_ms": [round(t * 1000, 1) for t in builds],
        "build_bare_loop_ms": round(floor_median * 1000, 1),
        "build_ratio_to_bare": round(build_median / floor_median, 2),
        "build_target_ms": 1000,
        "read_for_print_ms": round(statistics.median(reads) * 1000, 1),
        "print_roster_ms": round(statistics.median(real) * 1000, 1),
        "print_bare_reportlab_ms": round(statistics.median(bare) * 1000, 1),
        "print_ratio": round(statistics.median(real) / statistics.median(bare), 3),
        "print_ratio_median_of_pairs": round(statistics.median(ratios), 3),
        "print_target_ratio": 1.3,
    }
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    print()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
