"""Errors that carry a message fit to show a caseworker.

Every error a user can cause is a :class:`UserError`; its ``str()`` is already translated
into the active language.  Front ends print or show it as it is; anything else is a bug and
goes to the log with its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; the message is in the user's language."""


class ValidationError(UserError):
    """A value that fails a rule.  ``field`` names the field when one is to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(UserError):
    """A record the user named does not exist."""


class DuplicateError(UserError):
    """A record that must be unique already exists; ``existing_id`` points to it."""

    def __init__(self, message: str, existing_id: object | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class WorkflowError(UserError):
    """A step taken out of order."""


class UsageError(UserError):
    """A command used the wrong way (a missing or contradictory option): the command line
    exits with its usage status even where refused input has a status of its own."""
