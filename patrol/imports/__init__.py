"""Reading tables and every importer (rosters, findings)."""
