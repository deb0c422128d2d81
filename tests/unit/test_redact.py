"""The log file holds no ID numbers, phone numbers or names."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from caseworker import bootstrap
from caseworker.core.redact import redact
from tests.helpers import make_id

NAMES = st.text(alphabet="张王李赵钱孙古丽热依拉阿布都·ئەخمەتجان", min_size=1, max_size=8)


@given(
    st.dates(dt.date(1940, 1, 1), dt.date(2010, 12, 31)),
    st.integers(0, 999),
    NAMES,
    st.text(alphabet="abc /:=()'", max_size=10),
)
def test_ids_and_names_never_survive(birth: dt.date, seq: int, name: str, around: str) -> None:
    id_number = make_id(birth=birth, seq=seq)
    text = redact(f"{around}{id_number}{around} {name}: 1{seq:03d}2345678 {around}")
    assert id_number not in text
    assert id_number[6:14] not in text  # not even the birth date
    assert not any(c in text for c in name if c != "·")


def test_the_log_file_is_redacted(tmp_path: Path) -> None:
    path = bootstrap.configure_logging()
    id_number = make_id(seq=101)
    try:
        raise ValueError(f"already registered: 张三丰 ({id_number}), phone 18223146761")
    except ValueError:
        logging.getLogger("caseworker.test").exception("failed for %s", "古丽·热依拉")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "already registered" in text
    for secret in (id_number, "张三丰", "古丽", "18223146761"):
        assert secret not in text


def test_temporary_files_with_personal_data_are_kept_in_memory() -> None:
    import os
    import shutil

    from caseworker.core.files import MEMORY_FOLDERS, private_temp_dir

    folder = private_temp_dir("caseworker-test-")
    try:
        assert folder.stat().st_mode & 0o777 == 0o700
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            assert str(folder.parent) in MEMORY_FOLDERS
    finally:
        shutil.rmtree(folder)
