from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker.core import names
from caseworker.core.errors import ValidationError


@pytest.mark.parametrize("dot", ["·", "•", "‧", "・", "．", ".", " . ", "･", "∙"])
def test_dot_variants_become_middle_dot(dot: str) -> None:
    assert names.normalize_name(f"阿不都热合曼{dot}买买提") == "阿不都热合曼·买买提"


def test_ascii_dot_only_between_chinese() -> None:
    assert names.normalize_name("Mr.Li") == "Mr.Li"
    with pytest.raises(ValidationError):
        names.validate_name("Mr.Li")


@pytest.mark.parametrize("bad", ["", "   ", "·张三", "张三·", "张··三", "张3", "A" * 3, "张" * 41])
def test_invalid_names(bad: str) -> None:
    with pytest.raises(ValidationError):
        names.validate_name(bad)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("阿不都热合曼·买买提", "abudurehemanmaimaiti", "abdrhmmmt"),
        ("阿不都拉", "abudula", "abdl"),
        ("曾志伟", "zengzhiwei", "zzw"),
        ("单雄", "shanxiong", "sx"),
        ("古丽娜尔·吐尔逊", "gulinaertuerxun", "glnetex"),
    ],
)
def test_readings(name: str, full: str, initials: str) -> None:
    reading = names.reading(names.validate_name(name))
    assert reading.full == full
    assert reading.initials == initials


def test_native_name() -> None:
    assert names.validate_native_name(" ئابدۇراخمان مەمەت ") == "ئابدۇراخمان مەمەت"
    assert names.validate_native_name("") == ""
    with pytest.raises(ValidationError):
        names.validate_native_name("Abdurahman")


cjk = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
)


@given(st.lists(cjk, min_size=1, max_size=3), st.sampled_from(list("·•‧・．.")))
def test_normalisation_is_idempotent_and_valid(parts: list[str], dot: str) -> None:
    name = names.normalize_name(dot.join(parts))
    assert names.normalize_name(name) == name
    assert name == "·".join(parts)
    assert names.validate_name(name) == name
    reading = names.reading(name)
    assert len(reading.initials) <= len(name)
