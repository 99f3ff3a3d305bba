"""Calls that reach PostgreSQL at the same moment, each on its own connection, as requests from several web
workers would."""

import threading

from django.db import connection


def run_together(function, arguments: list) -> list:
    """Call ``function(argument)`` for every argument in its own thread, all released at once.
    Returns, in argument order, what each call returned or the exception it raised."""
    barrier = threading.Barrier(len(arguments))
    outcomes = [None] * len(arguments)

    def worker(index, argument):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = function(argument)
        except Exception as exc:  # reported by the caller's assertions
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes
