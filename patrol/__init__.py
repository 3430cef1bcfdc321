"""patrol: the product's logic (rules, periods, scoring, search, importers, the command line).

Never imports Textual nor ``screens``: the entry point (``screens.main``) hands the command line the app.
"""
