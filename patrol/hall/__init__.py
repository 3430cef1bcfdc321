"""The services the app and the command line call: logging, corrections, roster, search, lock."""
