"""Safe output: write to a temporary file beside the destination, then replace it.

Every file the program writes for a user (PDF forms, spreadsheets, saved previews) goes
through :func:`write_atomically`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from caseworker.core.errors import UserError
from caseworker.i18n import _

T = TypeVar("T")


def _default_mode() -> int:
    """The mode a newly created file gets under the process's umask (``mkstemp`` uses 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], T]) -> T:
    """Call ``write(temp_path)`` and move the result to ``path`` only when it succeeds.

    The temporary file lives in the destination folder, so :func:`os.replace` is atomic; on
    any error it is removed and no partial file is left behind.  Problems with the folder or
    the file (missing folder, no permission, file open in another program, disk full) raise
    :class:`UserError` with a message for the user; other errors propagate unchanged.
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(
            _("Cannot save {path}: the folder {folder} does not exist.").format(
                path=dest, folder=folder
            )
        )
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserError(
            _("Cannot save {path}: the folder cannot be written to ({reason}).").format(
                path=dest, reason=exc.strerror or exc
            )
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = write(tmp)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UserError(
            _(
                "Cannot save {path} ({reason}). Close the file if another program has it "
                "open, or choose another folder."
            ).format(path=dest, reason=exc.strerror or exc)
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return result
