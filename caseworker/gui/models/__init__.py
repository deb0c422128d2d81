"""Table models: each holds row ids and fetches display rows in pages."""
