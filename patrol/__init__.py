"""patrol: the product's logic (rules, periods, scoring, search, importers, the command line).

Never imports Textual, except in ``patrol.launch`` which starts the app.
"""
