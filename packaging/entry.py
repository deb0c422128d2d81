"""The frozen program's entry point: the same ``main`` as the ``caseworker`` command."""

import multiprocessing

if __name__ == "__main__":
    # The county import checks bundles ahead in a helper process (caseworker.sync.ahead,
    # "spawn"): in the frozen program that process is this program started again, which must
    # become the helper here instead of starting the program.
    multiprocessing.freeze_support()
    from caseworker.cli import main

    raise SystemExit(main())
