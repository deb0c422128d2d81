"""Staff accounts and roles, key wrapping, masking, and backups (above the store: bootstrap
hands the store its key and its logged-in principal; the store never imports this package)."""
