"""Font discovery: search order, TrueType only, clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseworker.forms.fonts import (
    CID_FALLBACK,
    FontMissingError,
    FontSettings,
    is_cff,
    load_fonts,
)

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
NASKH = Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf")

INSTALL = "install them with: sh packaging/linux-deps.sh test"


def test_the_fonts_the_tests_need_are_installed() -> None:
    for path in (WQY, UMING, NASKH):
        assert path.exists(), f"{path} is missing; {INSTALL}"


def test_system_fonts_are_found_and_embedded() -> None:
    fonts = load_fonts(FontSettings(search_bundled=False))
    assert fonts.cjk.path == WQY
    assert fonts.cjk.subfont_index == 0
    assert fonts.cjk.embedded
    assert fonts.arabic is not None
    assert fonts.arabic.path == NASKH
    assert fonts.latin is not None
    assert fonts.latin.has("•")
    assert fonts.fallback_note is None
    assert load_fonts(FontSettings(search_bundled=False)) is fonts  # registered once


def test_an_explicit_path_comes_first_and_ttc_faces_are_chosen_by_name() -> None:
    fonts = load_fonts(FontSettings(cjk_path=UMING, search_bundled=False))
    assert fonts.cjk.path == UMING
    assert fonts.cjk.has("就")


def test_the_mainland_face_of_a_collection_is_preferred() -> None:
    from reportlab.pdfbase.ttfonts import TTFontFile

    from caseworker.forms.fonts import _preferred_face

    assert UMING.exists(), INSTALL
    index = _preferred_face(UMING)
    face = TTFontFile(str(UMING), charInfo=0, subfontIndex=index)
    assert face.familyName == b"AR PL UMing CN"


def test_fonts_in_an_extra_folder_are_used(tmp_path: Path) -> None:
    assert WQY.exists(), INSTALL
    (tmp_path / "wqy-zenhei.ttc").symlink_to(WQY)
    fonts = load_fonts(
        FontSettings(search_system=False, search_bundled=False, extra_dirs=(tmp_path,))
    )
    assert fonts.cjk.path == tmp_path / "wqy-zenhei.ttc"


def test_cff_fonts_are_recognised(tmp_path: Path) -> None:
    otf = tmp_path / "NotoSansCJK-Regular.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 64)
    ttf = tmp_path / "plain.ttf"
    ttf.write_bytes(b"\0\1\0\0" + b"\0" * 64)
    assert is_cff(otf)
    assert not is_cff(ttf)


def test_an_explicit_cff_font_is_refused_with_a_message(tmp_path: Path) -> None:
    otf = tmp_path / "NotoSansCJK-Regular.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 64)
    with pytest.raises(FontMissingError, match="TrueType"):
        load_fonts(FontSettings(cjk_path=otf))


def test_no_font_at_all_falls_back_to_the_marked_cid_font() -> None:
    fonts = load_fonts(FontSettings(search_system=False, search_bundled=False))
    assert fonts.cjk.name == CID_FALLBACK
    assert not fonts.cjk.embedded
    assert fonts.fallback_note is not None
    assert "fonts-wqy-zenhei" in fonts.fallback_note


def test_no_font_and_no_fallback_is_a_clear_error() -> None:
    settings = FontSettings(search_system=False, search_bundled=False, allow_unembedded=False)
    with pytest.raises(FontMissingError, match=r"fonts-wqy-zenhei.*\.ttf"):
        load_fonts(settings)


def test_bundled_fonts_are_tried_in_the_roles_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installer bundles DejaVu Sans beside Noto Naskh Arabic; DejaVu has Arabic forms and
    sorts first by name, but Uyghur must be set in Noto Naskh, as from the system's fonts."""
    from caseworker.core import resources
    from caseworker.forms import fonts as fonts_module

    bundle = tmp_path / "fonts"
    bundle.mkdir()
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for source in (dejavu, NASKH, WQY):
        assert source.exists(), f"{source} is missing; {INSTALL}"
        (bundle / source.name).symlink_to(source)
    monkeypatch.setenv(resources.ENV, str(tmp_path))
    monkeypatch.setattr(fonts_module, "_sets", {})
    fonts = load_fonts(FontSettings(search_system=False))
    assert fonts.arabic is not None
    assert fonts.arabic.path == bundle / NASKH.name
    assert fonts.cjk.path == bundle / WQY.name
    assert fonts.latin is not None
    assert fonts.latin.path == bundle / dejavu.name
