"""Request benchmark for DMS: ``python -m bench`` (or ``make bench``).

Runs in-process against the WSGI handler with ``django.test.Client`` on its own PostgreSQL database
(``<name>_bench`` next to the one in ``DATABASE_URL``), so the numbers describe Django and the
database, not the network, and the developer's data is never touched. See ``bench/README.md``.
"""
