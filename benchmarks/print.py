"""Print-pipeline timings as JSON.

    python benchmarks/print.py [--repeat N]

* ``application``: one 就业困难人员认定申请表 (fonts already registered: the program does that
  once per process), target under 200 ms; the first render (with font loading) is reported too.
* ``roster_1000``: a 1,000-person 花名册 through ``render_roster`` beside a bare ReportLab script
  that draws the same table (same fonts, same columns, same wrapped category text, header row
  on each page) in the same run; target: the pipeline within 1.3x of the bare script.

Figures are medians of ``--repeat`` runs; the roster runs are paired (bare script, then the
pipeline) so that other load on the machine affects both alike.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from caseworker.forms import load_fonts, render_application, render_roster
from caseworker.forms.data import RosterData
from caseworker.forms.samples import sample_application, sample_roster

COLUMNS_MM = (12, 32, 11, 42, 64, 28, 26, 28, 30)
HEADERS = (
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "类别",
    "村/社区",
    "登记失业时间",
    "联系电话",
    "签字",
)


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def bare_roster(data: RosterData, path: Path, font: str) -> None:
    """The same table drawn with nothing but ReportLab's canvas."""
    width, height = landscape(A4)
    margin = 12 * mm
    scale = (width - 2 * margin) / (sum(COLUMNS_MM) * mm)
    cols = [w * mm * scale for w in COLUMNS_MM]
    size, lead, row_h = 9.0, 11.0, 6.5 * mm
    # the same output settings as the pipeline: compressed binary streams
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
        canvas.rect(margin, y - row_h, width - 2 * margin, row_h)
        for w, title in zip(cols, HEADERS, strict=True):
            canvas.drawCentredString(x + w / 2, y - row_h + 6, title)
            x += w
        return y - row_h

    page = 1
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, height - margin - 16, "就业困难人员花名册")
    y = header(height - margin - 40)
    for i, r in enumerate(data.rows, start=1):
        cells = [str(i), r.name, r.sex, r.id_number, "；".join(r.categories), r.village,
                 r.unemployment_registered.isoformat() if r.unemployment_registered else "",
                 r.phone, ""]  # fmt: skip
        wrapped = [wrap(c, w - 8) for c, w in zip(cells, cols, strict=True)]
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
                canvas.drawString(x + 4, y - 4 - size - k * lead, line)
            x += w
        y -= h
    canvas.drawRightString(width - margin, 12 * mm, f"第 {page} 页")
    canvas.showPage()
    canvas.save()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    app = sample_application()

    start = time.perf_counter()
    fonts = load_fonts()
    render_application(app, out / "first.pdf")
    first = time.perf_counter() - start

    form, form_runs = _median(lambda: render_application(app, out / "app.pdf"), args.repeat)
    form_ug, _ = _median(
        lambda: render_application(app, out / "app-ug.pdf", bilingual=True), args.repeat
    )
    roster = sample_roster(1000)
    # Paired runs, bare script then pipeline, so that load on the machine hits both alike.
    # Wall-clock and CPU time are both reported; the CPU figures are steadier on a busy machine.
    bare_times: list[tuple[float, float]] = []
    real_times: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        rl_config.useA85 = 0  # the pipeline's output settings, for a like-for-like script
        bare_times.append(_timed(lambda: bare_roster(roster, out / "bare.pdf", fonts.cjk.name)))
        rl_config.useA85 = 1
        real_times.append(_timed(lambda: render_roster(roster, out / "roster.pdf")))
    bare = statistics.median(t for t, _c in bare_times)
    real = statistics.median(t for t, _c in real_times)
    bare_cpu = statistics.median(c for _t, c in bare_times)
    real_cpu = statistics.median(c for _t, c in real_times)
    ratios = [r[0] / b[0] for r, b in zip(real_times, bare_times, strict=True)]
    result = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "fonts": [str(f.path) for f in fonts.fonts],
        "application_first_ms": round(first * 1000, 1),
        "application_ms": round(form * 1000, 1),
        "application_runs_ms": [round(t * 1000, 1) for t in form_runs],
        "application_bilingual_ms": round(form_ug * 1000, 1),
        "application_target_ms": 200,
        "roster_1000_ms": round(real * 1000, 1),
        "roster_1000_bare_reportlab_ms": round(bare * 1000, 1),
        "roster_ratio": round(real / bare, 3),
        "roster_ratio_median_of_pairs": round(statistics.median(ratios), 3),
        "roster_1000_cpu_ms": round(real_cpu * 1000, 1),
        "roster_1000_bare_reportlab_cpu_ms": round(bare_cpu * 1000, 1),
        "roster_cpu_ratio": round(real_cpu / bare_cpu, 3),
        "roster_target_ratio": 1.3,
        "roster_pages": len(PdfReader(out / "roster.pdf").pages),
        "bare_pages": len(PdfReader(out / "bare.pdf").pages),
    }
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
