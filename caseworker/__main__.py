from caseworker.cli import main

raise SystemExit(main())
