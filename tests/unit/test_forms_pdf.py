"""The PDF forms: text that survives extraction, embedded fonts, QR codes, pages."""

from __future__ import annotations

import dataclasses
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest
from reportlab.lib.units import mm

from caseworker.core.idcard import is_valid, mask
from caseworker.forms import (
    FontMissingError,
    FontSettings,
    LayoutError,
    parse_qr_payload,
    qr_payload,
    render_application,
    render_notice,
    render_roster,
)
from caseworker.forms.layout import forms_dir
from caseworker.forms.lists import notice_id, roster_id
from caseworker.forms.page import QR_SIZE, list_hash, qr_matrix
from caseworker.forms.samples import sample_application, sample_notice, sample_roster
from caseworker.forms.text import unshape

A4_PORTRAIT_MARGIN = 14 * mm
ROSTER_MARGIN = 12 * mm


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _in_order(needle: str, text: str) -> bool:
    """``needle``'s characters appear in ``text`` in order (a cell wrapped over lines)."""
    it = iter(text)
    return all(c in it for c in needle)


def _flat(text: str) -> str:
    return unshape(unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forms")


@pytest.fixture(scope="module")
def application_pdf(out: Path) -> Path:
    return render_application(sample_application(), out / "application.pdf")


@pytest.fixture(scope="module")
def application_ug_pdf(out: Path) -> Path:
    return render_application(sample_application(), out / "application-ug.pdf", bilingual=True)


@pytest.fixture(scope="module")
def notice_pdf(out: Path) -> Path:
    return render_notice(sample_notice(), out / "notice.pdf")


@pytest.fixture(scope="module")
def roster_pdf(out: Path) -> Path:
    return render_roster(sample_roster(60), out / "roster.pdf")


def test_application_text_has_name_full_id_and_category_labels(application_pdf: Path) -> None:
    data = sample_application()
    (text,) = _text(application_pdf)
    assert "·" in data.person.name
    assert data.person.id_number.endswith("X")
    assert is_valid(data.person.id_number)
    assert data.person.name in text
    assert data.person.id_number in text
    assert data.person.phone in text
    for cat in data.categories:
        assert cat.label_zh in text
    for member in data.members:
        assert member.name in text
        assert member.id_number in text
    assert "本人承诺以上所填信息及提供的材料真实有效，如有虚假，愿承担相应责任。" in text
    for label in ("按手印", "社区(村)初审意见", "乡镇(街道)审核意见", "县人社部门认定意见"):
        assert label in text
    assert "第 1 页 / 共 1 页" in text
    assert data.station.name in text
    assert data.policy_pack_id in text
    assert "2026-11-27 10:30" in text


def test_bilingual_application_has_uyghur_in_logical_order(application_ug_pdf: Path) -> None:
    data = sample_application()
    text = _flat("\n".join(_text(application_ug_pdf)))
    assert data.person.name in text
    assert data.person.id_number in text
    assert data.person.name_ug is not None
    assert data.person.name_ug in text
    assert "ئىشقا ئورۇنلىشىشتا قىيىنچىلىقى بار كىشىلەرنى ئېتىراپ قىلىش ئىلتىماس جەدۋىلى" in text
    assert "كىملىك نومۇرى" in text
    # pypdf puts each drawn right-to-left run back in logical order, but it is no bidi
    # implementation: around "-", "،" and digits it swaps pieces, so check words there.
    for cat in data.categories:
        assert cat.label_ug is not None
        if cat.label_ug.replace(" ", "").isalpha():
            assert cat.label_ug in text
        for word in re.split(r"[\s،\-]+", cat.label_ug):
            assert word in text


def test_a_bullet_in_a_name_is_drawn_from_a_font_that_has_it(out: Path) -> None:
    data = sample_application()
    person = dataclasses.replace(data.person, name="努尔兰•叶尔肯")
    path = render_application(dataclasses.replace(data, person=person), out / "bullet.pdf")
    assert "努尔兰•叶尔肯" in _text(path)[0]


def test_notice_masks_id_numbers_and_states_the_period(notice_pdf: Path) -> None:
    data = sample_notice()
    text = "\n".join(_text(notice_pdf))
    for person in data.persons:
        assert person.name in text
        assert mask(person.id_number) in text
        assert person.id_number not in text
        for label in person.categories:
            assert _in_order(label, text)
    assert data.persons[0].id_number.endswith("X")
    assert mask(data.persons[0].id_number).startswith("6501**********")
    assert "2026年11月30日" in text
    assert "2026年12月04日" in text
    assert "5 个工作日" in text
    assert "异议" in text
    assert data.contact_name in text
    assert data.contact_phone in text
    for header in ("序号", "姓名", "性别", "年龄", "认定类别", "所属社区(村)", "身份证号"):
        assert header in text


def test_roster_repeats_its_header_and_ends_with_totals(roster_pdf: Path) -> None:
    data = sample_roster(60)
    pages = _text(roster_pdf)
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
        for header in ("序号", "身份证号", "登记失业时间", "联系电话", "签字"):
            assert header in page
    text = "\n".join(pages)
    for row in data.rows:
        assert row.id_number in text
    assert "共 60 人" in pages[-1]
    assert "按类别" in pages[-1]
    assert "按性别" in pages[-1]
    assert "女 " in pages[-1]


def test_roster_pages_are_landscape(roster_pdf: Path) -> None:
    page = pypdf.PdfReader(roster_pdf).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)


def _fonts(obj: Any, seen: set[int]) -> list[Any]:
    """Every font dictionary reachable from a resources dictionary (forms included)."""
    found: list[Any] = []
    res = obj.get("/Resources")
    if res is None:
        return found
    res = res.get_object()
    for font in (res.get("/Font") or {}).values():
        found.append(font.get_object())
    for ref in (res.get("/XObject") or {}).values():
        xobj = ref.get_object()
        if id(xobj) not in seen:
            seen.add(id(xobj))
            found += _fonts(xobj, seen)
    return found


def _is_embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type0":
        return all(_is_embedded(d.get_object()) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("name", ["application_pdf", "application_ug_pdf", "notice_pdf",
                                  "roster_pdf"])  # fmt: skip
def test_every_font_is_embedded(name: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(name)
    fonts = [f for page in pypdf.PdfReader(path).pages for f in _fonts(page, set())]
    assert fonts
    for font in fonts:
        assert _is_embedded(font), font.get("/BaseFont")


def test_qr_payload_round_trips() -> None:
    payload = qr_payload("application", "3f2b8c1e-9a4d-4e61-b0c7-5d2e8f9a1b34", "650102003")
    assert payload == "CW1|application|650102003|3f2b8c1e-9a4d-4e61-b0c7-5d2e8f9a1b34"
    assert parse_qr_payload(payload) == (
        "application", "650102003", "3f2b8c1e-9a4d-4e61-b0c7-5d2e8f9a1b34",
    )  # fmt: skip
    with pytest.raises(ValueError, match="XX1"):
        parse_qr_payload("XX1|a|b|c")


def test_list_ids_are_stable_hashes_of_the_list() -> None:
    notice = sample_notice()
    assert notice_id(notice) == notice_id(sample_notice())
    fewer = dataclasses.replace(notice, persons=notice.persons[1:])
    assert notice_id(fewer) != notice_id(notice)
    assert notice_id(dataclasses.replace(notice, list_id="N-7")) == "N-7"
    roster = sample_roster(5)
    assert roster_id(roster) == roster.list_id
    assert roster_id(dataclasses.replace(roster, list_id=None)).startswith("h")
    assert list_hash(["a", "b"]) != list_hash(["ab"])


def _qr_pixels(path: Path, page_index: int, origin: tuple[float, float], payload: str) -> None:
    """Sample the middle of every module of the drawn QR code and compare with the matrix."""
    matrix = qr_matrix(payload)
    scale = 8.0
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        page = pdf[page_index]
        height = page.get_height()
        image = page.render(scale=scale).to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    box = QR_SIZE / (len(matrix) + 4)
    qx, qy = origin
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            x = qx + (c + 2.5) * box
            y_from_top = height - (qy + QR_SIZE - (r + 2.5) * box)
            pixel = image.getpixel((round(x * scale), round(y_from_top * scale)))
            assert isinstance(pixel, int)
            assert (pixel < 128) == dark, (r, c)


def test_application_page_carries_a_qr_code_with_the_record_id(application_pdf: Path) -> None:
    data = sample_application()
    payload = qr_payload("application", data.record_id, data.station.code)
    origin = (210 * mm - A4_PORTRAIT_MARGIN - QR_SIZE, 5 * mm)
    _qr_pixels(application_pdf, 0, origin, payload)


def test_every_roster_page_carries_the_list_qr_code(roster_pdf: Path) -> None:
    data = sample_roster(60)
    payload = qr_payload("roster", roster_id(data), data.station.code)
    count = len(pypdf.PdfReader(roster_pdf).pages)
    for index in range(count):
        _qr_pixels(roster_pdf, index, (297 * mm - ROSTER_MARGIN - QR_SIZE, 5 * mm), payload)


def test_without_a_chinese_font_the_message_says_how_to_fix_it(out: Path) -> None:
    settings = FontSettings(search_system=False, search_bundled=False, allow_unembedded=False)
    with pytest.raises(FontMissingError, match="fonts-wqy-zenhei"):
        render_application(sample_application(), out / "nofont.pdf", fonts=settings)
    assert not (out / "nofont.pdf").exists()


def test_the_unembedded_fallback_is_marked_on_the_page(out: Path) -> None:
    settings = FontSettings(search_system=False, search_bundled=False)
    path = render_application(sample_application(), out / "fallback.pdf", fonts=settings)
    (text,) = _text(path)
    assert "STSong-Light" in text
    assert "fonts-wqy-zenhei" in text
    fonts = _fonts(pypdf.PdfReader(path).pages[0], set())
    assert any(not _is_embedded(f) for f in fonts)


def test_a_county_can_edit_the_layout(out: Path, tmp_path: Path) -> None:
    for name in ("application", "categories"):
        shutil.copy(forms_dir() / f"{name}.toml", tmp_path / f"{name}.toml")
    layout = tmp_path / "application.toml"
    text = layout.read_text(encoding="utf-8")
    layout.write_text(text.replace('label = "民族"', 'label = "民族成分"'), encoding="utf-8")
    path = render_application(sample_application(), out / "county.pdf", layout_dir=tmp_path)
    assert "民族成分" in _text(path)[0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('{ field = "sex" }', '{ field = "gender" }', "gender"),
        ('{ field = "id_number", span = 3 }', '{ field = "id_number", span = 2 }', "Row 3"),
        ("[person]", "[person\n", "mistake"),
    ],
)
def test_a_broken_layout_gives_a_clear_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = (forms_dir() / "application.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "application.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LayoutError, match=message):
        render_application(sample_application(), tmp_path / "x.pdf", layout_dir=tmp_path)
    assert not (tmp_path / "x.pdf").exists()
