"""Storage: SQLAlchemy models, the engine and its pragmas, migrations and the unit of work."""
