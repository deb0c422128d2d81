"""write_atomically: flushed to the device before the rename, no umask games, no leftovers."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from caseworker.core import files
from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


@pytest.mark.skipif(
    not Path("/proc/self/fd").exists(),
    reason="telling which file a descriptor is needs /proc (Linux)",
)
def test_the_file_is_flushed_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", _fd_path(fd)))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("replace", str(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(tmp_path / "out.txt", lambda tmp: tmp.write_text("content"))
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync", "replace", "fsync"]
    temp = events[1][1]
    assert events[0][1] == temp  # the temporary file itself, before it is renamed
    assert events[2][1] == str(tmp_path)  # then the folder that holds the new name
    assert (tmp_path / "out.txt").read_text() == "content"


def test_the_umask_is_never_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renders run on worker threads; os.umask is process-wide, so it must not be called."""
    previous = os.umask(0o027)
    try:

        def no_umask(_mask: int) -> int:
            raise AssertionError("os.umask called")

        monkeypatch.setattr(os, "umask", no_umask)
        target = tmp_path / "out.txt"
        write_atomically(target, lambda tmp: tmp.write_text("x"))
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        monkeypatch.undo()
        os.umask(previous)


def test_a_writer_that_makes_the_file_anew_still_gets_the_usual_mode(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:

        def recreate(tmp: Path) -> None:
            tmp.unlink()
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, b"x")
            os.close(fd)

        write_atomically(tmp_path / "out.bin", recreate)
        assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(previous)


def test_parallel_saves_on_threads_keep_their_modes(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        errors: list[BaseException] = []

        def save(i: int) -> None:
            try:
                write_atomically(tmp_path / f"f{i}.txt", lambda tmp: tmp.write_text(str(i)))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {0o644}
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(previous)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_of_dead_writers_are_removed_on_the_next_save(tmp_path: Path) -> None:
    stale = tmp_path / f".out{files.TEMP_MARK}{_dead_pid()}-0123abcd.tmp"
    stale.write_text("half a workbook")
    alive = tmp_path / f".out{files.TEMP_MARK}{os.getppid()}-89abcdef.tmp"
    alive.write_text("someone is writing")
    mine = files.temporary_name(tmp_path / "out.xlsx")  # ours, but no write is running
    mine.write_text("left over")
    unrelated = tmp_path / ".out.abcdefgh.tmp"
    unrelated.write_text("not ours")
    write_atomically(tmp_path / "out.xlsx", lambda tmp: tmp.write_text("done"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["out.xlsx", alive.name, unrelated.name])


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows cannot SIGKILL a process in the middle of a write"
)
def test_a_killed_export_leaves_nothing_behind_after_the_next_save(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from caseworker.core.files import write_atomically\n"
        "def hang(tmp):\n"
        "    tmp.write_bytes(b'x' * 1000)\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "write_atomically(sys.argv[1], hang)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "out.xlsx")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1
    assert left[0].startswith(".out.cw~")
    write_atomically(tmp_path / "out.xlsx", lambda tmp: tmp.write_text("done"))
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT])
def test_a_full_disk_is_said_plainly(tmp_path: Path, code: int) -> None:
    def full(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(code, os.strerror(code))

    with pytest.raises(UserError, match="the disk is full"):
        write_atomically(tmp_path / "x.pdf", full)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows has no file-size limit (RLIMIT_FSIZE) to simulate a full disk",
)
def test_a_file_size_limit_while_saving_is_a_full_disk(tmp_path: Path) -> None:
    script = (
        "import resource, sys\n"
        "from caseworker.core.errors import UserError\n"
        "from caseworker.core.files import write_atomically\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    write_atomically(sys.argv[1], lambda tmp: tmp.write_bytes(b'x' * 100_000))\n"
        "except UserError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "big.bin")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CASEWORKER_LANG": "en"},
    )
    assert "the disk is full" in done.stdout
    assert list(tmp_path.iterdir()) == []
