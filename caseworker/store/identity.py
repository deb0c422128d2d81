"""Which device wrote a change: an identity bound to this machine and this copy of the file.

The device id is part of every stamp's node (``650102001.3fa9c2d1``) and of every change-log
row.  Two laptops must never share one, or the county could not tell their changes apart.  An
id kept only inside the database file would travel with a copy of it, so the binding lives on
the machine too, in a small registry file in the user's state folder
(``~/.local/state/caseworker/devices.json``):

- ``machine``: a random id made once for this user on this machine;
- per database (by the ``instance`` id stored in the file): its path, its device id, and a
  point of its change log (``seq`` and ``hash``) seen at the last open or commit.

When a file is opened, :func:`bind` decides:

===================================================  =========================================
what is found                                         the device id
===================================================  =========================================
a new file, or the registry was lost on this machine  kept (a new one for a new file)
the file was made on another machine                  new (``moved``)
the file is a copy of one still present elsewhere     new, and a new instance id (``copied``)
the same file, renamed or moved on this machine       kept
the log no longer holds the point seen last           new (``restored``: from a backup, or
  (it is shorter, or differs there)                   rolled back by other means)
===================================================  =========================================

A new id is a logged setting change, so the earlier identity stays in the change log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MOVED = "moved"
COPIED = "copied"
RESTORED = "restored"


def new_device_id() -> str:
    return secrets.token_hex(4)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the database file says about itself."""

    path: str
    instance: str | None
    device: str | None
    machine: str | None
    head_seq: int
    #: The hash of the log row with a given seq (None when there is no such row).
    hash_at: Callable[[int], str | None]


@dataclass(frozen=True, slots=True)
class Binding:
    instance: str
    device: str
    machine: str
    #: Why the device id changed (``moved``, ``copied``, ``restored``), or None.
    reason: str | None
    previous_device: str | None


@dataclass
class Registry:
    """The machine's registry file (loaded, changed, saved whole and atomically)."""

    path: Path
    machine: str = ""
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Registry:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            machine = str(data["machine"])
            databases = dict(data.get("databases", {}))
        except FileNotFoundError:
            return cls(path, secrets.token_hex(8), {})
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("device registry %s unreadable; starting a new one", path)
            return cls(path, secrets.token_hex(8), {})
        return cls(path, machine, databases)

    def reloaded(self) -> Registry:
        """The registry as the file holds it now (other databases of this machine write their
        entries into it too); this one when the file is missing or is another machine's."""
        if not self.path.exists():
            return self
        loaded = Registry.load(self.path)
        return loaded if loaded.machine == self.machine else self

    def save(self) -> None:
        data = {"machine": self.machine, "databases": self.databases}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".devices.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError:
            log.exception("could not save the device registry %s", self.path)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def remember(self, binding: Binding, path: str, seq: int, hash_: str | None) -> None:
        self.databases[binding.instance] = {
            "path": path,
            "device": binding.device,
            "seq": seq,
            "hash": hash_,
        }


def _same_instance_elsewhere(path: str, instance: str, probe: Callable[[str], str | None]) -> bool:
    if not Path(path).exists():
        return False
    try:
        return probe(path) == instance
    except Exception:  # an unreadable file is no longer that copy
        log.debug("probing %s failed", path, exc_info=True)
        return False


def bind(
    registry: Registry, facts: FileFacts, probe_instance: Callable[[str], str | None]
) -> Binding:
    """Decide the device id of the file described by ``facts`` (see the module notes).

    ``probe_instance(path)`` reads the instance id of another file (to tell a copy from a
    move).  The registry is updated in memory; the caller saves it.
    """
    machine = registry.machine
    if facts.instance is None or facts.device is None:
        return Binding(
            facts.instance or str(uuid.uuid4()), facts.device or new_device_id(), machine,
            None, None,
        )  # fmt: skip
    entry = registry.databases.get(facts.instance)
    reason: str | None = None
    instance = facts.instance
    if entry is None:
        if facts.machine not in (None, machine):
            reason = MOVED
    elif entry.get("path") != facts.path and _same_instance_elsewhere(
        str(entry.get("path")), facts.instance, probe_instance
    ):
        reason = COPIED
        instance = str(uuid.uuid4())
    else:
        seen_seq = int(entry.get("seq") or 0)
        seen_hash = entry.get("hash")
        if seen_seq > facts.head_seq or (
            seen_seq > 0 and seen_hash is not None and facts.hash_at(seen_seq) != seen_hash
        ):
            reason = RESTORED
        elif entry.get("device") not in (None, facts.device):
            # The registry knew this file under another device id: the file was swapped.
            reason = RESTORED
    if reason is None:
        return Binding(instance, facts.device, machine, None, None)
    return Binding(instance, new_device_id(), machine, reason, facts.device)
