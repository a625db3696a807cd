"""How dates and times are written, one style per language (FORMAT_MODULE_PATH).

English: day month year and a 24-hour clock, "1 Dec 2026, 22:56". Romanian: the same order with
the month in lower case, as Romanian writes it, "1 dec. 2026, 22:56". The short and long formats
are the same on purpose: every page, report and email reads a date the same way.
"""
