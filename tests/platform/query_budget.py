"""Harness 4: a page or endpoint costs the same number of queries with 3 rows as with 30."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_flat_query_count(client, url: str, add_rows, *, small: int = 3, large: int = 30) -> int:
    """Add ``small`` rows, count the queries of GET ``url``; grow to ``large`` rows, count again.

    ``add_rows(n)`` creates n more rows that the page lists. Returns the query count.
    """
    add_rows(small)
    # The first request of a session writes the session and fills caches; measure from the second.
    client.get(url)
    few = count_queries(client, url)
    add_rows(large - small)
    many = count_queries(client, url)
    assert few == many, f"{url}: {few} queries with {small} rows but {many} with {large}"
    return many


def plan_of(queryset) -> str:
    """The plan PostgreSQL picks when the full-table scan and the sort are forbidden: tiny test tables make any
    plan cheap, so what is left shows whether an index serves the query."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
