"""EXPLAIN verdicts: is every query of a request backed by an index at the benchmark's size?

A request's queries are captured in process; each SELECT is planned with ``EXPLAIN (FORMAT JSON)``
against the benchmark data, and the plan is walked for the shapes that grow with the table:

- a **Seq Scan** of a big table (one whose ``pg_class.reltuples`` is over ``BIG_TABLE_ROWS``), unless it
  has no filter and a Limit stops it (the bounded count of ``dms.pagination`` reads 10,001 rows at most);
- a **Sort** whose input comes from a scan of a big table and is estimated at more than
  ``SORT_INPUT_ROWS`` rows. A top-N heapsort under a Limit counts as well: it still reads and
  compares every input row. A sort of a few rows fetched through an index (one dealer's contacts,
  one user's regions) is fine, and so is an Incremental Sort, whose input is already ordered by an index;
- an index or bitmap scan of a big table estimated at more than ``BIG_TABLE_ROWS`` rows that no Limit
  stops early (a bitmap scan never stops early): most of a table read through an index, such as a
  report summing every row.
"""

import json
from dataclasses import dataclass, field

from django.db import connection

BIG_TABLE_ROWS = 10_000
SORT_INPUT_ROWS = 1_000
SCAN_NODES = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan"}
INDEX_READS = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}
# Nodes that read all of their input before returning a row: a Limit above them does not stop the scans below.
CONSUMING_NODES = {"Sort", "Aggregate", "Hash", "Materialize", "SetOp", "WindowAgg"}


@dataclass(frozen=True)
class Problem:
    """One plan node that reads or sorts a big table in full."""

    kind: str  # "seq scan", "full sort" or "full read"
    table: str
    detail: str
    query: str

    @property
    def short(self) -> str:
        return f"{self.kind} on {self.table}" if self.kind == "seq scan" else f"{self.kind} of {self.table}"


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.ok:
            return "ok"
        shorts = list(dict.fromkeys(problem.short for problem in self.problems))
        return "; ".join(shorts)


def big_tables() -> dict[str, int]:
    """Tables of the public schema over ``BIG_TABLE_ROWS`` rows, by the planner's own estimate."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltuples > %s",
            [BIG_TABLE_ROWS],
        )
        return dict(cursor.fetchall())


def plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        document = cursor.fetchone()[0]
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def _scanned_tables(node: dict, big: dict[str, int]) -> list[str]:
    """Big tables read by the scans in this subtree."""
    found = []
    if node.get("Node Type") in SCAN_NODES and node.get("Relation Name") in big:
        found.append(node["Relation Name"])
    for child in node.get("Plans", []):
        found.extend(_scanned_tables(child, big))
    return found


def _describe(node: dict) -> str:
    parts = [node["Node Type"]]
    if node.get("Relation Name"):
        parts.append(f"on {node['Relation Name']}")
    if node.get("Index Name"):
        parts.append(f"using {node['Index Name']}")
    for key in ("Filter", "Index Cond", "Recheck Cond", "Join Filter", "Hash Cond"):
        if node.get(key):
            parts.append(f"{key.lower()}: {node[key]}")
    if node.get("Sort Key"):
        parts.append(f"sort key: {', '.join(node['Sort Key'])}")
    parts.append(f"rows≈{int(node.get('Plan Rows', 0)):,}")
    return " ".join(parts)


def problems_in(node: dict, big: dict[str, int], query: str, *, limited: bool = False) -> list[Problem]:
    """``limited``: a Limit above this node stops it early (no node in between reads all its input)."""
    found = []
    node_type = node.get("Node Type")
    # A Seq Scan with no filter that a Limit stops (a list's bounded count) reads only the rows it returns.
    stops_early = limited and not node.get("Filter")
    if node_type == "Seq Scan" and node.get("Relation Name") in big and not stops_early:
        found.append(Problem("seq scan", node["Relation Name"], _describe(node), query))
    if (
        node_type in INDEX_READS
        and node.get("Relation Name") in big
        and node.get("Plan Rows", 0) > BIG_TABLE_ROWS
        # A bitmap scan collects every matching row's address before the first row comes back.
        and (not limited or node_type == "Bitmap Heap Scan")
    ):
        found.append(Problem("full read", node["Relation Name"], _describe(node), query))
    if node_type == "Sort":
        child = node["Plans"][0]
        tables = _scanned_tables(child, big)
        if tables and child.get("Plan Rows", 0) > SORT_INPUT_ROWS:
            detail = f"{_describe(node)} over {_describe(child)}"
            found.extend(Problem("full sort", table, detail, query) for table in dict.fromkeys(tables))
    if node_type == "Limit":
        limited = True
    elif node_type in CONSUMING_NODES:
        limited = False
    for child in node.get("Plans", []):
        found.extend(problems_in(child, big, query, limited=limited))
    return found


def judge(queries: list[str], big: dict[str, int]) -> Verdict:
    """The verdict on one request's captured SQL (each distinct SELECT planned once)."""
    verdict = Verdict()
    for sql in dict.fromkeys(queries):
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        verdict.problems.extend(problems_in(plan(sql), big, sql))
    return verdict
