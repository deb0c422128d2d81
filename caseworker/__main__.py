from caseworker.cli import main

if __name__ == "__main__":  # (not when a helper process imports it: caseworker.sync.ahead)
    raise SystemExit(main())
