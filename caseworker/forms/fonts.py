"""Font discovery and registration for the printed forms.

Search order (the first usable font wins, for each of three roles):

1. an explicit path from the settings (:class:`FontSettings`), passed in by the caller;
2. fonts bundled by packaging in ``resources/fonts/`` (next to the package; may be empty), the
   role's preferred file names first (the same order as for system fonts);
3. known system fonts: on Windows SimSun, SimHei, Microsoft YaHei, Microsoft Uighur and Arial
   in ``C:\\Windows\\Fonts`` (and the per-user font folder); on Linux (UOS, Kylin, Debian ...)
   WenQuanYi Zen Hei, WenQuanYi Micro Hei, AR PL UMing, Droid Sans Fallback, Noto Naskh
   Arabic, UKIJ Tuz and DejaVu Sans under ``/usr/share/fonts`` and the user's font folders;
4. for Latin only, Bitstream Vera, which ships with ReportLab.

Roles: ``cjk`` (Chinese, also used for Latin and digits when it has them), ``arabic``
(Uyghur in Arabic script, joined forms U+FB50-U+FEFF needed) and ``latin`` (fills gaps such as
``·`` or ``•`` in the other fonts).  Only TrueType outlines are used, because ReportLab embeds
nothing else: CFF/OpenType fonts (``OTTO``, e.g. Noto Sans CJK) are skipped.  When no Chinese
TrueType font exists, :func:`load_fonts` raises :class:`FontMissingError` with instructions, or,
when the settings allow it, falls back to the non-embedded CID font STSong-Light and sets
:attr:`FontSet.fallback_note`, which every page then prints.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from caseworker.core.errors import UserError
from caseworker.core.resources import resource
from caseworker.i18n import _

CJK_PROBE = "就业困难人员认定申请表"
ARABIC_PROBE = "\ufe8b\ufe8e\ufee7\u06d5\u06cb\u06c6"  # joined forms + Uyghur letters
LATIN_PROBE = "AZaz09·"
CID_FALLBACK = "STSong-Light"

#: Chinese TrueType fonts by file name, in order of preference (Windows names first).
CJK_FILES: tuple[str, ...] = (
    "simsun.ttc",
    "simhei.ttf",
    "msyh.ttc",
    "msyh.ttf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "uming.ttc",
    "ukai.ttc",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
)
ARABIC_FILES: tuple[str, ...] = (
    "msuighur.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabicUI-Regular.ttf",
    "UKIJTuz.ttf",
    "UKIJTuzTom.ttf",
    "DejaVuSans.ttf",
)
LATIN_FILES: tuple[str, ...] = (
    "DejaVuSans.ttf",
    "arial.ttf",
    "segoeui.ttf",
    "LiberationSans-Regular.ttf",
)

#: Preferred face inside a TrueType collection: a name fragment to look for.
TTC_PREFERRED_FACE = {"uming.ttc": "UMingCN", "ukai.ttc": "UKaiCN"}


def _windows_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _unix_dirs() -> list[Path]:
    home = Path.home()
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    ]


def system_font_dirs() -> list[Path]:
    """The folders searched for system fonts on this platform."""
    return _windows_dirs() if sys.platform == "win32" else _unix_dirs()


@dataclass(frozen=True, slots=True)
class FontSettings:
    """Where to look for fonts.  Paths come from the user's settings; ``None`` means search."""

    cjk_path: Path | None = None
    arabic_path: Path | None = None
    latin_path: Path | None = None
    search_bundled: bool = True
    search_system: bool = True
    extra_dirs: tuple[Path, ...] = ()
    allow_unembedded: bool = True
    """Fall back to the non-embedded STSong-Light (marked on every page) instead of failing."""


class FontMissingError(UserError):
    """No embeddable Chinese font: the message says how to install one."""


@dataclass(slots=True)
class LoadedFont:
    """A registered font with its character map (``None`` for the CID fallback)."""

    name: str
    path: Path | None
    subfont_index: int
    codepoints: frozenset[int] | None = field(repr=False)
    embedded: bool = True

    def has(self, char: str) -> bool:
        if self.codepoints is None:
            return not ("\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff")
        return ord(char) in self.codepoints

    def has_all(self, text: str) -> bool:
        return all(self.has(c) for c in text)


@dataclass(slots=True)
class FontSet:
    cjk: LoadedFont
    latin: LoadedFont | None
    arabic: LoadedFont | None
    fallback_note: str | None = None
    _key: tuple[object, ...] = field(default=(), repr=False)

    @property
    def fonts(self) -> list[LoadedFont]:
        return [f for f in (self.cjk, self.latin, self.arabic) if f is not None]


def is_cff(path: Path, subfont_index: int = 0) -> bool:
    """True when the font (or the collection's face) has PostScript (CFF) outlines."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            if subfont_index >= count:
                return False
            fh.seek(12 + 4 * subfont_index)
            (offset,) = struct.unpack(">I", fh.read(4))
            fh.seek(offset)
            head = fh.read(4)
        return head[:4] == b"OTTO"


_lock = threading.Lock()
_loaded: dict[tuple[str, int], LoadedFont | None] = {}
_sets: dict[FontSettings, FontSet] = {}
_scan_cache: dict[tuple[Path, ...], dict[str, Path]] = {}


def _ttc_faces(path: Path) -> int:
    with path.open("rb") as fh:
        head = fh.read(12)
    if head[:4] != b"ttcf":
        return 1
    return int(struct.unpack(">I", head[8:12])[0])


def _load(path: Path, subfont_index: int | None = None) -> LoadedFont | None:
    """Register ``path`` with ReportLab (once) and return it, or ``None`` if unusable."""
    if subfont_index is None:
        subfont_index = _preferred_face(path)
    key = (str(path), subfont_index)
    if key in _loaded:
        return _loaded[key]
    font: LoadedFont | None = None
    try:
        if not is_cff(path, subfont_index):
            name = f"cw-{path.stem}-{subfont_index}"
            tt = TTFont(name, str(path), subfontIndex=subfont_index)
            pdfmetrics.registerFont(tt)
            font = LoadedFont(name, path, subfont_index, frozenset(tt.face.charToGlyph))
    except (OSError, TTFError, struct.error, ValueError, KeyError):
        font = None
    _loaded[key] = font
    return font


def _preferred_face(path: Path) -> int:
    wanted = TTC_PREFERRED_FACE.get(path.name.lower())
    if not wanted:
        return 0
    try:
        from reportlab.pdfbase.ttfonts import TTFontFile

        for i in range(_ttc_faces(path)):
            face = TTFontFile(str(path), charInfo=0, subfontIndex=i)
            if wanted.lower() in face.name.decode("latin-1").lower().replace(" ", ""):
                return i
    except (OSError, TTFError, struct.error, ValueError):
        return 0
    return 0


def _scan(dirs: Iterable[Path]) -> dict[str, Path]:
    """Map lower-case file names to paths under ``dirs`` (first found wins)."""
    key = tuple(dirs)
    if key in _scan_cache:
        return _scan_cache[key]
    found: dict[str, Path] = {}
    for root in key:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                found.setdefault(name.lower(), Path(dirpath) / name)
    _scan_cache[key] = found
    return found


def _candidates(
    explicit: Path | None, names: tuple[str, ...], settings: FontSettings
) -> Iterator[Path]:
    if explicit is not None:
        yield explicit
    bundled_dir = resource("fonts")
    if settings.search_bundled and bundled_dir.is_dir():
        # the role's preferred files first (Noto Naskh before DejaVu Sans, which also has
        # Arabic forms), then the other bundled fonts by name
        rank = {name.lower(): index for index, name in enumerate(names)}
        bundled = [p for p in bundled_dir.iterdir() if p.suffix.lower() in {".ttf", ".ttc"}]
        yield from sorted(bundled, key=lambda p: (rank.get(p.name.lower(), len(rank)), p.name))
    dirs = list(settings.extra_dirs)
    if settings.search_system:
        dirs += system_font_dirs()
    if dirs:
        index = _scan(dirs)
        for name in names:
            if name.lower() in index:
                yield index[name.lower()]


def _first(paths: Iterable[Path], probe: str) -> LoadedFont | None:
    for path in paths:
        if not path.is_file():
            continue
        font = _load(path)
        if font is not None and font.has_all(probe):
            return font
    return None


def missing_font_message() -> str:
    return _(
        "No Chinese TrueType font was found, so forms cannot embed their text. "
        "On UOS, Kylin, Debian or Ubuntu install one with "
        "'sudo apt install fonts-wqy-zenhei'; on Windows make sure SimSun (simsun.ttc) is in "
        "C:\\Windows\\Fonts; or put the path of a .ttf or .ttc font in Settings > Fonts. "
        "Noto Sans CJK (.otf) cannot be embedded."
    )


def load_fonts(settings: FontSettings | None = None) -> FontSet:
    """Find, register (once per process) and return the fonts for ``settings``."""
    settings = settings or FontSettings()
    with _lock:
        cached = _sets.get(settings)
        if cached is not None:
            return cached
        if settings.cjk_path is not None and _first([settings.cjk_path], CJK_PROBE) is None:
            raise FontMissingError(
                _(
                    "The font {path} set in the settings is missing, has no Chinese characters "
                    "or is not a TrueType font; choose a .ttf or .ttc font."
                ).format(path=settings.cjk_path)
            )
        cjk = _first(_candidates(settings.cjk_path, CJK_FILES, settings), CJK_PROBE)
        arabic = _first(_candidates(settings.arabic_path, ARABIC_FILES, settings), ARABIC_PROBE)
        latin = _first(_candidates(settings.latin_path, LATIN_FILES, settings), LATIN_PROBE)
        if latin is None:
            vera = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts" / "Vera.ttf"
            latin = _first([vera], "AZaz09")
        note = None
        if cjk is None:
            if not settings.allow_unembedded:
                raise FontMissingError(missing_font_message())
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
            cjk = LoadedFont(CID_FALLBACK, None, 0, None, embedded=False)
            note = (
                "注意：本机未找到可嵌入的中文 TrueType 字体，本文件使用未嵌入的 STSong-Light，"
                "在其他电脑上可能显示不正确。请安装 fonts-wqy-zenhei 或在设置中指定 .ttf 字体。"
            )
        fonts = FontSet(cjk=cjk, latin=latin, arabic=arabic, fallback_note=note)
        _sets[settings] = fonts
        return fonts
