"""The Textual app: its screens, widgets and styles. Calls into ``patrol``; never builds SQL."""
