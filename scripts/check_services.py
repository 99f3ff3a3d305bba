"""Stop `make test` early, with a hint, when PostgreSQL or Redis is not reachable or a tool the
suite drives (msgfmt, Chromium) is not installed."""

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis

database_url = os.environ["DATABASE_URL"]
redis_url = os.environ["REDIS_URL"]
problems = []
url = urlsplit(database_url)
try:
    # The test run creates its own database, so reach the server's maintenance database instead.
    psycopg2.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
        connect_timeout=3,
    ).close()
except psycopg2.Error as exc:
    problems.append(
        f"PostgreSQL is not reachable at {database_url}: {str(exc).strip()}\n"
        "  start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
        "  or point TEST_DATABASE_URL at another server"
    )
try:
    redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
except redis.RedisError as exc:
    problems.append(
        f"Redis is not reachable at {redis_url}: {exc}\n"
        '  start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n'
        "  or point TEST_REDIS_URL at another server"
    )
if not shutil.which("msgfmt"):
    problems.append("gettext is missing (the catalogue tests need msgfmt): apt-get install gettext")
if not Path("/usr/bin/chromium").exists():
    problems.append("Debian's Chromium is missing (the browser tests drive it): apt-get install chromium")
if problems:
    print("make test needs PostgreSQL, Redis, gettext and Chromium.\n" + "\n".join(problems), file=sys.stderr)
    sys.exit(1)
