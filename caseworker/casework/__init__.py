"""One-to-one assistance (一对一就业援助) and the zero-employment family tracker (零就业家庭).

- :mod:`~caseworker.casework.vocab`: the codes (channels, services, offers, answers, closing
  reasons, evidence) and how they read;
- :mod:`~caseworker.casework.rules`: the pack's parameters for assistance;
- :mod:`~caseworker.casework.plans`: plans, contacts, offers, outcomes, closing;
- :mod:`~caseworker.casework.worklist`: who is due for a contact, and refusals;
- :mod:`~caseworker.casework.families`: zero-employment families, identified and cleared;
- :mod:`~caseworker.casework.dashboard`: the station's figures.

Every function takes the caller's session (one user action is one transaction) and never
commits.  Dates of things that happened are checked against ``wall.today()``.
"""
