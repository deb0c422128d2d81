"""Writing output files safely: all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.forms import render_notice
from caseworker.forms.samples import sample_notice


def test_the_file_appears_only_when_writing_succeeds(tmp_path: Path) -> None:
    dest = tmp_path / "out.txt"
    assert write_atomically(dest, lambda tmp: tmp.write_text("done")) == 4
    assert dest.read_text() == "done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failure_leaves_no_partial_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    dest = tmp_path / "out.txt"
    dest.write_text("old")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_atomically(dest, fail)
    assert dest.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        render_notice(sample_notice(), tmp_path / "nowhere" / "notice.pdf")


def test_a_destination_that_cannot_be_replaced_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "notice.pdf").mkdir()  # a folder where the file should go
    with pytest.raises(UserError, match=r"Cannot save .*notice\.pdf"):
        render_notice(sample_notice(), tmp_path / "notice.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["notice.pdf"]
    assert (tmp_path / "notice.pdf").is_dir()


def test_an_os_error_while_writing_is_a_user_error(tmp_path: Path) -> None:
    def disk_full(tmp: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError, match="the disk is full"):
        write_atomically(tmp_path / "x.pdf", disk_full)
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    """Not mkstemp's 0600: a saved PDF or spreadsheet is readable as any new file would be."""
    import os

    mask = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        write_atomically(target, lambda tmp: tmp.write_text("x"))
        assert target.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(mask)
