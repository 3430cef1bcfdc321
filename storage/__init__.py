"""Storage for patrol: tables, engine, migrations and queries. Knows nothing of the UI."""
