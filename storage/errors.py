"""Errors storage raises for conditions a user can fix (wrong path, read-only disk)."""


class StorageError(Exception):
    """A database problem worth one clear line to the user (the message is in Chinese)."""
