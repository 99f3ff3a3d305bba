"""Date formats per language (``FORMAT_MODULE_PATH``): one way to write a date and a moment on every page.

Both languages write dates as 2026-12-03 and moments as 2026-12-03 14:05, unambiguous to readers of
either; templates use ``|date:"SHORT_DATE_FORMAT"`` and ``|date:"SHORT_DATETIME_FORMAT"``.
"""
