"""The gettext catalogs: complete, consistent with the code, compiled, and loadable.

When a test here fails because someone added or changed a string, refresh the catalogs::

    python -m caseworker.i18n.catalogs update    # re-extract; merge into the .po files
    # translate the new (empty) entries in translations/zh_CN and translations/ug_CN
    python -m caseworker.i18n.catalogs compile   # rebuild the committed .mo files
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from caseworker import i18n
from caseworker.i18n import catalogs

REFRESH = (
    "run `python -m caseworker.i18n.catalogs update`, translate the new entries in "
    "translations/*/LC_MESSAGES/caseworker.po, then `python -m caseworker.i18n.catalogs compile`"
)
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _template() -> Catalog:
    with catalogs.TEMPLATE.open("rb") as f:
        return read_po(f)


def _catalog(language: str) -> Catalog:
    return catalogs.read_catalog(catalogs.po_path(language), locale=language)


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    where = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
    return f"{msgid!r} ({where})"


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    before = i18n.current_language()
    yield
    i18n.set_language(before)


# -- the template and the code ---------------------------------------------------------------


def test_template_is_up_to_date_with_the_code() -> None:
    missing, gone = catalogs.stale_template()
    assert not missing, (
        f"strings not in translations/caseworker.pot yet: {sorted(map(str, missing))}; {REFRESH}"
    )
    assert not gone, f"strings no longer in the code: {sorted(map(str, gone))}; {REFRESH}"


def test_extraction_finds_every_marker_kind() -> None:
    keys = catalogs.message_keys(catalogs.extract_catalog())
    assert ("ID number", None) in keys  # N_() at module level
    assert ("Enter the ID number.", None) in keys  # _()
    assert len(keys) > 300


def test_extraction_sees_calls_inside_fstrings(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "print(f\"{_('Record id')}: {x} {ngettext('{n} case', '{n} cases', n)}\")\n"
        "print(f\"{pgettext('menu', 'Exit')}\")\n",
        encoding="utf-8",
    )
    assert catalogs.calls_inside_fstrings(source) == [
        (1, "Record id", None),
        (1, ("{n} case", "{n} cases"), None),
        (2, "Exit", "menu"),
    ]


# -- the translations --------------------------------------------------------------------------


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_every_template_message_is_in_the_catalog(language: str) -> None:
    keys = catalogs.message_keys(_catalog(language))
    missing = catalogs.message_keys(_template()) - keys
    assert not missing, f"{language}: not merged: {sorted(map(str, missing))}; {REFRESH}"


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    assert not catalog.fuzzy, f"{language}: the catalog header is marked fuzzy"
    untranslated = [
        _label(m) for m in _messages(catalog) if not all(s.strip() for s in _strings(m))
    ]
    fuzzy = [_label(m) for m in _messages(catalog) if m.fuzzy]
    assert not untranslated, f"{language}: untranslated: {untranslated}; {REFRESH}"
    assert not fuzzy, f"{language}: fuzzy (check and clear the flag): {fuzzy}"


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_placeholders_are_kept(language: str) -> None:
    wrong = []
    for message in _messages(_catalog(language)):
        if isinstance(message.id, tuple):
            expected = catalogs.placeholders(message.id[1])
        else:
            expected = catalogs.placeholders(message.id)
        for text in _strings(message):
            try:
                found = catalogs.placeholders(text)
            except ValueError as error:
                wrong.append(f"{_label(message)}: {text!r} is not a valid format string ({error})")
                continue
            if found != expected:
                wrong.append(f"{_label(message)}: expected {expected}, found {found} in {text!r}")
    assert not wrong, "\n".join(wrong)


_MNEMONIC = re.compile(r"&(?!&)\S")
_FILE_FILTER = re.compile(r"\(\*\.[^)]*\)")


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_markup_is_kept(language: str) -> None:
    """Keyboard mnemonics (&F), file-dialog filters (*.xlsx) and line breaks survive translation."""
    wrong = []
    for message in _messages(_catalog(language)):
        msgid = message.id[-1] if isinstance(message.id, tuple) else message.id
        for text in _strings(message):
            if len(_MNEMONIC.findall(msgid)) != len(_MNEMONIC.findall(text)):
                wrong.append(f"{_label(message)}: keyboard mnemonic (&) in {text!r}")
            if _FILE_FILTER.findall(msgid) != _FILE_FILTER.findall(text):
                wrong.append(f"{_label(message)}: file filter changed in {text!r}")
            if msgid.count("\n") != text.count("\n"):
                wrong.append(f"{_label(message)}: line breaks differ in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_placeholders_helper() -> None:
    assert catalogs.placeholders("Added {n} in {seconds:.1f} s, {x!r}") == [
        "{n}",
        "{seconds:.1f}",
        "{x!r}",
    ]
    assert catalogs.placeholders("{{literal}} 100%% and %(name)s") == ["%(name)s"]
    with pytest.raises(ValueError, match="Single"):
        catalogs.placeholders("broken {")


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_plural_forms_header(language: str) -> None:
    catalog = _catalog(language)
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"
    assert catalog.locale_identifier == language
    for message in _messages(catalog):
        assert len(_strings(message)) == (catalog.num_plurals if message.pluralizable else 1)


def _has_words(message: Message) -> bool:
    """Whether the English text has words besides its placeholders (else it is pure notation)."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return bool(re.search(r"[A-Za-z]", re.sub(r"\{[^{}]*\}", "", msgid)))


def _without_script(catalog: Catalog, script: re.Pattern[str]) -> list[str]:
    return [
        _label(m)
        for m in _messages(catalog)
        if _has_words(m) and not all(script.search(s) for s in _strings(m))
    ]


def test_uyghur_catalog_is_in_arabic_script() -> None:
    assert _without_script(_catalog("ug_CN"), ARABIC_LETTER) == []


def test_uyghur_catalog_is_marked_for_review() -> None:
    text = catalogs.po_path("ug_CN").read_text(encoding="utf-8")
    assert '"X-Review-Status: machine-drafted; needs review by a native Uyghur speaker\\n"' in text
    assert "native Uyghur" in _catalog("ug_CN").header_comment


def test_chinese_catalog_is_in_chinese() -> None:
    assert _without_script(_catalog("zh_CN"), HAN) == []


def test_category_labels_follow_the_notice() -> None:
    """Clause (八) of 新政办发〔2023〕49号, in the notice's own words."""
    from caseworker.policy.categories import CATEGORY_LABELS

    notice = catalogs.ROOT.parent / "shared/reference/xj-2023-49-notice.txt"
    catalog = _catalog("zh_CN")
    labels = [catalog.get(label).string for label in CATEGORY_LABELS.values()]
    assert labels[0] == "城镇零就业家庭成员中的城镇登记失业人员"
    assert labels[-1] == "因政府征地且经济收入低于当地平均生活水平的农民"
    if notice.exists():  # the reference copy lives outside the repository
        clause = notice.read_text(encoding="utf-8").split("(八)")[1].split("(九)")[0]
        for label in labels[2:]:
            assert label in clause, label


# -- the compiled catalogs ------------------------------------------------------------------------


@pytest.mark.parametrize("language", catalogs.CATALOG_LANGUAGES)
def test_compiled_catalog_is_up_to_date(language: str) -> None:
    assert catalogs.mo_path(language).exists(), f"{language}: no .mo; {REFRESH}"
    assert catalogs.mo_is_fresh(language), f"{language}: the .mo is older than the .po; {REFRESH}"


def test_check_command_reports_no_problem() -> None:
    assert [str(p) for p in catalogs.check()] == []


def test_set_language_chinese() -> None:
    i18n.set_language("zh_CN")
    assert i18n._("ID number") == "身份证号"
    assert i18n._("Registered unemployed since") == "登记失业日期"
    assert i18n._("Employment card number") == "就业创业证号"
    assert i18n._("Added {n} demo persons in {seconds:.1f} s.").format(n=3, seconds=1.25) == (
        "已添加 3 名演示人员，用时 1.2 秒。"
    )


GLOSSARY_ZH = {
    "ID number": "身份证号",
    "Registered unemployed since": "登记失业日期",
    "Minimum living allowance": "低保",
    "Employment card number": "就业创业证号",
    "Public notice": "公示",
    "Community review": "社区（村）初审",
    "Township review": "乡镇（街道）审核",
    "Recognition": "认定",
    "Exit": "退出",
}


@pytest.mark.parametrize(("english", "chinese"), GLOSSARY_ZH.items())
def test_chinese_glossary_terms(english: str, chinese: str) -> None:
    """The terms of docs/translations.md, where the message is still in the code."""
    message = _catalog("zh_CN").get(english)
    assert message is not None, f"{english!r} is no longer a message: update the glossary"
    assert message.string == chinese


def test_set_language_uyghur() -> None:
    i18n.set_language("ug_CN")
    assert i18n.is_rtl()
    assert i18n._("ID number") == "كىملىك نومۇرى"
    assert ARABIC_LETTER.search(i18n._("Enter the ID number."))


def test_set_language_english_is_the_source() -> None:
    i18n.set_language("en")
    assert i18n._("ID number") == "ID number"


def test_module_level_labels_translate_when_shown() -> None:
    from caseworker.policy.categories import Category, category_label

    i18n.set_language("zh_CN")
    assert category_label(Category.LONG_TERM_UNEMPLOYED_1Y) == "连续失业一年以上的城镇登记失业人员"


def test_a_catalog_with_a_plural_message_compiles_and_compares() -> None:
    """Reading a compiled catalog back gives a plural's ids as a list; comparing two compiled
    catalogs must not fail on it (it did, with the first ngettext message)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="zh_CN")
    catalog.add(("{n} day overdue", "{n} days overdue"), ("逾期 {n} 天",))
    catalog.add("Worklist", "工作清单")
    data = catalogs.compile_bytes(catalog)
    messages, _headers = catalogs._mo_content(data)
    assert messages[(("{n} day overdue", "{n} days overdue"), None)] == ("逾期 {n} 天",)
    assert catalogs._mo_content(data) == catalogs._mo_content(catalogs.compile_bytes(catalog))
