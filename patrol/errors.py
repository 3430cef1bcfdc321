"""The error a user can fix: one clear line in Chinese saying what, where and how to fix."""


class UserError(Exception):
    """Bad input from a user: a file, an argument or a keystroke. Nothing has been changed."""
