"""A real Celery worker on Redis: a task enqueued with transaction.on_commit runs after the commit,
and one enqueued in a transaction that rolls back never runs."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from dms import events
from dms.accounts import verbs
from dms.celery import app as celery_app
from dms.events.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = "Task dms.events.tasks.events_publish_task"


@pytest.fixture
def worker(tmp_path):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    assert broker.startswith("redis://"), "run through `make test`, which points CELERY_BROKER_URL at Redis"
    queue = f"dms-test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}" if db["PASSWORD"] else quote(db["USER"])
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dms",
                "worker",
                "-Q",
                queue,
                "--pool",
                "solo",
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "ready." in log.read_text(), what="the worker to start")
        yield log
    finally:
        process.terminate()
        process.wait(timeout=20)
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous


def wait_for(condition, *, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_on_commit_task_runs_after_commit_and_rolled_back_one_never(worker, hq_admin, hq_staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record(actor=hq_admin, verb=verbs.TOKEN_CREATED.code, target=hq_staff, notify=[hq_staff])
        raise RuntimeError("the business write failed")

    with transaction.atomic():
        events.record(actor=hq_admin, verb=verbs.PASSWORD_CHANGED.code, target=hq_staff, notify=[hq_staff])
        time.sleep(1)
        assert worker.read_text().count(RECEIVED) == 0, "a task ran before its transaction committed"

    wait_for(lambda: Notification.objects.filter(recipient=hq_staff).exists(), what="the worker to publish")
    time.sleep(1)
    assert worker.read_text().count(f"{RECEIVED}[") == 2  # "received" and "succeeded" of the one task
    assert list(Notification.objects.values_list("event__verb", flat=True)) == [verbs.PASSWORD_CHANGED.code]
