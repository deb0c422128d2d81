"""The first-run setup as plain state (no Qt): answers, checks per page, and applying them.

The wizard's pages only show this state; tests drive it without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseworker import bootstrap, i18n
from caseworker.core.errors import ValidationError
from caseworker.i18n import _

PAGES = ("language", "station", "villages", "caseworker")


@dataclass
class SetupAnswers:
    language: str = i18n.DEFAULT_LANGUAGE
    code: str = ""
    name: str = ""
    villages_text: str = ""
    caseworker: str = ""
    #: The administrator's password (the person setting up is the first administrator).
    password: str = ""
    password_again: str = ""
    phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def villages(self) -> list[str]:
        from caseworker.registry.stations import split_village_list

        return split_village_list(self.villages_text)


def check(page: str, answers: SetupAnswers) -> dict[str, str]:
    """Problems on ``page`` (field -> message); empty when the page may be left."""
    errors: dict[str, str] = {}
    if page == "language":
        if answers.language not in i18n.LANGUAGES:
            errors["language"] = _("Choose a language.")
    elif page == "station":
        from caseworker.registry.stations import validate_code

        try:
            validate_code(answers.code)
        except ValidationError as exc:
            errors["code"] = str(exc)
        if not answers.name.strip():
            errors["name"] = _("Enter the station's name.")
        elif len(answers.name.strip()) > 100:
            errors["name"] = _("The name is longer than {n} characters.").format(n=100)
    elif page == "villages":
        villages = answers.villages
        if not villages:
            errors["villages"] = _("Enter at least one village or community, one a line.")
        for name in villages:
            if len(name) > 60:
                errors["villages"] = _("The village name {name} is too long.").format(name=name)
    elif page == "caseworker":
        if not answers.caseworker.strip():
            errors["caseworker"] = _("Enter your name; it is recorded with each change.")
        elif len(answers.caseworker.strip()) > 40:
            errors["caseworker"] = _("The name is longer than {n} characters.").format(n=40)
        from caseworker.security import passwords

        try:
            passwords.check_new(answers.password)
        except ValidationError as exc:
            errors["password"] = str(exc)
        else:
            if answers.password_again != answers.password:
                errors["password_again"] = _("The two passwords differ.")
    answers.errors = errors
    return errors


def apply(store: Any, answers: SetupAnswers) -> Any:
    """Create the station with its villages, remember the caseworker and language, make the
    person setting up the first administrator (and station head), and encrypt the file.

    Returns the store to use from now on: the encrypted file opened as the administrator
    (``store`` itself is closed then)."""
    for page in PAGES:
        errors = check(page, answers)
        if errors:
            raise ValidationError(next(iter(errors.values())), next(iter(errors)))
    from caseworker.registry import stations

    caseworker = answers.caseworker.strip()
    station = stations.initialise(
        store,
        answers.code,
        answers.name,
        answers.villages,
        contact_name=caseworker,
        contact_phone=answers.phone,
    )
    store.set_setting(bootstrap.CASEWORKER_KEY, caseworker)
    store.set_setting(bootstrap.LANGUAGE_KEY, answers.language)
    store.actor = caseworker
    del station
    from caseworker.sync import setup

    setup.ensure_keys(store, bootstrap.keys_dir())  # the station's keys for the county
    return make_administrator(store, caseworker, answers.password)


def make_administrator(store: Any, name: str, password: str) -> Any:
    """The first administrator (also station head), then the file encrypted and opened again
    as them (a database without a file, e.g. a server's, is only given the account)."""
    from caseworker.security import accounts, encryption, roles
    from caseworker.security.login import Credentials, open_as
    from caseworker.security.throttle import Throttle

    accounts.add(store, name, frozenset({roles.Role.ADMIN, roles.Role.HEAD}), password)
    store.principal = accounts.authenticate(store, name, password)
    store.actor = name
    if accounts.database_path(store) is None:
        return store
    url = store.engine.url.render_as_string(hide_password=False)
    encryption.encrypt(store, password=password)
    return open_as(
        url,
        Credentials(name, lambda: password),
        throttle=Throttle(bootstrap.login_delays()),
        registry_path=store.registry_path,
    )
