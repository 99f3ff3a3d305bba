"""A gunicorn server for the HTTP benchmarks, and the keep-alive connection their clients use.

The server runs ``dms.wsgi:application`` with sync workers, as the Procfile does, on a free local port,
with the environment of the calling process (the benchmark database, production settings).
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60
# A request the client gives up on; gunicorn's own worker timeout (60 s) is longer.
REQUEST_TIMEOUT = 30


class ServerFailure(Exception):
    pass


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


class Connection:
    """One client's HTTP/1.1 connection, kept alive between requests as long as the server allows.

    gunicorn's sync workers close the connection after each response, as they do in a deployment; the
    next request then opens a new one."""

    def __init__(self, address: tuple[str, int], headers: dict[str, str] | None = None):
        self.address = address
        self.headers = headers or {}
        self.connection = http.client.HTTPConnection(*address, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Reply:
        try:
            return self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # Only a request that changes nothing is sent again: a POST may have been carried out.
            if method not in ("GET", "HEAD"):
                raise
            self.connection.close()
            self.connection = http.client.HTTPConnection(*self.address, timeout=REQUEST_TIMEOUT)
            return self._send(method, path, body, headers)

    def _send(self, method, path, body, headers) -> Reply:
        self.connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
        response = self.connection.getresponse()
        return Reply(response.status, response.read())

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def close(self) -> None:
        self.connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(workers: int, log_path: Path):
    """Start gunicorn, wait until ``/healthz`` answers, yield its address; stop it on the way out.

    The workers' own log goes to ``log_path``."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "dms.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning", "--timeout", "60"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log)  # noqa: S603
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise ServerFailure(f"gunicorn exited with code {process.returncode}; see {log_path}")
            probe = Connection(("127.0.0.1", port))
            try:
                if probe.get("/healthz").status == 200:
                    break
            except OSError:
                pass  # not listening yet
            finally:
                probe.close()
            if time.monotonic() > deadline:
                raise ServerFailure(f"gunicorn did not answer 200 within {START_TIMEOUT} s; see {log_path}")
            time.sleep(0.2)
        yield ("127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(timeout=30)
