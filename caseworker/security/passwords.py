"""Passwords: argon2id hashes (memory-hard) and keys derived from a password.

The cost is kept with every hash and every wrapped key, so a later, dearer :data:`COST` still
opens what was written with an earlier one (tests lower it to keep the suite fast).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import hash_secret_raw

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Cost:
    """argon2id parameters: passes, memory in KiB, lanes."""

    time: int = 3
    memory_kib: int = 64 * 1024
    lanes: int = 1


#: The cost of new hashes and wrapped keys (about 0.2 s and 64 MiB on a station laptop).
COST = Cost()


def check_new(password: str) -> str:
    """A new password's problems, refused in words (it is kept as given, not stripped)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            _("A password needs at least {n} characters.").format(n=MIN_LENGTH), "password"
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            _("A password has at most {n} characters.").format(n=MAX_LENGTH), "password"
        )
    if password.strip() != password:
        raise ValidationError(_("A password may not start or end with a space."), "password")
    return password


def hash_password(password: str) -> str:
    hasher = PasswordHasher(
        time_cost=COST.time, memory_cost=COST.memory_kib, parallelism=COST.lanes, type=Type.ID
    )
    return hasher.hash(password)


def verify(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (any cost it was made with)."""
    try:
        return PasswordHasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def derive_key(password: str, salt: bytes, cost: Cost) -> bytes:
    """A 256-bit key from the password (argon2id), to wrap the database key with."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=cost.time,
        memory_cost=cost.memory_kib,
        parallelism=cost.lanes,
        hash_len=32,
        type=Type.ID,
    )
