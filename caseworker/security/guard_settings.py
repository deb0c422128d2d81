"""The settings that guard the data: the idle lock and the automatic backups (an
administrator's change, each logged like every setting)."""

from __future__ import annotations

from dataclasses import dataclass

from caseworker.core.errors import ValidationError
from caseworker.i18n import _
from caseworker.security import backups
from caseworker.security.roles import Action, require
from caseworker.store.uow import Store, put_setting

LOCK_MINUTES_KEY = "lock_minutes"
DEFAULT_LOCK_MINUTES = 10


@dataclass(frozen=True, slots=True)
class GuardSettings:
    lock_minutes: int = DEFAULT_LOCK_MINUTES  # 0: never lock
    backup_hours: int = backups.DEFAULT_HOURS
    backup_daily: int = backups.DEFAULT_DAILY
    backup_weekly: int = backups.DEFAULT_WEEKLY


#: key, attribute, lowest, highest
_FIELDS = (
    (LOCK_MINUTES_KEY, "lock_minutes", 0, 240),
    (backups.HOURS_KEY, "backup_hours", 1, 168),
    (backups.DAILY_KEY, "backup_daily", 1, 90),
    (backups.WEEKLY_KEY, "backup_weekly", 0, 104),
)


def read(store: Store) -> GuardSettings:
    values = {}
    for key, name, low, high in _FIELDS:
        try:
            value = int(store.setting(key, str(getattr(GuardSettings(), name))))
        except ValueError:
            value = getattr(GuardSettings(), name)
        values[name] = min(max(value, low), high)
    return GuardSettings(**values)


def change(store: Store, settings: GuardSettings) -> None:
    """Store ``settings`` (checked: each within its range) in one logged transaction."""
    for key, name, low, high in _FIELDS:
        value = getattr(settings, name)
        if not low <= value <= high:
            raise ValidationError(
                _("{value} is out of range for {name} ({low} to {high}).").format(
                    value=value, name=name, low=low, high=high
                ),
                key,
            )
    with store.transaction() as session:
        require(session, Action.CHANGE_SETTINGS)
        for key, name, _low, _high in _FIELDS:
            put_setting(session, key, str(getattr(settings, name)))
