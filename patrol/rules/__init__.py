"""The hall's rules as pure functions, no I/O: items, periods, scoring and verdicts."""
