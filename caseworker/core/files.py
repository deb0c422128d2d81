"""Safe output: write to a temporary file beside the destination, then replace it.

Every file the program writes for a user (PDF forms, spreadsheets, saved previews, backups)
goes through :func:`write_atomically`:

- the temporary file lives in the destination folder (so :func:`os.replace` is atomic) and is
  named ``.<stem>.cw~<pid>-<token>.tmp``; it is created with mode ``0o666`` so the operating
  system applies the umask (and a folder's default ACL) exactly as for any new file: the
  process umask is never read or changed (renders run on worker threads, and ``os.umask``
  is process-wide);
- after the content is written the file is flushed to the device (``fsync``), then renamed
  over the destination, then the folder is flushed too, so a USB stick pulled out right after
  "saved" holds either the old file or the whole new one;
- on any error the temporary file is removed; a process killed half-way leaves its temporary
  file behind, and the next save into that folder removes it (a temporary file of a process
  that no longer runs, see :func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from caseworker.core.errors import UserError
from caseworker.i18n import _

T = TypeVar("T")

#: The mark in the names of our temporary files (``.<stem>.cw~<pid>-<token>.tmp``).
TEMP_MARK = ".cw~"
_TEMP_NAME = re.compile(r"^\..*\.cw~(\d+)-[0-9a-f]{8}\.tmp$")
#: Where the owner process cannot be asked (Windows), a temporary file this old is stale.
STALE_AFTER_SECONDS = 6 * 3600
#: Errors that mean "no room": a full disk, a quota, a file-size limit.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: Errors that mean "this place cannot be written".
NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})

_active: set[str] = set()
_active_lock = threading.Lock()


def temporary_name(dest: Path) -> Path:
    """A fresh temporary name beside ``dest`` (not created)."""
    token = secrets.token_hex(4)
    return dest.parent / f".{dest.stem}{TEMP_MARK}{os.getpid()}-{token}.tmp"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return True
    return True


def _is_stale(path: Path) -> bool:
    match = _TEMP_NAME.match(path.name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        with _active_lock:
            return str(path) not in _active
    if sys.platform == "win32":
        try:
            return time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
        except OSError:
            return False
    return not _process_alive(pid)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of ours in ``folder`` whose writer is gone (a killed export
    or backup); returns what was removed.  Other files are never touched."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".") or TEMP_MARK not in entry.name:
            continue
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and _is_stale(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def fsync_file(path: Path) -> None:
    """Flush a written file's content to the device."""
    flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the device; not possible on Windows,
    where the rename itself is flushed by the file system."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot flush a folder
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _create(tmp: Path) -> None:
    """Create ``tmp`` empty with mode 0o666 less the umask (as any new file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    os.close(fd)


def save_error(dest: Path, exc: OSError) -> UserError:
    """The message for a failed save of ``dest``."""
    reason = exc.strerror or str(exc)
    if exc.errno in NO_SPACE:
        return UserError(
            _(
                "Cannot save {path}: the disk is full (or the file is larger than that drive "
                "allows). Free some space or choose another drive; nothing was saved."
            ).format(path=dest)
        )
    if exc.errno == errno.EROFS:
        return UserError(
            _(
                "Cannot save {path}: the drive is read-only (a locked USB stick or a CD?). "
                "Choose another folder; nothing was saved."
            ).format(path=dest)
        )
    return UserError(
        _(
            "Cannot save {path} ({reason}). Close the file if another program has it "
            "open, or choose another folder."
        ).format(path=dest, reason=reason)
    )


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], T]) -> T:
    """Call ``write(temp_path)`` and move the result to ``path`` only when it succeeds.

    ``temp_path`` exists (empty) when ``write`` is called.  Problems with the folder or the
    file (missing folder, no permission, file open in another program, disk full) raise
    :class:`UserError` with a message for the user; other errors propagate unchanged.  Either
    way no partial file is left behind.
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(
            _("Cannot save {path}: the folder {folder} does not exist.").format(
                path=dest, folder=folder
            )
        )
    remove_stale_temporaries(folder)
    tmp = temporary_name(folder / dest.name)
    with _active_lock:  # before it exists: another thread's clean-up must not take it
        _active.add(str(tmp))
    try:
        _create(tmp)
    except OSError as exc:
        with _active_lock:
            _active.discard(str(tmp))
        if exc.errno in NO_SPACE or exc.errno == errno.EROFS:
            raise save_error(dest, exc) from exc
        raise UserError(
            _("Cannot save {path}: the folder cannot be written to ({reason}).").format(
                path=dest, reason=exc.strerror or exc
            )
        ) from exc
    try:
        mode = tmp.stat().st_mode & 0o777
        result = write(tmp)
        if tmp.stat().st_mode & 0o777 != mode:  # the writer made the file anew
            os.chmod(tmp, mode)
        fsync_file(tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise save_error(dest, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        with _active_lock:
            _active.discard(str(tmp))
    with contextlib.suppress(OSError):  # saved; only the folder's flush could not be made
        fsync_folder(folder)
    return result
