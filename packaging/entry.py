"""The frozen program's entry point: the same ``main`` as the ``caseworker`` command."""

from caseworker.cli import main

raise SystemExit(main())
